//! The WebSocket stream `/v1/ws` of `valechat serve`, driven by the Python
//! `websockets` client (`tests/serve/ws_client.py`, which checks every
//! message both ways against its JSON Schema in `data/schema/ws/`) against
//! fake providers: a conversation made and continued, read back and listed;
//! a connection cut mid-turn and the turn resumed on another; a turn
//! cancelled (the provider's connection closes); a tool call of a real MCP
//! server approved from a second connection and one denied; the size and
//! version limits; no connection without the token. The bounds, in
//! process, are in `serve_ws_bounds`.
//!
//! The token lives in the keyring: run inside `tests/run-in-session.sh`
//! (`tests/run-in-session.sh cargo test --test cli serve_ws::`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::process::Command;

use super::serve_api::{
    KEYRING, openai_models, provider, python, read_token, require_session, serve, usage_clients,
};
use crate::support;
use support::cli::{assert_success, valechat_with};
use support::openai::{chunk, text_reply_with_usage, tool_call_reply};
use support::{Reply, Step, TestServer};

/// Runs `ws_client.py SCENARIO ADDRESS TOKEN ARGS…`; its facts.
async fn scenario(name: &str, address: &str, token: &str, args: &[&str]) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/serve/ws_client.py");
    let run = tokio::time::timeout(
        Duration::from_secs(120),
        Command::new(python())
            .arg(script)
            .args([name, address, token])
            .args(args)
            .kill_on_drop(true)
            .output(),
    )
    .await
    .unwrap_or_else(|_| panic!("ws_client.py {name} did not finish in 120 s"))
    .expect("run ws_client.py");
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "ws_client.py {name} failed:\n{out}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let last = out.lines().last().expect("a line of facts");
    serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// A price for `gpt-test` at `provider`, so that costs are not zero.
async fn price(data: &Path, provider: &str) {
    let price = [
        "prices",
        "set",
        "--provider",
        provider,
        "--model",
        "gpt-test",
        "--input",
        "2",
        "--output",
        "8",
    ];
    assert_success(&valechat_with(data, &[], &price).await);
}

/// An OpenAI event stream of `pieces`, one every `gap`.
fn slow_reply(pieces: &[&str], gap: Duration) -> Reply {
    let mut steps = Vec::new();
    for piece in pieces {
        steps.push(Step::Send(chunk(json!({"content": piece}), None)));
        steps.push(Step::Delay(gap));
    }
    steps.push(Step::Send(chunk(json!({}), Some("stop"))));
    steps.push(Step::Send(b"data: [DONE]\n\n".to_vec()));
    Reply::sse(steps)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_front_end_chats_resumes_and_cancels_over_the_websocket() {
    require_session();
    let _turn = KEYRING.lock().await;
    let pieces: Vec<String> = (1..=12).map(|i| format!("{i} ")).collect();
    let pieces: Vec<&str> = pieces.iter().map(String::as_str).collect();
    let mut fake = TestServer::start(vec![
        openai_models(&["gpt-test"]),
        text_reply_with_usage(&["Hello", " there"], 12, 5),
        text_reply_with_usage(&["Again"], 20, 1),
        text_reply_with_usage(&["A green dot."], 30, 4),
        Reply::fixed(
            400,
            "application/json",
            json!({"error": {"message": "This model is resting", "type": "invalid_request_error"}})
                .to_string(),
        ),
        slow_reply(&pieces, Duration::from_millis(150)),
        Reply::sse(vec![
            Step::Send(chunk(json!({"content": "Once upon"}), None)),
            Step::HoldOpen,
        ]),
    ])
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    provider(data, "Fake", "openai", &fake).await;
    price(data, "fake").await;
    // A soft daily limit the first turns cross: warnings and alerts stream.
    let soft = [
        "limits",
        "set",
        "--scope",
        "global-day",
        "--amount",
        "0.0001",
        "--soft",
    ];
    assert_success(&valechat_with(data, &[], &soft).await);
    let (mut server, address) = serve(data, &["--no-tools"]).await;
    let token = read_token(data, &[]).await;

    let auth = scenario("auth", &address, &token, &[]).await;
    assert_eq!(auth["none"], 401, "{auth}");
    assert_eq!(auth["wrong"], 401, "{auth}");
    assert_eq!(auth["wrong_header"], 401, "{auth}");

    let chat = scenario("chat", &address, &token, &["fake", "gpt-test"]).await;
    assert_eq!(chat["text"], "Hello there");
    assert_eq!(chat["server"]["name"], "valechat");
    let codes: Vec<(String, Option<String>)> =
        serde_json::from_value(chat["codes"].clone()).expect("codes");
    let code = |c: &str, f: Option<&str>| (c.to_owned(), f.map(str::to_owned));
    assert_eq!(
        codes,
        [
            code("invalid_json", None),
            code("invalid_field", Some("turn_id")),
            code("unknown_type", Some("type")),
            code("missing_field", Some("v")),
            code("invalid_field", Some("new")),
            code("unknown_turn", Some("turn_id")),
        ]
    );
    assert_eq!(
        chat["bad_image"],
        json!(["invalid_attachment", "attachments[0].media_type"])
    );
    assert_eq!(chat["failed"]["detail"], "This model is resting", "{chat}");
    for kind in ["limit_alert", "limit_warning", "failed"] {
        assert!(
            chat["kinds"]
                .as_array()
                .is_some_and(|k| k.iter().any(|x| x == kind)),
            "no {kind} event: {chat}"
        );
    }
    let image = fake.requests()[3].json();
    assert!(
        image["messages"]
            .to_string()
            .contains("data:image/png;base64,"),
        "the image did not reach the provider: {image}"
    );
    let checked = &chat["checked"]["server"];
    for kind in [
        "hello",
        "models",
        "turn_started",
        "text_delta",
        "usage",
        "finished",
    ] {
        assert!(
            checked
                .as_array()
                .is_some_and(|k| k.iter().any(|x| x == kind)),
            "{kind} was not checked against its schema: {checked}"
        );
    }

    let resumed = scenario("resume", &address, &token, &["fake", "gpt-test"]).await;
    assert_eq!(resumed["text"], pieces.concat(), "{resumed}");

    let cancelled = scenario("cancel", &address, &token, &["fake", "gpt-test"]).await;
    fake.next_close().await;
    assert_eq!(cancelled["end"], "finished", "{cancelled}");
    assert_eq!(cancelled["status"], "incomplete", "{cancelled}");

    let limits = scenario("limits", &address, &token, &[]).await;
    assert_eq!(limits["version_close"], 4001, "{limits}");
    assert_eq!(limits["size_close"], 1009, "{limits}");

    server.kill().await.ok();
    // Every answered request was billed and names its client: the hello's
    // name (the one the provider refused before any token is not billed).
    let clients = usage_clients(data);
    let names: Vec<Option<&str>> = clients.iter().map(|(_, c)| c.as_deref()).collect();
    assert_eq!(
        names,
        [
            Some("ws:ws-test"),
            Some("ws:ws-test"),
            Some("ws:ws-test"),
            Some("ws:ws-resume"),
            Some("ws:ws-cancel"),
        ]
    );
}

/// `tests/mcp/REST`, installed by `tests/mcp/install-peers.sh`.
pub(crate) fn mcp_peer(rest: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/mcp")
        .join(rest);
    assert!(
        path.exists(),
        "{} is missing: run tests/mcp/install-peers.sh",
        path.display()
    );
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tool_call_waits_for_the_front_ends_approval() {
    require_session();
    let _turn = KEYRING.lock().await;
    let tool = "time__get_current_time";
    let fake = TestServer::start(vec![
        tool_call_reply(&[("call_t1", tool, r#"{"timezone":"Europe/Paris"}"#)]),
        text_reply_with_usage(&["It is noon in Paris."], 40, 6),
        tool_call_reply(&[("call_t2", tool, r#"{"timezone":"Asia/Tokyo"}"#)]),
        text_reply_with_usage(&["I may not look."], 50, 5),
    ])
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    provider(data, "Fake", "openai", &fake).await;
    let time = mcp_peer("venv/bin/mcp-server-time");
    let add = ["mcp", "add", "Time", "--", time.to_str().expect("UTF-8")];
    assert_success(&valechat_with(data, &[], &add).await);
    let (mut server, address) = serve(data, &[]).await;
    let token = read_token(data, &[]).await;

    let facts = scenario("tools", &address, &token, &["fake", "gpt-test", tool]).await;
    assert!(
        facts["result"]
            .as_str()
            .is_some_and(|r| r.contains("Europe/Paris")),
        "{facts}"
    );
    assert_eq!(facts["final_text"], "It is noon in Paris.");
    assert_eq!(facts["denied_text"], "I may not look.");
    server.kill().await.ok();

    let sent = fake.requests();
    assert_eq!(sent.len(), 4);
    let offered = sent[0].json()["tools"].clone();
    assert!(
        offered
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t["function"]["name"] == tool)),
        "the MCP server's tool was not offered: {offered}"
    );
    // The model got the tool's result, then the refusal.
    let result = sent[1].json()["messages"].clone();
    assert!(result.to_string().contains("Europe/Paris"), "{result}");
    let refusal = sent[3].json()["messages"].clone();
    let last = &refusal[refusal.as_array().map_or(0, Vec::len) - 1];
    assert_eq!(last["role"], "tool", "{refusal}");
    assert_eq!(last["content"], "The user denied this tool call.", "{last}");
}
