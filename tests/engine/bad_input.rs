//! Bad input from servers (issue 13, points 5 and 6): extreme waits asked
//! for, replies, tool-call arguments and tool calls over their bounds, and a tool box
//! that panics. Each turn ends as failed, with what arrived kept, nothing
//! left `streaming` and no reservation held.

use std::str::FromStr;
use std::sync::Arc;

use rust_decimal::Decimal;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use valechat_core::billing::ModelPrice;
use valechat_core::chat::{
    Approval, EngineError, MAX_STORED_RESULT_BYTES, OfferedTool, SendRequest, ToolBox, ToolError,
    ToolOutput, ToolProgress, ToolSettings, TurnEvent,
};
use valechat_core::ledger::{LimitScope, NewLimit};
use valechat_core::provider::limits::{
    MAX_REPLY_BYTES, MAX_TOOL_ARGUMENT_BYTES, MAX_TOOL_CALLS_PER_REPLY,
};
use valechat_core::provider::{ProtocolKind, ProviderError};
use valechat_core::store::{Message, MessageStatus};

use crate::support::openai::{chunk, tool_call_reply};
use crate::support::{Reply, Step, TestServer};
use crate::tools::{Scripted, offered};
use crate::{Harness, drain};

const MIB: usize = 1024 * 1024;

/// The `Failed` event ending `events`: its stored message (if any) and error.
fn failure(events: &[TurnEvent]) -> (Option<Message>, &EngineError) {
    match events.last() {
        Some(TurnEvent::Failed { message, error }) => (message.clone(), error.as_ref()),
        other => panic!("the turn did not end as failed: {other:?}"),
    }
}

/// A priced model under a hard monthly limit, so every request holds a
/// reservation (USD 100,000: the running check never cuts a 32 MiB reply
/// first); returns the conversation.
async fn priced_conversation(h: &Harness, provider: &str) -> i64 {
    let usd = |s| Decimal::from_str(s).expect("decimal");
    let store = h.engine.store();
    let price = ModelPrice::from_per_million(usd("10"), usd("30"));
    store
        .set_user_price(provider, "gpt-4o", price, 0)
        .await
        .expect("price");
    store
        .create_limit(NewLimit::hard(LimitScope::GlobalMonth, None, usd("100000")))
        .await
        .expect("limit");
    h.engine
        .new_conversation(Some(provider), Some("gpt-4o"))
        .await
        .expect("conversation")
        .id
}

/// USD held by reservations now.
async fn reserved(h: &Harness) -> Decimal {
    let now = chrono::Utc::now().timestamp_millis();
    h.engine
        .store()
        .limit_status(now, &chrono::Utc)
        .await
        .expect("status")
        .iter()
        .map(|s| s.reserved)
        .sum()
}

/// Sends "Hi" in `conversation` and collects the whole turn.
async fn turn(h: &Harness, conversation: i64) -> Vec<TurnEvent> {
    let mut turn = h
        .engine
        .send(SendRequest::text(conversation, "Hi"))
        .await
        .expect("send");
    drain(&mut turn).await
}

/// Nothing of the conversation is `streaming` and nothing stays reserved.
async fn nothing_hangs(h: &Harness, conversation: i64) {
    let stored = h.messages(conversation).await;
    assert!(
        stored.iter().all(|m| m.status != MessageStatus::Streaming),
        "{stored:?}"
    );
    assert_eq!(reserved(h).await, Decimal::ZERO);
}

#[tokio::test]
async fn a_retry_after_of_1e20_fails_the_turn_with_the_capped_wait() {
    for header in ["retry-after", "retry-after-ms"] {
        let body = r#"{"error":{"message":"slow down","type":"rate_limit_error"}}"#;
        let reply = Reply::fixed(429, "application/json", body).header(header, "1e20");
        let server = TestServer::start(vec![reply]).await;
        let h = Harness::new().await;
        let provider = h.provider(&server).await;
        let conversation = priced_conversation(&h, &provider).await;
        let events = turn(&h, conversation).await;
        let (message, error) = failure(&events);
        assert!(
            matches!(error, EngineError::Provider(ProviderError::RateLimited { retry_after: Some(w), .. }) if w.as_secs() == 3600),
            "{header}: {error:?}"
        );
        let text = error.user_message();
        assert!(text.contains("3600 s or longer"), "{text}");
        assert_eq!(message.map(|m| m.status), Some(MessageStatus::Failed));
        nothing_hangs(&h, conversation).await;
    }
}

#[tokio::test]
async fn a_gemini_retry_delay_of_1e20s_fails_the_turn_with_the_capped_wait() {
    let body = serde_json::json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED",
        "message": "slow down", "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo",
        "retryDelay": "1e20s"}]}});
    let server = TestServer::start(vec![Reply::fixed(
        429,
        "application/json",
        body.to_string(),
    )])
    .await;
    let h = Harness::new().await;
    let provider = h
        .engine
        .providers()
        .add(
            ProtocolKind::Gemini,
            "Gemini",
            &server.base_url(),
            Some("k"),
        )
        .await
        .expect("provider")
        .id;
    let conversation = priced_conversation(&h, &provider).await;
    let events = turn(&h, conversation).await;
    let (_, error) = failure(&events);
    assert!(
        error.user_message().contains("3600 s or longer"),
        "{error:?}"
    );
    nothing_hangs(&h, conversation).await;
}

#[tokio::test]
async fn a_reply_over_the_bound_fails_and_keeps_what_arrived() {
    // 33 events of 1 MiB of text: the 33rd takes the reply past 32 MiB.
    let piece = "z".repeat(MIB);
    let steps = (0..33)
        .map(|_| Step::Send(chunk(serde_json::json!({"content": piece}), None)))
        .collect();
    let server = TestServer::start(vec![Reply::sse(steps)]).await;
    let h = Harness::new().await;
    let provider = h.provider(&server).await;
    let conversation = priced_conversation(&h, &provider).await;
    let events = turn(&h, conversation).await;
    let (message, error) = failure(&events);
    assert_eq!(
        error.to_string(),
        "the server sent a reply of 33 MiB or more; the limit is 32 MiB"
    );
    assert_eq!(
        error.user_error().sentence,
        "The server sent more than ValeChat accepts."
    );
    let message = message.expect("the reply");
    assert_eq!(message.status, MessageStatus::Incomplete);
    assert_eq!(message.content.len(), MAX_REPLY_BYTES);
    nothing_hangs(&h, conversation).await;
}

#[tokio::test]
async fn tool_call_arguments_over_the_bound_fail_the_turn() {
    let args = serde_json::json!({"message": "a".repeat(MAX_TOOL_ARGUMENT_BYTES)}).to_string();
    let server = TestServer::start(vec![tool_call_reply(&[(
        "call_1",
        "everything__echo",
        &args,
    )])])
    .await;
    let h = Harness::new().await;
    let provider = h.provider(&server).await;
    let conversation = priced_conversation(&h, &provider).await;
    let events = turn(&h, conversation).await;
    let (message, error) = failure(&events);
    let words = error.to_string();
    assert!(
        words.starts_with("the server sent tool-call arguments of 8.")
            && words.ends_with("MiB or more; the limit is 8 MiB"),
        "{words}"
    );
    assert_eq!(message.map(|m| m.status), Some(MessageStatus::Failed));
    let calls = h
        .engine
        .store()
        .list_tool_calls(conversation)
        .await
        .expect("calls");
    assert!(calls.is_empty(), "{calls:?}");
    nothing_hangs(&h, conversation).await;
}

#[tokio::test]
async fn more_tool_calls_than_the_bound_fail_the_turn() {
    let ids: Vec<String> = (0..=MAX_TOOL_CALLS_PER_REPLY)
        .map(|i| format!("call_{i}"))
        .collect();
    let calls: Vec<(&str, &str, &str)> = ids
        .iter()
        .map(|id| (id.as_str(), "everything__echo", r#"{"message":"hi"}"#))
        .collect();
    let server = TestServer::start(vec![tool_call_reply(&calls)]).await;
    let h = Harness::new().await;
    let provider = h.provider(&server).await;
    let conversation = priced_conversation(&h, &provider).await;
    let events = turn(&h, conversation).await;
    let (message, error) = failure(&events);
    assert_eq!(
        error.to_string(),
        "the server sent more than 128 tool calls in one reply; the limit is 128"
    );
    assert_eq!(message.map(|m| m.status), Some(MessageStatus::Failed));
    let stored = h
        .engine
        .store()
        .list_tool_calls(conversation)
        .await
        .expect("calls");
    assert!(stored.is_empty(), "none of them runs: {stored:?}");
    nothing_hangs(&h, conversation).await;
}

/// A tool box that panics: listing its tools, or running one.
struct PanickingTools {
    in_listing: bool,
}

#[async_trait::async_trait]
impl ToolBox for PanickingTools {
    async fn tools(&self) -> Vec<OfferedTool> {
        assert!(!self.in_listing, "the tool box hit a bug while listing");
        vec![offered("echo", "h1")]
    }

    async fn call(
        &self,
        _tool: &OfferedTool,
        _arguments: serde_json::Value,
        _progress: mpsc::UnboundedSender<ToolProgress>,
        _cancel: CancellationToken,
    ) -> Result<ToolOutput, ToolError> {
        panic!("the tool box hit a bug while calling");
    }
}

#[tokio::test]
async fn a_panic_outside_the_stream_still_ends_the_turn_and_releases_the_hold() {
    for in_listing in [true, false] {
        let server = TestServer::start(vec![tool_call_reply(&[(
            "call_1",
            "everything__echo",
            r#"{"message":"hi"}"#,
        )])])
        .await;
        let h = Harness::new().await;
        let tools = Arc::new(PanickingTools { in_listing });
        let approver = Scripted::new(&[Approval::AllowOnce]);
        let engine = h
            .engine
            .clone()
            .with_tools(ToolSettings::new(tools, approver));
        let h = Harness { engine, ..h };
        let provider = h.provider(&server).await;
        let conversation = priced_conversation(&h, &provider).await;
        let events = turn(&h, conversation).await;
        let (_, error) = failure(&events);
        let expected = if in_listing {
            "while listing"
        } else {
            "while calling"
        };
        assert!(
            matches!(error, EngineError::Internal(w) if w.contains(expected)),
            "{error:?}"
        );
        nothing_hangs(&h, conversation).await;
        let calls = h
            .engine
            .store()
            .list_tool_calls(conversation)
            .await
            .expect("calls");
        assert!(calls.iter().all(|c| c.status.is_final()), "{calls:?}");
    }
}

/// A tool box whose `echo` answers with a 12 MiB image.
struct HugeResult;

#[async_trait::async_trait]
impl ToolBox for HugeResult {
    async fn tools(&self) -> Vec<OfferedTool> {
        vec![offered("echo", "h1")]
    }

    async fn call(
        &self,
        _tool: &OfferedTool,
        _arguments: serde_json::Value,
        _progress: mpsc::UnboundedSender<ToolProgress>,
        _cancel: CancellationToken,
    ) -> Result<ToolOutput, ToolError> {
        let image = "A".repeat(12 * MIB);
        Ok(ToolOutput {
            text: "[an image]".into(),
            full: serde_json::json!({"content": [{"type": "image", "data": image, "mimeType": "image/png"}]}),
            is_error: false,
        })
    }
}

#[tokio::test]
async fn a_tool_result_over_the_bound_is_stored_as_its_text_and_its_size() {
    let server = TestServer::start(vec![
        tool_call_reply(&[("call_1", "everything__echo", r#"{"message":"hi"}"#)]),
        Reply::sse_body(crate::sse_text(&["Seen."])),
    ])
    .await;
    let h = Harness::new().await;
    let approver = Scripted::new(&[Approval::AllowOnce]);
    let settings = ToolSettings::new(Arc::new(HugeResult), approver);
    let h = Harness {
        engine: h.engine.clone().with_tools(settings),
        ..h
    };
    let conversation = h.conversation(&server).await;
    let events = turn(&h, conversation).await;
    assert!(
        matches!(events.last(), Some(TurnEvent::Finished(_))),
        "{:?}",
        events.last()
    );
    let calls = h
        .engine
        .store()
        .list_tool_calls(conversation)
        .await
        .expect("calls");
    let stored = calls[0].result.as_deref().expect("a stored result");
    assert!(stored.len() < MIB, "{} bytes stored", stored.len());
    assert!(
        stored.contains("the tool sent a result of 12.0 MiB; the limit is 8 MiB"),
        "{stored}"
    );
    assert!(stored.len() <= MAX_STORED_RESULT_BYTES);
}
