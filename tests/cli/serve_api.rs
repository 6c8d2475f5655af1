//! `valechat serve`: the OpenAI-compatible API driven by the official
//! `openai` Python client (`tests/serve/openai_client.py`, installed by
//! `tests/serve/install-peers.sh`) against fake providers — an
//! OpenAI-compatible one, an Anthropic one (translated both ways) and one
//! under a hard spending limit —, then the usage records it left; and with
//! plain HTTP: no route without the token (a wrong one of the right length
//! included), 404 and 413 in OpenAI's error shape, loopback unless allowed,
//! the token regenerated, SIGTERM stopping the server; a provider cut off
//! mid-stream ending the stream with an error event, and a client going
//! away closing the provider's connection.
//!
//! The token lives in the keyring: run inside `tests/run-in-session.sh`
//! (`tests/run-in-session.sh cargo test --test cli serve_api::`).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::support;
use support::cli::{assert_success, stderr, stdout, valechat_with};
use support::openai::{chunk, text_reply_with_usage, tool_call_reply};
use support::{Reply, Step, TestServer, fixture};

/// The token is one keyring item for the whole session: these tests take
/// turns with it.
pub(crate) static KEYRING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Requests a minute the first test's server allows.
const RATE_LIMIT: u32 = 30;

/// Fails with instructions unless inside `tests/run-in-session.sh`.
pub(crate) fn require_session() {
    assert!(
        std::env::var_os("VALECHAT_SESSION_DIR").is_some()
            && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "not inside tests/run-in-session.sh: refusing to write a token into your own keyring \
         (run `tests/run-in-session.sh cargo test --test cli serve_api::`)"
    );
}

/// The virtualenv's Python with the openai client.
pub(crate) fn python() -> PathBuf {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/serve/venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run tests/serve/install-peers.sh",
        python.display()
    );
    python
}

/// `valechat serve --port 0 ARGS…` on `data`, and the address it printed.
pub(crate) async fn serve(data: &Path, args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_valechat"))
        .args(["serve", "--port", "0"])
        .args(args)
        .env("VALECHAT_DATA_DIR", data)
        .env("RUST_LOG", "off")
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("start valechat serve");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let address = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(line) = lines.next_line().await.expect("read stdout") {
            if let Some(rest) = line.split("http://").nth(1) {
                return rest.trim_end_matches("/v1").to_owned();
            }
        }
        panic!("valechat serve ended without printing its address");
    })
    .await
    .expect("valechat serve printed no address");
    // Keep reading so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, address)
}

/// `valechat serve token ARGS…`.
pub(crate) async fn read_token(data: &Path, args: &[&str]) -> String {
    let mut all = vec!["serve", "token"];
    all.extend_from_slice(args);
    let output = valechat_with(data, &[], &all).await;
    assert_success(&output);
    stdout(&output).trim().to_owned()
}

/// Adds a provider `name` for `server`, of `kind`.
pub(crate) async fn provider(data: &Path, name: &str, kind: &str, server: &TestServer) {
    let url = server.base_url();
    let add = [
        "providers",
        "add",
        "--name",
        name,
        "--kind",
        kind,
        "--base-url",
        &url,
    ];
    assert_success(&valechat_with(data, &[], &add).await);
}

/// An OpenAI-compatible model list of `ids`.
pub(crate) fn openai_models(ids: &[&str]) -> Reply {
    let data: Vec<Value> = ids
        .iter()
        .map(|id| json!({"id": id, "object": "model", "created": 0, "owned_by": "test"}))
        .collect();
    Reply::fixed(
        200,
        "application/json",
        json!({"object": "list", "data": data}).to_string(),
    )
}

#[derive(QueryableByName, Debug)]
struct ClientRow {
    #[diesel(sql_type = Text)]
    provider_id: String,
    #[diesel(sql_type = Nullable<Text>)]
    client: Option<String>,
}

/// `(provider_id, client)` of every usage record, oldest first.
pub(crate) fn usage_clients(data: &Path) -> Vec<(String, Option<String>)> {
    let url = data.join("valechat.db");
    let mut connection =
        diesel::SqliteConnection::establish(url.to_str().expect("UTF-8 path")).expect("open db");
    diesel::sql_query("SELECT provider_id, client FROM usage_records ORDER BY id")
        .load::<ClientRow>(&mut connection)
        .expect("usage records")
        .into_iter()
        .map(|row| (row.provider_id, row.client))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openai_client_reaches_every_provider_through_the_api() {
    require_session();
    let python = python();
    let _turn = KEYRING.lock().await;
    let fake = TestServer::start(vec![
        openai_models(&["gpt-test"]),
        text_reply_with_usage(&["Hello", " there"], 12, 5),
        text_reply_with_usage(&["One", " two", " three"], 9, 3),
        text_reply_with_usage(&["Plain"], 9, 1),
        tool_call_reply(&[("call_w1", "get_weather", r#"{"city":"Oslo"}"#)]),
        tool_call_reply(&[("call_w2", "get_weather", r#"{"city":"Bergen"}"#)]),
    ])
    .await;
    let anthropic_models = json!({"data": [{"type": "model", "id": "claude-test",
        "display_name": "Claude Test", "created_at": "2025-01-01T00:00:00Z"}],
        "has_more": false, "first_id": "claude-test", "last_id": "claude-test"});
    let claude = TestServer::start(vec![
        Reply::fixed(200, "application/json", anthropic_models.to_string()),
        Reply::sse_body(fixture("anthropic/basic_response.sse")),
    ])
    .await;
    // Asked for its models only: the limit refuses the completion first.
    let capped = TestServer::start(vec![openai_models(&["gpt-test"])]).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    provider(data, "Fake", "openai", &fake).await;
    provider(data, "Claude", "anthropic", &claude).await;
    provider(data, "Capped", "openai", &capped).await;
    let price = [
        "prices",
        "set",
        "--provider",
        "capped",
        "--model",
        "gpt-test",
        "--input",
        "1000",
        "--output",
        "1000",
    ];
    assert_success(&valechat_with(data, &[], &price).await);
    let limit = [
        "limits", "set", "--scope", "provider", "--target", "capped", "--amount", "0.01",
    ];
    assert_success(&valechat_with(data, &[], &limit).await);

    let (mut server, address) =
        serve(data, &["--requests-per-minute", &RATE_LIMIT.to_string()]).await;
    let token = read_token(data, &[]).await;
    let run = tokio::time::timeout(
        Duration::from_secs(90),
        Command::new(python)
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/serve/openai_client.py"))
            .env("OPENAI_BASE_URL", format!("http://{address}/v1"))
            .env("OPENAI_API_KEY", &token)
            .env("RATE_LIMIT", RATE_LIMIT.to_string())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("the openai client finished")
    .expect("run the openai client");
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(out.contains("all checks passed"), "{out}");

    // The tools reached the provider as offered, the forced choice too.
    let sent = fake.requests();
    let tool_request = sent[4].json();
    assert_eq!(tool_request["tools"][0]["function"]["name"], "get_weather");
    assert_eq!(tool_request["tool_choice"], "required");
    let history = sent[5].json();
    assert_eq!(history["messages"][2]["role"], "tool");
    assert_eq!(history["messages"][2]["tool_call_id"], "call_w1");
    // Anthropic got its own shape: the system prompt apart.
    assert_eq!(claude.requests()[1].json()["system"], "Be kind.");
    assert_eq!(capped.requests().len(), 1, "only the model list");

    server.kill().await.ok();
    let clients = usage_clients(data);
    assert_eq!(clients.len(), 6, "{clients:?}");
    for (provider, client) in &clients {
        assert!(provider == "fake" || provider == "claude", "{clients:?}");
        assert_eq!(client.as_deref(), Some("api:OpenAI"), "{clients:?}");
    }
}

/// The OpenAI error object of a response, with its status.
async fn error_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("a JSON error body");
    (status, body["error"].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_route_answers_without_the_token_and_bodies_are_bounded_mcp_included() {
    require_session();
    let _turn = KEYRING.lock().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    let (mut server, address) = serve(data, &[]).await;
    let token = read_token(data, &[]).await;
    let http = reqwest::Client::new();
    let models = format!("http://{address}/v1/models");

    // No token: 401, OpenAI's shape, WWW-Authenticate.
    let response = http.get(&models).send().await.expect("request");
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    let (status, error) = error_of(response).await;
    assert_eq!(status, 401);
    assert_eq!(error["type"], "authentication_error");
    // A wrong token of the same length (the last character changed): the
    // comparison covers every byte, not a prefix.
    let mut wrong = token.clone();
    let last = wrong.pop().expect("a token");
    wrong.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(wrong.len(), token.len());
    for bad in [wrong.as_str(), &token[..token.len() - 1]] {
        let response = http
            .get(&models)
            .bearer_auth(bad)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 401, "{bad}");
    }
    // Nor an unknown route without it.
    let unknown = format!("http://{address}/v1/nothing");
    let response = http.get(&unknown).send().await.expect("request");
    assert_eq!(response.status(), 401);

    // MCP at /mcp: refused without the token, answered with it.
    let mcp = format!("http://{address}/mcp");
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "serve-api-test", "version": "1"}}});
    let post = |token: Option<&str>| {
        let request = http
            .post(&mcp)
            .header("accept", "application/json, text/event-stream")
            .json(&initialize);
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    };
    assert_eq!(post(None).send().await.expect("request").status(), 401);
    assert_eq!(
        post(Some(&wrong)).send().await.expect("request").status(),
        401
    );
    // On loopback, a name that is not loopback is refused (DNS rebinding).
    let rebound = post(Some(&token))
        .header("host", "rebound.example:80")
        .send()
        .await
        .expect("request");
    assert_eq!(rebound.status(), 403);
    let answer = post(Some(&token)).send().await.expect("request");
    assert_eq!(answer.status(), 200);
    let text = answer.text().await.expect("a body");
    assert!(
        text.contains("\"serverInfo\"") && text.contains("valechat"),
        "{text}"
    );

    // With it: the unknown route is 404 in OpenAI's shape; the model list
    // (no provider yet) is empty.
    let (status, error) = error_of(
        http.get(&unknown)
            .bearer_auth(&token)
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!((status, error["code"].as_str()), (404, Some("unknown_url")));
    let list: Value = http
        .get(&models)
        .bearer_auth(&token)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("a list");
    assert_eq!(list, json!({"object": "list", "data": []}));

    // A body over 8 MiB: 413 in OpenAI's shape; a body that is not a
    // request: 400.
    let completions = format!("http://{address}/v1/chat/completions");
    let huge = format!(
        r#"{{"model":"a/b","messages":[{{"role":"user","content":"{}"}}]}}"#,
        "x".repeat(9 * 1024 * 1024)
    );
    let (status, error) = error_of(
        http.post(&completions)
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(huge)
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, 413);
    assert_eq!(error["type"], "invalid_request_error");
    let (status, error) = error_of(
        http.post(&completions)
            .bearer_auth(&token)
            .json(&json!({"messages": "no"}))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, 400, "{error}");

    // SIGTERM stops it gracefully.
    let pid = server.id().expect("running").to_string();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(kill.success());
    let status = tokio::time::timeout(Duration::from_secs(10), server.wait())
        .await
        .expect("stopped after SIGTERM")
        .expect("wait");
    assert!(status.success(), "{status:?}");

    // A new token replaces the old one.
    let new = read_token(data, &["--regenerate"]).await;
    assert_ne!(new, token);
    assert!(new.starts_with("vc-") && new.len() == token.len(), "{new}");
    assert_eq!(read_token(data, &[]).await, new);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_address_than_loopback_needs_allow_remote() {
    let dir = tempfile::tempdir().expect("temp dir");
    let refused = valechat_with(dir.path(), &[], &["serve", "--address", "0.0.0.0"]).await;
    assert!(!refused.status.success());
    let error = stderr(&refused);
    assert!(error.contains("--allow-remote"), "{error}");

    // Allowed: MCP at /mcp answers the names other computers reach it by
    // (with the token; without it, 401 still).
    require_session();
    let _turn = KEYRING.lock().await;
    let (mut server, address) =
        serve(dir.path(), &["--address", "0.0.0.0", "--allow-remote"]).await;
    let port = address.rsplit(':').next().expect("a port");
    let token = read_token(dir.path(), &[]).await;
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "serve-api-test", "version": "1"}}});
    let post = |token: Option<&str>| {
        let request = reqwest::Client::new()
            .post(format!("http://127.0.0.1:{port}/mcp"))
            .header("host", format!("my-laptop.lan:{port}"))
            .header("accept", "application/json, text/event-stream")
            .json(&initialize);
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    };
    assert_eq!(post(None).send().await.expect("request").status(), 401);
    assert_eq!(
        post(Some(&token)).send().await.expect("request").status(),
        200
    );
    server.kill().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_mid_stream_is_an_error_event_and_a_client_leaving_cancels() {
    require_session();
    let _turn = KEYRING.lock().await;
    let mut fake = TestServer::start(vec![
        Reply::sse(vec![
            Step::Send(chunk(json!({"content": "Part"}), None)),
            Step::Cut,
        ]),
        Reply::sse(vec![
            Step::Send(chunk(json!({"content": "Hold"}), None)),
            Step::HoldOpen,
        ]),
    ])
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    provider(data, "Fake", "openai", &fake).await;
    let (_server, address) = serve(data, &[]).await;
    let token = read_token(data, &[]).await;
    let http = reqwest::Client::new();
    let completions = format!("http://{address}/v1/chat/completions");
    let request = json!({"model": "fake/gpt-test", "stream": true,
                         "messages": [{"role": "user", "content": "Hi"}]});

    // Cut after one chunk: the text that came, then an error event, no [DONE].
    let body = http
        .post(&completions)
        .bearer_auth(&token)
        .json(&request)
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("the whole stream");
    let events: Vec<&str> = body
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .collect();
    assert!(body.contains(r#""content":"Part""#), "{body}");
    let last: Value = serde_json::from_str(events.last().expect("events")).expect("JSON");
    assert_eq!(last["error"]["type"], "api_error", "{body}");
    assert!(!body.contains("[DONE]"), "{body}");

    // The client reads the first chunk and goes away: the provider's
    // connection is closed.
    let mut response = http
        .post(&completions)
        .bearer_auth(&token)
        .json(&request)
        .send()
        .await
        .expect("request");
    let mut seen = String::new();
    while !seen.contains("Hold") {
        let piece = response.chunk().await.expect("read").expect("more");
        seen.push_str(&String::from_utf8_lossy(&piece));
    }
    drop(response);
    fake.next_close().await;
}
