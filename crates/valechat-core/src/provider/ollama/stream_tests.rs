//! Unit tests of the NDJSON body → item stream layer, driven by the chat mapper.

use super::*;
use crate::provider::ollama::mapper::ChatMapper;
use crate::provider::{ChatEvent, FinishReason};
use std::time::Duration;

const TEXT: &str =
    r#"{"model":"m","message":{"role":"assistant","content":"Grüße 👋"},"done":false}"#;
const DONE: &str = r#"{"model":"m","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":3,"eval_count":4}"#;

type Items = Vec<Result<ChatEvent, ProviderError>>;

fn body(
    parts: Vec<Vec<u8>>,
) -> impl Stream<Item = Result<Vec<u8>, ProviderError>> + Send + 'static {
    stream::iter(parts.into_iter().map(Ok))
}

fn chat(
    bytes: impl Stream<Item = Result<Vec<u8>, ProviderError>> + Send + 'static,
) -> ItemStream<ChatEvent> {
    ndjson_stream(
        bytes,
        ChatMapper::new(),
        Duration::from_secs(30),
        CancellationToken::new(),
    )
}

fn run(parts: &[&[u8]]) -> Items {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let parts = parts.iter().map(|p| p.to_vec()).collect();
    rt.block_on(chat(body(parts)).collect())
}

fn expected_full() -> Items {
    vec![
        Ok(ChatEvent::Started {
            id: None,
            model: Some("m".into()),
        }),
        Ok(ChatEvent::TextDelta("Grüße 👋".into())),
        Ok(ChatEvent::Finished(FinishReason::Stop)),
        Ok(ChatEvent::Usage(crate::provider::Usage {
            input_tokens: 3,
            output_tokens: 4,
            ..Default::default()
        })),
    ]
}

#[test]
fn lines_split_inside_a_character_and_crlf_give_the_same_events() {
    let whole = format!("{TEXT}\r\n\n{DONE}\r\n");
    let bytes = whole.as_bytes();
    // Cut inside "ü" (2 bytes) and between CR and LF.
    let in_char = whole.find('ü').unwrap() + 1;
    let in_crlf = whole.find('\r').unwrap() + 1;
    assert_eq!(run(&[bytes]), expected_full());
    assert_eq!(
        run(&[
            &bytes[..in_char],
            &bytes[in_char..in_crlf],
            &bytes[in_crlf..]
        ]),
        expected_full()
    );
}

#[test]
fn done_ends_the_stream_and_what_follows_is_ignored() {
    let whole = format!("{TEXT}\n{DONE}\n{{\"error\":\"late\"}}\nnot json\n");
    assert_eq!(run(&[whole.as_bytes()]), expected_full());
}

#[test]
fn a_last_line_without_newline_is_accepted_when_whole() {
    let whole = format!("{TEXT}\n{DONE}");
    assert_eq!(run(&[whole.as_bytes()]), expected_full());
}

#[test]
fn early_end_is_a_connection_error_after_the_events() {
    let items = run(&[format!("{TEXT}\n").as_bytes()]);
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(matches!(&items[2], Err(ProviderError::Connection(m)) if m.contains("done")));
    // Cut in the middle of the final line.
    let cut = format!("{TEXT}\n{}", &DONE[..20]);
    let items = run(&[cut.as_bytes()]);
    assert!(matches!(items.last(), Some(Err(ProviderError::Connection(m))) if m.contains("cut")));
}

#[test]
fn bad_lines_are_malformed() {
    let items = run(&[b"{\"model\":\"m\",\"done\":false}\n<html>\n"]);
    assert!(matches!(
        items.last(),
        Some(Err(ProviderError::Malformed(_)))
    ));
    let items = run(&[b"\xff\xfe\n"]);
    assert!(matches!(&items[..], [Err(ProviderError::Malformed(m))] if m.contains("UTF-8")));
}

#[test]
fn transport_error_ends_the_stream_with_it() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let parts: Vec<Result<Vec<u8>, ProviderError>> = vec![
        Ok(format!("{TEXT}\n").into_bytes()),
        Err(ProviderError::Connection("reset".into())),
        Ok(format!("{DONE}\n").into_bytes()),
    ];
    let items: Items = rt.block_on(chat(stream::iter(parts)).collect());
    assert_eq!(items.len(), 3);
    assert_eq!(items[2], Err(ProviderError::Connection("reset".into())));
}

#[tokio::test(start_paused = true)]
async fn silence_longer_than_the_idle_timeout_is_a_timeout() {
    let first = stream::iter([Ok(format!("{TEXT}\n").into_bytes())]);
    let bytes = first.chain(stream::pending());
    let stream = ndjson_stream(
        bytes,
        ChatMapper::new(),
        Duration::from_secs(5),
        CancellationToken::new(),
    );
    let items: Items = stream.collect().await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(matches!(&items[2], Err(ProviderError::Timeout(m)) if m.contains("5000 ms")));
}

#[tokio::test]
async fn cancelling_ends_the_stream_with_cancelled() {
    let cancel = CancellationToken::new();
    let first = stream::iter([Ok(format!("{TEXT}\n").into_bytes())]);
    let bytes = first.chain(stream::pending());
    let mut stream = ndjson_stream(
        bytes,
        ChatMapper::new(),
        Duration::from_secs(3600),
        cancel.clone(),
    );
    assert!(matches!(
        stream.next().await,
        Some(Ok(ChatEvent::Started { .. }))
    ));
    assert!(matches!(
        stream.next().await,
        Some(Ok(ChatEvent::TextDelta(_)))
    ));
    cancel.cancel();
    assert_eq!(stream.next().await, Some(Err(ProviderError::Cancelled)));
    assert_eq!(stream.next().await, None);
}

#[test]
fn an_endless_line_is_refused() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let piece = vec![b'x'; MAX_LINE_BYTES / 4 + 1];
    let parts: Vec<Result<Vec<u8>, ProviderError>> = (0..5).map(|_| Ok(piece.clone())).collect();
    let items: Items = rt.block_on(chat(stream::iter(parts)).collect());
    assert!(
        matches!(&items[..], [Err(ProviderError::TooLarge(m))] if m.starts_with("the server sent a line of 16.0 MiB or more; the limit is 16 MiB")),
        "{items:?}"
    );
}

#[test]
fn a_long_line_arriving_whole_in_one_piece_is_refused_too() {
    let mut line = vec![b'x'; MAX_LINE_BYTES + 10];
    line.push(b'\n');
    let items = run(&[TEXT.as_bytes(), &b"\n"[..], &line[..]]);
    assert!(
        matches!(items.last(), Some(Err(ProviderError::TooLarge(m))) if m.contains("a line of 16.0 MiB or more")),
        "{:?}",
        items.last()
    );
}
