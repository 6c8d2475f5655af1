//! Classifies failed Anthropic HTTP replies into [`ProviderError`]s.
//!
//! Follows the Anthropic "Errors" guide: the body is
//! `{"type":"error","error":{"type","message"},"request_id"}` and the status
//! gives the kind — 400 `invalid_request_error` and 413 `request_too_large`
//! → [`ProviderError::BadRequest`], 401 `authentication_error` and 403
//! `permission_error` → [`ProviderError::Unauthorized`], 404
//! `not_found_error` → [`ProviderError::NotFound`], 429 `rate_limit_error`
//! → [`ProviderError::RateLimited`] with `retry-after`, 500 `api_error` and
//! 529 `overloaded_error` → [`ProviderError::Server`] (the shared mapping of
//! [`http::classify_status`]). A 402 `billing_error` is a rate limit that
//! retrying cannot lift (`quota_exhausted`).

use reqwest::header::HeaderMap;

use super::wire::ErrorEnvelope;
use crate::provider::ProviderError;
use crate::provider::http::{self, plain_message};

/// The typed error for a non-success `status` with response `headers` and `body`.
pub fn from_status(status: u16, headers: &HeaderMap, body: &str) -> ProviderError {
    let error = serde_json::from_str::<ErrorEnvelope>(body)
        .ok()
        .map(|envelope| envelope.error);
    let kind = error.as_ref().and_then(|e| e.kind.as_deref());
    let message = error
        .as_ref()
        .and_then(|e| e.message.as_deref())
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map_or_else(|| plain_message(status, body), str::to_owned);
    if status == 402 || kind == Some("billing_error") {
        return ProviderError::RateLimited {
            message,
            retry_after: None,
            quota_exhausted: true,
        };
    }
    http::classify_status(status, headers, message, false)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use reqwest::header::HeaderValue;

    use super::*;

    fn body(kind: &str, message: &str) -> String {
        serde_json::json!({"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_1"})
            .to_string()
    }

    #[test]
    fn documented_statuses_map_to_variants_with_the_message() {
        let none = HeaderMap::new();
        assert_eq!(
            from_status(
                401,
                &none,
                &body("authentication_error", "invalid x-api-key")
            ),
            ProviderError::Unauthorized {
                message: "invalid x-api-key".into()
            }
        );
        assert!(matches!(
            from_status(403, &none, &body("permission_error", "no")),
            ProviderError::Unauthorized { .. }
        ));
        assert!(matches!(
            from_status(404, &none, &body("not_found_error", "model: x")),
            ProviderError::NotFound { message } if message == "model: x"
        ));
        assert!(matches!(
            from_status(413, &none, &body("request_too_large", "big")),
            ProviderError::BadRequest { status: 413, .. }
        ));
        assert_eq!(
            from_status(529, &none, &body("overloaded_error", "Overloaded")),
            ProviderError::Server {
                status: 529,
                message: "Overloaded".into()
            }
        );
    }

    #[test]
    fn rate_limit_carries_retry_after_and_billing_is_exhausted() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("12"));
        assert_eq!(
            from_status(429, &headers, &body("rate_limit_error", "slow down")),
            ProviderError::RateLimited {
                message: "slow down".into(),
                retry_after: Some(Duration::from_secs(12)),
                quota_exhausted: false
            }
        );
        let err = from_status(402, &headers, &body("billing_error", "add credits"));
        assert!(!err.is_retryable());
        assert!(matches!(
            err,
            ProviderError::RateLimited {
                quota_exhausted: true,
                ..
            }
        ));
    }

    #[test]
    fn non_json_body_uses_text_or_reason() {
        assert_eq!(
            from_status(502, &HeaderMap::new(), "<html>bad gateway</html>"),
            ProviderError::Server {
                status: 502,
                message: "<html>bad gateway</html>".into()
            }
        );
        assert_eq!(
            from_status(404, &HeaderMap::new(), ""),
            ProviderError::NotFound {
                message: "Not Found".into()
            }
        );
    }
}
