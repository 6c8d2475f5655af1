//! Unit tests of the Gemini SSE body → event stream layer.

use futures::{StreamExt, stream};

use super::*;
use crate::provider::FinishReason;
use std::time::Duration;

const TEXT: &str = r#"{"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"}}],"responseId":"r1","modelVersion":"g"}"#;
const STOP: &str = r#"{"candidates":[{"content":{"parts":[{"text":"!"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2}}"#;

/// Parses `pieces` to the end on a fresh runtime.
fn collect(
    pieces: Vec<Result<Vec<u8>, ProviderError>>,
    cancel: CancellationToken,
) -> Vec<Result<ChatEvent, ProviderError>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    rt.block_on(chat_event_stream(stream::iter(pieces), Duration::from_secs(30), cancel).collect())
}

fn run(parts: &[&str]) -> Vec<Result<ChatEvent, ProviderError>> {
    let pieces = parts.iter().map(|p| Ok(p.as_bytes().to_vec())).collect();
    collect(pieces, CancellationToken::new())
}

#[allow(
    clippy::unnecessary_wraps,
    reason = "test helper: returns what the stream yields"
)]
fn started() -> Result<ChatEvent, ProviderError> {
    Ok(ChatEvent::Started {
        id: Some("r1".into()),
        model: Some("g".into()),
    })
}

#[test]
fn crlf_frames_split_inside_the_crlf_end_cleanly_at_eof_after_finish() {
    let body = format!("data: {TEXT}\r\n\r\ndata: {STOP}\r\n\r\n");
    let cut = body.find("\r\n\r\n").unwrap() + 1;
    let (a, b) = body.split_at(cut);
    assert_eq!(
        run(&[a, b]),
        vec![
            started(),
            Ok(ChatEvent::TextDelta("Hi".into())),
            Ok(ChatEvent::TextDelta("!".into())),
            Ok(ChatEvent::Finished(FinishReason::Stop)),
            Ok(ChatEvent::Usage(crate::provider::Usage {
                input_tokens: 3,
                output_tokens: 2,
                ..Default::default()
            })),
        ]
    );
}

#[test]
fn eof_without_finish_reason_is_a_connection_error() {
    let body = format!("data: {TEXT}\r\n\r\n");
    let items = run(&[&body]);
    assert_eq!(
        items[..2],
        [started(), Ok(ChatEvent::TextDelta("Hi".into()))]
    );
    assert!(
        matches!(items.last(), Some(Err(ProviderError::Connection(_)))),
        "{items:?}"
    );
    assert_eq!(items.len(), 3);
}

#[test]
fn an_error_object_ends_the_stream_and_nothing_follows() {
    let body = format!(
        "data: {TEXT}\r\n\r\ndata: {{\"error\":{{\"code\":500,\"message\":\"boom\",\"status\":\"INTERNAL\"}}}}\r\n\r\ndata: {STOP}\r\n\r\n"
    );
    assert_eq!(
        run(&[&body]),
        vec![
            started(),
            Ok(ChatEvent::TextDelta("Hi".into())),
            Err(ProviderError::Stream {
                message: "boom (INTERNAL)".into()
            }),
        ]
    );
}

#[test]
fn a_transport_error_is_passed_through() {
    let pieces = vec![
        Ok(format!("data: {TEXT}\r\n\r\n").into_bytes()),
        Err(ProviderError::Connection("reset".into())),
    ];
    let items = collect(pieces, CancellationToken::new());
    assert_eq!(
        items.last(),
        Some(&Err(ProviderError::Connection("reset".into())))
    );
}

#[test]
fn cancellation_before_reading_yields_cancelled_only() {
    let cancel = CancellationToken::new();
    cancel.cancel();
    let body = format!("data: {TEXT}\r\n\r\n");
    let items = collect(vec![Ok(body.into_bytes())], cancel);
    assert_eq!(items, vec![Err(ProviderError::Cancelled)]);
}
