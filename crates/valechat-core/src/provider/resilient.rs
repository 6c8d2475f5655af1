//! [`ResilientProvider`]: retries, a circuit breaker and a first-byte timeout
//! around any [`ChatProvider`].
//!
//! What is retried, and when:
//! - only errors for which [`ProviderError::is_retryable`] holds (connect
//!   errors, timeouts, 429 without exhausted quota, 5xx, 529), at most
//!   [`RetryPolicy::max_retries`] times, after the [`RetryPolicy`]'s backoff;
//!   a server's `Retry-After` is waited for in full, and one asking for more
//!   than [`RetryPolicy::max_retry_after`] fails at once;
//! - a stream is retried while it opens (HTTP status, connection refused,
//!   a cut or a server error before the first token, no first token within
//!   the first-byte timeout). [`ResilientProvider::stream_chat`] returns only
//!   once the first event other than [`ChatEvent::Started`] (which shows the
//!   user nothing) has arrived; from then on the stream's errors pass
//!   through untouched, so nothing the user saw is ever sent twice;
//! - cancelling the token stops a backoff wait at once with
//!   [`ProviderError::Cancelled`].
//!
//! Every attempt goes through the provider's [`CircuitBreaker`] first; a
//! refusal there (a 503 [`ProviderError::Server`] whose message starts with
//! "circuit") is returned at once, without a request and without a retry.

pub mod breaker;
pub mod policy;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::{StreamExt, stream};
use tokio_util::sync::CancellationToken;

pub use breaker::{BreakerConfig, BreakerState, CircuitBreaker, Outcome};
pub use policy::RetryPolicy;

use crate::provider::{ChatEvent, ChatProvider, ChatRequest, ChatStream, ModelInfo, ProviderError};

/// Default time allowed from sending a chat request to its first event: 60 s.
pub const DEFAULT_FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(60);

/// A [`ChatProvider`] that retries the one it wraps and guards it with a
/// [`CircuitBreaker`] (see the module documentation for the rules).
///
/// `P` may be a concrete provider or `dyn ChatProvider`. The breaker is
/// passed in as an `Arc` so it can outlive this wrapper: the engine keeps one
/// per configured provider across turns.
#[derive(Debug)]
pub struct ResilientProvider<P: ?Sized = dyn ChatProvider> {
    inner: Arc<P>,
    breaker: Arc<CircuitBreaker>,
    policy: RetryPolicy,
    first_byte_timeout: Duration,
}

impl<P: ChatProvider + ?Sized> ResilientProvider<P> {
    /// Wraps `inner` with the default [`RetryPolicy`] and
    /// [`DEFAULT_FIRST_BYTE_TIMEOUT`], reporting to `breaker`.
    pub fn new(inner: Arc<P>, breaker: Arc<CircuitBreaker>) -> Self {
        Self {
            inner,
            breaker,
            policy: RetryPolicy::default(),
            first_byte_timeout: DEFAULT_FIRST_BYTE_TIMEOUT,
        }
    }

    /// Replaces the retry policy.
    #[must_use]
    pub fn with_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Replaces the time allowed between sending a chat request and its first
    /// event (response headers included).
    #[must_use]
    pub fn with_first_byte_timeout(mut self, timeout: Duration) -> Self {
        self.first_byte_timeout = timeout;
        self
    }

    /// The breaker this provider reports to (its state feeds the UI's status dot).
    #[must_use]
    pub fn breaker(&self) -> &Arc<CircuitBreaker> {
        &self.breaker
    }

    /// The retry policy in force.
    #[must_use]
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// Runs `attempt` through the breaker until it succeeds, fails for good,
    /// runs out of retries or `cancel` fires.
    async fn run<T, F, Fut>(
        &self,
        cancel: &CancellationToken,
        mut attempt: F,
    ) -> Result<T, ProviderError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ProviderError>>,
    {
        let mut retry = 0;
        loop {
            let permit = self.breaker.try_acquire()?;
            let error = match attempt().await {
                Ok(value) => {
                    permit.finish(Outcome::Answered);
                    return Ok(value);
                }
                Err(error) => {
                    permit.finish(Outcome::of_error(&error));
                    error
                }
            };
            let Some(wait) = self.wait_before_retry(retry, &error) else {
                return Err(error);
            };
            tracing::info!(
                retry = retry + 1,
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                "retrying a provider request after: {error}"
            );
            tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(ProviderError::Cancelled),
                () = tokio::time::sleep(wait) => {}
            }
            retry += 1;
        }
    }

    /// How long to wait before retry number `retry` after `error`, or `None`
    /// when the error must be returned now.
    fn wait_before_retry(&self, retry: u32, error: &ProviderError) -> Option<Duration> {
        if !error.is_retryable() || retry >= self.policy.max_retries {
            return None;
        }
        let retry_after = match error {
            ProviderError::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        };
        let wait = self.policy.delay(retry, retry_after, policy::random_unit());
        if wait.is_none() {
            tracing::info!("not retrying: the server asks to wait longer than allowed: {error}");
        }
        wait
    }

    /// One attempt at opening a stream: returns once its first event other
    /// than [`ChatEvent::Started`] has arrived (put back, after any
    /// `Started`, in front of the rest), or with the error that came instead, [`ProviderError::Timeout`] after the first-byte timeout, or
    /// [`ProviderError::Cancelled`].
    async fn open_stream(
        &self,
        request: &ChatRequest,
        cancel: &CancellationToken,
    ) -> Result<ChatStream, ProviderError> {
        let opening = async {
            let mut events = self
                .inner
                .stream_chat(request.clone(), cancel.clone())
                .await?;
            // `Started` shows the user nothing: a failure after it is still
            // "before the first token" and may be retried.
            let mut held = Vec::new();
            loop {
                match events.next().await {
                    Some(Ok(started @ ChatEvent::Started { .. })) => held.push(Ok(started)),
                    Some(Ok(first)) => {
                        held.push(Ok(first));
                        return Ok(Box::pin(stream::iter(held).chain(events)) as ChatStream);
                    }
                    Some(Err(error)) => return Err(error),
                    None => return Ok(Box::pin(stream::iter(held)) as ChatStream),
                }
            }
        };
        tokio::select! {
            biased;
            () = cancel.cancelled() => Err(ProviderError::Cancelled),
            opened = tokio::time::timeout(self.first_byte_timeout, opening) => {
                opened.unwrap_or_else(|_| {
                    Err(ProviderError::Timeout(format!(
                        "no reply within the first-byte timeout of {} ms",
                        self.first_byte_timeout.as_millis()
                    )))
                })
            }
        }
    }
}

#[async_trait::async_trait]
impl<P: ChatProvider + ?Sized + 'static> ChatProvider for ResilientProvider<P> {
    /// Opens the wrapped provider's stream with retries; returns after its
    /// first event. Errors: the last attempt's error, a breaker refusal (503
    /// "circuit …"), [`ProviderError::Timeout`] when no event came within the
    /// first-byte timeout, or [`ProviderError::Cancelled`].
    async fn stream_chat(
        &self,
        request: ChatRequest,
        cancel: CancellationToken,
    ) -> Result<ChatStream, ProviderError> {
        self.run(&cancel, || self.open_stream(&request, &cancel))
            .await
    }

    /// Lists the wrapped provider's models with retries (no cancellation).
    async fn list_models(&self) -> Result<Vec<ModelInfo>, ProviderError> {
        let never = CancellationToken::new();
        self.run(&never, || self.inner.list_models()).await
    }
}

#[cfg(test)]
mod tests;
