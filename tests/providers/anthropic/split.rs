//! Property: however the body is cut into pieces, the events are the same.

use valechat_core::provider::ChatEvent;
use valechat_core::provider::anthropic::stream::chat_event_stream;

use crate::support::split::{assert_any_split_gives_the_same_events, parse_whole};
use crate::support::{fixture, jsonl_as_typed_sse};

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
    for items in parse_whole(chat_event_stream, &bodies()) {
        assert!(
            matches!(items.last(), Some(Ok(ChatEvent::Usage(_)))),
            "{items:?}"
        );
    }
}

#[test]
fn any_split_gives_the_same_events() {
    assert_any_split_gives_the_same_events(chat_event_stream, &bodies());
}
