//! The WebSocket stream `/v1/ws` of `valechat serve`, driven by the Python
//! `websockets` client (`tests/serve/ws_client.py`, which checks every
//! message both ways against its JSON Schema in `data/schema/ws/`) against
//! fake providers: a conversation made and continued, read back and listed;
//! a connection cut mid-turn and the turn resumed on another; a turn
//! cancelled (the provider's connection closes); a tool call of a real MCP
//! server approved from a second connection and one denied; the size and
//! version limits; no connection without the token. Then, in-process with
//! small bounds, a client that stops reading: it is told and dropped, the
//! turn finishes and is stored; and the heartbeats: a client that answers
//! no ping is closed, one that does stays.
//!
//! The token lives in the keyring: run inside `tests/run-in-session.sh`
//! (`tests/run-in-session.sh cargo test --test cli serve_ws::`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::process::Command;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_util::sync::CancellationToken;
use valechat::serve::clients::Clients;
use valechat::serve::ws::{Bounds, TurnHub, router_with};
use valechat_core::chat::Engine;
use valechat_core::model::Role;
use valechat_core::provider::ProtocolKind;
use valechat_core::secrets::MemoryKeyStore;
use valechat_core::store::{MessageStatus, Store};

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
    // Every request was billed and names its client: the hello's name.
    let clients = usage_clients(data);
    let names: Vec<Option<&str>> = clients.iter().map(|(_, c)| c.as_deref()).collect();
    assert_eq!(
        names,
        [
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_dropped_and_the_turn_finishes() {
    // 400 pieces of 2 KiB: far more than the tiny queue and socket buffers.
    let piece = "x".repeat(2048);
    let pieces: Vec<&str> = vec![piece.as_str(); 400];
    let fake = TestServer::start(vec![text_reply_with_usage(&pieces, 10, 400)]).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("valechat.db"))
        .await
        .expect("open the database");
    let engine = Engine::new(store, Arc::new(MemoryKeyStore::new()));
    let provider = engine
        .providers()
        .add(
            ProtocolKind::OpenAiCompatible,
            "Fake",
            &fake.base_url(),
            None,
        )
        .await
        .expect("add provider")
        .id;
    let bounds = Bounds {
        queue_messages: 16,
        queue_bytes: 64 * 1024,
        ..Bounds::default()
    };
    let shutdown = CancellationToken::new();
    let app = router_with(
        TurnHub::new(engine.clone(), None),
        Clients::default(),
        shutdown.clone(),
        bounds,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });

    // A small receive buffer, so that the server's writer blocks soon.
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    let stream = socket.connect(address).await.expect("connect");
    let request = format!("ws://{address}/v1/ws")
        .into_client_request()
        .expect("request");
    let (mut ws, _) = tokio_tungstenite::client_async(request, stream)
        .await
        .expect("handshake");
    let send = json!({"v": 1, "type": "send", "request_id": "slow",
        "new": {"provider": provider, "model": "gpt-test"}, "text": "Talk a lot"});
    ws.send(WsMessage::text(send.to_string()))
        .await
        .expect("send");

    // Not reading: the turn must still finish and be stored in full.
    let conversation = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let list = engine.store().list_conversations().await.expect("list");
            if let Some(c) = list.first() {
                let messages = engine.store().list_messages(c.id).await.expect("messages");
                if messages
                    .iter()
                    .any(|m| m.role == Role::Assistant && m.status == MessageStatus::Complete)
                {
                    return (c.id, messages);
                }
            }
        }
    })
    .await
    .expect("the turn finished while its client was not reading");
    let reply = conversation
        .1
        .iter()
        .find(|m| m.role == Role::Assistant)
        .expect("the reply");
    assert_eq!(reply.content.len(), 400 * 2048);

    // Reading now: what was queued, then `dropped`, then the close 4008.
    let mut dropped = None;
    let mut close = None;
    let read_all = async {
        while let Some(message) = ws.next().await {
            match message {
                Ok(WsMessage::Text(text)) => {
                    let body: Value = serde_json::from_str(text.as_str()).expect("JSON");
                    if body["type"] == "dropped" {
                        dropped = Some(body);
                    }
                }
                Ok(WsMessage::Close(frame)) => {
                    close = frame.map(|f| u16::from(f.code));
                    break;
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), read_all)
        .await
        .expect("the server closed the connection");
    let dropped = dropped.expect("a `dropped` message before the close");
    assert!(
        dropped["reason"]
            .as_str()
            .is_some_and(|r| r.contains("resume")),
        "{dropped}"
    );
    assert_eq!(close, Some(4008));
    shutdown.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_answers_no_ping_is_closed_and_one_that_does_stays() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("valechat.db"))
        .await
        .expect("open the database");
    let engine = Engine::new(store, Arc::new(MemoryKeyStore::new()));
    let bounds = Bounds {
        ping_interval: Duration::from_millis(100),
        pong_timeout: Duration::from_millis(400),
        ..Bounds::default()
    };
    let shutdown = CancellationToken::new();
    let app = router_with(
        TurnHub::new(engine, None),
        Clients::default(),
        shutdown.clone(),
        bounds,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let url = format!("ws://{address}/v1/ws");

    // Reading all along: tungstenite answers each ping, the connection
    // outlives the timeout several times over.
    let (mut alive, _) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("connect");
    let pings = tokio::time::timeout(Duration::from_millis(1500), async {
        let mut pings = 0;
        while let Some(Ok(message)) = alive.next().await {
            match message {
                WsMessage::Ping(_) => pings += 1,
                WsMessage::Close(frame) => panic!("closed while answering pings: {frame:?}"),
                _ => {}
            }
        }
        pings
    })
    .await;
    assert!(pings.is_err(), "the connection ended on its own");

    // Silent (not reading, so no pong goes back): closed with 4009.
    let (mut silent, _) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("connect");
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let close = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(message) = silent.next().await {
            if let Ok(WsMessage::Close(frame)) = message {
                return frame.map(|f| u16::from(f.code));
            }
        }
        None
    })
    .await
    .expect("the server closed the silent connection");
    assert_eq!(close, Some(4009));
    shutdown.cancel();
}
