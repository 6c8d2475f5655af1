//! Classifies failed HTTP exchanges into [`ProviderError`]s.
//!
//! Status mapping follows the OpenAI "Error codes" guide: 401/403 →
//! [`ProviderError::Unauthorized`], 404 → [`ProviderError::NotFound`], 429 →
//! [`ProviderError::RateLimited`] (`insufficient_quota` means retrying will
//! not help), 400/413/422 → [`ProviderError::BadRequest`], 5xx and 529 →
//! [`ProviderError::Server`], anything else → [`ProviderError::Http`]. The
//! message comes from the OpenAI error body `{"error":{"message","type","code"}}`,
//! or from the shapes other servers use (`{"error":"…"}`, `{"detail":…}`,
//! `{"message":…}`, plain text).

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::Value;

use super::mapper::quote;
use crate::core::provider::ProviderError;

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
    match status {
        401 | 403 => ProviderError::Unauthorized { message },
        404 => ProviderError::NotFound { message },
        429 => ProviderError::RateLimited {
            message,
            retry_after: retry_after(headers),
            quota_exhausted: parsed.as_ref().is_some_and(is_quota_error),
        },
        400 | 413 | 422 => ProviderError::BadRequest { status, message },
        500..=599 => ProviderError::Server { status, message },
        _ => ProviderError::Http { status, message },
    }
}

/// Classifies a reqwest failure (sending the request or reading the body).
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
/// and is ignored).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let number = |name: &str| -> Option<f64> {
        let value = headers
            .get(name)?
            .to_str()
            .ok()?
            .trim()
            .parse::<f64>()
            .ok()?;
        (value.is_finite() && value >= 0.0).then_some(value)
    };
    number("retry-after-ms")
        .map(|ms| Duration::from_secs_f64(ms / 1000.0))
        .or_else(|| number("retry-after").map(Duration::from_secs_f64))
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

/// A message from a non-JSON body: its text (truncated), or the status reason.
fn plain_message(status: u16, body: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

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
    fn retry_after_prefers_milliseconds_and_accepts_seconds() {
        assert_eq!(
            retry_after(&headers(&[
                ("retry-after-ms", "1500"),
                ("retry-after", "9")
            ])),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", "20")])),
            Some(Duration::from_secs(20))
        );
        assert_eq!(
            retry_after(&headers(&[(
                "retry-after",
                "Wed, 21 Oct 2015 07:28:00 GMT"
            )])),
            None
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "-3")])), None);
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
