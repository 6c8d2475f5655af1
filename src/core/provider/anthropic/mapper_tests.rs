//! Unit tests of the request building and the event → chat event mapping.

use super::*;
use crate::core::provider::ChatMessage;

fn msg(role: Role, content: &str) -> ChatMessage {
    ChatMessage {
        role,
        content: content.into(),
    }
}

fn map_all(events: &[&str]) -> (Vec<ChatEvent>, Result<Flow, ProviderError>) {
    let mut mapper = MessageMapper::new();
    let mut out = Vec::new();
    let mut last = Ok(Flow::Continue);
    for data in events {
        last = mapper.push_event("", data, &mut out);
        if !matches!(last, Ok(Flow::Continue)) {
            break;
        }
    }
    if last.is_ok() {
        mapper.finish(&mut out);
    }
    (out, last)
}

#[test]
fn system_goes_top_level_and_same_role_turns_merge() {
    let request = ChatRequest {
        model: "claude-x".into(),
        messages: vec![
            msg(Role::System, "Be brief."),
            msg(Role::User, "Hi"),
            msg(Role::System, "Use British spelling."),
            msg(Role::User, "Colour?"),
            msg(Role::Assistant, "  "),
            msg(Role::Assistant, "Red."),
            msg(Role::User, "Thanks"),
        ],
        temperature: Some(1.7),
        max_output_tokens: None,
    };
    let body = serde_json::to_value(messages_request(&request)).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "model": "claude-x",
            "max_tokens": DEFAULT_MAX_TOKENS,
            "system": "Be brief.\n\nUse British spelling.",
            "messages": [
                {"role": "user", "content": "Hi\n\nColour?"},
                {"role": "assistant", "content": "Red."},
                {"role": "user", "content": "Thanks"},
            ],
            "stream": true,
            "temperature": 1.0,
        })
    );
}

#[test]
fn no_system_and_no_temperature_leave_the_fields_out() {
    let request = ChatRequest {
        model: "m".into(),
        messages: vec![msg(Role::User, "Hi")],
        temperature: None,
        max_output_tokens: Some(77),
    };
    let body = serde_json::to_value(messages_request(&request)).unwrap();
    assert_eq!(body.get("system"), None);
    assert_eq!(body.get("temperature"), None);
    assert_eq!(body["max_tokens"], 77);
}

#[test]
fn usage_counts_cache_reads_and_writes_as_input() {
    let (events, last) = map_all(&[
        r#"{"type":"message_start","message":{"id":"msg_1","model":"claude-x","usage":{"input_tokens":10,"cache_creation_input_tokens":200,"cache_read_input_tokens":3000,"output_tokens":1}}}"#,
        r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":42,"output_tokens_details":{"thinking_tokens":7}}}"#,
        r#"{"type":"message_stop"}"#,
    ]);
    assert_eq!(last, Ok(Flow::End));
    assert_eq!(
        events,
        vec![
            ChatEvent::Started {
                id: Some("msg_1".into()),
                model: Some("claude-x".into())
            },
            ChatEvent::Finished(FinishReason::Stop),
            ChatEvent::Usage(Usage {
                input_tokens: 3210,
                output_tokens: 42,
                cache_read_tokens: 3000,
                reasoning_tokens: 7,
                cache_write_tokens: 200,
            }),
        ]
    );
}

#[test]
fn tool_blocks_are_numbered_in_order_of_tool_blocks() {
    let (events, _) = map_all(&[
        r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
        r#"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_a","name":"f","input":{}}}"#,
        r#"{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_b","name":"g","input":{}}}"#,
        r#"{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{}"}}"#,
        r#"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}"#,
    ]);
    assert_eq!(
        &events[1..],
        &[
            ChatEvent::ToolCallStart {
                index: 0,
                id: "toolu_a".into(),
                name: "f".into()
            },
            ChatEvent::ToolCallStart {
                index: 1,
                id: "toolu_b".into(),
                name: "g".into()
            },
            ChatEvent::ToolCallArgumentsDelta {
                index: 1,
                fragment: "{}".into()
            },
        ]
    );
}

#[test]
fn input_json_on_a_text_block_is_malformed() {
    let (_, last) = map_all(&[
        r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"a\""}}"#,
    ]);
    assert!(
        matches!(&last, Err(ProviderError::Malformed(m)) if m.contains("not a tool_use")),
        "{last:?}"
    );
}

#[test]
fn unknown_types_signatures_and_pings_are_skipped() {
    let (events, last) = map_all(&[
        r#"{"type":"ping"}"#,
        r#"{"type":"message_start","message":{"id":"m"}}"#,
        r#"{"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"x"}}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"citations_delta","citation":{}}}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"abc"}}"#,
        r#"{"type":"brand_new_event","x":1}"#,
        r#"{"type":"content_block_delta","index":1,"delta":{"type":"thinking_delta","thinking":"hm"}}"#,
    ]);
    assert_eq!(last, Ok(Flow::Continue));
    assert_eq!(
        events,
        vec![
            ChatEvent::Started {
                id: Some("m".into()),
                model: None
            },
            ChatEvent::ReasoningDelta("hm".into()),
        ]
    );
}

#[test]
fn error_events_are_typed() {
    let (_, last) = map_all(&[
        r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
    ]);
    assert_eq!(
        last,
        Err(ProviderError::Server {
            status: 529,
            message: "Overloaded".into()
        })
    );
    let (_, last) =
        map_all(&[r#"{"type":"error","error":{"type":"api_error","message":"Internal"}}"#]);
    assert_eq!(
        last,
        Err(ProviderError::Stream {
            message: "Internal (api_error)".into()
        })
    );
}

#[test]
fn invalid_json_is_malformed_with_a_quote() {
    let (_, last) = map_all(&[r#"{"type":"content_block_delta","index":oops}"#]);
    assert!(
        matches!(&last, Err(ProviderError::Malformed(m)) if m.contains("oops")),
        "{last:?}"
    );
}
