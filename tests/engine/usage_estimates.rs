//! Usage that is estimated rather than reported (issue 13, point 9): a
//! request the provider accepted and that then failed is billed for its
//! input, and counts a server reports are clamped to sane bounds.

use std::str::FromStr;

use rust_decimal::Decimal;
use valechat_core::billing::ModelPrice;
use valechat_core::chat::{SendRequest, TurnEvent};
use valechat_core::ledger::{Outcome, Verification};

use crate::support::openai::chunk;
use crate::support::{Reply, Step, TestServer};
use crate::{Harness, drain};

fn usd(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

/// A conversation with gpt-4o on `server` at USD 10 / 30 per 1M tokens.
async fn priced(h: &Harness, server: &TestServer) -> i64 {
    let provider = h.provider(server).await;
    h.engine
        .store()
        .set_user_price(
            &provider,
            "gpt-4o",
            ModelPrice::from_per_million(usd("10"), usd("30")),
            0,
        )
        .await
        .expect("set price");
    h.engine
        .new_conversation(Some(&provider), Some("gpt-4o"))
        .await
        .expect("conversation")
        .id
}

async fn send(h: &Harness, conversation: i64) -> Vec<TurnEvent> {
    drain(
        &mut h
            .engine
            .send(SendRequest::text(conversation, "Tell me about the sea."))
            .await
            .expect("send"),
    )
    .await
}

#[tokio::test]
async fn a_request_that_fails_after_the_provider_accepted_it_is_billed_for_its_input() {
    // The stream opens and its first event comes (the reply ends with no
    // text, at the length limit), then the connection drops before the
    // usage chunk: the provider took the input, nothing says how much.
    let server = TestServer::start(vec![Reply::sse(vec![
        Step::Send(chunk(
            serde_json::json!({"role": "assistant"}),
            Some("length"),
        )),
        Step::Cut,
    ])])
    .await;
    let h = Harness::new().await;
    let conversation = priced(&h, &server).await;
    let events = send(&h, conversation).await;
    assert!(
        matches!(events.last(), Some(TurnEvent::Failed { .. })),
        "{:?}",
        events.last()
    );
    let usage = h
        .engine
        .store()
        .conversation_usage_records(conversation)
        .await
        .expect("usage");
    assert_eq!(usage.len(), 1, "the accepted input is not free");
    let record = &usage[0];
    assert_eq!(record.outcome, Outcome::Failed);
    assert_eq!(record.verification, Verification::Estimated);
    assert_eq!(record.tokens.output, 0);
    assert!(record.tokens.input > 0, "{record:?}");
    assert_eq!(
        record.cost_usd,
        usd("0.00001") * Decimal::from(record.tokens.input)
    );
}

#[tokio::test]
async fn a_request_refused_before_it_was_accepted_stays_free() {
    let server = TestServer::start(vec![Reply::fixed(
        400,
        "application/json",
        r#"{"error":{"message":"bad request","type":"invalid_request_error"}}"#,
    )])
    .await;
    let h = Harness::new().await;
    let conversation = priced(&h, &server).await;
    send(&h, conversation).await;
    let usage = h
        .engine
        .store()
        .conversation_usage_records(conversation)
        .await
        .expect("usage");
    assert!(usage.is_empty(), "{usage:?}");
}

#[tokio::test]
async fn absurd_reported_counts_are_clamped() {
    let usage = serde_json::json!({
        "id": "chatcmpl-test", "object": "chat.completion.chunk", "model": "gpt-4o",
        "choices": [],
        "usage": {"prompt_tokens": 1_000_000_000_000_000u64, "completion_tokens": 5,
                  "total_tokens": 1_000_000_000_000_005u64},
    });
    let mut body = chunk(serde_json::json!({"content": "Hi"}), None);
    body.extend(chunk(serde_json::json!({}), Some("stop")));
    body.extend(format!("data: {usage}\n\ndata: [DONE]\n\n").into_bytes());
    let server = TestServer::start(vec![Reply::sse_body(body)]).await;
    let h = Harness::new().await;
    let conversation = priced(&h, &server).await;
    send(&h, conversation).await;
    let records = h
        .engine
        .store()
        .conversation_usage_records(conversation)
        .await
        .expect("usage");
    assert_eq!(records.len(), 1);
    // MAX_REPORTED_TOKENS: ten million input tokens at USD 10 per 1M.
    assert_eq!(records[0].tokens.input, 10_000_000);
    assert_eq!(records[0].cost_usd, usd("100.00015"));
}
