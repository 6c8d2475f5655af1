//! Unit tests of the chunk → event mapping.

use super::*;

fn map_all(chunks: &[&str]) -> Result<Vec<ChatEvent>, ProviderError> {
    let mut mapper = ChunkMapper::new();
    let mut out = Vec::new();
    for chunk in chunks {
        mapper.push_data(chunk, &mut out)?;
    }
    mapper.finish(&mut out);
    Ok(out)
}

#[test]
fn started_once_then_text_skipping_empty_deltas() {
    let events = map_all(&[
        r#"{"id":"chatcmpl-1","model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#,
        r#"{"id":"chatcmpl-1","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hi"}}]}"#,
        r#"{"id":"chatcmpl-1","model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
    ])
    .unwrap();
    assert_eq!(
        events,
        vec![
            ChatEvent::Started {
                id: Some("chatcmpl-1".into()),
                model: Some("gpt-4o".into())
            },
            ChatEvent::TextDelta("Hi".into()),
            ChatEvent::Finished(FinishReason::Stop),
        ]
    );
}

#[test]
fn reasoning_content_reasoning_and_refusal() {
    let events = map_all(&[
        r#"{"choices":[{"delta":{"reasoning_content":"think"}}]}"#,
        r#"{"choices":[{"delta":{"reasoning":"more"}}]}"#,
        r#"{"choices":[{"delta":{"refusal":"no","content":null}}]}"#,
    ])
    .unwrap();
    assert_eq!(
        events,
        vec![
            ChatEvent::Started {
                id: None,
                model: None
            },
            ChatEvent::ReasoningDelta("think".into()),
            ChatEvent::ReasoningDelta("more".into()),
            ChatEvent::RefusalDelta("no".into()),
        ]
    );
}

#[test]
fn indexed_tool_calls_start_once_and_keep_first_name() {
    let events = map_all(&[
        r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_a","function":{"name":"f","arguments":""}}]}}]}"#,
        r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"name":"","arguments":"{\"x\""}}]}}]}"#,
        r#"{"choices":[{"delta":{"tool_calls":[{"index":1,"id":"call_b","function":{"name":"g","arguments":"{}"}}]}}]}"#,
        r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]}}]}"#,
    ])
    .unwrap();
    assert_eq!(
        events[1..],
        [
            ChatEvent::ToolCallStart {
                index: 0,
                id: "call_a".into(),
                name: "f".into()
            },
            ChatEvent::ToolCallArgumentsDelta {
                index: 0,
                fragment: "{\"x\"".into()
            },
            ChatEvent::ToolCallStart {
                index: 1,
                id: "call_b".into(),
                name: "g".into()
            },
            ChatEvent::ToolCallArgumentsDelta {
                index: 1,
                fragment: "{}".into()
            },
            ChatEvent::ToolCallArgumentsDelta {
                index: 0,
                fragment: ":1}".into()
            },
        ]
    );
}

#[test]
fn index_less_tool_calls_get_indexes_in_order() {
    let events = map_all(&[
        r#"{"choices":[{"delta":{"tool_calls":[{"id":"a","function":{"name":"f","arguments":"{}"}},{"id":"b","function":{"name":"g","arguments":"[]"}}]},"finish_reason":"tool_calls"}]}"#,
    ])
    .unwrap();
    assert_eq!(
        events[1..],
        [
            ChatEvent::ToolCallStart {
                index: 0,
                id: "a".into(),
                name: "f".into()
            },
            ChatEvent::ToolCallArgumentsDelta {
                index: 0,
                fragment: "{}".into()
            },
            ChatEvent::ToolCallStart {
                index: 1,
                id: "b".into(),
                name: "g".into()
            },
            ChatEvent::ToolCallArgumentsDelta {
                index: 1,
                fragment: "[]".into()
            },
            ChatEvent::Finished(FinishReason::ToolCalls),
        ]
    );
}

#[test]
fn usage_is_reported_once_at_the_end_with_details() {
    let events = map_all(&[
        r#"{"choices":[{"delta":{"content":"a"}}],"usage":{"prompt_tokens":1,"completion_tokens":1}}"#,
        r#"{"choices":[{"delta":{},"finish_reason":"length"}]}"#,
        r#"{"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15,
            "prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":3}},
            "timings":{"predicted_ms":12.5}}"#,
    ])
    .unwrap();
    assert_eq!(
        events[2..],
        [
            ChatEvent::Finished(FinishReason::Length),
            ChatEvent::Usage(Usage {
                input_tokens: 10,
                output_tokens: 5,
                cache_read_tokens: 4,
                reasoning_tokens: 3,
                cache_write_tokens: 0,
            }),
        ]
    );
}

#[test]
fn deepseek_cache_hit_tokens_count_as_cache_reads() {
    let events =
        map_all(&[r#"{"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":1,"prompt_cache_hit_tokens":8}}"#])
            .unwrap();
    assert!(matches!(
        events.last(),
        Some(ChatEvent::Usage(Usage {
            cache_read_tokens: 8,
            ..
        }))
    ));
}

#[test]
fn only_first_finish_reason_counts_and_other_choices_are_ignored() {
    let events = map_all(&[
        r#"{"choices":[{"index":1,"delta":{"content":"other"},"finish_reason":"length"}]}"#,
        r#"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
        r#"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
    ])
    .unwrap();
    assert_eq!(events[1..], [ChatEvent::Finished(FinishReason::Stop)]);
}

#[test]
fn error_object_becomes_stream_error_with_message_and_code() {
    let err = map_all(&[
        r#"{"choices":[{"delta":{"content":"a"}}]}"#,
        r#"{"error":{"message":"Overloaded","type":"server_error","code":529}}"#,
    ])
    .unwrap_err();
    assert_eq!(
        err,
        ProviderError::Stream {
            message: "Overloaded (529)".into()
        }
    );
    let err = map_all(&[r#"{"error":"boom"}"#]).unwrap_err();
    assert_eq!(
        err,
        ProviderError::Stream {
            message: "boom".into()
        }
    );
}

#[test]
fn invalid_json_is_malformed_with_truncated_quote() {
    let long = format!("{{\"choices\": [{}", "x".repeat(1000));
    let ProviderError::Malformed(message) = map_all(&[&long]).unwrap_err() else {
        panic!("expected Malformed");
    };
    assert!(message.contains("{\"choices\": [xxx"), "{message}");
    assert!(
        message.len() < 400,
        "payload not truncated: {}",
        message.len()
    );
    let ProviderError::Malformed(message) = map_all(&[r#"{"choices":"nope"}"#]).unwrap_err() else {
        panic!("expected Malformed");
    };
    assert!(message.contains("invalid type"), "{message}");
}

#[test]
fn openrouter_reported_cost_comes_before_usage_as_an_exact_decimal() {
    let events = map_all(&[
        r#"{"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":5,"cost":0.0001234}}"#,
    ])
    .expect("valid chunks")
    .into_iter()
    .filter(|e| !matches!(e, ChatEvent::Started { .. }))
    .collect::<Vec<_>>();
    assert_eq!(
        events.first(),
        Some(&ChatEvent::ReportedCost(
            rust_decimal::Decimal::from_str_exact("0.0001234").expect("decimal")
        ))
    );
    assert!(matches!(events.get(1), Some(ChatEvent::Usage(_))));
    let scientific = map_all(&[
        r#"{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"cost":1.5e-7}}"#,
    ])
    .expect("valid chunks")
    .into_iter()
    .filter(|e| !matches!(e, ChatEvent::Started { .. }))
    .collect::<Vec<_>>();
    assert_eq!(
        scientific.first(),
        Some(&ChatEvent::ReportedCost(
            rust_decimal::Decimal::from_str_exact("0.00000015").expect("decimal")
        ))
    );
    let negative = map_all(&[r#"{"choices":[],"usage":{"prompt_tokens":1,"cost":-1}}"#])
        .expect("valid chunks")
        .into_iter()
        .filter(|e| !matches!(e, ChatEvent::Started { .. }))
        .collect::<Vec<_>>();
    assert!(matches!(negative.first(), Some(ChatEvent::Usage(_))));
}
