//! Property: however a Gemini body is cut into pieces, the events are the same.

use valechat_core::provider::ChatEvent;
use valechat_core::provider::gemini::stream::chat_event_stream;

use super::{gemini_sse, jsonl_as_gemini_sse};
use crate::support::split::{assert_any_split_gives_the_same_events, parse_whole};

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
