//! Unit tests of the event → chat event mapping.

use super::*;

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
