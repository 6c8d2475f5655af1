//! The bounds of `/v1/ws`, in process (`valechat::serve::ws::router_with`
//! with small bounds over an engine on a temporary database): a client
//! that stops reading is told and dropped while the turn finishes and is
//! stored; a client that answers no ping is closed, one that does stays;
//! each `send` counts against the token's rate limit.

use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_util::sync::CancellationToken;
use valechat::serve::auth::{Auth, protect};
use valechat::serve::clients::Clients;
use valechat::serve::http::rate::RateLimit;
use valechat::serve::ws::{Bounds, TurnHub, router, router_with};
use valechat_core::chat::Engine;
use valechat_core::model::Role;
use valechat_core::provider::ProtocolKind;
use valechat_core::secrets::MemoryKeyStore;
use valechat_core::store::{MessageStatus, Store};

use crate::support::TestServer;
use crate::support::openai::text_reply_with_usage;

/// An engine on a new database in a temporary folder (kept while the
/// returned guard lives).
async fn engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("valechat.db"))
        .await
        .expect("open the database");
    (dir, Engine::new(store, Arc::new(MemoryKeyStore::new())))
}

/// Adds an OpenAI-compatible provider for `fake`; its id.
async fn add_fake(engine: &Engine, fake: &TestServer) -> String {
    engine
        .providers()
        .add(
            ProtocolKind::OpenAiCompatible,
            "Fake",
            &fake.base_url(),
            None,
        )
        .await
        .expect("add provider")
        .id
}

/// Serves `app` on a free loopback port; its address.
async fn serve(app: axum::Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_dropped_and_the_turn_finishes() {
    // 400 pieces of 2 KiB: far more than the tiny queue and socket buffers.
    let piece = "x".repeat(2048);
    let pieces: Vec<&str> = vec![piece.as_str(); 400];
    let fake = TestServer::start(vec![text_reply_with_usage(&pieces, 10, 400)]).await;
    let (_dir, engine) = engine().await;
    let provider = add_fake(&engine, &fake).await;
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
        None,
        bounds,
    );
    let address = serve(app).await;

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
    let (_dir, engine) = engine().await;
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
        None,
        bounds,
    );
    let address = serve(app).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_send_counts_against_the_tokens_rate_limit() {
    let fake = TestServer::start(vec![
        text_reply_with_usage(&["One"], 5, 1),
        text_reply_with_usage(&["Two"], 5, 1),
    ])
    .await;
    let (_dir, engine) = engine().await;
    let provider = add_fake(&engine, &fake).await;
    let shutdown = CancellationToken::new();
    let rate = RateLimit::per_minute(std::num::NonZeroU32::new(2).expect("2"));
    let app = protect(
        router(
            TurnHub::new(engine, None),
            Clients::default(),
            shutdown.clone(),
            Some(rate),
        ),
        Auth::new("vc-test-token"),
    );
    let address = serve(app).await;
    let mut request = format!("ws://{address}/v1/ws")
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "authorization",
        "Bearer vc-test-token".parse().expect("header"),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connect");

    let mut answers = Vec::new();
    for n in 1..=3 {
        let send = json!({"v": 1, "type": "send", "request_id": format!("r{n}"),
            "new": {"provider": provider, "model": "gpt-test"}, "text": "Hi"});
        ws.send(WsMessage::text(send.to_string()))
            .await
            .expect("send");
        // The turn's end, or the refusal.
        while let Some(Ok(message)) = ws.next().await {
            let WsMessage::Text(text) = message else {
                continue;
            };
            let body: Value = serde_json::from_str(text.as_str()).expect("JSON");
            if matches!(body["type"].as_str(), Some("finished" | "failed" | "error")) {
                answers.push(body);
                break;
            }
        }
    }
    assert_eq!(answers[0]["type"], "finished", "{answers:?}");
    assert_eq!(answers[1]["type"], "finished", "{answers:?}");
    assert_eq!(answers[2]["code"], "rate_limited", "{answers:?}");
    assert_eq!(answers[2]["request_id"], "r3");
    assert!(
        answers[2]["retry_after_ms"]
            .as_u64()
            .is_some_and(|ms| ms >= 1000)
    );
    assert_eq!(
        fake.requests().len(),
        2,
        "the third never reached the provider"
    );
    shutdown.cancel();
}
