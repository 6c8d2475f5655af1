//! Property: however the body is cut into pieces, the events are the same.

use valechat_core::provider::openai::stream::chat_event_stream;

use crate::support::split::{assert_any_split_gives_the_same_events, parse_whole};
use crate::support::{fixture, jsonl_as_sse};

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
    parse_whole(chat_event_stream, &bodies());
}

#[test]
fn any_split_gives_the_same_events() {
    assert_any_split_gives_the_same_events(chat_event_stream, &bodies());
}
