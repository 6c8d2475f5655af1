//! Unit tests of the `/api/chat` line → event mapping.

use super::*;

fn map(lines: &[&str]) -> (Vec<ChatEvent>, Result<Flow, ProviderError>, ChatMapper) {
    let mut mapper = ChatMapper::new();
    let mut out = Vec::new();
    let mut last = Ok(Flow::Continue);
    for line in lines {
        last = mapper.push_line(line, &mut out);
        if last != Ok(Flow::Continue) {
            break;
        }
    }
    (out, last, mapper)
}

#[test]
fn thinking_comes_before_content_and_empty_pieces_are_skipped() {
    let (events, flow, _) = map(&[
        r#"{"model":"qwen3","message":{"role":"assistant","content":"","thinking":"Hmm"},"done":false}"#,
        r#"{"model":"qwen3","message":{"role":"assistant","content":"Hi","thinking":""},"done":false}"#,
    ]);
    assert_eq!(flow, Ok(Flow::Continue));
    assert_eq!(
        events,
        vec![
            ChatEvent::Started {
                id: None,
                model: Some("qwen3".into())
            },
            ChatEvent::ReasoningDelta("Hmm".into()),
            ChatEvent::TextDelta("Hi".into()),
        ]
    );
}

#[test]
fn tool_calls_get_indexes_ids_and_json_arguments() {
    let (events, flow, mut mapper) = map(&[
        r#"{"model":"m","message":{"content":"","tool_calls":[{"function":{"name":"a","arguments":{"x":1}}},{"id":"srv_7","function":{"name":"b","arguments":"{\"y\":2}"}}]},"done":false}"#,
        r#"{"model":"m","message":{"content":"","tool_calls":[{"function":{"name":"c"}}]},"done":false}"#,
        r#"{"model":"m","message":{"content":""},"done":true,"done_reason":"stop","eval_count":9}"#,
    ]);
    assert_eq!(flow, Ok(Flow::End));
    let calls: Vec<(u32, String, String)> = events
        .iter()
        .filter_map(|e| match e {
            ChatEvent::ToolCallStart { index, id, name } => {
                Some((*index, id.clone(), name.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        calls,
        vec![
            (0, "call_0".into(), "a".into()),
            (1, "srv_7".into(), "b".into()),
            (2, "call_2".into(), "c".into()),
        ]
    );
    let args: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            ChatEvent::ToolCallArgumentsDelta { fragment, .. } => Some(fragment.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(args, [r#"{"x":1}"#, r#"{"y":2}"#, "{}"]);
    assert_eq!(
        events.last(),
        Some(&ChatEvent::Finished(FinishReason::ToolCalls))
    );
    let mut tail = Vec::new();
    mapper.finish(&mut tail);
    assert_eq!(
        tail,
        vec![ChatEvent::Usage(Usage {
            output_tokens: 9,
            ..Usage::default()
        })]
    );
}

#[test]
fn done_reasons_are_normalised() {
    let reason = |line: &str| {
        let (events, _, _) = map(&[line]);
        match events.last() {
            Some(ChatEvent::Finished(r)) => r.clone(),
            other => panic!("no finish: {other:?}"),
        }
    };
    assert_eq!(
        reason(r#"{"done":true,"done_reason":"length"}"#),
        FinishReason::Length
    );
    assert_eq!(reason(r#"{"done":true}"#), FinishReason::Stop);
    assert_eq!(
        reason(r#"{"done":true,"done_reason":"unload"}"#),
        FinishReason::Other("unload".into())
    );
}

#[test]
fn no_counts_means_no_usage_and_error_lines_end_the_stream() {
    let (_, flow, mut mapper) = map(&[r#"{"model":"m","done":true,"done_reason":"stop"}"#]);
    assert_eq!(flow, Ok(Flow::End));
    assert!(mapper.is_complete());
    let mut tail = Vec::new();
    mapper.finish(&mut tail);
    assert!(tail.is_empty());

    let (events, flow, mapper) = map(&[r#"{"error":{"message":"model crashed"}}"#]);
    assert!(
        events.is_empty(),
        "no Started for an error line: {events:?}"
    );
    assert_eq!(
        flow,
        Err(ProviderError::Stream {
            message: "model crashed".into()
        })
    );
    assert!(!mapper.is_complete());
    let (_, flow, _) = map(&["[1,2]"]);
    assert!(matches!(flow, Err(ProviderError::Malformed(m)) if m.contains("[1,2]")));
}
