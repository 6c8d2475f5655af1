//! Property: however the body is cut into pieces, the events are the same.

use std::time::Duration;

use futures::{StreamExt, stream};
use proptest::prelude::*;
use tokio_util::sync::CancellationToken;
use valechat::core::provider::ProviderError;
use valechat::core::provider::openai::stream::chat_event_stream;

use crate::support::{fixture, jsonl_as_sse};

type Items = Vec<Result<valechat::core::provider::ChatEvent, ProviderError>>;

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

/// A small stream with multi-byte UTF-8, CRLF framing and comments.
fn utf8_crlf_body() -> Vec<u8> {
    concat!(
        ": OPENROUTER PROCESSING\r\n\r\n",
        "data: {\"id\":\"x\",\"choices\":[{\"delta\":{\"reasoning\":\"Überlegung 🤔\"}}]}\r\n\r\n",
        "data: {\"choices\":[{\"delta\":{\"content\":\"Grüße, 世界 👋\"}}]}\r\n\r\n",
        "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\r\n\r\n",
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7}}\r\n\r\n",
        "data: [DONE]\r\n\r\n",
    )
    .as_bytes()
    .to_vec()
}

fn bodies() -> Vec<Vec<u8>> {
    vec![
        fixture("openai-chat/parallel_tool_calls.sse"),
        fixture("openai-chat/text_with_usage.sse"),
        jsonl_as_sse("mistral/tool_call.chunks.jsonl"),
        utf8_crlf_body(),
    ]
}

#[test]
fn whole_bodies_parse_without_error() {
    for body in bodies() {
        let items = parse_in_pieces(&body, &[]);
        assert!(items.len() > 3, "{items:?}");
        assert!(items.iter().all(Result::is_ok), "{items:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn any_split_gives_the_same_events(
        which in 0usize..4,
        cuts in prop::collection::vec(any::<usize>(), 1..40),
    ) {
        let body = &bodies()[which];
        prop_assert_eq!(parse_in_pieces(body, &cuts), parse_in_pieces(body, &[]));
    }
}
