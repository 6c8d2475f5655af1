//! Per-provider rate limits: requests and tokens per minute (issue 5,
//! "Rate limits per provider … queue requests instead of failing").
//!
//! Each provider has a sliding 60-second window of the requests started and
//! the tokens they used (input when the request starts, output when it
//! ends). A request that would go over a limit waits — the turn reports
//! [`TurnEvent::Queued`](super::TurnEvent::Queued) — until enough of the
//! window has passed; Stop ends the wait.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::model::RateLimit;

/// The window every limit is counted over.
pub const WINDOW: Duration = Duration::from_secs(60);

/// One entry of a window: when, how many tokens, and whether it started a
/// request (output tokens are added as entries that did not).
#[derive(Debug, Clone, Copy)]
struct Entry {
    at: Instant,
    tokens: u64,
    request: bool,
}

/// The windows of every provider; clones share them.
#[derive(Debug, Clone, Default)]
pub struct RateLimiters {
    windows: Arc<Mutex<HashMap<String, VecDeque<Entry>>>>,
}

/// The wait was cut short by Stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

impl RateLimiters {
    /// How long a request of `tokens` input tokens to `provider_id` must
    /// wait under `limit` now; zero when it may start. A request larger
    /// than the whole token limit only waits for an empty window.
    pub fn wait_for(&self, provider_id: &str, limit: RateLimit, tokens: u64) -> Duration {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let window = windows.entry(provider_id.to_owned()).or_default();
        prune(window, now);
        wait_in(window, limit, tokens, now)
    }

    /// Waits until a request of `tokens` may start, then records it.
    /// `on_wait` is called once with the first wait when there is one.
    ///
    /// # Errors
    /// `Cancelled` when `cancel` fires while waiting (nothing recorded).
    pub async fn acquire(
        &self,
        provider_id: &str,
        limit: RateLimit,
        tokens: u64,
        cancel: &CancellationToken,
        mut on_wait: impl FnMut(Duration),
    ) -> Result<Duration, Cancelled> {
        if limit.is_unlimited() {
            return Ok(Duration::ZERO);
        }
        let started = Instant::now();
        let mut told = false;
        loop {
            let wait = {
                let now = Instant::now();
                let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
                let window = windows.entry(provider_id.to_owned()).or_default();
                prune(window, now);
                let wait = wait_in(window, limit, tokens, now);
                if wait.is_zero() {
                    window.push_back(Entry {
                        at: now,
                        tokens,
                        request: true,
                    });
                }
                wait
            };
            if wait.is_zero() {
                return Ok(started.elapsed());
            }
            if !told {
                on_wait(wait);
                told = true;
            }
            tokio::select! {
                () = cancel.cancelled() => return Err(Cancelled),
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Adds the output tokens of a finished request to the window.
    pub fn add_tokens(&self, provider_id: &str, tokens: u64) {
        if tokens == 0 {
            return;
        }
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        windows
            .entry(provider_id.to_owned())
            .or_default()
            .push_back(Entry {
                at: Instant::now(),
                tokens,
                request: false,
            });
    }
}

/// Drops entries older than the window.
fn prune(window: &mut VecDeque<Entry>, now: Instant) {
    while window
        .front()
        .is_some_and(|e| now.duration_since(e.at) >= WINDOW)
    {
        window.pop_front();
    }
}

/// The wait under each limit, the longer one wins.
fn wait_in(window: &VecDeque<Entry>, limit: RateLimit, tokens: u64, now: Instant) -> Duration {
    let until = |e: &Entry| (e.at + WINDOW).saturating_duration_since(now);
    let mut wait = Duration::ZERO;
    if let Some(rpm) = limit.requests_per_minute {
        let requests: Vec<&Entry> = window.iter().filter(|e| e.request).collect();
        // With this request there would be `len + 1`; the oldest `excess`
        // must leave the window first.
        let allowed = usize::try_from(rpm).unwrap_or(usize::MAX);
        let excess = (requests.len() + 1).saturating_sub(allowed);
        if excess > 0 && excess <= requests.len() {
            wait = wait.max(until(requests[excess - 1]));
        }
    }
    if let Some(tpm) = limit.tokens_per_minute {
        let used: u64 = window.iter().map(|e| e.tokens).sum();
        let need = tokens.min(tpm);
        if used.saturating_add(need) > tpm {
            let mut freed = 0u64;
            for e in window {
                freed = freed.saturating_add(e.tokens);
                if used - freed + need <= tpm {
                    wait = wait.max(until(e));
                    break;
                }
            }
        }
    }
    wait
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rpm(n: u32) -> RateLimit {
        RateLimit {
            requests_per_minute: Some(n),
            tokens_per_minute: None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_third_request_in_a_minute_waits_for_the_first_to_leave() {
        let limiters = RateLimiters::default();
        let cancel = CancellationToken::new();
        let mut waits = Vec::new();
        for _ in 0..2 {
            let waited = limiters
                .acquire("p", rpm(2), 10, &cancel, |w| waits.push(w))
                .await;
            assert_eq!(waited, Ok(Duration::ZERO));
        }
        tokio::time::advance(Duration::from_secs(20)).await;
        let waited = limiters
            .acquire("p", rpm(2), 10, &cancel, |w| waits.push(w))
            .await
            .expect("not cancelled");
        assert_eq!(waits, [Duration::from_secs(40)]);
        assert!(waited >= Duration::from_secs(40), "{waited:?}");
        // Other providers are not affected.
        assert_eq!(limiters.wait_for("q", rpm(2), 10), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn tokens_per_minute_count_input_and_output() {
        let limiters = RateLimiters::default();
        let limit = RateLimit {
            requests_per_minute: None,
            tokens_per_minute: Some(1000),
        };
        let cancel = CancellationToken::new();
        limiters
            .acquire("p", limit, 600, &cancel, |_| {})
            .await
            .expect("first");
        tokio::time::advance(Duration::from_secs(10)).await;
        limiters.add_tokens("p", 300);
        // 900 used: 200 more must wait until the first 600 leave (50 s).
        assert_eq!(limiters.wait_for("p", limit, 200), Duration::from_secs(50));
        assert_eq!(limiters.wait_for("p", limit, 100), Duration::ZERO);
        // A request larger than the limit waits for an empty window only.
        assert_eq!(limiters.wait_for("p", limit, 5000), Duration::from_secs(60));
    }

    #[tokio::test(start_paused = true)]
    async fn stop_ends_the_wait_and_records_nothing() {
        let limiters = RateLimiters::default();
        let cancel = CancellationToken::new();
        limiters
            .acquire("p", rpm(1), 0, &cancel, |_| {})
            .await
            .expect("first");
        let waiting = {
            let limiters = limiters.clone();
            let cancel = cancel.clone();
            tokio::spawn(async move { limiters.acquire("p", rpm(1), 0, &cancel, |_| {}).await })
        };
        tokio::time::advance(Duration::from_secs(5)).await;
        cancel.cancel();
        assert_eq!(waiting.await.expect("task"), Err(Cancelled));
        tokio::time::advance(Duration::from_secs(55)).await;
        assert_eq!(limiters.wait_for("p", rpm(1), 0), Duration::ZERO);
    }
}
