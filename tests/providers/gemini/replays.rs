//! Recorded and documented Gemini streams replayed over HTTP, and the request sent.

use tokio_util::sync::CancellationToken;
use valechat_core::provider::{ChatEvent, ChatProvider, FinishReason};

use super::{KEY, gemini_sse, jsonl_as_gemini_sse, provider, replay, request, usage};
use crate::support::outcome::{args_json, drain};
use crate::support::{Reply, TestServer};

#[tokio::test]
async fn recorded_text_stream_with_cumulative_usage_and_thoughts_billed_as_output() {
    let out = replay(Reply::sse_body(jsonl_as_gemini_sse(
        "gemini/text.chunks.jsonl",
    )))
    .await;
    assert_eq!(out.error, None);
    assert_eq!(
        out.started(),
        vec![(
            Some("bH6LaZW8Fp_3nsEPqtaSwQ4".into()),
            Some("gemini-3-pro-preview".into())
        )]
    );
    assert_eq!(
        out.text(),
        "There are **3** \"r\"s in strawberry.\n\nst**r**awbe**rr**y"
    );
    assert_eq!(out.finishes(), vec![FinishReason::Stop]);
    // 9 prompt; 23 candidates + 185 thoughts = 208 output, of which 185 reasoning.
    assert_eq!(out.usages(), vec![usage(9, 208, 0, 185)]);
    assert!(matches!(out.events.last(), Some(ChatEvent::Usage(_))));
}

#[tokio::test]
async fn recorded_function_call_is_one_whole_tool_call() {
    let out = replay(Reply::sse_body(jsonl_as_gemini_sse(
        "gemini/tool_call.chunks.jsonl",
    )))
    .await;
    assert_eq!(out.error, None);
    let tools = out.tools();
    assert_eq!(tools.len(), 1);
    let (id, name, args) = &tools[&0];
    assert_eq!((id.as_str(), name.as_str()), ("call_0", "weather"));
    assert_eq!(
        args_json(args),
        serde_json::json!({"location": "San Francisco"})
    );
    assert_eq!(out.text(), "");
    assert_eq!(out.finishes(), vec![FinishReason::ToolCalls]);
    assert_eq!(out.usages(), vec![usage(29, 60, 0, 45)]);
}

#[tokio::test]
async fn thought_parts_are_reasoning_and_cached_tokens_are_reported() {
    let body = gemini_sse(&[
        r#"{"candidates":[{"content":{"parts":[{"text":"**Counting letters** I scan the word.","thought":true}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":12,"thoughtsTokenCount":30,"totalTokenCount":42},"modelVersion":"gemini-2.5-pro","responseId":"resp-1"}"#,
        r#"{"candidates":[{"content":{"parts":[{"text":"Three."}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":2,"thoughtsTokenCount":30,"cachedContentTokenCount":8,"totalTokenCount":44},"modelVersion":"gemini-2.5-pro","responseId":"resp-1"}"#,
        r#"{"candidates":[{"content":{"parts":[{"text":""}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":2,"thoughtsTokenCount":30,"cachedContentTokenCount":8,"totalTokenCount":44},"modelVersion":"gemini-2.5-pro","responseId":"resp-1"}"#,
    ]);
    let out = replay(Reply::sse_body(body)).await;
    assert_eq!(out.error, None);
    assert_eq!(out.reasoning(), "**Counting letters** I scan the word.");
    assert_eq!(out.text(), "Three.");
    assert!(
        matches!(out.events[1], ChatEvent::ReasoningDelta(_)),
        "reasoning comes before the answer: {:?}",
        out.events
    );
    assert_eq!(out.usages(), vec![usage(12, 32, 8, 30)]);
}

#[tokio::test]
async fn a_blocked_prompt_is_a_content_filter_finish() {
    let body = gemini_sse(&[
        r#"{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},"usageMetadata":{"promptTokenCount":11,"totalTokenCount":11},"modelVersion":"gemini-2.5-flash","responseId":"blk"}"#,
    ]);
    let out = replay(Reply::sse_body(body)).await;
    assert_eq!(out.error, None);
    assert_eq!(out.text(), "");
    assert_eq!(out.finishes(), vec![FinishReason::ContentFilter]);
    assert_eq!(out.usages(), vec![usage(11, 0, 0, 0)]);
}

#[tokio::test]
async fn an_answer_stopped_for_safety_keeps_its_text_and_says_why() {
    let body = gemini_sse(&[
        r#"{"candidates":[{"content":{"parts":[{"text":"Here is how"}],"role":"model"},"index":0}],"responseId":"s1"}"#,
        r#"{"candidates":[{"finishReason":"SAFETY","index":0,"safetyRatings":[{"category":"HARM_CATEGORY_DANGEROUS_CONTENT","probability":"HIGH","blocked":true}]}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":3}}"#,
    ]);
    let out = replay(Reply::sse_body(body)).await;
    assert_eq!(out.error, None);
    assert_eq!(out.text(), "Here is how");
    assert_eq!(out.finishes(), vec![FinishReason::ContentFilter]);
    assert_eq!(out.usages(), vec![usage(5, 3, 0, 0)]);
}

#[tokio::test]
async fn max_tokens_is_a_length_finish() {
    let body = gemini_sse(&[
        r#"{"candidates":[{"content":{"parts":[{"text":"Once upon"}]},"finishReason":"MAX_TOKENS"}]}"#,
    ]);
    let out = replay(Reply::sse_body(body)).await;
    assert_eq!(out.error, None);
    assert_eq!(out.finishes(), vec![FinishReason::Length]);
    assert_eq!(out.usages(), vec![]);
}

#[tokio::test]
async fn request_has_the_documented_shape_and_the_key_only_in_a_header() {
    let stop = r#"{"candidates":[{"content":{"parts":[{"text":"ok"}]},"finishReason":"STOP"}]}"#;
    let server = TestServer::start(vec![
        Reply::sse_body(gemini_sse(&[stop])),
        Reply::sse_body(gemini_sse(&[stop])),
    ])
    .await;
    let p = provider(&server);
    for model in ["gemini-2.5-flash", "models/gemini-2.5-flash"] {
        let mut req = request();
        req.model = model.into();
        let out = drain(p.stream_chat(req, CancellationToken::new()).await.unwrap()).await;
        assert_eq!(out.text(), "ok");
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for sent in &requests {
        assert_eq!(sent.method, "POST");
        assert_eq!(
            sent.path,
            "/v1/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
        );
        assert!(!sent.path.contains(KEY) && !sent.path.contains("key="));
        assert_eq!(sent.header("x-goog-api-key"), Some(KEY));
        assert_eq!(sent.header("authorization"), None);
        assert_eq!(sent.header("accept"), Some("text/event-stream"));
        assert_eq!(
            sent.json(),
            serde_json::json!({
                "contents": [{"role": "user", "parts": [{"text": "How many r in strawberry?"}]}],
                "systemInstruction": {"parts": [{"text": "Be brief."}]},
                "generationConfig": {"temperature": 0.5, "maxOutputTokens": 256},
            })
        );
    }
}

#[tokio::test]
async fn assistant_turns_are_sent_with_the_model_role() {
    let stop = r#"{"candidates":[{"content":{"parts":[{"text":"ok"}]},"finishReason":"STOP"}]}"#;
    let server = TestServer::start(vec![Reply::sse_body(gemini_sse(&[stop]))]).await;
    let mut req = request();
    req.messages.push(valechat_core::provider::ChatMessage::new(
        valechat_core::provider::Role::Assistant,
        "Three.",
    ));
    req.messages.push(valechat_core::provider::ChatMessage::new(
        valechat_core::provider::Role::User,
        "Sure?",
    ));
    drain(
        provider(&server)
            .stream_chat(req, CancellationToken::new())
            .await
            .unwrap(),
    )
    .await;
    let body = server.requests()[0].json();
    let roles: Vec<&str> = body["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["user", "model", "user"]);
}
