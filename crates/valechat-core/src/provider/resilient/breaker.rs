//! [`CircuitBreaker`]: stops sending requests to a provider that keeps
//! failing, and probes it again after a cool-down.
//!
//! The classic three-state breaker (Nygard, "Release It!", ch. 5):
//! - **Closed**: requests go through; consecutive retryable failures are counted.
//! - **Open**: after `failure_threshold` of them, requests are refused at once
//!   until `cool_down` has passed.
//! - **Half-open**: then one probe request goes through; its success closes the
//!   breaker, its failure opens it again for another cool-down.
//!
//! Time is `tokio::time`, so tests drive it with `tokio::time::pause`.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use crate::provider::ProviderError;

/// The HTTP-like status of the error a refused request gets (503 Service Unavailable).
pub const REFUSED_STATUS: u16 = 503;

/// When a [`CircuitBreaker`] opens and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Consecutive retryable failures that open the breaker. Default 5.
    pub failure_threshold: u32,
    /// How long the breaker stays open before it lets a probe through. Default 30 s.
    pub cool_down: Duration,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self {
            failure_threshold: 5,
            cool_down: Duration::from_secs(30),
        }
    }
}

/// A breaker's state as the UI shows it (the provider's status dot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Healthy: requests go through.
    Closed,
    /// Failing: requests are refused until `until` (a `tokio::time::Instant`).
    Open {
        /// When the next probe request will be allowed.
        until: Instant,
    },
    /// The cool-down is over: the next request (only one at a time) probes the provider.
    HalfOpen,
}

/// How one request through the breaker ended, for [`Permit::finish`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The provider answered (a reply, or a non-retryable error such as 401,
    /// which proves the server is up): resets the failure count.
    Answered,
    /// A retryable failure (connect error, timeout, 429, 5xx): counts.
    Failed,
    /// The request was cancelled or never reached the server: does not count.
    Neutral,
}

impl Outcome {
    /// Classifies an error: retryable ones are failures, `Cancelled` and
    /// `Config` are neutral, every other one means the server answered.
    #[must_use]
    pub fn of_error(error: &ProviderError) -> Self {
        match error {
            e if e.is_retryable() => Self::Failed,
            ProviderError::Cancelled | ProviderError::Config(_) => Self::Neutral,
            _ => Self::Answered,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Inner {
    Closed { failures: u32 },
    Open { until: Instant, failures: u32 },
    HalfOpen { probing: bool },
}

/// A circuit breaker for one provider; share it with an `Arc` so its state
/// outlives the clients built for each turn.
#[derive(Debug)]
pub struct CircuitBreaker {
    config: BreakerConfig,
    state: Mutex<Inner>,
}

impl Default for CircuitBreaker {
    fn default() -> Self {
        Self::new(BreakerConfig::default())
    }
}

impl CircuitBreaker {
    /// A closed breaker with `config`.
    #[must_use]
    pub fn new(config: BreakerConfig) -> Self {
        Self {
            config,
            state: Mutex::new(Inner::Closed { failures: 0 }),
        }
    }

    /// The configuration it was built with.
    pub fn config(&self) -> BreakerConfig {
        self.config
    }

    /// The current state. An open breaker whose cool-down has passed reports
    /// [`BreakerState::HalfOpen`] (the next request will probe).
    pub fn state(&self) -> BreakerState {
        match *self.lock() {
            Inner::Closed { .. } => BreakerState::Closed,
            Inner::Open { until, .. } if Instant::now() < until => BreakerState::Open { until },
            Inner::Open { .. } | Inner::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    /// Asks to send one request. Report how it ended with [`Permit::finish`];
    /// a permit dropped unfinished counts as [`Outcome::Neutral`].
    ///
    /// # Errors
    /// [`ProviderError::Server`] with status [`REFUSED_STATUS`] (503) and a
    /// message "circuit open: …; retry after N s" while the breaker is open,
    /// or while another request is already probing it.
    pub fn try_acquire(&self) -> Result<Permit<'_>, ProviderError> {
        let mut state = self.lock();
        let now = Instant::now();
        let probe = match *state {
            Inner::Closed { .. } => false,
            Inner::Open { until, failures } if now < until => {
                let wait = until.saturating_duration_since(now);
                return Err(refused(&format!(
                    "circuit open after {failures} consecutive failures; retry after {} s",
                    ceil_secs(wait)
                )));
            }
            Inner::Open { .. } | Inner::HalfOpen { probing: false } => {
                *state = Inner::HalfOpen { probing: true };
                true
            }
            Inner::HalfOpen { probing: true } => {
                return Err(refused(
                    "circuit half-open: a probe request is in flight; retry after 1 s",
                ));
            }
        };
        Ok(Permit {
            breaker: self,
            probe,
            finished: false,
        })
    }

    fn record(&self, probe: bool, outcome: Outcome) {
        let mut state = self.lock();
        let threshold = self.config.failure_threshold.max(1);
        let open = |failures| Inner::Open {
            until: Instant::now() + self.config.cool_down,
            failures,
        };
        *state = match (*state, outcome) {
            (Inner::Closed { .. }, Outcome::Answered) => Inner::Closed { failures: 0 },
            (Inner::Closed { failures }, Outcome::Failed) => {
                let failures = failures.saturating_add(1);
                if failures >= threshold {
                    tracing::warn!(failures, "circuit breaker opened");
                    open(failures)
                } else {
                    Inner::Closed { failures }
                }
            }
            // Only the probe decides what a half-open breaker becomes; late
            // outcomes of requests started before it opened change nothing.
            (Inner::HalfOpen { .. }, Outcome::Answered) if probe => {
                tracing::info!("circuit breaker closed after a successful probe");
                Inner::Closed { failures: 0 }
            }
            (Inner::HalfOpen { .. }, Outcome::Failed) if probe => open(threshold),
            (Inner::HalfOpen { .. }, Outcome::Neutral) if probe => {
                Inner::HalfOpen { probing: false }
            }
            (other, _) => other,
        };
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The state is plain data updated in one assignment: a panic while
        // the lock was held cannot leave it half-written.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Leave to send one request through a [`CircuitBreaker`].
#[derive(Debug)]
#[must_use = "report the request's outcome with Permit::finish"]
pub struct Permit<'a> {
    breaker: &'a CircuitBreaker,
    probe: bool,
    finished: bool,
}

impl Permit<'_> {
    /// Whether this request is the half-open probe.
    #[must_use]
    pub fn is_probe(&self) -> bool {
        self.probe
    }

    /// Records how the request ended.
    pub fn finish(mut self, outcome: Outcome) {
        self.finished = true;
        self.breaker.record(self.probe, outcome);
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.breaker.record(self.probe, Outcome::Neutral);
        }
    }
}

/// The error a refused request gets.
fn refused(message: &str) -> ProviderError {
    ProviderError::Server {
        status: REFUSED_STATUS,
        message: message.to_owned(),
    }
}

/// Whole seconds, rounded up (a wait of 0.2 s is announced as 1 s).
fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[cfg(test)]
#[path = "breaker_tests.rs"]
mod tests;
