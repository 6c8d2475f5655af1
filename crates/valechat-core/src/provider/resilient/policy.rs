//! [`RetryPolicy`]: how many times a failed request is tried again, and how
//! long to wait before each new attempt.
//!
//! Exponential backoff with jitter, as the AWS Architecture Blog's "Exponential
//! Backoff And Jitter" describes it, bounded to [0.5, 1.0] × the backoff so a
//! retry never comes almost at once; a server's `Retry-After` is a lower bound
//! that jitter only lengthens.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// Extra wait added on top of a server-requested delay, at most this fraction of it.
const RETRY_AFTER_JITTER: f64 = 0.1;

/// When and how often to retry a failed request.
///
/// The wait before retry `n` (0-based) is `initial_backoff × multiplier^n`,
/// capped at `max_backoff`, then multiplied by a random factor in [0.5, 1.0]
/// when `jitter` is on. If the server asked for a delay (`Retry-After`), the
/// wait is at least that delay (jitter adds up to 10 % to it, never less).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (so at most `max_retries + 1` requests). Default 2.
    pub max_retries: u32,
    /// Backoff before the first retry. Default 500 ms.
    pub initial_backoff: Duration,
    /// Upper bound of the computed backoff (before jitter). Default 8 s.
    pub max_backoff: Duration,
    /// Growth factor of the backoff per retry. Default 2.0.
    pub multiplier: f64,
    /// Whether to randomise waits (recommended, so clients do not retry in lockstep). Default on.
    pub jitter: bool,
    /// Longest server-requested delay ValeChat waits for; a server asking for
    /// more fails at once with its [`RateLimited`](crate::provider::ProviderError::RateLimited)
    /// error. Default 60 s.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            multiplier: 2.0,
            jitter: true,
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries (one attempt only).
    #[must_use]
    pub fn no_retries() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// The backoff before retry number `retry` (0 = the first retry), before
    /// jitter and without a server-requested delay: `initial_backoff ×
    /// multiplier^retry`, at most `max_backoff`.
    #[must_use]
    pub fn backoff(&self, retry: u32) -> Duration {
        let exponent = i32::try_from(retry).unwrap_or(i32::MAX);
        let factor = self.multiplier.max(1.0).powi(exponent);
        let max = self.max_backoff.as_secs_f64();
        let secs = (self.initial_backoff.as_secs_f64() * factor).min(max);
        // `secs` is finite and within [0, max_backoff] here unless the
        // multiplication overflowed to infinity, which `min` already capped.
        Duration::try_from_secs_f64(secs).unwrap_or(self.max_backoff)
    }

    /// The wait before retry number `retry`, given the server's requested
    /// delay (if any) and `unit`, a random number in [0, 1) (ignored when
    /// `jitter` is off).
    ///
    /// Returns `None` when the server asked for more than `max_retry_after`:
    /// the request must then fail at once.
    #[must_use]
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>, unit: f64) -> Option<Duration> {
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let backoff = self.backoff(retry);
        let backoff = if self.jitter {
            backoff.mul_f64(0.5 + 0.5 * unit)
        } else {
            backoff
        };
        match retry_after {
            None => Some(backoff),
            Some(asked) if asked > self.max_retry_after => None,
            Some(asked) => {
                let extra = if self.jitter {
                    asked.mul_f64(RETRY_AFTER_JITTER * unit)
                } else {
                    Duration::ZERO
                };
                Some(backoff.max(asked + extra))
            }
        }
    }
}

/// A random number in [0, 1) for jitter (not cryptographic: std's randomly
/// keyed `SipHash` over a fresh key each call).
pub(super) fn random_unit() -> f64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0x5eed);
    // The top 53 bits fit an f64 mantissa exactly, giving a value in [0, 1).
    #[allow(clippy::cast_precision_loss)]
    let unit = (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64;
    unit
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn backoff_grows_by_the_multiplier_and_stops_at_the_cap() {
        let p = RetryPolicy::default();
        let got: Vec<Duration> = (0..7).map(|n| p.backoff(n)).collect();
        assert_eq!(
            got,
            [
                ms(500),
                ms(1000),
                ms(2000),
                ms(4000),
                ms(8000),
                ms(8000),
                ms(8000)
            ]
        );
        assert_eq!(p.backoff(u32::MAX), ms(8000));
    }

    #[test]
    fn jitter_keeps_the_wait_between_half_and_all_of_the_backoff() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(1, None, 0.0), Some(ms(500)));
        assert_eq!(p.delay(1, None, 0.5), Some(ms(750)));
        let top = p.delay(1, None, 0.999_999).unwrap();
        assert!(top > ms(999) && top <= ms(1000), "{top:?}");
        let off = RetryPolicy { jitter: false, ..p };
        assert_eq!(off.delay(1, None, 0.0), Some(ms(1000)));
    }

    #[test]
    fn retry_after_is_a_lower_bound_and_jitter_only_lengthens_it() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(0, Some(ms(3000)), 0.0), Some(ms(3000)));
        assert_eq!(p.delay(0, Some(ms(3000)), 0.5), Some(ms(3150)));
        // A longer computed backoff wins over a short server delay.
        assert_eq!(p.delay(3, Some(ms(100)), 0.0), Some(ms(2000)));
    }

    #[test]
    fn a_server_asking_for_too_long_fails_at_once() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(0, Some(Duration::from_secs(61)), 0.0), None);
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(60)), 0.0),
            Some(Duration::from_secs(60))
        );
    }

    #[test]
    fn random_units_stay_in_range_and_vary() {
        let draws: Vec<f64> = (0..64).map(|_| random_unit()).collect();
        assert!(draws.iter().all(|u| (0.0..1.0).contains(u)), "{draws:?}");
        assert!(
            draws.windows(2).any(|w| (w[0] - w[1]).abs() > f64::EPSILON),
            "{draws:?}"
        );
    }
}
