//! Requests per token and minute: a keyed GCRA limiter (`governor`) after
//! the token check; over the limit a request gets 429 `rate_limit_exceeded`
//! with `Retry-After` (whole seconds, rounded up).

use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::errors::ApiError;
use crate::serve::auth::Authenticated;

/// The limiter shared by a server's requests, one bucket per token. Cheap
/// to clone.
#[derive(Clone)]
pub struct RateLimit {
    limiter: Arc<DefaultKeyedRateLimiter<Arc<str>>>,
    per_minute: NonZeroU32,
}

impl RateLimit {
    /// At most `per_minute` requests a minute per token, all of which may
    /// come at once after a quiet minute (the burst is the whole minute's).
    #[must_use]
    pub fn per_minute(per_minute: NonZeroU32) -> Self {
        Self {
            limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))),
            per_minute,
        }
    }

    /// Counts one request of `token`.
    ///
    /// # Errors
    /// 429 with the seconds to wait when the token is over its limit.
    pub fn check(&self, token: &Arc<str>) -> Result<(), ApiError> {
        self.limiter.check_key(token).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            ApiError {
                code: Some("rate_limit_exceeded"),
                retry_after_secs: Some(secs.max(1)),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limit_exceeded",
                    format!(
                        "Rate limit reached: at most {} requests a minute per token; \
                         retry in {} s.",
                        self.per_minute,
                        secs.max(1)
                    ),
                )
            }
        })
    }
}

/// Middleware counting each authenticated request against its token's
/// limit; requests without [`Authenticated`] (none pass the token check)
/// go through.
pub async fn limit(State(rate): State<RateLimit>, request: Request, next: Next) -> Response {
    if let Some(Authenticated(token)) = request.extensions().get::<Authenticated>()
        && let Err(refusal) = rate.check(token)
    {
        return refusal.into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_minutes_requests_pass_then_the_next_waits() {
        let rate = RateLimit::per_minute(NonZeroU32::new(3).expect("3"));
        let token: Arc<str> = Arc::from("vc-a");
        for _ in 0..3 {
            assert!(rate.check(&token).is_ok());
        }
        let refusal = rate.check(&token).expect_err("the fourth is over");
        assert_eq!(refusal.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            refusal
                .retry_after_secs
                .is_some_and(|s| (1..=20).contains(&s))
        );
        // Another token has its own bucket.
        assert!(rate.check(&Arc::from("vc-b")).is_ok());
    }
}
