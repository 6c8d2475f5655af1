//! `valechat mcp serve` (issue 15, part 1) driven by the official MCP
//! Python SDK (`tests/serve/mcp_sdk.py`, with `tests/mcp/venv`'s Python)
//! over stdio and over streamable HTTP, against a local stand-in for an
//! OpenAI-compatible provider; and the refusals of `--http`.
//!
//! The subscription to `stats://usage` is answered by billing a request
//! from another process (`valechat chat` on the same data folder), so the
//! update comes from the server's poll of the database, not from itself.
//! The key test needs the Secret Service of `tests/run-in-session.sh`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support;
use support::cli::{assert_success, stderr, valechat_with};
use support::openai::text_reply_with_usage;
use support::{Reply, TestServer};

/// Longest one SDK session may take.
const SESSION_DEADLINE: Duration = Duration::from_secs(60);

fn python() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mcp/venv/bin/python");
    assert!(
        path.exists(),
        "{} is missing: run tests/mcp/install-peers.sh",
        path.display()
    );
    path
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/serve/mcp_sdk.py")
}

/// The provider's answer to `GET /v1/models`: one model, `m1`.
fn models_reply() -> Reply {
    Reply::fixed(
        200,
        "application/json",
        r#"{"object":"list","data":[{"id":"m1","object":"model","owned_by":"test"}]}"#,
    )
}

/// A provider "Fake" at `server`, its `m1` priced at USD 10 / 30 per 1M
/// tokens; with `key`, the key goes to the keyring (stdin).
async fn add_provider(data: &Path, server: &TestServer, key: Option<&str>) {
    let url = server.base_url();
    let mut args = vec!["providers", "add", "--name", "Fake", "--base-url", &url];
    if let Some(key) = key {
        args.push("--api-key-env");
        args.push("FAKE_KEY");
        let env = [("FAKE_KEY", key)];
        assert_success(&valechat_with(data, &env, &args).await);
    } else {
        assert_success(&valechat_with(data, &[], &args).await);
    }
    let price = [
        "prices",
        "set",
        "--provider",
        "fake",
        "--model",
        "m1",
        "--input",
        "10",
        "--output",
        "30",
    ];
    assert_success(&valechat_with(data, &[], &price).await);
}

/// Runs the SDK script with `extra` arguments; when it has subscribed,
/// bills one chat from another process. Returns its stdout.
async fn run_script(data: &Path, extra: &[&str]) -> String {
    let mut command = tokio::process::Command::new(python());
    command
        .arg(script())
        .args([
            "--exe",
            env!("CARGO_BIN_EXE_valechat"),
            "--model",
            "fake/m1",
        ])
        .args(extra)
        .env("VALECHAT_DATA_DIR", data)
        .env("RUST_LOG", "off")
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command.spawn().expect("start the SDK script");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut seen = String::new();
    let session = async {
        while let Some(line) = lines.next_line().await.expect("read the script") {
            seen.push_str(&line);
            seen.push('\n');
            if line == "SUBSCRIBED" {
                let chat = ["chat", "--provider", "fake", "--model", "m1", "Hi"];
                assert_success(&valechat_with(data, &[], &chat).await);
            }
        }
    };
    tokio::time::timeout(SESSION_DEADLINE, session)
        .await
        .unwrap_or_else(|_| panic!("the SDK session did not end; so far:\n{seen}"));
    let output = child.wait_with_output().await.expect("wait for the script");
    assert!(
        output.status.success(),
        "the SDK script failed after:\n{seen}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(seen.contains("UPDATED\nPASSED\n"), "{seen}");
    seen
}

/// The provider's requests: two model listings (list_models,
/// config://providers), then the chat that changes the ledger.
async fn fake_provider() -> TestServer {
    TestServer::start(vec![
        models_reply(),
        models_reply(),
        text_reply_with_usage(&["Hello"], 12, 5),
    ])
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_over_stdio() {
    let server = fake_provider().await;
    let dir = tempfile::tempdir().expect("temp dir");
    add_provider(dir.path(), &server, None).await;
    let seen = run_script(dir.path(), &[]).await;
    assert!(seen.contains("tools get_usage,list_models\n"), "{seen}");
    assert_eq!(server.requests().len(), 3);
}

/// A free port on 127.0.0.1.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_over_http() {
    let server = fake_provider().await;
    let dir = tempfile::tempdir().expect("temp dir");
    add_provider(dir.path(), &server, None).await;
    let address = format!("127.0.0.1:{}", free_port());
    let mut serve = tokio::process::Command::new(env!("CARGO_BIN_EXE_valechat"))
        .args(["mcp", "serve", "--http", &address, "--no-auth"])
        .env("VALECHAT_DATA_DIR", dir.path())
        .env("RUST_LOG", "off")
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start valechat mcp serve --http");
    let mut errors = BufReader::new(serve.stderr.take().expect("stderr")).lines();
    let announced = tokio::time::timeout(Duration::from_secs(20), errors.next_line())
        .await
        .expect("no announcement within 20 s")
        .expect("read stderr")
        .expect("valechat exited");
    assert!(
        announced.contains("WITHOUT authentication") && announced.contains(&address),
        "{announced}"
    );
    let url = format!("http://{address}/mcp");
    run_script(dir.path(), &["--url", &url]).await;
    assert_eq!(server.requests().len(), 3);
    serve.start_kill().expect("stop the server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_needs_no_auth_on_loopback() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    let without = valechat_with(data, &[], &["mcp", "serve", "--http", "127.0.0.1:1"]).await;
    assert_eq!(without.status.code(), Some(1));
    assert!(
        stderr(&without).contains("--no-auth"),
        "{}",
        stderr(&without)
    );
    let open = ["mcp", "serve", "--http", "0.0.0.0:1", "--no-auth"];
    let outside = valechat_with(data, &[], &open).await;
    assert_eq!(outside.status.code(), Some(1));
    assert!(
        stderr(&outside).contains("loopback address only"),
        "{}",
        stderr(&outside)
    );
}

/// Fails with instructions unless inside `tests/run-in-session.sh`.
fn require_session() {
    assert!(
        std::env::var_os("VALECHAT_SESSION_DIR").is_some()
            && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "not inside tests/run-in-session.sh: refusing to write test keys into your own keyring \
         (run `tests/run-in-session.sh cargo test --test cli mcp_serve::`)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_providers_never_shows_the_key() {
    require_session();
    let server = fake_provider().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let key = format!("sk-mcp-serve-{}", std::process::id());
    add_provider(dir.path(), &server, Some(&key)).await;
    run_script(dir.path(), &["--secret", &key]).await;
    // The key was used (so it was in the keyring), yet never shown.
    let sent = server.requests()[0]
        .header("authorization")
        .unwrap_or_default()
        .to_owned();
    assert_eq!(sent, format!("Bearer {key}"));
    assert_success(&valechat_with(dir.path(), &[], &["providers", "remove", "fake"]).await);
}
