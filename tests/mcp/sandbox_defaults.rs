//! The sandbox's defaults (issue 13, point 13), through the `valechat`
//! command line with its data in a temporary folder: a new local server
//! runs sandboxed where Bubblewrap is installed, with the seccomp filter,
//! no user namespaces, a process limit and a package cache of its own;
//! without Bubblewrap it runs unsandboxed and the CLI says why; the home
//! folder is refused as a writable folder.

use crate::support::cli;

use std::path::{Path, PathBuf};

fn probe_script() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/mcp/sandbox/probe.py")
        .to_string_lossy()
        .into_owned()
}

/// `valechat mcp call SERVER TOOL --args {}`'s output, which must succeed.
async fn call(data: &Path, server: &str, tool: &str) -> String {
    let output =
        cli::valechat_with(data, &[], &["mcp", "call", server, tool, "--args", "{}"]).await;
    cli::assert_success(&output);
    cli::stdout(&output)
}

/// The soft limit on the `/proc/self/limits` line starting with `name`.
fn soft_limit(limits: &str, name: &str) -> String {
    let line = limits
        .lines()
        .find(|l| l.starts_with(name))
        .unwrap_or_else(|| panic!("no {name} in {limits}"));
    line[name.len()..]
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_local_server_runs_sandboxed_filtered_and_with_its_own_cache() {
    let data = tempfile::tempdir().unwrap();
    let script = probe_script();
    let added = cli::valechat_with(
        data.path(),
        &[],
        &["mcp", "add", "Probe", "--", "python3", &script],
    )
    .await;
    cli::assert_success(&added);
    let list = cli::stdout(&cli::valechat_with(data.path(), &[], &["mcp", "list"]).await);
    assert!(
        list.contains("probe.py (sandboxed)"),
        "sandboxed by default: {list}"
    );

    let syscalls = call(data.path(), "probe", "syscalls").await;
    assert!(syscalls.contains("personality: EPERM"), "{syscalls}");
    if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) {
        assert!(syscalls.contains("keyctl: EPERM"), "{syscalls}");
    }
    assert!(
        !syscalls.contains("userns: ok"),
        "a user namespace was made: {syscalls}"
    );

    let limits = call(data.path(), "probe", "limits").await;
    assert_eq!(soft_limit(&limits, "Max processes"), "512", "{limits}");

    let env = call(data.path(), "probe", "env").await;
    let cache = data.path().join("cache/mcp/probe");
    for (name, sub) in [
        ("npm_config_cache", "npm"),
        ("UV_CACHE_DIR", "uv"),
        ("PIP_CACHE_DIR", "pip"),
    ] {
        let line = format!("{name}={}", cache.join(sub).display());
        assert!(env.lines().any(|l| l == line), "no {line} in {env}");
        assert!(cache.join(sub).is_dir());
    }

    // Unsandboxed, the same calls go through: the filter is what refuses them.
    let open = cli::valechat_with(
        data.path(),
        &[],
        &[
            "mcp",
            "add",
            "Open",
            "--no-sandbox",
            "--",
            "python3",
            &script,
        ],
    )
    .await;
    cli::assert_success(&open);
    let syscalls = call(data.path(), "open", "syscalls").await;
    assert!(syscalls.contains("personality: ok"), "{syscalls}");
    assert!(!syscalls.contains("keyctl: EPERM"), "{syscalls}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_bubblewrap_a_new_server_runs_unsandboxed_and_the_cli_says_why() {
    let data = tempfile::tempdir().unwrap();
    let script = probe_script();
    let no_bwrap = [("VALECHAT_BWRAP", "/nonexistent/bwrap")];
    let added = cli::valechat_with(
        data.path(),
        &no_bwrap,
        &["mcp", "add", "Probe", "--", "python3", &script],
    )
    .await;
    cli::assert_success(&added);
    let note = cli::stderr(&added);
    assert!(
        note.contains("runs without a sandbox: Bubblewrap (bwrap) is not installed"),
        "{note}"
    );
    let list = cli::stdout(&cli::valechat_with(data.path(), &[], &["mcp", "list"]).await);
    assert!(
        list.contains("probe.py") && !list.contains("(sandboxed)"),
        "{list}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_folder_is_refused_as_a_writable_folder() {
    let data = tempfile::tempdir().unwrap();
    let script = probe_script();
    let home = dirs::home_dir().expect("a home folder");
    let inside = tempfile::tempdir_in(&home).unwrap();
    for folder in [home.clone(), home.join("."), PathBuf::from("/")] {
        let folder = folder.to_string_lossy().into_owned();
        let args = [
            "mcp",
            "add",
            "Home",
            "--allow-dir",
            &folder,
            "--",
            "python3",
            &script,
        ];
        let added = cli::valechat_with(data.path(), &[], &args).await;
        assert!(!added.status.success(), "{folder} was accepted");
        let error = cli::stderr(&added);
        assert!(
            error.contains("is your home folder or holds it")
                && error.contains("choose a folder inside it"),
            "{folder}: {error}"
        );
    }
    let folder = inside.path().to_string_lossy().into_owned();
    let args = [
        "mcp",
        "add",
        "Inside",
        "--allow-dir",
        &folder,
        "--",
        "python3",
        &script,
    ];
    cli::assert_success(&cli::valechat_with(data.path(), &[], &args).await);
}
