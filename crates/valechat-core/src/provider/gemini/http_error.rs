//! Classifies failed Gemini HTTP exchanges into [`ProviderError`]s.
//!
//! Google APIs answer errors with `{"error":{"code","message","status",
//! "details":[…]}}` (the `google.rpc.Status` shape, see the Gemini API
//! "Troubleshooting" guide and Google's AIP-193). Mapping:
//! - 400 `INVALID_ARGUMENT` whose `ErrorInfo.reason` (or message) says the API
//!   key is invalid → [`ProviderError::Unauthorized`]; other 400/413/422 →
//!   [`ProviderError::BadRequest`];
//! - 401/403 → [`ProviderError::Unauthorized`]; 404 → [`ProviderError::NotFound`];
//! - 429 `RESOURCE_EXHAUSTED` → [`ProviderError::RateLimited`], the delay taken
//!   from `RetryInfo.retryDelay` (`"34.4s"`), else the `Retry-After` header; a
//!   per-day `QuotaFailure` marks the quota as exhausted;
//! - 5xx → [`ProviderError::Server`]; anything else → [`ProviderError::Http`].

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::provider::http as generic;
use crate::provider::{ProviderError, limits};

/// `@type` of the detail carrying the delay before a retry.
const RETRY_INFO: &str = "type.googleapis.com/google.rpc.RetryInfo";
/// `@type` of the detail naming the exceeded quotas.
const QUOTA_FAILURE: &str = "type.googleapis.com/google.rpc.QuotaFailure";
/// `ErrorInfo.reason` values meaning the key itself is refused.
const KEY_REASONS: [&str; 2] = ["API_KEY_INVALID", "API_KEY_EXPIRED"];

/// The typed error for a non-success `status` with response `headers` and `body`.
pub fn from_status(status: u16, headers: &HeaderMap, body: &str) -> ProviderError {
    let parsed = serde_json::from_str::<Value>(body).ok();
    let error = parsed.as_ref().and_then(|v| v.get("error"));
    let message = error
        .and_then(message_of)
        .unwrap_or_else(|| generic::plain_message(status, body));
    if status == 400 && error.is_some_and(is_invalid_key) {
        return ProviderError::Unauthorized { message };
    }
    let quota_exhausted = error.is_some_and(is_daily_quota);
    let mut classified = generic::classify_status(status, headers, message, quota_exhausted);
    if let ProviderError::RateLimited { retry_after, .. } = &mut classified {
        // RetryInfo is more precise than the header, which is the fallback.
        if let Some(delay) = error.and_then(retry_delay) {
            *retry_after = Some(delay);
        }
    }
    classified
}

/// `RetryInfo.retryDelay` of a Google error object, if any
/// (`google.protobuf.Duration` JSON: decimal seconds with an `s` suffix),
/// at most [`MAX_SERVER_WAIT`](limits::MAX_SERVER_WAIT).
#[must_use]
pub fn retry_delay(error: &Value) -> Option<Duration> {
    let delay = details(error)
        .filter(|d| d.get("@type").and_then(Value::as_str) == Some(RETRY_INFO))
        .find_map(|d| d.get("retryDelay").and_then(Value::as_str))?;
    let seconds = delay.trim().strip_suffix('s')?.parse::<f64>().ok()?;
    // `"1e20s"` reads as the longest wait, never a panic.
    limits::server_wait_from_secs(seconds)
}

/// Whether the error says the API key is invalid or expired.
fn is_invalid_key(error: &Value) -> bool {
    let by_reason = details(error).any(|d| {
        d.get("reason")
            .and_then(Value::as_str)
            .is_some_and(|r| KEY_REASONS.contains(&r))
    });
    let by_message = error
        .get("message")
        .and_then(Value::as_str)
        .is_some_and(|m| m.contains("API key not valid") || m.contains("API_KEY_INVALID"));
    by_reason || by_message
}

/// Whether a `QuotaFailure` names a per-day quota: waiting seconds will not help.
fn is_daily_quota(error: &Value) -> bool {
    details(error)
        .filter(|d| d.get("@type").and_then(Value::as_str) == Some(QUOTA_FAILURE))
        .filter_map(|d| d.get("violations").and_then(Value::as_array))
        .flatten()
        .filter_map(|v| v.get("quotaId").and_then(Value::as_str))
        .any(|id| id.contains("PerDay"))
}

/// The objects of `error.details`.
fn details(error: &Value) -> impl Iterator<Item = &Value> {
    error
        .get("details")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// `error.message`, else `error.status`, else a bare string error.
fn message_of(error: &Value) -> Option<String> {
    let text = match error {
        Value::String(s) => s.as_str(),
        _ => error
            .get("message")
            .and_then(Value::as_str)
            .filter(|m| !m.trim().is_empty())
            .or_else(|| error.get("status").and_then(Value::as_str))?,
    };
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    const INVALID_KEY: &str = r#"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}"#;

    #[allow(
        clippy::needless_pass_by_value,
        reason = "test helper: takes the `json!` value it is given"
    )]
    fn google(code: u16, status: &str, message: &str, details: Value) -> String {
        serde_json::json!({"error": {"code": code, "message": message, "status": status, "details": details}})
            .to_string()
    }

    #[test]
    fn invalid_key_is_unauthorized_other_400_is_bad_request() {
        assert_eq!(
            from_status(400, &HeaderMap::new(), INVALID_KEY),
            ProviderError::Unauthorized {
                message: "API key not valid. Please pass a valid API key.".into()
            }
        );
        let reason_only = google(
            400,
            "INVALID_ARGUMENT",
            "Bad key.",
            serde_json::json!([{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_EXPIRED"}]),
        );
        assert!(matches!(
            from_status(400, &HeaderMap::new(), &reason_only),
            ProviderError::Unauthorized { .. }
        ));
        let body = google(
            400,
            "INVALID_ARGUMENT",
            "* GenerateContentRequest.contents: contents is not specified",
            serde_json::json!([]),
        );
        assert_eq!(
            from_status(400, &HeaderMap::new(), &body),
            ProviderError::BadRequest {
                status: 400,
                message: "* GenerateContentRequest.contents: contents is not specified".into()
            }
        );
    }

    #[test]
    fn statuses_map_to_variants() {
        let body = google(403, "PERMISSION_DENIED", "denied", Value::Null);
        assert!(matches!(
            from_status(403, &HeaderMap::new(), &body),
            ProviderError::Unauthorized { .. }
        ));
        assert_eq!(
            from_status(
                404,
                &HeaderMap::new(),
                &google(404, "NOT_FOUND", "models/x is not found", Value::Null)
            ),
            ProviderError::NotFound {
                message: "models/x is not found".into()
            }
        );
        let overloaded = google(503, "UNAVAILABLE", "The model is overloaded.", Value::Null);
        assert_eq!(
            from_status(503, &HeaderMap::new(), &overloaded),
            ProviderError::Server {
                status: 503,
                message: "The model is overloaded.".into()
            }
        );
        assert!(matches!(
            from_status(418, &HeaderMap::new(), "teapot"),
            ProviderError::Http { status: 418, .. }
        ));
        assert!(matches!(
            from_status(502, &HeaderMap::new(), ""),
            ProviderError::Server { message, .. } if message == "Bad Gateway"
        ));
    }

    #[test]
    fn retry_info_wins_over_the_header_which_is_the_fallback() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("3"));
        let with_info = google(
            429,
            "RESOURCE_EXHAUSTED",
            "slow down",
            serde_json::json!([{"@type": RETRY_INFO, "retryDelay": "7s"}]),
        );
        let without = google(429, "RESOURCE_EXHAUSTED", "slow down", Value::Null);
        let delay = |headers: &HeaderMap, body: &str| match from_status(429, headers, body) {
            ProviderError::RateLimited { retry_after, .. } => retry_after,
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(delay(&headers, &with_info), Some(Duration::from_secs(7)));
        assert_eq!(delay(&headers, &without), Some(Duration::from_secs(3)));
        assert_eq!(delay(&HeaderMap::new(), &without), None);
    }

    #[test]
    fn retry_delay_parses_protobuf_durations_only() {
        let delay = |text: &str| {
            retry_delay(
                &serde_json::json!({"details": [{"@type": RETRY_INFO, "retryDelay": text}]}),
            )
        };
        assert_eq!(delay("34.4s"), Some(Duration::from_millis(34_400)));
        assert_eq!(delay("0s"), Some(Duration::ZERO));
        assert_eq!(delay("7"), None);
        assert_eq!(delay("-1s"), None);
        assert_eq!(delay("soon"), None);
        // Extreme delays are capped, never a panic.
        let most = Some(crate::provider::limits::MAX_SERVER_WAIT);
        assert_eq!(delay("1e20s"), most);
        assert_eq!(delay("infs"), most);
        assert_eq!(delay("1e308s"), most);
    }

    #[test]
    fn a_per_day_quota_is_exhausted_a_per_minute_one_is_not() {
        let quota = |id: &str| {
            google(
                429,
                "RESOURCE_EXHAUSTED",
                "quota",
                serde_json::json!([{"@type": QUOTA_FAILURE, "violations": [{"quotaId": id}]}]),
            )
        };
        let exhausted = |body: &str| match from_status(429, &HeaderMap::new(), body) {
            ProviderError::RateLimited {
                quota_exhausted, ..
            } => quota_exhausted,
            other => panic!("unexpected {other:?}"),
        };
        assert!(exhausted(&quota(
            "GenerateRequestsPerDayPerProjectPerModel-FreeTier"
        )));
        assert!(!exhausted(&quota(
            "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"
        )));
    }
}
