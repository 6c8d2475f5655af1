//! The optional Linux sandbox of stdio MCP servers, with the real Bubblewrap
//! and prlimit (Debian packages bubblewrap and util-linux, installed by
//! `.ci/install-deps`): the probe server `tests/mcp/sandbox/probe.py`
//! writes files, connects to a local listener and reads its limits from
//! inside the sandbox; mcp-server-time and server-everything (from
//! `tests/mcp/install-peers.sh`) still work sandboxed; the whole tree dies
//! on shutdown; a missing Bubblewrap gives the clear error.

use crate::common;
use crate::support::cli;

use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;
use tokio_util::sync::CancellationToken;
use valechat_core::mcp::{CallOptions, McpConnection, SandboxSettings, ServerConfig};

use common::{alive, connect, group_members, peer_path, require, stdio};

/// The probe server, sandboxed with `settings`.
fn probe(id: &str, settings: SandboxSettings) -> ServerConfig {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mcp/sandbox/probe.py");
    let mut config = stdio(id, "python3", &[&script.to_string_lossy()]);
    config.sandbox = Some(settings);
    config
}

fn sandboxed() -> SandboxSettings {
    SandboxSettings {
        enabled: true,
        ..SandboxSettings::default()
    }
}

/// Calls `tool` and returns its text.
async fn call(conn: &McpConnection, tool: &str, args: serde_json::Value) -> String {
    conn.call_tool(tool, args, CallOptions::default(), CancellationToken::new())
        .await
        .unwrap_or_else(|e| panic!("{tool}: {e}"))
        .text()
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
async fn only_the_allowed_folders_are_writable() {
    let allowed = tempfile::tempdir().unwrap();
    let other = tempfile::tempdir().unwrap();
    let settings = SandboxSettings {
        writable_folders: vec![allowed.path().to_owned()],
        ..sandboxed()
    };
    let conn = connect(&probe("writer", settings)).await;
    let write = |path: PathBuf| {
        let conn = &conn;
        async move { call(conn, "write", json!({ "path": path })).await }
    };
    assert_eq!(write(allowed.path().join("ok.txt")).await, "ok");
    assert_eq!(
        std::fs::read_to_string(allowed.path().join("ok.txt")).unwrap(),
        "probe"
    );
    // Another folder of the host is absent from the sandbox.
    let outside = other.path().join("outside.txt");
    assert_eq!(write(outside.clone()).await, "error: ENOENT");
    assert!(!outside.exists());
    // System folders are read-only.
    let system = write(PathBuf::from("/usr/valechat-sandbox-probe")).await;
    assert!(
        system == "error: EROFS" || system == "error: EACCES",
        "{system}"
    );
    // HOME is private: a file written there never reaches the real home.
    let home = dirs::home_dir().expect("a home folder");
    let in_home = home.join(format!("valechat-sandbox-probe-{}", std::process::id()));
    let _ = write(in_home.clone()).await;
    assert!(
        !in_home.exists(),
        "{} reached the real home",
        in_home.display()
    );
    conn.shutdown().await;
}

/// A server sees only allow-listed variables and its own `env`, sandboxed
/// or not. The test process's own environment stands for a terminal launch
/// carrying a secret.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_clears_the_environment_but_keeps_the_servers_env() {
    // Cargo gives test processes CARGO_MANIFEST_DIR: it stands for any
    // variable of ValeChat's environment that is not passed through.
    assert!(std::env::var_os("CARGO_MANIFEST_DIR").is_some());
    let lines = |text: &str| text.lines().map(str::to_owned).collect::<Vec<_>>();
    for enabled in [true, false] {
        let mut config = probe(
            "env",
            SandboxSettings {
                enabled,
                ..SandboxSettings::default()
            },
        );
        if let valechat_core::mcp::Transport::Stdio { env, .. } = &mut config.transport {
            env.insert("PROBE_SETTING".into(), "from-config".into());
        }
        let conn = connect(&config).await;
        let shown = lines(&call(&conn, "env", json!({})).await);
        conn.shutdown().await;
        assert!(
            shown.contains(&"PROBE_SETTING=from-config".to_owned()),
            "{shown:?}"
        );
        assert!(shown.iter().any(|l| l.starts_with("PATH=")), "{shown:?}");
        let inherited = shown.iter().any(|l| l.starts_with("CARGO_MANIFEST_DIR="));
        assert!(!inherited, "sandbox {enabled}: {shown:?}");
        if enabled {
            let home = dirs::home_dir().expect("a home folder");
            assert!(
                shown.contains(&format!("HOME={}", home.display())),
                "{shown:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_can_be_cut() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let offline = SandboxSettings {
        network: false,
        ..sandboxed()
    };
    let conn = connect(&probe("offline", offline)).await;
    let refused = call(&conn, "connect", json!({ "port": port })).await;
    assert!(refused.starts_with("error:"), "{refused}");
    conn.shutdown().await;
    let conn = connect(&probe("online", sandboxed())).await;
    assert_eq!(call(&conn, "connect", json!({ "port": port })).await, "ok");
    conn.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resource_limits_apply_with_and_without_the_sandbox() {
    for enabled in [true, false] {
        let settings = SandboxSettings {
            enabled,
            max_memory_mb: Some(4096),
            max_open_files: Some(64),
            max_cpu_seconds: Some(600),
            ..SandboxSettings::default()
        };
        let conn = connect(&probe("limited", settings)).await;
        let limits = call(&conn, "limits", json!({})).await;
        assert_eq!(soft_limit(&limits, "Max open files"), "64", "{limits}");
        assert_eq!(soft_limit(&limits, "Max cpu time"), "600", "{limits}");
        assert_eq!(
            soft_limit(&limits, "Max address space"),
            (4096u64 * 1024 * 1024).to_string(),
            "{limits}"
        );
        conn.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mcp_server_time_works_sandboxed() {
    let time = require(&peer_path("venv/bin/mcp-server-time"));
    let mut config = stdio("time", &time, &[]);
    config.sandbox = Some(SandboxSettings {
        network: false,
        ..sandboxed()
    });
    let conn = connect(&config).await;
    let names: Vec<String> = conn
        .list_tools()
        .await
        .unwrap()
        .iter()
        .map(|t| t.name.to_string())
        .collect();
    assert!(names.contains(&"get_current_time".to_owned()), "{names:?}");
    let now = call(
        &conn,
        "get_current_time",
        json!({"timezone": "Europe/Paris"}),
    )
    .await;
    assert!(now.contains("Europe/Paris"), "{now}");
    conn.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_everything_works_sandboxed_offline() {
    let mut config = common::everything_config();
    config.sandbox = Some(SandboxSettings {
        network: false,
        ..sandboxed()
    });
    let conn = connect(&config).await;
    let echoed = call(&conn, "echo", json!({"message": "from the sandbox"})).await;
    assert!(echoed.contains("from the sandbox"), "{echoed}");
    conn.shutdown().await;
}

/// Pids of processes whose command line contains `marker`.
fn with_marker(marker: &str) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(marker))
                && alive(*pid)
        })
        .collect()
}

/// Polls `done` every 50 ms, at most 200 times.
async fn eventually(mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..200 {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    done()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_kills_the_whole_sandboxed_tree() {
    let conn = connect(&probe("tree", sandboxed())).await;
    let pgid = conn.pgid().expect("a stdio server has a group");
    let marker = format!("valechat-sandbox-grandchild-{}", std::process::id());
    assert_eq!(
        call(&conn, "spawn", json!({ "marker": marker })).await,
        "ok"
    );
    assert!(eventually(|| !with_marker(&marker).is_empty()).await);
    let grandchild = with_marker(&marker)[0];
    let members = group_members(pgid);
    // bwrap leads the group and the server inside the sandbox is in it.
    assert!(members.contains(&pgid), "{members:?}");
    assert!(
        members.contains(&grandchild),
        "{grandchild} not in {members:?}"
    );
    conn.shutdown().await;
    let gone =
        eventually(|| with_marker(&marker).is_empty() && group_members(pgid).is_empty()).await;
    assert!(
        gone,
        "left: {:?} / group {:?}",
        with_marker(&marker),
        group_members(pgid)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_adds_a_sandboxed_server_and_names_a_missing_bubblewrap() {
    let data = tempfile::tempdir().unwrap();
    let allowed = tempfile::tempdir().unwrap();
    let allowed_dir = allowed.path().to_string_lossy();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mcp/sandbox/probe.py");
    let script = script.to_string_lossy();
    let no_bwrap = [("VALECHAT_BWRAP", "/nonexistent/bwrap")];
    let add = [
        "mcp",
        "add",
        "Probe",
        "--sandbox",
        "--no-network",
        "--allow-dir",
        &allowed_dir,
        "--max-open-files",
        "64",
        "--",
        "python3",
        &script,
    ];
    let added = cli::valechat_with(data.path(), &no_bwrap, &add).await;
    cli::assert_success(&added);
    assert_eq!(cli::stdout(&added).trim(), "probe");
    let list = cli::valechat_with(data.path(), &[], &["mcp", "list"]).await;
    let listing = cli::stdout(&list);
    assert!(listing.contains("probe.py (sandboxed)"), "{listing}");

    let tools = cli::valechat_with(data.path(), &no_bwrap, &["mcp", "tools", "probe"]).await;
    assert!(!tools.status.success());
    let error = cli::stderr(&tools);
    assert!(
        error.contains(
            "Bubblewrap (bwrap) is not installed: install the “bubblewrap” package or turn off the sandbox for this server"
        ),
        "{error}"
    );

    // With Bubblewrap found, the same server starts with what was asked.
    let run = |tool: &'static str, args: String| {
        let data = data.path().to_owned();
        async move {
            let output =
                cli::valechat_with(&data, &[], &["mcp", "call", "probe", tool, "--args", &args])
                    .await;
            cli::assert_success(&output);
            cli::stdout(&output)
        }
    };
    let limits = run("limits", "{}".into()).await;
    assert_eq!(soft_limit(&limits, "Max open files"), "64", "{limits}");
    let target = allowed.path().join("from-cli.txt");
    let written = run("write", json!({ "path": target }).to_string()).await;
    assert_eq!(written.trim(), "ok");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "probe");
}
