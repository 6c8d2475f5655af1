//! `valechat mcp serve` (issue 15, part 1) driven by the official MCP
//! Python SDK (`tests/serve/mcp_sdk.py`, with `tests/mcp/venv`'s Python)
//! over stdio and over streamable HTTP, against local stand-ins for two
//! OpenAI-compatible providers: the tools, `generate` with progress and its
//! usage record naming the client, `compare_models`, the resources and the
//! `stats://usage` subscription, `--read-only`, a hard limit, cancellation;
//! and the refusals of `--http`.
//!
//! The subscription gets one update from a `generate` in the server's
//! process and one from a request billed by another process (`valechat
//! chat` on the same data folder), which only the server's poll of the
//! database can see. The key test needs the Secret Service of
//! `tests/run-in-session.sh`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

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
    add_named(data, "Fake", server, key).await;
}

/// A provider `name` at `server` (id: `name` in lower case), its `m1`
/// priced at USD 10 / 30 per 1M tokens; with `key`, the key goes to the
/// keyring (from the environment).
async fn add_named(data: &Path, name: &str, server: &TestServer, key: Option<&str>) {
    let url = server.base_url();
    let id = name.to_lowercase();
    let mut args = vec!["providers", "add", "--name", name, "--base-url", &url];
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
        &id,
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
    run_script_with(data, extra, None).await
}

/// As [`run_script`]; with `server`, when the script says `cancelled`,
/// waits until that provider's held-open connection is closed, then tells
/// the script (`closed` on its stdin).
async fn run_script_with(
    data: &Path,
    extra: &[&str],
    mut server: Option<&mut TestServer>,
) -> String {
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
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command.spawn().expect("start the SDK script");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut seen = String::new();
    let session = async {
        while let Some(line) = lines.next_line().await.expect("read the script") {
            seen.push_str(&line);
            seen.push('\n');
            if line == "SUBSCRIBED" {
                let chat = ["chat", "--provider", "fake", "--model", "m1", "Hi"];
                tokio::time::sleep(Duration::from_millis(50)).await;
                assert_success(&valechat_with(data, &[], &chat).await);
            }
            if line == "cancelled"
                && let Some(server) = server.as_deref_mut()
            {
                server.next_close().await;
                stdin.write_all(b"closed\n").await.expect("tell the script");
                stdin.flush().await.expect("tell the script");
            }
        }
    };
    tokio::time::timeout(SESSION_DEADLINE, session)
        .await
        .unwrap_or_else(|_| panic!("the SDK session did not end; so far:\n{seen}"));
    drop(stdin);
    let output = child.wait_with_output().await.expect("wait for the script");
    assert!(
        output.status.success(),
        "the SDK script failed after:\n{seen}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(seen.contains("PASSED\n"), "{seen}");
    seen
}

/// The first provider's requests in the full scenario: two model listings
/// (list_models, config://providers), generate, its compare_models column,
/// then the chat of another process.
async fn fake_provider() -> TestServer {
    TestServer::start(vec![
        models_reply(),
        models_reply(),
        text_reply_with_usage(&["Hel", "lo"], 12, 5),
        text_reply_with_usage(&["From one"], 12, 3),
        text_reply_with_usage(&["Hello"], 12, 5),
    ])
    .await
}

/// The second provider's: two model listings, its compare_models column.
async fn second_provider() -> TestServer {
    TestServer::start(vec![
        models_reply(),
        models_reply(),
        text_reply_with_usage(&["From two"], 12, 4),
    ])
    .await
}

/// The usage records' `client` column, oldest first.
fn clients(data: &Path) -> Vec<Option<String>> {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        client: Option<String>,
    }
    let path = data.join("valechat.db");
    let mut db = SqliteConnection::establish(path.to_str().expect("UTF-8 path")).expect("open db");
    diesel::sql_query("SELECT client FROM usage_records ORDER BY id")
        .load::<Row>(&mut db)
        .expect("usage records")
        .into_iter()
        .map(|r| r.client)
        .collect()
}

/// The full scenario on a data folder with providers Fake and Second.
async fn full_scenario(extra: &[&str]) {
    let server = fake_provider().await;
    let second = second_provider().await;
    let dir = tempfile::tempdir().expect("temp dir");
    add_provider(dir.path(), &server, None).await;
    add_named(dir.path(), "Second", &second, None).await;
    let mut args = vec!["--second", "second/m1"];
    args.extend_from_slice(extra);
    let seen = run_script(dir.path(), &args).await;
    assert!(
        seen.contains("tools compare_models,generate,get_usage,list_models\n"),
        "{seen}"
    );
    assert!(seen.contains("generate 'Hello' "), "{seen}");
    assert!(
        seen.contains("UPDATED 1\ncompare 2 columns\nSUBSCRIBED\nUPDATED 2\n"),
        "{seen}"
    );
    assert_eq!(server.requests().len(), 5);
    assert_eq!(second.requests().len(), 3);
    // generate and both compare columns name the SDK's client; the chat
    // of `valechat chat` names none.
    let sdk = Some("mcp:sdk-test".to_owned());
    assert_eq!(clients(dir.path()), [sdk.clone(), sdk.clone(), sdk, None]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_over_stdio() {
    full_scenario(&[]).await;
}

/// A free port on 127.0.0.1.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// Starts `valechat mcp serve --http --no-auth` on a free port for `data`;
/// returns the process (killed on drop) and the endpoint's URL.
async fn serve_http(data: &Path) -> (tokio::process::Child, String) {
    serve_http_with(data, &["--no-auth"], "WITHOUT authentication").await
}

/// Starts `valechat mcp serve --http ADDRESS EXTRA…` on a free port for
/// `data` and checks that its first line on stderr announces `announced`
/// and the address; returns the process (killed on drop) and the URL.
async fn serve_http_with(
    data: &Path,
    extra: &[&str],
    announcement: &str,
) -> (tokio::process::Child, String) {
    let address = format!("127.0.0.1:{}", free_port());
    let mut serve = tokio::process::Command::new(env!("CARGO_BIN_EXE_valechat"))
        .args(["mcp", "serve", "--http", &address])
        .args(extra)
        .env("VALECHAT_DATA_DIR", data)
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
        announced.contains(announcement) && announced.contains(&address),
        "{announced}"
    );
    // Keep reading stderr so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = errors.next_line().await {} });
    (serve, format!("http://{address}/mcp"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_over_http() {
    let server = fake_provider().await;
    let second = second_provider().await;
    let dir = tempfile::tempdir().expect("temp dir");
    add_provider(dir.path(), &server, None).await;
    add_named(dir.path(), "Second", &second, None).await;
    let (mut serve, url) = serve_http(dir.path()).await;
    let seen = run_script(dir.path(), &["--url", &url, "--second", "second/m1"]).await;
    assert!(
        seen.contains("UPDATED 1\ncompare 2 columns\nSUBSCRIBED\nUPDATED 2\n"),
        "{seen}"
    );
    assert_eq!(server.requests().len(), 5);
    assert_eq!(second.requests().len(), 3);
    let sdk = Some("mcp:sdk-test".to_owned());
    assert_eq!(clients(dir.path())[..3], [sdk.clone(), sdk.clone(), sdk]);
    serve.start_kill().expect("stop the server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_in_the_stateless_era() {
    let server = TestServer::start(vec![text_reply_with_usage(&["Hel", "lo"], 12, 5)]).await;
    let dir = tempfile::tempdir().expect("temp dir");
    add_provider(dir.path(), &server, None).await;
    // generate without a model uses the default assistant's.
    let assistant = [
        "assistants",
        "add",
        "--name",
        "Main",
        "--model",
        "fake/m1",
        "--default",
    ];
    assert_success(&valechat_with(dir.path(), &[], &assistant).await);
    let seen = run_script(dir.path(), &["--scenario", "stateless"]).await;
    assert!(
        seen.contains("discovered 2026-07-28\nlistening\n"),
        "{seen}"
    );
    assert!(seen.contains("UPDATED listen\n"), "{seen}");
    assert!(seen.contains("generate 'Hello' "), "{seen}");
    // The default assistant's model was asked for, and billed at its price
    // (12 and 5 tokens at USD 10 / 30 per 1M).
    assert_eq!(server.requests()[0].json()["model"], "m1");
    assert!(seen.contains("'Hello' 0.00027 USD"), "{seen}");
    // clientInfo came in the request's _meta.
    assert_eq!(clients(dir.path()), [Some("mcp:sdk-test".to_owned())]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_lists_two_tools_and_refuses_generate() {
    let server = TestServer::start(Vec::new()).await;
    let dir = tempfile::tempdir().expect("temp dir");
    add_provider(dir.path(), &server, None).await;
    let seen = run_script(dir.path(), &["--scenario", "read-only"]).await;
    assert!(seen.contains("tools get_usage,list_models\n"), "{seen}");
    assert!(server.requests().is_empty());
    assert!(clients(dir.path()).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hard_limit_is_a_tool_error_naming_it() {
    let server = TestServer::start(Vec::new()).await;
    let dir = tempfile::tempdir().expect("temp dir");
    add_provider(dir.path(), &server, None).await;
    let limit = [
        "limits",
        "set",
        "--scope",
        "global-month",
        "--amount",
        "0.0001",
    ];
    assert_success(&valechat_with(dir.path(), &[], &limit).await);
    let seen = run_script(dir.path(), &["--scenario", "limit"]).await;
    assert!(seen.contains("the monthly spending limit"), "{seen}");
    assert!(
        seen.contains("0.0001 USD has 0.0001 USD left (0 USD spent)"),
        "{seen}"
    );
    assert!(server.requests().is_empty(), "nothing may be sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compare_column_refused_by_a_limit_is_its_error() {
    let server = TestServer::start(vec![text_reply_with_usage(&["From one"], 12, 3)]).await;
    let second = TestServer::start(Vec::new()).await;
    let dir = tempfile::tempdir().expect("temp dir");
    add_provider(dir.path(), &server, None).await;
    add_named(dir.path(), "Second", &second, None).await;
    let limit = [
        "limits",
        "set",
        "--scope",
        "model",
        "--target",
        "second/m1",
        "--amount",
        "0.0001",
    ];
    assert_success(&valechat_with(dir.path(), &[], &limit).await);
    let args = ["--scenario", "compare-limit", "--second", "second/m1"];
    let seen = run_script(dir.path(), &args).await;
    assert!(
        seen.contains("compare: second/m1 refused: Refused by a hard spending limit"),
        "{seen}"
    );
    assert_eq!(server.requests().len(), 1);
    assert!(
        second.requests().is_empty(),
        "the refused column sent nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellation_closes_the_provider_stream() {
    let first = support::openai::chunk(serde_json::json!({"content": "Hel"}), None);
    let mut server = TestServer::start(vec![Reply::sse(vec![
        support::Step::Send(first),
        support::Step::HoldOpen,
    ])])
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    add_provider(dir.path(), &server, None).await;
    let seen = run_script_with(dir.path(), &["--scenario", "cancel"], Some(&mut server)).await;
    assert!(seen.contains("progress 3.0 'Hel'\ncancelled\n"), "{seen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_needs_the_token_unless_no_auth_on_loopback() {
    require_session();
    let _turn = crate::serve_api::KEYRING.lock().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    let open = ["mcp", "serve", "--http", "0.0.0.0:1", "--no-auth"];
    let outside = valechat_with(data, &[], &open).await;
    assert_eq!(outside.status.code(), Some(1));
    assert!(
        stderr(&outside).contains("loopback address only"),
        "{}",
        stderr(&outside)
    );

    // Without --no-auth: the API token of `valechat serve` is required.
    let (mut serve, url) = serve_http_with(data, &[], "clients send the token").await;
    let token = crate::serve_api::read_token(data, &[]).await;
    let initialize = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "auth-test", "version": "1"}}});
    let http = reqwest::Client::new();
    let post = |token: Option<&str>| {
        let request = http
            .post(&url)
            .header("accept", "application/json, text/event-stream")
            .json(&initialize);
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    };
    assert_eq!(post(None).send().await.expect("request").status(), 401);
    assert_eq!(
        post(Some("vc-wrong"))
            .send()
            .await
            .expect("request")
            .status(),
        401
    );
    assert_eq!(
        post(Some(&token)).send().await.expect("request").status(),
        200
    );
    serve.kill().await.expect("stop the server");
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
