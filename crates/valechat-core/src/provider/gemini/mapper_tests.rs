//! Unit tests of the `GenerateContentResponse` → event mapping.

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
fn text_thoughts_and_one_cumulative_usage_at_the_end() {
    let events = map_all(&[
        r#"{"candidates":[{"content":{"parts":[{"text":"Let me think","thought":true}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":4,"thoughtsTokenCount":10},"modelVersion":"gemini-2.5-pro","responseId":"r1"}"#,
        r#"{"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"}}],"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":1,"thoughtsTokenCount":12,"cachedContentTokenCount":2},"responseId":"r1"}"#,
        r#"{"candidates":[{"content":{"parts":[{"text":"","thoughtSignature":"abc"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":3,"thoughtsTokenCount":12,"cachedContentTokenCount":2,"totalTokenCount":19}}"#,
    ])
    .unwrap();
    assert_eq!(
        events,
        vec![
            ChatEvent::Started {
                id: Some("r1".into()),
                model: Some("gemini-2.5-pro".into())
            },
            ChatEvent::ReasoningDelta("Let me think".into()),
            ChatEvent::TextDelta("Hi".into()),
            ChatEvent::Finished(FinishReason::Stop),
            ChatEvent::Usage(Usage {
                input_tokens: 4,
                output_tokens: 15,
                cache_read_tokens: 2,
                cache_write_tokens: 0,
                reasoning_tokens: 12,
            }),
        ]
    );
}

#[test]
fn function_calls_get_indexes_synthetic_ids_and_whole_arguments() {
    let events = map_all(&[
        r#"{"candidates":[{"content":{"parts":[{"functionCall":{"name":"weather","args":{"city":"Oslo"}}},{"functionCall":{"id":"fc-7","name":"time"}}]}}]}"#,
        r#"{"candidates":[{"content":{"parts":[{"text":""}]},"finishReason":"STOP"}]}"#,
    ])
    .unwrap();
    assert_eq!(
        events[1..],
        [
            ChatEvent::ToolCallStart {
                index: 0,
                id: "call_0".into(),
                name: "weather".into()
            },
            ChatEvent::ToolCallArgumentsDelta {
                index: 0,
                fragment: r#"{"city":"Oslo"}"#.into()
            },
            ChatEvent::ToolCallStart {
                index: 1,
                id: "fc-7".into(),
                name: "time".into()
            },
            ChatEvent::ToolCallArgumentsDelta {
                index: 1,
                fragment: "{}".into()
            },
            ChatEvent::Finished(FinishReason::ToolCalls),
        ]
    );
}

#[test]
fn finish_reasons_are_normalised() {
    assert_eq!(finish_reason("STOP", false), FinishReason::Stop);
    assert_eq!(finish_reason("MAX_TOKENS", true), FinishReason::Length);
    for filtered in [
        "SAFETY",
        "RECITATION",
        "BLOCKLIST",
        "PROHIBITED_CONTENT",
        "SPII",
    ] {
        assert_eq!(
            finish_reason(filtered, false),
            FinishReason::ContentFilter,
            "{filtered}"
        );
    }
    assert_eq!(
        finish_reason("MALFORMED_FUNCTION_CALL", false),
        FinishReason::Other("MALFORMED_FUNCTION_CALL".into())
    );
}

#[test]
fn a_blocked_prompt_finishes_with_content_filter_once() {
    let events = map_all(&[
        r#"{"promptFeedback":{"blockReason":"SAFETY","safetyRatings":[]},"usageMetadata":{"promptTokenCount":7,"totalTokenCount":7},"modelVersion":"gemini-2.0-flash"}"#,
        r#"{"promptFeedback":{"blockReason":"SAFETY"}}"#,
    ])
    .unwrap();
    assert_eq!(
        events,
        vec![
            ChatEvent::Started {
                id: None,
                model: Some("gemini-2.0-flash".into())
            },
            ChatEvent::Finished(FinishReason::ContentFilter),
            ChatEvent::Usage(Usage {
                input_tokens: 7,
                ..Usage::default()
            }),
        ]
    );
}

#[test]
fn only_the_first_candidate_is_used() {
    let events = map_all(&[
        r#"{"candidates":[{"index":1,"content":{"parts":[{"text":"other"}]},"finishReason":"SAFETY"},{"index":0,"content":{"parts":[{"text":"mine"}]}}]}"#,
    ])
    .unwrap();
    assert_eq!(events[1..], [ChatEvent::TextDelta("mine".into())]);
}

#[test]
fn error_objects_and_bad_json_are_typed() {
    let err = map_all(&[
        r#"{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}"#,
    ])
    .unwrap_err();
    assert_eq!(
        err,
        ProviderError::Stream {
            message: "The model is overloaded. (UNAVAILABLE)".into()
        }
    );
    let long = format!("{{\"candidates\": {}", "x".repeat(500));
    let Err(ProviderError::Malformed(message)) = map_all(&[&long]) else {
        panic!("expected Malformed");
    };
    assert!(message.contains("GenerateContentResponse"), "{message}");
    assert!(message.ends_with('…') && message.len() < 400, "{message}");
}

#[test]
fn usage_without_counts_is_zero_and_tool_prompt_is_input() {
    assert_eq!(to_usage(&UsageMetadata::default()), Usage::default());
    let usage = UsageMetadata {
        prompt_token_count: Some(10),
        tool_use_prompt_token_count: Some(5),
        candidates_token_count: Some(3),
        ..UsageMetadata::default()
    };
    assert_eq!(
        to_usage(&usage),
        Usage {
            input_tokens: 15,
            output_tokens: 3,
            ..Usage::default()
        }
    );
}
