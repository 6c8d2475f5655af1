//! Unit tests of [`ResilientProvider`] on paused tokio time.
//!
//! The wrapped provider is [`Scripted`], an in-file test double: it is the
//! collaborator of the unit under test, playing one scripted answer per call
//! and recording when each call came. The real OpenAI provider against a
//! local server is exercised in `tests/providers/resilience.rs`.

use std::collections::VecDeque;
use std::sync::Mutex;

use futures::StreamExt;
use tokio::time::Instant;

use super::*;
use crate::provider::{ChatEvent, ChatProvider};

/// What [`Scripted`] answers to one call.
enum Script {
    /// `stream_chat` / `list_models` fail with this error.
    Refuse(ProviderError),
    /// The stream yields these items, then ends.
    Stream(Vec<Result<ChatEvent, ProviderError>>),
    /// The stream opens but never yields anything.
    Silent,
}

/// A provider answering from a script, recording the (tokio) time of each call.
struct Scripted {
    script: Mutex<VecDeque<Script>>,
    calls: Mutex<Vec<Instant>>,
}

impl Scripted {
    fn new(script: Vec<Script>) -> Arc<Self> {
        Arc::new(Self {
            script: Mutex::new(script.into()),
            calls: Mutex::new(Vec::new()),
        })
    }

    fn calls(&self) -> Vec<Instant> {
        self.calls.lock().unwrap().clone()
    }

    fn next(&self) -> Script {
        self.calls.lock().unwrap().push(Instant::now());
        self.script
            .lock()
            .unwrap()
            .pop_front()
            .expect("more calls than scripted answers")
    }
}

#[async_trait::async_trait]
impl ChatProvider for Scripted {
    async fn stream_chat(
        &self,
        _request: ChatRequest,
        _cancel: CancellationToken,
    ) -> Result<ChatStream, ProviderError> {
        match self.next() {
            Script::Refuse(e) => Err(e),
            Script::Stream(items) => Ok(Box::pin(stream::iter(items))),
            Script::Silent => Ok(Box::pin(stream::pending())),
        }
    }

    async fn list_models(&self) -> Result<Vec<ModelInfo>, ProviderError> {
        match self.next() {
            Script::Refuse(e) => Err(e),
            _ => Ok(vec![ModelInfo::new("m")]),
        }
    }
}

fn server_error() -> Script {
    Script::Refuse(ProviderError::Server {
        status: 500,
        message: "boom".into(),
    })
}

fn rate_limited(retry_after: Option<Duration>, quota_exhausted: bool) -> ProviderError {
    ProviderError::RateLimited {
        message: "slow down".into(),
        retry_after,
        quota_exhausted,
    }
}

#[allow(
    clippy::unnecessary_wraps,
    reason = "test helper: returns what the stream yields"
)]
fn text(t: &str) -> Result<ChatEvent, ProviderError> {
    Ok(ChatEvent::TextDelta(t.into()))
}

fn good() -> Script {
    Script::Stream(vec![text("Hello"), text(" world")])
}

/// Short, jitter-free waits: 100 ms, then 200 ms, then 400 ms.
fn policy() -> RetryPolicy {
    RetryPolicy {
        max_retries: 2,
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_secs(1),
        multiplier: 2.0,
        jitter: false,
        max_retry_after: Duration::from_secs(60),
    }
}

fn wrap(fake: &Arc<Scripted>, breaker: BreakerConfig) -> ResilientProvider<Scripted> {
    ResilientProvider::new(Arc::clone(fake), Arc::new(CircuitBreaker::new(breaker)))
        .with_policy(policy())
        .with_first_byte_timeout(Duration::from_secs(5))
}

fn provider(script: Vec<Script>) -> (Arc<Scripted>, ResilientProvider<Scripted>) {
    let fake = Scripted::new(script);
    let wrapped = wrap(&fake, BreakerConfig::default());
    (fake, wrapped)
}

async fn open(p: &ResilientProvider<Scripted>) -> Result<ChatStream, ProviderError> {
    p.stream_chat(ChatRequest::default(), CancellationToken::new())
        .await
}

/// All items of a stream, errors included.
async fn collect(s: ChatStream) -> Vec<Result<ChatEvent, ProviderError>> {
    s.collect().await
}

#[tokio::test(start_paused = true)]
async fn server_errors_are_retried_with_growing_backoff() {
    let (fake, p) = provider(vec![server_error(), server_error(), good()]);
    let items = collect(open(&p).await.unwrap()).await;
    assert_eq!(items, vec![text("Hello"), text(" world")]);
    let calls = fake.calls();
    assert_eq!(calls.len(), 3);
    assert!(calls[1] - calls[0] >= Duration::from_millis(100));
    assert!(calls[2] - calls[1] >= Duration::from_millis(200));
    assert_eq!(p.breaker().state(), BreakerState::Closed);
}

#[tokio::test(start_paused = true)]
async fn the_last_error_is_returned_when_retries_run_out() {
    let (fake, p) = provider(vec![server_error(), server_error(), server_error()]);
    let err = open(&p).await.err().unwrap();
    assert!(
        matches!(err, ProviderError::Server { status: 500, .. }),
        "{err:?}"
    );
    assert_eq!(fake.calls().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn errors_that_cannot_succeed_are_not_retried() {
    let unauthorized = ProviderError::Unauthorized {
        message: "bad key".into(),
    };
    let not_found = ProviderError::NotFound {
        message: "no such model".into(),
    };
    let bad = ProviderError::BadRequest {
        status: 400,
        message: "bad".into(),
    };
    for error in [unauthorized, not_found, bad, rate_limited(None, true)] {
        let (fake, p) = provider(vec![Script::Refuse(error.clone()), good()]);
        assert_eq!(open(&p).await.err(), Some(error));
        assert_eq!(fake.calls().len(), 1);
    }
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_waited_for_in_full() {
    let asked = Duration::from_secs(3);
    let (fake, p) = provider(vec![
        Script::Refuse(rate_limited(Some(asked), false)),
        good(),
    ]);
    assert!(open(&p).await.is_ok());
    let calls = fake.calls();
    assert_eq!(calls.len(), 2);
    assert!(calls[1] - calls[0] >= asked);
}

#[tokio::test(start_paused = true)]
async fn a_server_asking_for_too_long_a_wait_fails_at_once() {
    let error = rate_limited(Some(Duration::from_secs(3600)), false);
    let (fake, p) = provider(vec![Script::Refuse(error.clone()), good()]);
    assert_eq!(open(&p).await.err(), Some(error));
    assert_eq!(fake.calls().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_stream_failing_before_its_first_event_is_retried() {
    let cut = ProviderError::Connection("cut".into());
    let (fake, p) = provider(vec![Script::Stream(vec![Err(cut)]), good()]);
    let items = collect(open(&p).await.unwrap()).await;
    assert_eq!(items, vec![text("Hello"), text(" world")]);
    assert_eq!(fake.calls().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn errors_after_the_first_event_pass_through_without_retry() {
    let cut = ProviderError::Connection("cut".into());
    let (fake, p) = provider(vec![
        Script::Stream(vec![text("Hel"), Err(cut.clone())]),
        good(),
    ]);
    let items = collect(open(&p).await.unwrap()).await;
    assert_eq!(items, vec![text("Hel"), Err(cut)]);
    assert_eq!(fake.calls().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn no_first_event_within_the_timeout_is_a_retried_timeout() {
    let (fake, p) = provider(vec![Script::Silent, good()]);
    assert!(open(&p).await.is_ok());
    let calls = fake.calls();
    assert_eq!(calls.len(), 2);
    assert!(calls[1] - calls[0] >= Duration::from_secs(5));

    let (_, p) = provider(vec![Script::Silent, Script::Silent, Script::Silent]);
    let err = open(&p).await.err().unwrap();
    assert!(
        matches!(&err, ProviderError::Timeout(m) if m.contains("first-byte timeout of 5000 ms")),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn cancelling_during_a_backoff_returns_cancelled_at_once() {
    let fake = Scripted::new(vec![server_error(), good()]);
    let p = wrap(&fake, BreakerConfig::default()).with_policy(RetryPolicy {
        initial_backoff: Duration::from_secs(600),
        max_backoff: Duration::from_secs(600),
        ..policy()
    });
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        trigger.cancel();
    });
    let start = Instant::now();
    let result = p.stream_chat(ChatRequest::default(), cancel).await;
    assert_eq!(result.err(), Some(ProviderError::Cancelled));
    assert_eq!(fake.calls().len(), 1);
    // On the paused clock the wait ended with the cancel, not the backoff.
    assert!(start.elapsed() < Duration::from_secs(600));
    // A cancellation is not held against the provider.
    assert_eq!(p.breaker().state(), BreakerState::Closed);
}

#[tokio::test(start_paused = true)]
async fn the_breaker_opens_refuses_without_a_call_then_probes() {
    let fake = Scripted::new(vec![server_error(), server_error(), server_error(), good()]);
    let p = wrap(
        &fake,
        BreakerConfig {
            failure_threshold: 3,
            cool_down: Duration::from_secs(30),
        },
    );
    assert!(open(&p).await.is_err());
    assert!(matches!(p.breaker().state(), BreakerState::Open { .. }));

    let refused = open(&p).await.err().unwrap();
    assert!(
        matches!(&refused, ProviderError::Server { status: 503, message } if message.starts_with("circuit open")),
        "{refused:?}"
    );
    assert_eq!(
        fake.calls().len(),
        3,
        "a refusal must not reach the provider"
    );

    tokio::time::advance(Duration::from_secs(30)).await;
    assert_eq!(p.breaker().state(), BreakerState::HalfOpen);
    assert!(open(&p).await.is_ok());
    assert_eq!(fake.calls().len(), 4);
    assert_eq!(p.breaker().state(), BreakerState::Closed);
}

#[tokio::test(start_paused = true)]
async fn a_non_retryable_answer_resets_the_failure_count() {
    let unauthorized = Script::Refuse(ProviderError::Unauthorized {
        message: "bad key".into(),
    });
    let fake = Scripted::new(vec![
        server_error(),
        server_error(),
        unauthorized,
        server_error(),
    ]);
    let p = wrap(
        &fake,
        BreakerConfig {
            failure_threshold: 3,
            cool_down: Duration::from_secs(30),
        },
    )
    .with_policy(RetryPolicy::no_retries());
    for _ in 0..4 {
        assert!(open(&p).await.is_err());
    }
    assert_eq!(p.breaker().state(), BreakerState::Closed);
}

#[tokio::test(start_paused = true)]
async fn list_models_is_retried_too() {
    let (fake, p) = provider(vec![
        Script::Refuse(ProviderError::Connection("refused".into())),
        good(),
    ]);
    let models = p.list_models().await.unwrap();
    assert_eq!(models.len(), 1);
    assert_eq!(fake.calls().len(), 2);
}
