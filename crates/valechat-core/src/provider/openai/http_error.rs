//! Classifies failed OpenAI-compatible HTTP replies into [`ProviderError`]s.
//!
//! Status mapping follows the OpenAI "Error codes" guide and is shared with
//! the other protocols ([`http::classify_status`]); a 429 whose code is
//! `insufficient_quota` (or a billing code) means retrying will not help. The
//! message comes from the OpenAI error body `{"error":{"message","type","code"}}`,
//! or from the shapes other servers use (`{"error":"…"}`, `{"detail":…}`,
//! `{"message":…}`, plain text).

use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::provider::ProviderError;
use crate::provider::error::quote;
use crate::provider::http::{self, plain_message};

/// Error codes/types meaning the account cannot pay: retrying will not help.
const QUOTA_CODES: [&str; 3] = [
    "insufficient_quota",
    "billing_hard_limit_reached",
    "billing_not_active",
];

/// The typed error for a non-success `status` with response `headers` and `body`.
pub fn from_status(status: u16, headers: &HeaderMap, body: &str) -> ProviderError {
    let parsed = serde_json::from_str::<Value>(body).ok();
    let message = parsed
        .as_ref()
        .and_then(message_of)
        .unwrap_or_else(|| plain_message(status, body));
    let quota_exhausted = parsed.as_ref().is_some_and(is_quota_error);
    http::classify_status(status, headers, message, quota_exhausted)
}

/// The server's message from a JSON error body, if it has one.
fn message_of(body: &Value) -> Option<String> {
    let error = body.get("error");
    let text = error
        .and_then(|e| e.get("message").or(Some(e)))
        .or_else(|| body.get("detail"))
        .or_else(|| body.get("message"))?;
    let message = match text {
        Value::String(s) => s.trim().to_owned(),
        Value::Null => return None,
        other => quote(&other.to_string()),
    };
    (!message.is_empty()).then_some(message)
}

/// Whether a JSON error body says the quota or billing is exhausted.
fn is_quota_error(body: &Value) -> bool {
    let Some(error) = body.get("error") else {
        return false;
    };
    ["code", "type"].iter().any(|key| {
        error
            .get(*key)
            .and_then(Value::as_str)
            .is_some_and(|v| QUOTA_CODES.contains(&v))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;
    use std::time::Duration;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn openai_body_gives_message_and_status_gives_variant() {
        let body = r#"{"error":{"message":"Incorrect API key","type":"invalid_request_error","code":"invalid_api_key"}}"#;
        assert_eq!(
            from_status(401, &HeaderMap::new(), body),
            ProviderError::Unauthorized {
                message: "Incorrect API key".into()
            }
        );
        assert!(matches!(
            from_status(403, &HeaderMap::new(), body),
            ProviderError::Unauthorized { .. }
        ));
        assert!(matches!(
            from_status(413, &HeaderMap::new(), body),
            ProviderError::BadRequest { status: 413, .. }
        ));
        assert!(matches!(
            from_status(529, &HeaderMap::new(), body),
            ProviderError::Server { status: 529, .. }
        ));
        assert!(matches!(
            from_status(418, &HeaderMap::new(), body),
            ProviderError::Http { status: 418, .. }
        ));
    }

    #[test]
    fn other_body_shapes_are_tolerated() {
        let message = |body: &str| match from_status(404, &HeaderMap::new(), body) {
            ProviderError::NotFound { message } => message,
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(message(r#"{"detail":"Not Found"}"#), "Not Found");
        assert_eq!(message(r#"{"message":"no such model"}"#), "no such model");
        assert_eq!(
            message(r#"{"error":"model 'x' not found"}"#),
            "model 'x' not found"
        );
        assert_eq!(message("  404 page not found\n"), "404 page not found");
        assert_eq!(message(""), "Not Found");
        assert_eq!(
            message(r#"{"detail":[{"loc":["body"],"msg":"bad"}]}"#),
            r#"[{"loc":["body"],"msg":"bad"}]"#
        );
    }

    #[test]
    fn quota_codes_mark_rate_limit_as_exhausted() {
        let body = r#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}"#;
        let ProviderError::RateLimited {
            quota_exhausted, ..
        } = from_status(429, &HeaderMap::new(), body)
        else {
            panic!("expected RateLimited");
        };
        assert!(quota_exhausted);
        let body = r#"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#;
        let err = from_status(429, &headers(&[("retry-after", "2")]), body);
        assert_eq!(
            err,
            ProviderError::RateLimited {
                message: "Rate limit reached".into(),
                retry_after: Some(Duration::from_secs(2)),
                quota_exhausted: false
            }
        );
    }
}
