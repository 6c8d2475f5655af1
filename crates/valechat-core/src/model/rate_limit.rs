//! [`RateLimit`]: the requests and tokens per minute a provider accepts, as
//! the person sets them (Preferences or `valechat providers rate-limit`).
//! The engine's waiting under them is `crate::chat`'s `RateLimiters`.

/// A provider's limits; `None` is unlimited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests started per minute.
    pub requests_per_minute: Option<u32>,
    /// Input plus output tokens per minute.
    pub tokens_per_minute: Option<u64>,
}

impl RateLimit {
    /// Whether no limit is set.
    #[must_use]
    pub fn is_unlimited(&self) -> bool {
        self.requests_per_minute.is_none() && self.tokens_per_minute.is_none()
    }
}
