//! Property: however a Gemini body is cut into pieces, the events are the same.

use std::time::Duration;

use futures::{StreamExt, stream};
use proptest::prelude::*;
use tokio_util::sync::CancellationToken;
use valechat::core::provider::gemini::stream::chat_event_stream;
use valechat::core::provider::{ChatEvent, ProviderError};

use crate::{gemini_sse, jsonl_as_gemini_sse};

type Items = Vec<Result<ChatEvent, ProviderError>>;

/// Parses `body` delivered as the pieces between the sorted `cuts`.
fn parse_in_pieces(body: &[u8], cuts: &[usize]) -> Items {
    let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (body.len() + 1)).collect();
    bounds.push(0);
    bounds.push(body.len());
    bounds.sort_unstable();
    let pieces: Vec<Result<Vec<u8>, ProviderError>> = bounds
        .windows(2)
        .map(|w| Ok(body[w[0]..w[1]].to_vec()))
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    runtime.block_on(
        chat_event_stream(
            stream::iter(pieces),
            Duration::from_secs(30),
            CancellationToken::new(),
        )
        .collect(),
    )
}

/// Thoughts, multi-byte UTF-8 and a function call, CRLF-framed.
fn utf8_body() -> Vec<u8> {
    gemini_sse(&[
        r#"{"candidates":[{"content":{"parts":[{"text":"Überlegung 🤔","thought":true}]}}],"responseId":"u1","modelVersion":"gemini-2.5-pro"}"#,
        r#"{"candidates":[{"content":{"parts":[{"text":"Grüße, 世界 👋"},{"functionCall":{"name":"wetter","args":{"ort":"Zürich"}}}]}}]}"#,
        r#"{"candidates":[{"content":{"parts":[{"text":""}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":7,"thoughtsTokenCount":3}}"#,
    ])
}

fn bodies() -> Vec<Vec<u8>> {
    vec![
        jsonl_as_gemini_sse("gemini/text.chunks.jsonl"),
        jsonl_as_gemini_sse("gemini/tool_call.chunks.jsonl"),
        utf8_body(),
    ]
}

#[test]
fn whole_bodies_parse_without_error() {
    for body in bodies() {
        let items = parse_in_pieces(&body, &[]);
        assert!(items.len() > 3, "{items:?}");
        assert!(items.iter().all(Result::is_ok), "{items:?}");
        assert!(matches!(items.last(), Some(Ok(ChatEvent::Usage(_)))));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn any_split_gives_the_same_events(
        which in 0usize..3,
        cuts in prop::collection::vec(any::<usize>(), 1..40),
    ) {
        let body = &bodies()[which];
        prop_assert_eq!(parse_in_pieces(body, &cuts), parse_in_pieces(body, &[]));
    }
}
