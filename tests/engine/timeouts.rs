//! Per-provider timeouts: stored through `update_provider`, validated, and
//! applied by the client the engine builds (first-byte and idle timeouts
//! fire against the local server with the configured values).

use std::time::Duration;

use futures::StreamExt;
use tokio_util::sync::CancellationToken;
use valechat_core::chat::{EngineError, ProviderUpdate};
use valechat_core::provider::timeouts::ProviderTimeouts;
use valechat_core::provider::{
    ChatEvent, ChatMessage, ChatRequest, ProtocolKind, ProviderError, Role,
};

use crate::Harness;
use crate::support::{Reply, Step, TestServer};

/// Hang guard: fails (never passes) a test whose timeout does not fire.
const GUARD: Duration = Duration::from_secs(20);

fn chunk(text: &str) -> Vec<u8> {
    let chunk = serde_json::json!({
        "id": "c", "object": "chat.completion.chunk", "model": "m",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}],
    });
    format!("data: {chunk}\n\n").into_bytes()
}

fn request() -> ChatRequest {
    ChatRequest {
        model: "m".into(),
        messages: vec![ChatMessage::new(Role::User, "Hi")],
        ..ChatRequest::default()
    }
}

/// A provider for `server` with 1 s first-byte and idle timeouts.
async fn short_timeouts(h: &Harness, server: &TestServer) -> String {
    let id = h
        .engine
        .providers()
        .add(
            ProtocolKind::OpenAiCompatible,
            "Slow",
            &server.base_url(),
            None,
        )
        .await
        .expect("add")
        .id;
    let timeouts = ProviderTimeouts {
        connect: Duration::from_secs(5),
        first_byte: Duration::from_secs(1),
        idle: Duration::from_secs(1),
    };
    h.engine
        .providers()
        .update(
            &id,
            ProviderUpdate {
                timeouts: Some(timeouts),
                ..ProviderUpdate::default()
            },
        )
        .await
        .expect("save timeouts");
    assert_eq!(h.engine.providers().timeouts(&id).await.unwrap(), timeouts);
    id
}

#[tokio::test]
async fn defaults_apply_until_set_and_bad_values_are_refused() {
    let h = Harness::new().await;
    let id = h
        .engine
        .providers()
        .add(ProtocolKind::Ollama, "Local", "http://127.0.0.1:1", None)
        .await
        .unwrap()
        .id;
    assert_eq!(
        h.engine.providers().timeouts(&id).await.unwrap(),
        ProviderTimeouts::default()
    );
    let err = h
        .engine
        .providers()
        .update(
            &id,
            ProviderUpdate {
                name: Some("Renamed".into()),
                timeouts: Some(ProviderTimeouts {
                    idle: Duration::ZERO,
                    ..ProviderTimeouts::default()
                }),
                ..ProviderUpdate::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, EngineError::InvalidTimeout(_)), "{err:?}");
    let stored = h.engine.store().get_provider(&id).await.unwrap().unwrap();
    assert_eq!(stored.name, "Local", "nothing is saved with a bad timeout");
    assert!(matches!(
        h.engine.providers().timeouts("nope").await,
        Err(EngineError::UnknownProvider(_))
    ));
}

#[tokio::test]
async fn a_silent_server_hits_the_configured_first_byte_timeout() {
    // Head sent, then nothing for 30 s; every retry meets the same silence.
    let silent = || Reply::sse(vec![Step::Delay(Duration::from_secs(30)), Step::Cut]);
    let server = TestServer::start(vec![silent(), silent(), silent()]).await;
    let h = Harness::new().await;
    let id = short_timeouts(&h, &server).await;
    let client = h.engine.providers().client(&id).await.expect("client");
    let opened = tokio::time::timeout(
        GUARD,
        client.stream_chat(request(), CancellationToken::new()),
    )
    .await
    .expect("the first-byte timeout never fired");
    let err = opened.err();
    assert!(
        matches!(&err, Some(ProviderError::Timeout(m)) if m.contains("first-byte timeout of 1000 ms")),
        "{err:?}"
    );
    // A timeout is transient: the retry layer tried again (3 attempts).
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn silence_after_the_first_chunk_hits_the_configured_idle_timeout() {
    // (`Step::HoldOpen` sends keep-alive comments, which are data: a
    // plain delay is the silence.)
    let server = TestServer::start(vec![Reply::sse(vec![
        Step::Send(chunk("Hel")),
        Step::Delay(Duration::from_secs(30)),
        Step::Cut,
    ])])
    .await;
    let h = Harness::new().await;
    let id = short_timeouts(&h, &server).await;
    let client = h.engine.providers().client(&id).await.expect("client");
    let mut stream = client
        .stream_chat(request(), CancellationToken::new())
        .await
        .expect("the stream opens");
    let mut text = String::new();
    let err = tokio::time::timeout(GUARD, async {
        while let Some(item) = stream.next().await {
            match item {
                Ok(ChatEvent::TextDelta(t)) => text.push_str(&t),
                Ok(_) => {}
                Err(e) => return Some(e),
            }
        }
        None
    })
    .await
    .expect("the idle timeout never fired");
    assert_eq!(text, "Hel");
    assert!(
        matches!(&err, Some(ProviderError::Timeout(m)) if m.contains("1000 ms (idle timeout)")),
        "{err:?}"
    );
    assert_eq!(
        server.requests().len(),
        1,
        "a stream that began is not retried"
    );
}
