//! Hard limits that cannot be bypassed (issue 13, point 8): the output cap
//! the reservation assumes is sent to every protocol, and every output
//! token counts against the limit while a reply streams (unpriced and
//! proxied models are in `unpriced`).
//!
//! The test server runs on 127.0.0.1; the tests give the model a price of
//! the user's (USD 10 / 30 per 1M input / output tokens) unless they test
//! the unpriced case.

use std::str::FromStr;

use rust_decimal::Decimal;
use valechat_core::billing::ModelPrice;
use valechat_core::chat::{EngineError, SendRequest, TurnEvent};
use valechat_core::ledger::{LimitScope, NewLimit, Outcome, UsageRecord, Verification};
use valechat_core::provider::ProtocolKind;
use valechat_core::store::ConversationSettings;

use crate::support::openai::{chunk, text_reply, tool_call_reply};
use crate::support::{Reply, TestServer, fixture};
use crate::{Harness, drain};

fn usd(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

/// A conversation with `model` on a new provider of `kind` at `base_url`,
/// priced by the user at the test price.
async fn priced_conversation(h: &Harness, kind: ProtocolKind, base_url: &str, model: &str) -> i64 {
    let provider = h
        .engine
        .providers()
        .add(kind, "Test", base_url, Some("test-key"))
        .await
        .expect("add provider")
        .id;
    h.engine
        .store()
        .set_user_price(
            &provider,
            model,
            ModelPrice::from_per_million(usd("10"), usd("30")),
            0,
        )
        .await
        .expect("set price");
    h.engine
        .new_conversation(Some(&provider), Some(model))
        .await
        .expect("conversation")
        .id
}

/// Sends "Hi" and returns the body of the one request the server received.
async fn sent_body(h: &Harness, server: &TestServer, conversation: i64) -> serde_json::Value {
    drain(
        &mut h
            .engine
            .send(SendRequest::text(conversation, "Hi"))
            .await
            .expect("send"),
    )
    .await;
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "one request");
    requests[0].json()
}

#[tokio::test]
async fn the_reserved_output_cap_is_sent_to_an_openai_compatible_server() {
    let server = TestServer::start(vec![text_reply("Hello")]).await;
    let h = Harness::new().await;
    let conversation = priced_conversation(
        &h,
        ProtocolKind::OpenAiCompatible,
        &server.base_url(),
        "gpt-4o",
    )
    .await;
    let body = sent_body(&h, &server, conversation).await;
    // The user's price names no largest reply: the reservation assumed
    // DEFAULT_MAX_OUTPUT_TOKENS, and the server is told so.
    assert_eq!(body["max_tokens"], 8_192, "{body}");
}

#[tokio::test]
async fn the_reserved_output_cap_is_sent_to_gemini() {
    let text = String::from_utf8(fixture("gemini/text.chunks.jsonl")).expect("UTF-8");
    let sse: String = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("data: {l}\r\n\r\n"))
        .collect();
    let server = TestServer::start(vec![Reply::sse_body(sse)]).await;
    let h = Harness::new().await;
    let conversation = priced_conversation(
        &h,
        ProtocolKind::Gemini,
        &server.base_url(),
        "gemini-2.5-flash",
    )
    .await;
    let body = sent_body(&h, &server, conversation).await;
    assert_eq!(body["generationConfig"]["maxOutputTokens"], 8_192, "{body}");
}

#[tokio::test]
async fn the_reserved_output_cap_is_sent_to_ollama() {
    let server = TestServer::start(vec![Reply::fixed(
        200,
        "application/x-ndjson",
        fixture("ollama/chat_stream_docs.ndjson"),
    )])
    .await;
    let h = Harness::new().await;
    let root = format!("http://{}", server.addr);
    let conversation = priced_conversation(&h, ProtocolKind::Ollama, &root, "llama3.2").await;
    let body = sent_body(&h, &server, conversation).await;
    assert_eq!(body["options"]["num_predict"], 8_192, "{body}");
}

#[tokio::test]
async fn a_free_local_model_gets_no_cap_it_did_not_ask_for() {
    let server = TestServer::start(vec![text_reply("Hello")]).await;
    let h = Harness::new().await;
    let provider = h.provider(&server).await;
    let conversation = h
        .engine
        .new_conversation(Some(&provider), Some("llama3.2"))
        .await
        .expect("conversation")
        .id;
    let body = sent_body(&h, &server, conversation).await;
    assert_eq!(body.get("max_tokens"), None, "{body}");
}

/// A conversation on the test server at the test price whose output is
/// capped at 10 tokens (worst case about USD 0.0005, so a request is
/// allowed) under a hard limit of USD 0.002: the server then ignores the
/// cap and goes on.
async fn capped_under_a_hard_limit(h: &Harness, server: &TestServer) -> i64 {
    let conversation = priced_conversation(
        h,
        ProtocolKind::OpenAiCompatible,
        &server.base_url(),
        "gpt-4o",
    )
    .await;
    h.engine
        .store()
        .set_conversation_settings(
            conversation,
            ConversationSettings {
                max_output_tokens: Some(10),
                ..ConversationSettings::default()
            },
        )
        .await
        .expect("settings");
    h.engine
        .store()
        .create_limit(NewLimit::hard(
            LimitScope::Conversation,
            Some(&conversation.to_string()),
            usd("0.002"),
        ))
        .await
        .expect("limit");
    conversation
}

/// Sends "Hi" and expects the turn to be cut off at the limit; returns the
/// one usage record.
async fn cut_off(h: &Harness, conversation: i64) -> UsageRecord {
    let events = drain(
        &mut h
            .engine
            .send(SendRequest::text(conversation, "Hi"))
            .await
            .expect("send"),
    )
    .await;
    let Some(TurnEvent::Failed { error, .. }) = events.last() else {
        panic!("the turn should be cut off: {:?}", events.last());
    };
    assert!(matches!(**error, EngineError::LimitCutOff(_)), "{error:?}");
    let usage = h
        .engine
        .store()
        .conversation_usage_records(conversation)
        .await
        .expect("usage");
    assert_eq!(usage.len(), 1);
    assert_eq!(usage[0].outcome, Outcome::CutOff);
    usage[0].clone()
}

/// An SSE body of `chunks` (each a `delta`), then `finish_reason` and `[DONE]`.
fn stream_of(deltas: Vec<serde_json::Value>, finish: &str) -> Reply {
    let mut body = Vec::new();
    for delta in deltas {
        body.extend(chunk(delta, None));
    }
    body.extend(chunk(serde_json::json!({}), Some(finish)));
    body.extend(b"data: [DONE]\n\n");
    Reply::sse_body(body)
}

#[tokio::test]
async fn tool_call_arguments_count_against_a_hard_limit() {
    // One call whose arguments come in 20 pieces of 200 characters.
    let mut deltas = vec![
        serde_json::json!({"tool_calls": [{"index": 0, "id": "call_1",
        "type": "function", "function": {"name": "write", "arguments": ""}}]}),
    ];
    let piece = "x".repeat(200);
    for _ in 0..20 {
        deltas.push(serde_json::json!({"tool_calls": [{"index": 0,
            "function": {"arguments": piece}}]}));
    }
    let server = TestServer::start(vec![stream_of(deltas, "tool_calls")]).await;
    let h = Harness::new().await;
    let conversation = capped_under_a_hard_limit(&h, &server).await;
    let record = cut_off(&h, conversation).await;
    assert!(record.cost_usd > Decimal::ZERO);
}

#[tokio::test]
async fn a_refusal_counts_against_a_hard_limit() {
    let piece = "I cannot help with that. ".repeat(8);
    let deltas = (0..20)
        .map(|_| serde_json::json!({"refusal": piece}))
        .collect();
    let server = TestServer::start(vec![stream_of(deltas, "stop")]).await;
    let h = Harness::new().await;
    let conversation = capped_under_a_hard_limit(&h, &server).await;
    cut_off(&h, conversation).await;
}

#[tokio::test]
async fn hidden_reasoning_reported_mid_stream_counts_against_a_hard_limit() {
    // A server reporting usage as it goes (vLLM's continuous usage): 5,000
    // output tokens, 4,990 of them hidden reasoning, before any long text.
    let usage = serde_json::json!({
        "id": "chatcmpl-test", "object": "chat.completion.chunk", "model": "gpt-4o",
        "choices": [],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5000, "total_tokens": 5010,
                  "completion_tokens_details": {"reasoning_tokens": 4990}},
    });
    let mut body = chunk(serde_json::json!({"content": "Done."}), None);
    body.extend(format!("data: {usage}\n\n").into_bytes());
    body.extend(chunk(serde_json::json!({"content": " More."}), None));
    body.extend(chunk(serde_json::json!({}), Some("stop")));
    body.extend(b"data: [DONE]\n\n");
    let server = TestServer::start(vec![Reply::sse_body(body)]).await;
    let h = Harness::new().await;
    let conversation = capped_under_a_hard_limit(&h, &server).await;
    let record = cut_off(&h, conversation).await;
    assert_eq!(record.tokens.reasoning, 4990);
}

#[tokio::test]
async fn a_reply_made_only_of_tool_calls_with_no_reported_usage_is_billed() {
    let args = format!("{{\"text\":\"{}\"}}", "y".repeat(400));
    let server = TestServer::start(vec![tool_call_reply(&[("call_1", "write", &args)])]).await;
    let h = Harness::new().await;
    let conversation = priced_conversation(
        &h,
        ProtocolKind::OpenAiCompatible,
        &server.base_url(),
        "gpt-4o",
    )
    .await;
    sent_body(&h, &server, conversation).await;
    let usage = h
        .engine
        .store()
        .conversation_usage_records(conversation)
        .await
        .expect("usage");
    assert_eq!(usage.len(), 1);
    let record = &usage[0];
    assert_eq!(record.verification, Verification::Estimated);
    // About 410 characters of arguments: some 100 output tokens.
    assert!(record.tokens.output >= 100, "{record:?}");
    let output_cost = usd("0.00003") * Decimal::from(record.tokens.output);
    assert!(record.cost_usd >= output_cost, "{record:?}");
}
