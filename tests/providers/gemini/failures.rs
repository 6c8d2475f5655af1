//! HTTP error replies, broken streams, mid-stream errors, timeouts and cancellation.

use std::time::Duration;

use futures::StreamExt;
use tokio_util::sync::CancellationToken;
use valechat_core::provider::gemini::{GeminiConfig, GeminiProvider};
use valechat_core::provider::{ChatEvent, ChatProvider, ProviderError};

use super::{KEY, gemini_sse, jsonl_as_gemini_sse, provider, replay, request};
use crate::support::outcome::drain;
use crate::support::{Reply, Step, TestServer, fixture};

const TEXT_CHUNK: &str = r#"{"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"},"index":0}],"modelVersion":"gemini-2.5-flash","responseId":"r-1"}"#;

/// The error `stream_chat` returns when the server answers `reply`.
async fn start_error(reply: Reply) -> ProviderError {
    let server = TestServer::start(vec![reply]).await;
    match provider(&server)
        .stream_chat(request(), CancellationToken::new())
        .await
    {
        Ok(_) => panic!("the stream started despite an error reply"),
        Err(e) => e,
    }
}

/// A Google error body `{"error":{"code","message","status","details"}}`.
fn google_error(code: u16, status: &str, message: &str, details: serde_json::Value) -> Reply {
    let body = serde_json::json!({"error": {"code": code, "message": message, "status": status, "details": details}});
    Reply::fixed(code, "application/json; charset=UTF-8", body.to_string())
}

#[tokio::test]
async fn http_429_takes_the_delay_from_retry_info() {
    let body = fixture("errors/gemini_429_retry_info.json");
    let err = start_error(Reply::fixed(429, "application/json", body)).await;
    assert_eq!(
        err,
        ProviderError::RateLimited {
            message: "You exceeded your current quota, please check your plan.".into(),
            retry_after: Some(Duration::from_millis(34_400)),
            quota_exhausted: false,
        }
    );
    assert!(err.is_retryable());

    let reply = google_error(
        429,
        "RESOURCE_EXHAUSTED",
        "Resource has been exhausted (e.g. check quota).",
        serde_json::json!([{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "7s"}]),
    )
    .header("retry-after", "60");
    let ProviderError::RateLimited { retry_after, .. } = start_error(reply).await else {
        panic!("expected RateLimited");
    };
    assert_eq!(retry_after, Some(Duration::from_secs(7)));
}

#[tokio::test]
async fn http_429_without_retry_info_uses_the_retry_after_header() {
    let reply = google_error(
        429,
        "RESOURCE_EXHAUSTED",
        "slow down",
        serde_json::json!([]),
    )
    .header("retry-after", "7");
    let ProviderError::RateLimited { retry_after, .. } = start_error(reply).await else {
        panic!("expected RateLimited");
    };
    assert_eq!(retry_after, Some(Duration::from_secs(7)));
}

#[tokio::test]
async fn http_400_with_an_invalid_key_is_unauthorized_and_final() {
    let err = start_error(google_error(
        400,
        "INVALID_ARGUMENT",
        "API key not valid. Please pass a valid API key.",
        serde_json::json!([{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com", "metadata": {"service": "generativelanguage.googleapis.com"}}]),
    ))
    .await;
    assert_eq!(
        err,
        ProviderError::Unauthorized {
            message: "API key not valid. Please pass a valid API key.".into()
        }
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn http_400_for_another_reason_is_a_bad_request() {
    let err = start_error(google_error(
        400,
        "FAILED_PRECONDITION",
        "User location is not supported for the API use.",
        serde_json::json!([]),
    ))
    .await;
    assert!(
        matches!(&err, ProviderError::BadRequest { status: 400, message } if message.contains("location")),
        "{err:?}"
    );
}

#[tokio::test]
async fn http_403_is_unauthorized_and_404_is_not_found() {
    let err = start_error(google_error(
        403,
        "PERMISSION_DENIED",
        "Method doesn't allow unregistered callers.",
        serde_json::json!([]),
    ))
    .await;
    assert!(matches!(err, ProviderError::Unauthorized { .. }), "{err:?}");
    let err = start_error(google_error(
        404,
        "NOT_FOUND",
        "models/gemini-9 is not found for API version v1beta, or is not supported for generateContent.",
        serde_json::json!([]),
    ))
    .await;
    assert!(
        matches!(&err, ProviderError::NotFound { message } if message.contains("gemini-9")),
        "{err:?}"
    );
}

#[tokio::test]
async fn http_503_is_a_retryable_server_error() {
    let err = start_error(google_error(
        503,
        "UNAVAILABLE",
        "The model is overloaded. Please try again later.",
        serde_json::json!([]),
    ))
    .await;
    assert_eq!(
        err,
        ProviderError::Server {
            status: 503,
            message: "The model is overloaded. Please try again later.".into()
        }
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn error_object_mid_stream_is_a_stream_error() {
    let error =
        r#"{"error":{"code":500,"message":"An internal error has occurred.","status":"INTERNAL"}}"#;
    let out = replay(Reply::sse_body(gemini_sse(&[TEXT_CHUNK, error]))).await;
    assert_eq!(out.text(), "Hel");
    assert_eq!(
        out.error,
        Some(ProviderError::Stream {
            message: "An internal error has occurred. (INTERNAL)".into()
        })
    );
    assert!(out.usages().is_empty());
}

#[tokio::test]
async fn connection_cut_mid_stream_is_a_connection_error() {
    let body = jsonl_as_gemini_sse("gemini/text.chunks.jsonl");
    // Cut inside the second chunk: the first one's text has arrived.
    let second = body
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a frame end")
        + 40;
    let out = replay(Reply::sse(vec![
        Step::Send(body[..second].to_vec()),
        Step::Cut,
    ]))
    .await;
    assert_eq!(out.text(), "There are **3**");
    assert!(out.finishes().is_empty());
    assert!(out.usages().is_empty());
    assert!(
        matches!(out.error, Some(ProviderError::Connection(_))),
        "{:?}",
        out.error
    );
}

#[tokio::test]
async fn clean_eof_without_finish_reason_is_a_connection_error() {
    let out = replay(Reply::sse_body(gemini_sse(&[TEXT_CHUNK]))).await;
    assert_eq!(out.text(), "Hel");
    assert!(
        matches!(out.error, Some(ProviderError::Connection(_))),
        "{:?}",
        out.error
    );
}

#[tokio::test]
async fn idle_server_times_out() {
    let server = TestServer::start(vec![Reply::sse(vec![
        Step::Send(gemini_sse(&[TEXT_CHUNK])),
        Step::Delay(Duration::from_secs(30)),
    ])])
    .await;
    let mut config = GeminiConfig::new(server.base_url(), Some(KEY.into()));
    config.connection.idle_timeout = Duration::from_millis(300);
    let out = drain(
        GeminiProvider::new(config)
            .unwrap()
            .stream_chat(request(), CancellationToken::new())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(out.text(), "Hel");
    assert!(
        matches!(out.error, Some(ProviderError::Timeout(_))),
        "{:?}",
        out.error
    );
}

#[tokio::test]
async fn cancellation_ends_the_stream_and_closes_the_connection() {
    let mut server = TestServer::start(vec![Reply::sse(vec![
        Step::Send(gemini_sse(&[TEXT_CHUNK])),
        Step::HoldOpen,
    ])])
    .await;
    let cancel = CancellationToken::new();
    let mut stream = provider(&server)
        .stream_chat(request(), cancel.clone())
        .await
        .unwrap();
    assert!(matches!(
        stream.next().await,
        Some(Ok(ChatEvent::Started { .. }))
    ));
    assert_eq!(
        stream.next().await,
        Some(Ok(ChatEvent::TextDelta("Hel".into())))
    );
    cancel.cancel();
    assert_eq!(stream.next().await, Some(Err(ProviderError::Cancelled)));
    server.next_close().await;
    assert_eq!(stream.next().await, None);
}

#[tokio::test]
async fn unreachable_host_is_a_connection_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let provider =
        GeminiProvider::new(GeminiConfig::new(format!("http://{addr}/v1beta"), None)).unwrap();
    let err = provider
        .stream_chat(request(), CancellationToken::new())
        .await
        .err()
        .expect("nothing listens there");
    assert!(matches!(err, ProviderError::Connection(_)), "{err:?}");
}
