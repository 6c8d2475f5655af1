//! Unit tests of the SSE body → event stream layer.

use super::*;
use crate::provider::FinishReason;
use futures::{StreamExt, stream};
use std::time::Duration;

const TEXT: &str = r#"{"id":"c1","model":"m","choices":[{"index":0,"delta":{"content":"Hi"}}]}"#;
const STOP: &str =
    r#"{"id":"c1","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#;

async fn collect(stream: ChatStream) -> Vec<Result<ChatEvent, ProviderError>> {
    stream.collect().await
}

/// Parses `items` (byte pieces or transport errors) to the end on a fresh runtime.
fn run_items(items: Vec<Result<Vec<u8>, ProviderError>>) -> Vec<Result<ChatEvent, ProviderError>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    rt.block_on(collect(chat_event_stream(
        stream::iter(items),
        Duration::from_secs(30),
        CancellationToken::new(),
    )))
}

fn run(parts: &[&str]) -> Vec<Result<ChatEvent, ProviderError>> {
    run_items(parts.iter().map(|p| Ok(p.as_bytes().to_vec())).collect())
}

#[allow(
    clippy::unnecessary_wraps,
    reason = "test helper: returns what the stream yields"
)]
fn started() -> Result<ChatEvent, ProviderError> {
    Ok(ChatEvent::Started {
        id: Some("c1".into()),
        model: Some("m".into()),
    })
}

#[test]
fn done_ends_the_stream_and_ignores_what_follows() {
    let body = format!("data: {TEXT}\n\ndata: [DONE]\n\ndata: {TEXT}\n\n");
    assert_eq!(
        run(&[&body]),
        vec![started(), Ok(ChatEvent::TextDelta("Hi".into()))]
    );
}

#[test]
fn comments_and_crlf_split_between_pieces_are_handled() {
    // A CR at the end of a piece must not end the line on its own: here it
    // would split `event: error` from its data and lose the error.
    let body = format!(
        ": OPENROUTER PROCESSING\r\n\r\ndata: {TEXT}\r\n\r\nevent: error\r\ndata: {{\"error\":\"down\"}}\r\n\r\n"
    );
    let cut = body.find("event: error").unwrap() + "event: error\r".len();
    let (a, b) = body.split_at(cut);
    assert_eq!(
        run(&[a, b]),
        vec![
            started(),
            Ok(ChatEvent::TextDelta("Hi".into())),
            Err(ProviderError::Stream {
                message: "down".into()
            }),
        ]
    );
}

#[test]
fn eof_after_finish_reason_without_done_is_clean() {
    let body = format!("data: {TEXT}\n\ndata: {STOP}\n\n");
    assert_eq!(
        run(&[&body]),
        vec![
            started(),
            Ok(ChatEvent::TextDelta("Hi".into())),
            Ok(ChatEvent::Finished(FinishReason::Stop)),
        ]
    );
}

#[test]
fn eof_before_finish_and_done_is_a_connection_error() {
    let body = format!("data: {TEXT}\n\ndata: {{\"choi");
    let events = run(&[&body]);
    assert_eq!(events.len(), 3);
    assert_eq!(events[1], Ok(ChatEvent::TextDelta("Hi".into())));
    assert!(
        matches!(&events[2], Err(ProviderError::Connection(m)) if m.contains("[DONE]")),
        "{events:?}"
    );
}

#[test]
fn transport_error_is_the_last_item() {
    let items: Vec<Result<Vec<u8>, ProviderError>> = vec![
        Ok(format!("data: {TEXT}\n\n").into_bytes()),
        Err(ProviderError::Connection("reset".into())),
        Ok(format!("data: {TEXT}\n\n").into_bytes()),
    ];
    let events = run_items(items);
    assert_eq!(
        events,
        vec![
            started(),
            Ok(ChatEvent::TextDelta("Hi".into())),
            Err(ProviderError::Connection("reset".into())),
        ]
    );
}

#[test]
fn error_event_type_is_a_stream_error() {
    let body = format!("data: {TEXT}\n\nevent: error\ndata: {{\"message\":\"overloaded\"}}\n\n");
    let events = run(&[&body]);
    assert_eq!(
        events.last(),
        Some(&Err(ProviderError::Stream {
            message: "overloaded".into()
        }))
    );
}

#[test]
fn invalid_utf8_is_malformed() {
    let items: Vec<Result<Vec<u8>, ProviderError>> = vec![Ok(b"data: \xff\xfe\n\n".to_vec())];
    let events = run_items(items);
    assert!(
        matches!(events.as_slice(), [Err(ProviderError::Malformed(_))]),
        "{events:?}"
    );
}

#[tokio::test]
async fn silence_longer_than_idle_timeout_is_a_timeout() {
    let first = stream::iter([Ok::<_, ProviderError>(
        format!("data: {TEXT}\n\n").into_bytes(),
    )]);
    let body = first.chain(stream::pending());
    let events = collect(chat_event_stream(
        body,
        Duration::from_millis(50),
        CancellationToken::new(),
    ))
    .await;
    assert_eq!(events.len(), 3, "{events:?}");
    assert!(matches!(events[2], Err(ProviderError::Timeout(_))));
}

#[tokio::test]
async fn cancellation_yields_cancelled_once_then_ends() {
    let first = stream::iter([Ok::<_, ProviderError>(
        format!("data: {TEXT}\n\n").into_bytes(),
    )]);
    let body = first.chain(stream::pending());
    let cancel = CancellationToken::new();
    let mut events = chat_event_stream(body, Duration::from_secs(30), cancel.clone());
    assert_eq!(events.next().await, Some(started()));
    assert_eq!(
        events.next().await,
        Some(Ok(ChatEvent::TextDelta("Hi".into())))
    );
    let waiter = tokio::spawn(async move { events.next().await.map(|i| (i, events)) });
    cancel.cancel();
    let (item, mut events) = waiter.await.unwrap().unwrap();
    assert_eq!(item, Err(ProviderError::Cancelled));
    assert_eq!(events.next().await, None);
}
