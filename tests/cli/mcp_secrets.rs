//! Secrets written in an MCP server's command line or URL (`--api-key X`,
//! `?api_key=…`) go to the keyring, not the database nor anything that
//! shows the server; the server still gets them. Importing a file fills in
//! `${env:VAR}` only when asked (`--expand-env`). A server stored by an
//! older ValeChat with a key in its command line is moved to the keyring at
//! the next start, its "Always allow" permissions with it.
//!
//! Each test names its servers apart: keyring slots are per server id.
//! Needs the Secret Service of `tests/run-in-session.sh` (e.g.
//! `tests/run-in-session.sh cargo test --test cli mcp_secrets::`).

use crate::support;

use std::path::{Path, PathBuf};

use support::cli::{assert_success, stderr, stdout, valechat_with};
use valechat_core::mcp::{ServerConfig, Transport};
use valechat_core::store::Store;

/// Fails with instructions unless inside `tests/run-in-session.sh`.
fn require_session() {
    assert!(
        std::env::var_os("VALECHAT_SESSION_DIR").is_some()
            && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "not inside tests/run-in-session.sh: refusing to write test keys into your own keyring \
         (run `tests/run-in-session.sh cargo test --test cli mcp_secrets::`)"
    );
}

/// A key no earlier run stored.
fn fresh(what: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{what}{}x{nanos}", std::process::id())
}

/// `tests/mcp/sandbox/probe.py`, whose `argv` tool answers its arguments.
fn probe() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/mcp/sandbox/probe.py")
        .to_string_lossy()
        .into_owned()
}

/// Every byte of every file under `dir` (the database, its WAL, backups).
fn all_bytes(dir: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in walk(dir) {
        bytes.extend(std::fs::read(entry).unwrap_or_default());
    }
    bytes
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

/// Runs `valechat args…` with `env`, asserts success, returns stdout.
async fn ok(data: &Path, env: &[(&str, &str)], args: &[&str]) -> String {
    let output = valechat_with(data, env, args).await;
    assert_success(&output);
    let (out, err) = (stdout(&output), stderr(&output));
    format!("{out}{err}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_in_the_command_line_or_the_url_goes_to_the_keyring() {
    require_session();
    let data = tempfile::tempdir().expect("data dir");
    let key = fresh("sk-argCanary");
    let script = probe();
    let added = ok(
        data.path(),
        &[],
        &[
            "mcp",
            "add",
            "probe",
            "--",
            "python3",
            &script,
            "--api-key",
            &key,
        ],
    )
    .await;
    assert!(!added.contains(&key), "{added}");
    let listed = ok(data.path(), &[], &["mcp", "list"]).await;
    assert!(!listed.contains(&key), "{listed}");
    assert!(listed.contains("--api-key @keyring:1"), "{listed}");

    let query_key = fresh("q");
    let url = format!("https://mcp.example.com/mcp?team=blue&api_key={query_key}");
    ok(data.path(), &[], &["mcp", "add", "remote", "--url", &url]).await;
    let listed = ok(data.path(), &[], &["mcp", "list"]).await;
    assert!(!listed.contains(&query_key), "{listed}");
    assert!(listed.contains("team=blue&api_key=@keyring"), "{listed}");

    let stored = all_bytes(data.path());
    assert!(!holds(&stored, &key), "the key is in the data folder");
    assert!(
        !holds(&stored, &query_key),
        "the URL's key is in the data folder"
    );

    // The server still gets its key, as an argument.
    let argv = ok(data.path(), &[], &["mcp", "call", "probe", "argv"]).await;
    assert!(argv.contains(&format!("--api-key\n{key}")), "{argv}");

    ok(data.path(), &[], &["mcp", "remove", "probe"]).await;
    ok(data.path(), &[], &["mcp", "remove", "remote"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_fills_in_variables_only_when_asked() {
    require_session();
    let canary = fresh("ghp_envCanary");
    let folder = tempfile::tempdir().expect("project folder");
    let file = folder.path().join("mcp.json");
    let text = serde_json::json!({"servers": {
        "gh": {"command": "python3", "args": [probe(), "--token", "${env:VC_CANARY}"]},
        "web": {"type": "http", "url": "https://evil.example/mcp?k=${env:VC_CANARY}",
                "headers": {"X-Team": "${env:VC_CANARY}"}}
    }});
    std::fs::write(&file, text.to_string()).expect("write mcp.json");
    let file = file.to_string_lossy().into_owned();
    let env = [("VC_CANARY", canary.as_str())];

    let asked = tempfile::tempdir().expect("data dir");
    let said = ok(asked.path(), &env, &["mcp", "import", &file]).await;
    assert!(
        said.contains("refers to VC_CANARY, kept as written"),
        "{said}"
    );
    assert!(said.contains("--expand-env"), "{said}");
    let listed = ok(asked.path(), &env, &["mcp", "list"]).await;
    assert!(listed.contains("--token ${env:VC_CANARY}"), "{listed}");
    assert!(!listed.contains(&canary), "{listed}");
    assert!(!holds(&all_bytes(asked.path()), &canary));

    let filled = tempfile::tempdir().expect("data dir");
    let said = ok(
        filled.path(),
        &env,
        &["mcp", "import", &file, "--expand-env"],
    )
    .await;
    assert!(said.contains("filled in VC_CANARY"), "{said}");
    let listed = ok(filled.path(), &env, &["mcp", "list"]).await;
    assert!(listed.contains("--token @keyring:1"), "{listed}");
    assert!(listed.contains("k=@keyring"), "{listed}");
    assert!(
        !holds(&all_bytes(filled.path()), &canary),
        "filled in, into the keyring"
    );
    let argv = ok(filled.path(), &[], &["mcp", "call", "gh", "argv"]).await;
    assert!(argv.contains(&canary), "{argv}");
    ok(filled.path(), &[], &["mcp", "remove", "gh"]).await;
    ok(filled.path(), &[], &["mcp", "remove", "web"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_stored_by_an_older_valechat_moves_to_the_keyring_with_its_permissions() {
    require_session();
    let data = tempfile::tempdir().expect("data dir");
    let key = fresh("oldKey");
    let script = probe();
    let old_binding = format!("python3 {script} --token {key}");
    {
        let store = Store::open(&data.path().join("valechat.db"))
            .await
            .expect("open the store");
        let config = ServerConfig {
            id: "legacy".into(),
            name: "Legacy".into(),
            transport: Transport::Stdio {
                command: "python3".into(),
                args: vec![script.clone(), "--token".into(), key.clone()],
                env: Default::default(),
                cwd: None,
            },
            enabled: false,
            era: None,
            sandbox: None,
        };
        store
            .add_mcp_server(&config)
            .await
            .expect("stored as before");
        store
            .allow_tool(&old_binding, "argv", "hash")
            .await
            .expect("a permission");
    }
    let listed = ok(data.path(), &[], &["mcp", "list"]).await;
    assert!(listed.contains("--token @keyring:1"), "{listed}");
    assert!(!listed.contains(&key), "{listed}");

    let store = Store::open(&data.path().join("valechat.db"))
        .await
        .expect("open the store");
    let config = store
        .get_mcp_server("legacy")
        .await
        .expect("read")
        .expect("still there");
    assert!(
        matches!(&config.transport, Transport::Stdio { args, .. } if args[2] == "@keyring:1"),
        "{config:?}"
    );
    let new_binding = format!("python3 {script} --token @keyring:1");
    assert!(
        store
            .list_tool_permissions(&old_binding)
            .await
            .unwrap()
            .is_empty()
    );
    let moved = store.list_tool_permissions(&new_binding).await.unwrap();
    assert_eq!(moved.len(), 1, "the permission follows the server");
    drop(store);
    let argv = ok(data.path(), &[], &["mcp", "call", "legacy", "argv"]).await;
    assert!(argv.contains(&key), "{argv}");
    ok(data.path(), &[], &["mcp", "remove", "legacy"]).await;
}
