//! HTTP error replies, in-stream error events and broken streams.

use std::time::Duration;

use tokio_util::sync::CancellationToken;
use valechat_core::provider::{ChatProvider, ProviderError};

use super::{provider, replay, request};
use crate::support::{Reply, Step, TestServer, fixture};

/// The start of a reply: message_start, a text block and the text "Hel".
const OPENING: &str = concat!(
    "event: message_start\n",
    "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",",
    "\"role\":\"assistant\",\"model\":\"claude-x\",\"content\":[],\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n",
    "event: content_block_start\n",
    "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
    "event: content_block_delta\n",
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}\n\n",
);

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

fn error_reply(status: u16, kind: &str, message: &str) -> Reply {
    let body = serde_json::json!({"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_011"});
    Reply::fixed(status, "application/json", body.to_string())
}

#[tokio::test]
async fn overloaded_error_event_after_200_is_a_529_server_error() {
    let error = concat!(
        "event: error\n",
        "data: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n",
    );
    let out = replay(Reply::sse_body(format!("{OPENING}{error}"))).await;
    assert_eq!(out.text(), "Hel");
    assert!(out.finishes().is_empty());
    assert!(out.usages().is_empty());
    assert_eq!(
        out.error,
        Some(ProviderError::Server {
            status: 529,
            message: "Overloaded".into()
        })
    );
}

#[tokio::test]
async fn other_error_event_is_a_stream_error() {
    let error = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal server error\"}}\n\n";
    let out = replay(Reply::sse_body(format!("{OPENING}{error}"))).await;
    assert_eq!(
        out.error,
        Some(ProviderError::Stream {
            message: "Internal server error (api_error)".into()
        })
    );
}

#[tokio::test]
async fn http_401_is_unauthorized_with_the_server_message() {
    let err = start_error(error_reply(
        401,
        "authentication_error",
        "invalid x-api-key",
    ))
    .await;
    assert_eq!(
        err,
        ProviderError::Unauthorized {
            message: "invalid x-api-key".into()
        }
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn http_404_is_not_found() {
    let err = start_error(error_reply(404, "not_found_error", "model: claude-9")).await;
    assert_eq!(
        err,
        ProviderError::NotFound {
            message: "model: claude-9".into()
        }
    );
}

#[tokio::test]
async fn http_429_carries_retry_after() {
    let reply = error_reply(
        429,
        "rate_limit_error",
        "Number of request tokens has exceeded your per-minute rate limit",
    )
    .header("retry-after", "17");
    let err = start_error(reply).await;
    assert_eq!(
        err,
        ProviderError::RateLimited {
            message: "Number of request tokens has exceeded your per-minute rate limit".into(),
            retry_after: Some(Duration::from_secs(17)),
            quota_exhausted: false,
        }
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn http_529_is_a_retryable_server_error() {
    let err = start_error(error_reply(529, "overloaded_error", "Overloaded")).await;
    assert_eq!(
        err,
        ProviderError::Server {
            status: 529,
            message: "Overloaded".into()
        }
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn list_models_maps_http_errors_too() {
    let server = TestServer::start(vec![error_reply(
        401,
        "authentication_error",
        "invalid x-api-key",
    )])
    .await;
    let err = provider(&server).list_models().await.unwrap_err();
    assert!(matches!(err, ProviderError::Unauthorized { .. }), "{err:?}");
}

#[tokio::test]
async fn connection_cut_mid_stream_is_a_connection_error() {
    let body = fixture("anthropic/tool_use_response.sse");
    let text = String::from_utf8(body.clone()).unwrap();
    let cut = text.find("\"partial_json\":\"ar\"").unwrap();
    let out = replay(Reply::sse(vec![
        Step::Send(body[..cut].to_vec()),
        Step::Cut,
    ]))
    .await;
    assert_eq!(
        out.text(),
        "I'll check the current weather in Paris for you."
    );
    assert_eq!(out.tools()[&0].2, "{\"location\": \"P");
    assert!(out.finishes().is_empty());
    assert!(out.usages().is_empty());
    assert!(
        matches!(out.error, Some(ProviderError::Connection(_))),
        "{:?}",
        out.error
    );
}

#[tokio::test]
async fn clean_eof_before_stop_reason_is_a_connection_error() {
    let out = replay(Reply::sse_body(OPENING)).await;
    assert_eq!(out.text(), "Hel");
    assert!(
        matches!(&out.error, Some(ProviderError::Connection(m)) if m.contains("message_stop")),
        "{:?}",
        out.error
    );
}

#[tokio::test]
async fn eof_after_stop_reason_without_message_stop_ends_cleanly() {
    let delta = "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":2}}\n\n";
    let out = replay(Reply::sse_body(format!("{OPENING}{delta}"))).await;
    assert_eq!(out.error, None);
    assert_eq!(out.usages().len(), 1);
}

#[tokio::test]
async fn json_error_on_200_is_classified() {
    let reply = error_reply(200, "overloaded_error", "Overloaded");
    let err = start_error(reply).await;
    assert!(
        matches!(err, ProviderError::Server { status: 529, .. }),
        "{err:?}"
    );
}
