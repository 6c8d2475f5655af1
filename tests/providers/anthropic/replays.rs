//! Recorded Anthropic streams replayed over HTTP, the request sent, and the model list.

use tokio_util::sync::CancellationToken;
use valechat_core::provider::{ChatEvent, ChatProvider, FinishReason};

use super::{KEY, provider, replay, request, usage};
use crate::support::outcome::{args_json, drain};
use crate::support::{Reply, TestServer, fixture, jsonl_as_typed_sse};

#[tokio::test]
async fn basic_text_stream_with_usage() {
    let out = replay(Reply::sse_body(fixture("anthropic/basic_response.sse"))).await;
    assert_eq!(out.error, None);
    assert_eq!(
        out.started(),
        vec![(
            Some("msg_4QpJur2dWWDjF6C758FbBw5vm12BaVipnK".into()),
            Some("claude-3-opus-latest".into())
        )]
    );
    assert_eq!(out.text(), "Hello there!");
    assert_eq!(out.finishes(), vec![FinishReason::Stop]);
    assert_eq!(out.usages(), vec![usage(11, 6, 0, 0, 0)]);
    assert!(matches!(out.events.last(), Some(ChatEvent::Usage(_))));
}

#[tokio::test]
async fn tool_use_arguments_split_across_chunks_parse_as_json() {
    let out = replay(Reply::sse_body(fixture("anthropic/tool_use_response.sse"))).await;
    assert_eq!(out.error, None);
    assert_eq!(
        out.text(),
        "I'll check the current weather in Paris for you."
    );
    let tools = out.tools();
    assert_eq!(tools.len(), 1);
    let (id, name, args) = &tools[&0];
    assert_eq!(
        (id.as_str(), name.as_str()),
        ("toolu_01NRLabsLyVHZPKxbKvkfSMn", "get_weather")
    );
    assert_eq!(args_json(args), serde_json::json!({"location": "Paris"}));
    let fragments = out
        .events
        .iter()
        .filter(|e| matches!(e, ChatEvent::ToolCallArgumentsDelta { .. }))
        .count();
    assert_eq!(fragments, 4, "the empty first fragment is skipped");
    assert_eq!(out.finishes(), vec![FinishReason::ToolCalls]);
    assert_eq!(out.usages(), vec![usage(377, 65, 0, 0, 0)]);
}

#[tokio::test]
async fn thinking_then_refusal() {
    let out = replay(Reply::sse_body(fixture(
        "anthropic/thinking_then_refusal.sse",
    )))
    .await;
    assert_eq!(out.error, None);
    let reasoning = out.reasoning();
    assert!(
        reasoning.starts_with("Simple educational question about what a solar eclipse is."),
        "{reasoning}"
    );
    assert!(reasoning.ends_with("roll with it politely."), "{reasoning}");
    assert_eq!(out.text(), "Hi");
    let first_text = out
        .events
        .iter()
        .position(|e| matches!(e, ChatEvent::TextDelta(_)));
    let last_reasoning = out
        .events
        .iter()
        .rposition(|e| matches!(e, ChatEvent::ReasoningDelta(_)));
    assert!(last_reasoning < first_text, "{:?}", out.events);
    assert_eq!(out.finishes(), vec![FinishReason::ContentFilter]);
    assert_eq!(out.usages(), vec![usage(28, 106, 0, 0, 67)]);
}

#[tokio::test]
async fn tool_input_cut_by_max_tokens_stays_incomplete() {
    // Data lines here carry trailing blanks after the JSON, as upstream.
    let out = replay(Reply::sse_body(fixture(
        "anthropic/incomplete_partial_json_response.sse",
    )))
    .await;
    assert_eq!(out.error, None);
    assert!(out.text().ends_with("Let me do that for you now."));
    let tools = out.tools();
    let (id, name, args) = &tools[&0];
    assert_eq!(
        (id.as_str(), name.as_str()),
        ("toolu_01EKqbqmZrGRXy18eN7m9kvY", "make_file")
    );
    assert!(args.starts_with("{\"filename\": \"taxes.txt\""), "{args}");
    assert!(serde_json::from_str::<serde_json::Value>(args).is_err());
    assert_eq!(out.finishes(), vec![FinishReason::Length]);
    assert_eq!(out.usages(), vec![usage(450, 124, 0, 0, 0)]);
}

#[tokio::test]
async fn message_delta_restating_input_tokens_wins() {
    let out = replay(Reply::sse_body(jsonl_as_typed_sse(
        "anthropic/message_delta_input_tokens.chunks.jsonl",
    )))
    .await;
    assert_eq!(out.error, None);
    assert_eq!(out.text(), "pong");
    assert_eq!(out.finishes(), vec![FinishReason::Stop]);
    assert_eq!(out.usages(), vec![usage(61, 2, 0, 0, 0)]);
}

#[tokio::test]
async fn cache_reads_and_writes_count_as_input() {
    let body = concat!(
        "event: message_start\n",
        "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_c\",\"model\":\"claude-x\",",
        "\"usage\":{\"input_tokens\":12,\"cache_creation_input_tokens\":1500,",
        "\"cache_read_input_tokens\":30000,\"output_tokens\":1}}}\n\n",
        "event: message_delta\n",
        "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},",
        "\"usage\":{\"output_tokens\":9}}\n\n",
        "event: message_stop\n",
        "data: {\"type\":\"message_stop\"}\n\n",
    );
    let out = replay(Reply::sse_body(body)).await;
    assert_eq!(out.error, None);
    assert_eq!(out.usages(), vec![usage(31_512, 9, 30_000, 1500, 0)]);
}

#[tokio::test]
async fn request_has_top_level_system_max_tokens_and_anthropic_headers() {
    let server = TestServer::start(vec![Reply::sse_body(fixture(
        "anthropic/basic_response.sse",
    ))])
    .await;
    let out = drain(
        provider(&server)
            .stream_chat(request(), CancellationToken::new())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(out.error, None);
    let sent = &server.requests()[0];
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/v1/messages")
    );
    assert_eq!(sent.header("x-api-key"), Some(KEY));
    assert_eq!(sent.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(sent.header("authorization"), None);
    assert_eq!(
        sent.json(),
        serde_json::json!({
            "model": "claude-sonnet-4-5",
            "max_tokens": 4096,
            "system": "Be brief.",
            "messages": [{"role": "user", "content": "Weather in Paris?"}],
            "stream": true,
            "temperature": 0.5,
        })
    );
}

#[tokio::test]
async fn list_models_follows_pages_and_sorts() {
    let page1 = r#"{"data":[
        {"type":"model","id":"claude-sonnet-4-5-20250929","display_name":"Claude Sonnet 4.5","created_at":"2025-09-29T00:00:00Z"},
        {"type":"model","id":"claude-opus-4-1-20250805","display_name":"Claude Opus 4.1","created_at":"2025-08-05T00:00:00Z"}],
        "has_more":true,"first_id":"claude-sonnet-4-5-20250929","last_id":"claude-opus-4-1-20250805"}"#;
    let page2 = r#"{"data":[
        {"type":"model","id":"claude-3-5-haiku-20241022","display_name":"Claude Haiku 3.5","created_at":"2024-10-22T00:00:00Z"}],
        "has_more":false,"first_id":"claude-3-5-haiku-20241022","last_id":"claude-3-5-haiku-20241022"}"#;
    let server = TestServer::start(vec![
        Reply::fixed(200, "application/json", page1),
        Reply::fixed(200, "application/json", page2),
    ])
    .await;
    let models = provider(&server).list_models().await.unwrap();
    let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "claude-3-5-haiku-20241022",
            "claude-opus-4-1-20250805",
            "claude-sonnet-4-5-20250929"
        ]
    );
    let names: Vec<Option<&str>> = models.iter().map(|m| m.display_name.as_deref()).collect();
    assert_eq!(
        names,
        [
            Some("Claude Haiku 3.5"),
            Some("Claude Opus 4.1"),
            Some("Claude Sonnet 4.5")
        ]
    );
    assert!(models.iter().all(|m| m.context_length.is_none()));
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].path, "/v1/models?limit=100");
    assert_eq!(
        sent[1].path,
        "/v1/models?limit=100&after_id=claude-opus-4-1-20250805"
    );
    assert!(sent.iter().all(|r| r.method == "GET"
        && r.header("x-api-key") == Some(KEY)
        && r.header("anthropic-version") == Some("2023-06-01")));
}
