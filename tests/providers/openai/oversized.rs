//! Servers that send too much: a line, an event or an error body over its
//! bound ends with the error that names it; one long line sent in small
//! pieces is read whole.

use tokio_util::sync::CancellationToken;
use valechat_core::provider::{ChatProvider, ProviderError};

use super::{provider, replay, request};
use crate::support::{Reply, Step, TestServer};

const MIB: usize = 1024 * 1024;

/// One `chat.completion.chunk` SSE line (without its blank line) carrying `text`.
fn chunk_line(text: &str) -> String {
    let chunk = serde_json::json!({
        "id": "chatcmpl-1",
        "model": "gpt-4o",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}],
    });
    format!("data: {chunk}\n")
}

const STOP: &str = "data: {\"id\":\"chatcmpl-1\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";

#[tokio::test]
async fn an_8_mib_line_in_small_pieces_arrives_whole() {
    let text = "é".repeat(4 * MIB); // 8 MiB of UTF-8, split inside characters below
    let mut body = chunk_line(&text).into_bytes();
    body.extend_from_slice(b"\n");
    body.extend_from_slice(STOP.as_bytes());
    let steps = body
        .chunks(4093)
        .map(|piece| Step::Send(piece.to_vec()))
        .collect();
    let outcome = replay(Reply::sse(steps)).await;
    assert_eq!(outcome.error, None);
    assert_eq!(outcome.text().len(), text.len());
    assert!(outcome.text() == text, "the text arrived changed");
}

#[tokio::test]
async fn a_line_over_the_bound_ends_the_stream_with_the_sizes() {
    // 17 MiB of one line with no end, in 1 MiB pieces.
    let mut steps = vec![
        Step::Send(chunk_line("Hello").into_bytes()),
        Step::Send(b"\n".to_vec()),
    ];
    steps.push(Step::Send(b"data: ".to_vec()));
    steps.extend((0..17).map(|_| Step::Send(vec![b'x'; MIB])));
    let outcome = replay(Reply::sse(steps)).await;
    assert_eq!(outcome.text(), "Hello", "what came before the line is kept");
    let Some(ProviderError::TooLarge(words)) = &outcome.error else {
        panic!("not a size error: {:?}", outcome.error);
    };
    assert!(
        words.starts_with("the server sent a line of 16.")
            && words.ends_with("MiB or more; the limit is 16 MiB"),
        "{words}"
    );
}

#[tokio::test]
async fn an_event_over_the_bound_ends_the_stream() {
    // 17 `data:` lines of 1 MiB without a blank line: one 17 MiB event.
    let line = format!("data: {}\n", "y".repeat(MIB - 7));
    let steps = (0..17)
        .map(|_| Step::Send(line.clone().into_bytes()))
        .collect();
    let outcome = replay(Reply::sse(steps)).await;
    assert!(
        matches!(&outcome.error, Some(ProviderError::TooLarge(w)) if w.starts_with("the server sent an event of 17") && w.ends_with("the limit is 16 MiB")),
        "{:?}",
        outcome.error
    );
}

#[tokio::test]
async fn an_error_body_over_the_bound_is_not_read_and_says_so() {
    let server = TestServer::start(vec![
        // Content-Length announces 2 MiB: refused without reading it.
        Reply::fixed(500, "text/plain", vec![b'e'; 2 * MIB]),
        // No length (chunked): read up to the bound.
        Reply::sse(vec![
            Step::Send(vec![b'e'; MIB]),
            Step::Send(vec![b'e'; MIB]),
        ])
        .with_status(503),
    ])
    .await;
    let client = provider(&server, Some("sk-test"));
    let mut errors = Vec::new();
    for _ in 0..2 {
        let started = client
            .stream_chat(request(), CancellationToken::new())
            .await;
        errors.push(started.err().expect("an error reply"));
    }
    assert_eq!(
        errors[0],
        ProviderError::Server {
            status: 500,
            message: "the server sent an error body of 2 MiB or more; the limit is 1 MiB".into()
        }
    );
    // How far past the bound the reading stopped depends on the pieces.
    assert!(
        matches!(&errors[1], ProviderError::Server { status: 503, message }
            if message.starts_with("the server sent an error body of 1.")
                && message.ends_with("MiB or more; the limit is 1 MiB")),
        "{:?}",
        errors[1]
    );
}
