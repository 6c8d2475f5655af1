//! The status → [`ProviderError`] classification and the reading of
//! transport failures and `Retry-After`.
//!
//! Status mapping (the same in the OpenAI and Anthropic error guides):
//! 401/403 → [`ProviderError::Unauthorized`], 404 → [`ProviderError::NotFound`],
//! 429 → [`ProviderError::RateLimited`] (waiting for `Retry-After`, else the
//! rate-limit reset headers, see [`rate_limit`](super::rate_limit)), 400/413/422 →
//! [`ProviderError::BadRequest`], 5xx and 529 → [`ProviderError::Server`],
//! anything else → [`ProviderError::Http`]. Each protocol reads its own error
//! body for the message and the quota flag.

use std::time::Duration;

use reqwest::header::HeaderMap;

use super::rate_limit;
use crate::provider::error::quote;
use crate::provider::{ProviderError, limits};

/// The typed error for a non-success `status`, once the protocol has read
/// the `message` and whether the quota is exhausted from its error body.
#[must_use]
pub fn classify_status(
    status: u16,
    headers: &HeaderMap,
    message: String,
    quota_exhausted: bool,
) -> ProviderError {
    match status {
        401 | 403 => ProviderError::Unauthorized { message },
        404 => ProviderError::NotFound { message },
        429 => ProviderError::RateLimited {
            message,
            retry_after: retry_after(headers).or_else(|| {
                rate_limit::reset_after(headers, chrono::Utc::now()).map(limits::cap_server_wait)
            }),
            quota_exhausted,
        },
        400 | 413 | 422 => ProviderError::BadRequest { status, message },
        500..=599 => ProviderError::Server { status, message },
        _ => ProviderError::Http { status, message },
    }
}

/// A message from a non-JSON body: its text (truncated), or the status reason.
#[must_use]
pub fn plain_message(status: u16, body: &str) -> String {
    let body = body.trim();
    if body.is_empty() {
        reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("no details")
            .to_owned()
    } else {
        quote(body)
    }
}

/// Classifies a reqwest failure (sending the request or reading the body).
#[must_use]
pub fn from_reqwest(error: &reqwest::Error) -> ProviderError {
    let text = error_chain(error);
    if error.is_timeout() {
        ProviderError::Timeout(text)
    } else if error.is_builder() {
        ProviderError::Config(text)
    } else {
        ProviderError::Connection(text)
    }
}

/// The delay asked for by `retry-after-ms` (milliseconds, may be fractional)
/// or `retry-after` (seconds; the HTTP-date form is not used by model servers
/// and is ignored), at most [`MAX_SERVER_WAIT`](crate::provider::limits::MAX_SERVER_WAIT):
/// `Retry-After: 1e20` reads as one hour, never a panic.
#[must_use]
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let number = |name: &str| -> Option<f64> {
        headers.get(name)?.to_str().ok()?.trim().parse::<f64>().ok()
    };
    number("retry-after-ms")
        .and_then(|ms| limits::server_wait_from_secs(ms / 1000.0))
        .or_else(|| number("retry-after").and_then(limits::server_wait_from_secs))
}

/// `error` and its sources, joined by `: ` (reqwest's own text omits the cause).
fn error_chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
