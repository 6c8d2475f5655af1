//! Error responses: the waits a server asks for (`Retry-After`,
//! `retry-after-ms`, the rate-limit reset headers, Gemini's
//! `RetryInfo.retryDelay`) and each protocol's reading of an error body.
//! However large or strange the number, no panic, and no wait over
//! [`MAX_SERVER_WAIT`].

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use valechat_core::provider::http::rate_limit::{parse_go_duration, reset_after};
use valechat_core::provider::http::retry_after as read_retry_after;
use valechat_core::provider::limits::MAX_SERVER_WAIT;
use valechat_core::provider::{ProviderError, anthropic, gemini, ollama, openai};

/// The statuses each error body is read with.
const STATUSES: [u16; 6] = [400, 401, 404, 429, 503, 529];

/// Splits an HTTP response's head from its body at the first blank line.
fn head_and_body(data: &[u8]) -> (&[u8], &[u8]) {
    for (i, w) in data.windows(2).enumerate() {
        if w == b"\n\n" {
            return (&data[..i], &data[i + 2..]);
        }
        if w == b"\n\r" && data.get(i + 2) == Some(&b'\n') {
            return (&data[..i], &data[i + 3..]);
        }
    }
    (data, &[])
}

/// The `name: value` lines of `head` that make valid headers.
fn headers(head: &[u8]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for line in head.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            map.append(name, value);
        }
    }
    map
}

/// Asserts that a classified error waits at most [`MAX_SERVER_WAIT`].
fn check_wait(error: &ProviderError) {
    if let ProviderError::RateLimited {
        retry_after: Some(wait),
        ..
    } = error
    {
        assert!(*wait <= MAX_SERVER_WAIT, "a wait of {wait:?}: {error:?}");
    }
    let _ = error.to_string();
}

/// An error response: header lines, a blank line, the body.
pub fn retry_after(data: &[u8]) {
    let (head, body) = head_and_body(data);
    let headers = headers(head);
    if let Some(wait) = read_retry_after(&headers) {
        assert!(wait <= MAX_SERVER_WAIT, "Retry-After read as {wait:?}");
    }
    let _ = reset_after(&headers, chrono_now());
    for value in headers.values() {
        if let Ok(text) = value.to_str() {
            let _ = parse_go_duration(text);
        }
    }
    let body = String::from_utf8_lossy(body);
    for status in STATUSES {
        check_wait(&openai::http_error::from_status(status, &headers, &body));
        check_wait(&anthropic::http_error::from_status(status, &headers, &body));
        check_wait(&gemini::http_error::from_status(status, &headers, &body));
        check_wait(&ollama::from_status(status, &headers, &body));
    }
}

/// A fixed instant, so that an input always takes the same path.
fn chrono_now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
}

/// A Gemini error body (`{"error": {…, "details": [RetryInfo…]}}`).
pub fn retry_delay(data: &[u8]) {
    let body = String::from_utf8_lossy(data);
    if let Ok(value) = serde_json::from_str::<Value>(&body) {
        for error in [&value, value.get("error").unwrap_or(&Value::Null)] {
            if let Some(wait) = gemini::http_error::retry_delay(error) {
                assert!(wait <= MAX_SERVER_WAIT, "retryDelay read as {wait:?}");
            }
        }
    }
    let headers = HeaderMap::new();
    for status in STATUSES {
        check_wait(&gemini::http_error::from_status(status, &headers, &body));
    }
}
