//! Retries, circuit breaker and first-byte timeout ([`ResilientProvider`])
//! around the real OpenAI provider, against the local scripted server;
//! `protocols` runs the retry cases over Anthropic, Gemini and Ollama too.
//!
//! Waits are short (tens of milliseconds) so the suite stays fast; only the
//! `Retry-After` test waits the full second the server asks for. Time is
//! asserted as a lower bound only.

use crate::support;

#[path = "resilience/protocols.rs"]
mod protocols;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio_util::sync::CancellationToken;
use valechat_core::provider::openai::{OpenAiConfig, OpenAiProvider};
use valechat_core::provider::resilient::{
    BreakerConfig, BreakerState, CircuitBreaker, ResilientProvider, RetryPolicy,
};
use valechat_core::provider::{
    ChatEvent, ChatMessage, ChatProvider, ChatRequest, ChatStream, ProviderError, Role,
};

use support::{Reply, Step, TestServer, fixture};

/// Hang guard for awaits that must end promptly (fails, never passes, a test).
const GUARD: Duration = Duration::from_secs(10);

fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        max_retries: 2,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        ..RetryPolicy::default()
    }
}

fn resilient(server: &TestServer, breaker: BreakerConfig) -> ResilientProvider<OpenAiProvider> {
    let inner = OpenAiProvider::new(OpenAiConfig::new(
        server.base_url(),
        Some("sk-test".to_owned()),
    ))
    .expect("valid config");
    ResilientProvider::new(Arc::new(inner), Arc::new(CircuitBreaker::new(breaker)))
        .with_policy(fast_policy())
}

fn provider(server: &TestServer) -> ResilientProvider<OpenAiProvider> {
    resilient(server, BreakerConfig::default())
}

fn request() -> ChatRequest {
    ChatRequest {
        model: "gpt-4o".into(),
        messages: vec![ChatMessage::new(Role::User, "Hello?")],
        ..ChatRequest::default()
    }
}

async fn open(p: &ResilientProvider<OpenAiProvider>) -> Result<ChatStream, ProviderError> {
    tokio::time::timeout(GUARD, p.stream_chat(request(), CancellationToken::new()))
        .await
        .expect("stream_chat hung")
}

/// The text of a stream and the error that ended it, if any.
async fn drain(mut stream: ChatStream) -> (String, Option<ProviderError>) {
    let mut text = String::new();
    while let Some(item) = tokio::time::timeout(GUARD, stream.next())
        .await
        .expect("stream hung")
    {
        match item {
            Ok(ChatEvent::TextDelta(t)) => text.push_str(&t),
            Ok(_) => {}
            Err(e) => return (text, Some(e)),
        }
    }
    (text, None)
}

/// One `chat.completion.chunk` SSE event carrying `text`.
fn text_chunk(text: &str) -> Vec<u8> {
    let chunk = serde_json::json!({
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "model": "gpt-4o",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}],
    });
    format!("data: {chunk}\n\n").into_bytes()
}

/// A complete reply answering "Hello there".
fn good() -> Reply {
    let mut body = text_chunk("Hello");
    body.extend(text_chunk(" there"));
    let stop = serde_json::json!({
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "model": "gpt-4o",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
    });
    body.extend(format!("data: {stop}\n\ndata: [DONE]\n\n").into_bytes());
    Reply::sse_body(body)
}

fn json_error(status: u16, message: &str, code: &str) -> Reply {
    let body = serde_json::json!({"error": {"message": message, "type": "error", "param": null, "code": code}});
    Reply::fixed(status, "application/json", body.to_string())
}

#[tokio::test]
async fn rate_limit_waits_for_retry_after_then_succeeds() {
    let server = TestServer::start(vec![
        json_error(429, "Rate limit reached", "rate_limit_exceeded").header("retry-after", "1"),
        good(),
    ])
    .await;
    let p = provider(&server);
    let start = Instant::now();
    let stream = open(&p).await.expect("the retry succeeds");
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(drain(stream).await, ("Hello there".to_owned(), None));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn server_errors_are_retried_until_success() {
    let server = TestServer::start(vec![
        Reply::fixed(500, "text/plain", "upstream exploded"),
        json_error(529, "Overloaded", "overloaded_error"),
        good(),
    ])
    .await;
    let stream = open(&provider(&server))
        .await
        .expect("the third try succeeds");
    assert_eq!(drain(stream).await, ("Hello there".to_owned(), None));
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn retries_stop_after_max_retries_with_the_last_error() {
    let server = TestServer::start(vec![
        Reply::fixed(500, "text/plain", "one"),
        Reply::fixed(502, "text/plain", "two"),
        Reply::fixed(503, "text/plain", "three"),
        good(),
    ])
    .await;
    let err = open(&provider(&server)).await.err();
    assert_eq!(
        err,
        Some(ProviderError::Server {
            status: 503,
            message: "three".into()
        })
    );
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn unauthorized_is_not_retried() {
    let server = TestServer::start(vec![
        json_error(401, "Incorrect API key provided", "invalid_api_key"),
        good(),
    ])
    .await;
    let err = open(&provider(&server)).await.err();
    assert!(
        matches!(err, Some(ProviderError::Unauthorized { .. })),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn exhausted_quota_is_not_retried() {
    let server = TestServer::start(vec![
        Reply::fixed(
            429,
            "application/json",
            fixture("errors/openai_insufficient_quota_429.json"),
        ),
        good(),
    ])
    .await;
    let err = open(&provider(&server)).await.err();
    assert!(
        matches!(
            err,
            Some(ProviderError::RateLimited {
                quota_exhausted: true,
                ..
            })
        ),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_cut_after_the_first_chunk_passes_through_without_retry() {
    let server = TestServer::start(vec![
        Reply::sse(vec![Step::Send(text_chunk("Hel")), Step::Cut]),
        good(),
    ])
    .await;
    let stream = open(&provider(&server)).await.expect("the stream opens");
    let (text, err) = drain(stream).await;
    assert_eq!(text, "Hel");
    assert!(matches!(err, Some(ProviderError::Connection(_))), "{err:?}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_cut_before_the_first_chunk_is_retried() {
    let server = TestServer::start(vec![Reply::sse(vec![Step::Cut]), good()]).await;
    let stream = open(&provider(&server)).await.expect("the retry succeeds");
    assert_eq!(drain(stream).await, ("Hello there".to_owned(), None));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_silent_server_hits_the_first_byte_timeout_and_is_retried() {
    let server = TestServer::start(vec![
        Reply::sse(vec![Step::Delay(Duration::from_secs(5)), Step::Cut]),
        good(),
    ])
    .await;
    let p = provider(&server).with_first_byte_timeout(Duration::from_millis(200));
    let stream = open(&p).await.expect("the retry succeeds");
    assert_eq!(drain(stream).await, ("Hello there".to_owned(), None));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn the_breaker_opens_refuses_then_half_opens_and_closes() {
    let cool_down = Duration::from_millis(300);
    let server = TestServer::start(vec![
        Reply::fixed(500, "text/plain", "down"),
        Reply::fixed(500, "text/plain", "still down"),
        good(),
    ])
    .await;
    let p = resilient(
        &server,
        BreakerConfig {
            failure_threshold: 2,
            cool_down,
        },
    )
    .with_policy(RetryPolicy {
        max_retries: 1,
        ..fast_policy()
    });

    assert!(matches!(
        open(&p).await.err(),
        Some(ProviderError::Server { status: 500, .. })
    ));
    assert!(matches!(p.breaker().state(), BreakerState::Open { .. }));

    let refused = open(&p).await.err();
    assert!(
        matches!(&refused, Some(ProviderError::Server { status: 503, message }) if message.starts_with("circuit open")),
        "{refused:?}"
    );
    assert_eq!(server.requests().len(), 2, "an open breaker sends nothing");

    tokio::time::sleep(cool_down + Duration::from_millis(50)).await;
    assert_eq!(p.breaker().state(), BreakerState::HalfOpen);
    let stream = open(&p).await.expect("the probe succeeds");
    assert_eq!(p.breaker().state(), BreakerState::Closed);
    assert_eq!(drain(stream).await, ("Hello there".to_owned(), None));
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn cancelling_during_a_backoff_returns_cancelled_promptly() {
    let server = TestServer::start(vec![Reply::fixed(500, "text/plain", "down"), good()]).await;
    // A one-failure breaker shows when the first attempt has failed, that is
    // when the backoff begins.
    let p = resilient(
        &server,
        BreakerConfig {
            failure_threshold: 1,
            cool_down: Duration::from_secs(1),
        },
    )
    .with_policy(RetryPolicy {
        initial_backoff: Duration::from_secs(60),
        max_backoff: Duration::from_secs(60),
        ..fast_policy()
    });
    let breaker = Arc::clone(p.breaker());
    let cancel = CancellationToken::new();
    let pending = tokio::spawn({
        let cancel = cancel.clone();
        async move { p.stream_chat(request(), cancel).await.err() }
    });
    while breaker.state() == BreakerState::Closed {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    cancel.cancel();
    // The backoff is 30–60 s: ending within the guard proves the wait was cut short.
    let err = tokio::time::timeout(GUARD, pending)
        .await
        .expect("cancellation did not end the backoff")
        .expect("task panicked");
    assert_eq!(err, Some(ProviderError::Cancelled));
    assert_eq!(server.requests().len(), 1);
}
