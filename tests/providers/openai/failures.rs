//! HTTP error replies, broken streams, timeouts and cancellation.

use std::time::Duration;

use futures::StreamExt;
use tokio_util::sync::CancellationToken;
use valechat_core::provider::openai::{OpenAiConfig, OpenAiProvider};
use valechat_core::provider::{ChatEvent, ChatProvider, ProviderError};

use super::{provider, replay, request};
use crate::support::{Reply, Step, TestServer, fixture};

const TEXT_CHUNK: &str = r#"data: {"id":"chatcmpl-1","model":"m","choices":[{"index":0,"delta":{"content":"Hel"}}]}

"#;

/// The error `stream_chat` returns when the server answers `reply`.
async fn start_error(reply: Reply) -> ProviderError {
    let server = TestServer::start(vec![reply]).await;
    match provider(&server, Some("sk-test"))
        .stream_chat(request(), CancellationToken::new())
        .await
    {
        Ok(_) => panic!("the stream started despite an error reply"),
        Err(e) => e,
    }
}

fn json_error(status: u16, message: &str, kind: &str, code: &str) -> Reply {
    let body = serde_json::json!({"error": {"message": message, "type": kind, "param": null, "code": code}});
    Reply::fixed(status, "application/json", body.to_string())
}

#[tokio::test]
async fn http_401_is_unauthorized_with_the_server_message() {
    let err = start_error(json_error(
        401,
        "Incorrect API key provided",
        "invalid_request_error",
        "invalid_api_key",
    ))
    .await;
    assert_eq!(
        err,
        ProviderError::Unauthorized {
            message: "Incorrect API key provided".into()
        }
    );
}

#[tokio::test]
async fn http_404_is_not_found() {
    let err = start_error(json_error(
        404,
        "The model `gpt-9` does not exist",
        "invalid_request_error",
        "model_not_found",
    ))
    .await;
    assert!(
        matches!(&err, ProviderError::NotFound { message } if message.contains("gpt-9")),
        "{err:?}"
    );
}

#[tokio::test]
async fn http_429_carries_retry_after() {
    let reply = json_error(
        429,
        "Rate limit reached for requests",
        "requests",
        "rate_limit_exceeded",
    )
    .header("retry-after", "7");
    let err = start_error(reply).await;
    assert_eq!(
        err,
        ProviderError::RateLimited {
            message: "Rate limit reached for requests".into(),
            retry_after: Some(Duration::from_secs(7)),
            quota_exhausted: false,
        }
    );
    assert!(err.is_retryable());

    let reply = json_error(429, "slow down", "requests", "rate_limit_exceeded")
        .header("retry-after-ms", "250")
        .header("retry-after", "1");
    let ProviderError::RateLimited { retry_after, .. } = start_error(reply).await else {
        panic!("expected RateLimited");
    };
    assert_eq!(retry_after, Some(Duration::from_millis(250)));
}

#[tokio::test]
async fn http_429_insufficient_quota_is_not_retryable() {
    let body = fixture("errors/openai_insufficient_quota_429.json");
    let err = start_error(Reply::fixed(429, "application/json", body)).await;
    let ProviderError::RateLimited {
        message,
        retry_after,
        quota_exhausted,
    } = &err
    else {
        panic!("expected RateLimited, got {err:?}");
    };
    assert!(
        message.starts_with("You exceeded your current quota"),
        "{message}"
    );
    assert_eq!(*retry_after, None);
    assert!(quota_exhausted);
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn http_500_with_plain_text_is_a_server_error() {
    let err = start_error(Reply::fixed(500, "text/plain", "upstream exploded")).await;
    assert_eq!(
        err,
        ProviderError::Server {
            status: 500,
            message: "upstream exploded".into()
        }
    );
}

#[tokio::test]
async fn unreachable_host_is_a_connection_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let provider =
        OpenAiProvider::new(OpenAiConfig::new(format!("http://{addr}/v1"), None)).unwrap();
    let err = provider
        .stream_chat(request(), CancellationToken::new())
        .await
        .err()
        .expect("nothing listens there");
    assert!(matches!(err, ProviderError::Connection(_)), "{err:?}");
}

#[tokio::test]
async fn invalid_base_url_is_a_config_error() {
    let err = OpenAiProvider::new(OpenAiConfig::new("localhost:11434", None)).unwrap_err();
    assert!(matches!(err, ProviderError::Config(_)), "{err:?}");
}

#[tokio::test]
async fn malformed_chunk_ends_with_malformed_after_earlier_events() {
    let body =
        format!("{TEXT_CHUNK}data: {{\"choices\": [{{\"delta\": oops}}]}}\n\ndata: [DONE]\n\n");
    let out = replay(Reply::sse_body(body)).await;
    assert_eq!(out.text(), "Hel");
    let Some(ProviderError::Malformed(message)) = &out.error else {
        panic!("expected Malformed, got {:?}", out.error);
    };
    assert!(message.contains("oops"), "payload not quoted: {message}");
}

#[tokio::test]
async fn connection_cut_mid_stream_is_a_connection_error() {
    let body = fixture("openai-chat/text_with_usage.sse");
    let half = body.len() / 2;
    let out = replay(Reply::sse(vec![
        Step::Send(body[..half].to_vec()),
        Step::Cut,
    ]))
    .await;
    assert!(
        out.text().starts_with("I'm unable to provide"),
        "{:?}",
        out.text()
    );
    assert!(out.finishes().is_empty());
    assert!(
        matches!(out.error, Some(ProviderError::Connection(_))),
        "{:?}",
        out.error
    );
}

#[tokio::test]
async fn clean_eof_without_done_or_finish_is_a_connection_error() {
    let out = replay(Reply::sse_body(TEXT_CHUNK)).await;
    assert_eq!(out.text(), "Hel");
    assert!(
        matches!(out.error, Some(ProviderError::Connection(_))),
        "{:?}",
        out.error
    );
}

#[tokio::test]
async fn eof_after_finish_reason_without_done_ends_cleanly() {
    let finish = r#"data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1}}"#;
    let out = replay(Reply::sse_body(format!("{TEXT_CHUNK}{finish}\n\n"))).await;
    assert_eq!(out.error, None);
    assert_eq!(out.usages().len(), 1);
}

#[tokio::test]
async fn error_object_mid_stream_is_a_stream_error() {
    let error = r#"data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","code":null}}"#;
    let out = replay(Reply::sse_body(format!(
        "{TEXT_CHUNK}{error}\n\ndata: [DONE]\n\n"
    )))
    .await;
    assert_eq!(out.text(), "Hel");
    assert_eq!(
        out.error,
        Some(ProviderError::Stream {
            message: "The server had an error while processing your request. (server_error)".into()
        })
    );
}

#[tokio::test]
async fn idle_server_times_out() {
    let server = TestServer::start(vec![Reply::sse(vec![
        Step::Send(TEXT_CHUNK.into()),
        Step::Delay(Duration::from_secs(30)),
    ])])
    .await;
    let mut config = OpenAiConfig::new(server.base_url(), None);
    config.idle_timeout = Duration::from_millis(300);
    let provider = OpenAiProvider::new(config).unwrap();
    let out = super::drain(
        provider
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
        Step::Send(TEXT_CHUNK.into()),
        Step::HoldOpen,
    ])])
    .await;
    let cancel = CancellationToken::new();
    let mut stream = provider(&server, None)
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
    // The body is already dropped here, while the stream itself is still alive.
    server.next_close().await;
    assert_eq!(stream.next().await, None);
}

#[tokio::test]
async fn cancellation_before_the_reply_returns_cancelled() {
    let server = TestServer::start(vec![Reply::sse(vec![Step::HoldOpen])]).await;
    let cancel = CancellationToken::new();
    cancel.cancel();
    let result = provider(&server, None).stream_chat(request(), cancel).await;
    assert!(matches!(result, Err(ProviderError::Cancelled)));
}
