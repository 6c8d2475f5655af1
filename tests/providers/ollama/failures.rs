//! HTTP error replies, cut connections and cancellation.

use std::time::Duration;

use futures::StreamExt;
use tokio_util::sync::CancellationToken;
use valechat_core::provider::{ChatEvent, ChatProvider, ProviderError};

use super::{ndjson_steps, provider, replay, request};
use crate::support::{Reply, Step, TestServer, fixture};

/// The first line of the documented text stream, with its newline.
fn first_line() -> Vec<u8> {
    let body = fixture("ollama/chat_stream_docs.ndjson");
    let end = body.iter().position(|b| *b == b'\n').expect("two lines") + 1;
    body[..end].to_vec()
}

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

#[tokio::test]
async fn unknown_model_404_is_not_found_with_ollamas_message() {
    let body = r#"{"error":"model \"llama3.2\" not found, try pulling it first"}"#;
    let err = start_error(Reply::fixed(404, "application/json", body)).await;
    assert_eq!(
        err,
        ProviderError::NotFound {
            message: r#"model "llama3.2" not found, try pulling it first"#.into()
        }
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn other_statuses_use_the_shared_classification() {
    let err = start_error(Reply::fixed(
        500,
        "application/json",
        r#"{"error":"model requires more system memory (9.5 GiB) than is available (4.0 GiB)"}"#,
    ))
    .await;
    assert!(
        matches!(&err, ProviderError::Server { status: 500, message } if message.contains("more system memory")),
        "{err:?}"
    );
    assert!(err.is_retryable());
    let err = start_error(Reply::fixed(401, "text/plain", "unauthorized")).await;
    assert_eq!(
        err,
        ProviderError::Unauthorized {
            message: "unauthorized".into()
        }
    );
    let err = start_error(Reply::fixed(
        400,
        "application/json",
        r#"{"error":"invalid options"}"#,
    ))
    .await;
    assert!(
        matches!(err, ProviderError::BadRequest { status: 400, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn connection_cut_before_done_is_a_connection_error_after_the_text() {
    let out = replay(ndjson_steps(vec![Step::Send(first_line()), Step::Cut])).await;
    assert_eq!(out.text(), "The");
    assert_eq!(out.finishes(), vec![]);
    assert!(
        matches!(out.error, Some(ProviderError::Connection(_))),
        "{:?}",
        out.error
    );
    assert!(out.error.as_ref().is_some_and(ProviderError::is_retryable));
}

#[tokio::test]
async fn body_ending_cleanly_before_done_is_a_connection_error() {
    let out = replay(ndjson_steps(vec![Step::Send(first_line())])).await;
    assert_eq!(out.text(), "The");
    assert!(
        matches!(&out.error, Some(ProviderError::Connection(m)) if m.contains("done")),
        "{:?}",
        out.error
    );
    // Ended in the middle of the `done` line.
    let body = fixture("ollama/chat_stream_docs.ndjson");
    let out = replay(ndjson_steps(vec![Step::Send(
        body[..body.len() - 40].to_vec(),
    )]))
    .await;
    assert_eq!(out.usages(), vec![]);
    assert!(
        matches!(out.error, Some(ProviderError::Connection(_))),
        "{:?}",
        out.error
    );
}

#[tokio::test]
async fn cancelling_mid_stream_ends_with_cancelled() {
    let server = TestServer::start(vec![ndjson_steps(vec![
        Step::Send(first_line()),
        Step::Delay(Duration::from_secs(60)),
    ])])
    .await;
    let cancel = CancellationToken::new();
    let mut stream = provider(&server)
        .stream_chat(request(), cancel.clone())
        .await
        .expect("stream starts");
    assert!(matches!(
        stream.next().await,
        Some(Ok(ChatEvent::Started { .. }))
    ));
    assert_eq!(
        stream.next().await,
        Some(Ok(ChatEvent::TextDelta("The".into())))
    );
    cancel.cancel();
    assert_eq!(stream.next().await, Some(Err(ProviderError::Cancelled)));
    assert_eq!(stream.next().await, None);
}

#[tokio::test]
async fn cancelled_before_the_reply_returns_cancelled() {
    let cancel = CancellationToken::new();
    cancel.cancel();
    let server = TestServer::start(vec![]).await;
    let err = provider(&server).stream_chat(request(), cancel).await.err();
    assert_eq!(err, Some(ProviderError::Cancelled));
}
