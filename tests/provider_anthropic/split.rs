//! Property: however the body is cut into pieces, the events are the same.

use std::time::Duration;

use futures::{StreamExt, stream};
use proptest::prelude::*;
use tokio_util::sync::CancellationToken;
use valechat::core::provider::anthropic::stream::chat_event_stream;
use valechat::core::provider::{ChatEvent, ProviderError};

use crate::support::{fixture, jsonl_as_typed_sse};

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

/// A small stream with multi-byte UTF-8 in text, thinking and tool input, and CRLF framing.
fn utf8_crlf_body() -> Vec<u8> {
    concat!(
        "event: message_start\r\n",
        "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_u\",\"model\":\"claude-x\",\"usage\":{\"input_tokens\":3}}}\r\n\r\n",
        "event: content_block_start\r\n",
        "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}\r\n\r\n",
        "event: content_block_delta\r\n",
        "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Überlegung 🤔\"}}\r\n\r\n",
        "event: content_block_delta\r\n",
        "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"Grüße, 世界 👋\"}}\r\n\r\n",
        "event: content_block_start\r\n",
        "data: {\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"f\",\"input\":{}}}\r\n\r\n",
        "event: content_block_delta\r\n",
        "data: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\": \\\"Zürich\\\"}\"}}\r\n\r\n",
        "event: message_delta\r\n",
        "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":7}}\r\n\r\n",
        "event: message_stop\r\n",
        "data: {\"type\":\"message_stop\"}\r\n\r\n",
    )
    .as_bytes()
    .to_vec()
}

fn bodies() -> Vec<Vec<u8>> {
    vec![
        fixture("anthropic/tool_use_response.sse"),
        fixture("anthropic/thinking_then_refusal.sse"),
        fixture("anthropic/incomplete_partial_json_response.sse"),
        jsonl_as_typed_sse("anthropic/message_delta_input_tokens.chunks.jsonl"),
        utf8_crlf_body(),
    ]
}

#[test]
fn whole_bodies_parse_without_error() {
    for body in bodies() {
        let items = parse_in_pieces(&body, &[]);
        assert!(items.len() > 3, "{items:?}");
        assert!(items.iter().all(Result::is_ok), "{items:?}");
        assert!(
            matches!(items.last(), Some(Ok(ChatEvent::Usage(_)))),
            "{items:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn any_split_gives_the_same_events(
        which in 0usize..5,
        cuts in prop::collection::vec(any::<usize>(), 1..40),
    ) {
        let body = &bodies()[which];
        prop_assert_eq!(parse_in_pieces(body, &cuts), parse_in_pieces(body, &[]));
    }
}
