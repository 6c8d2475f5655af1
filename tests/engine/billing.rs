//! Billing in a turn (issue 5): every provider request is recorded once
//! with its tokens and cost, hard limits refuse before anything is stored
//! or stop a reply in flight, thresholds raise one alert each.
//!
//! The test server runs on 127.0.0.1, which the price book treats as a
//! free local server unless the user set a price: the tests set one
//! (USD 10 / 30 per 1M input / output tokens, so 1,000 input and 500
//! output tokens cost exactly USD 0.025).

use std::str::FromStr;

use rust_decimal::Decimal;
use valechat_core::billing::ModelPrice;
use valechat_core::chat::{EngineError, SendOptions, SendRequest, TurnEvent};
use valechat_core::ledger::{CostSource, LimitScope, NewLimit, Outcome, Verification};
use valechat_core::store::{ConversationSettings, MessageStatus};

use crate::support::openai::{text_reply, text_reply_with_usage};
use crate::support::{Reply, TestServer};
use crate::{Harness, drain};

fn usd(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

/// A conversation on `server` whose model has the test price.
async fn priced(h: &Harness, server: &TestServer) -> (String, i64) {
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
    let conversation = h
        .engine
        .new_conversation(Some(&provider), Some("gpt-4o"))
        .await
        .expect("conversation")
        .id;
    (provider, conversation)
}

/// The conversation's usage records, oldest first.
async fn usage_of(h: &Harness, conversation: i64) -> Vec<valechat_core::ledger::UsageRecord> {
    h.engine
        .store()
        .conversation_usage_records(conversation)
        .await
        .expect("usage")
}

async fn limit(h: &Harness, new: NewLimit) {
    h.engine
        .store()
        .create_limit(new)
        .await
        .expect("create limit");
}

#[tokio::test]
async fn each_request_is_recorded_once_with_its_exact_cost() {
    let server =
        TestServer::start(vec![text_reply_with_usage(&["Hello", " there"], 1000, 500)]).await;
    let h = Harness::new().await;
    let (provider, conversation) = priced(&h, &server).await;

    let events = drain(
        &mut h
            .engine
            .send(SendRequest::text(conversation, "Hi"))
            .await
            .expect("send"),
    )
    .await;

    let recorded: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            TurnEvent::UsageRecorded(r) => Some(r.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(recorded.len(), 1);
    let record = &recorded[0];
    assert_eq!(record.cost_usd, usd("0.025"));
    assert_eq!(record.cost_source, CostSource::Estimated);
    assert_eq!(record.outcome, Outcome::Completed);
    assert_eq!(record.provider_id, provider);
    assert_eq!((record.tokens.input, record.tokens.output), (1000, 500));
    // gpt-4o has a known tokenizer: our count of "Hi" is far from 1000.
    assert_eq!(record.verification, Verification::Differs);
    assert!(record.counted_input_tokens.is_some_and(|n| n > 0 && n < 50));
    // The record is the message's and the conversation's.
    let reply = h.messages(conversation).await.pop().expect("reply");
    assert_eq!(record.message_id, Some(reply.id));
    let stored = usage_of(&h, conversation).await;
    assert_eq!(stored, recorded);
    // Nothing stays reserved.
    let totals = h
        .engine
        .store()
        .conversation_usage(conversation)
        .await
        .expect("totals");
    assert_eq!(totals.cost_usd, usd("0.025"));
}

#[tokio::test]
async fn a_hard_limit_refuses_before_anything_is_stored_or_sent() {
    let server = TestServer::start(vec![text_reply_with_usage(&["Sent anyway"], 1000, 500)]).await;
    let h = Harness::new().await;
    let (_, conversation) = priced(&h, &server).await;
    // The worst case is about 8,192 output tokens × USD 0.00003 ≈ 0.25.
    limit(&h, NewLimit::hard(LimitScope::GlobalDay, None, usd("0.10"))).await;

    let refused = h.engine.send(SendRequest::text(conversation, "Hi")).await;

    let Err(EngineError::LimitReached(refusal)) = refused else {
        panic!("expected a refusal, got {:?}", refused.map(|_| ()));
    };
    assert_eq!(refusal.limit.limit.amount_usd, usd("0.10"));
    assert!(refusal.worst_case > usd("0.24"), "{}", refusal.worst_case);
    let text = EngineError::LimitReached(refusal).user_message();
    assert!(text.contains("the daily spending limit"), "{text}");
    assert!(text.contains("$0.10"), "{text}");
    assert!(
        h.messages(conversation).await.is_empty(),
        "nothing may be stored"
    );
    assert!(server.requests().is_empty(), "nothing may be sent");

    // "Send once anyway" goes through and is billed.
    let options = SendOptions {
        allow_over_limit: true,
    };
    let mut turn = h
        .engine
        .send(SendRequest::text(conversation, "Hi").with_options(options))
        .await
        .expect("sent anyway");
    drain(&mut turn).await;
    let usage = usage_of(&h, conversation).await;
    assert_eq!(usage.len(), 1);
    assert_eq!(usage[0].cost_usd, usd("0.025"));
}

#[tokio::test]
async fn a_reply_that_reaches_a_hard_limit_is_cut_off_and_kept() {
    // 20 chunks of 200 characters: about 1,000 output tokens if it all came.
    let piece = "x".repeat(200);
    let pieces: Vec<&str> = (0..20).map(|_| piece.as_str()).collect();
    let server = TestServer::start(vec![text_reply_with_usage(&pieces, 10, 1000)]).await;
    let h = Harness::new().await;
    let (_, conversation) = priced(&h, &server).await;
    // With at most 10 output tokens the worst case is about USD 0.0005,
    // so the request is allowed; the server ignores the cap and goes on.
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
    limit(
        &h,
        NewLimit::hard(
            LimitScope::Conversation,
            Some(&conversation.to_string()),
            usd("0.002"),
        ),
    )
    .await;

    let events = drain(
        &mut h
            .engine
            .send(SendRequest::text(conversation, "Hi"))
            .await
            .expect("send"),
    )
    .await;

    let Some(TurnEvent::Failed { message, error }) = events.last() else {
        panic!("the turn should fail with the cut-off: {:?}", events.last());
    };
    assert!(matches!(**error, EngineError::LimitCutOff(_)), "{error:?}");
    assert!(
        error
            .user_message()
            .contains("this conversation's spending limit")
    );
    let message = message.clone().expect("the partial reply");
    assert_eq!(message.status, MessageStatus::Incomplete);
    assert!(!message.content.is_empty());
    assert!(message.content.len() < 4000, "the reply was not stopped");
    let usage = usage_of(&h, conversation).await;
    assert_eq!(usage.len(), 1);
    assert_eq!(usage[0].outcome, Outcome::CutOff);
    assert_eq!(usage[0].verification, Verification::Estimated);
    assert!(usage[0].cost_usd > Decimal::ZERO);
}

#[tokio::test]
async fn thresholds_raise_one_alert_per_request_and_never_again() {
    let server = TestServer::start(vec![
        text_reply_with_usage(&["one"], 1000, 500),
        text_reply_with_usage(&["two"], 1000, 500),
        text_reply_with_usage(&["three"], 1000, 500),
    ])
    .await;
    let h = Harness::new().await;
    let (_, conversation) = priced(&h, &server).await;
    let soft = NewLimit {
        hard: false,
        ..NewLimit::hard(LimitScope::GlobalMonth, None, usd("0.05"))
    };
    limit(&h, soft).await;

    let mut alerts = Vec::new();
    for text in ["a", "b", "c"] {
        let events = drain(
            &mut h
                .engine
                .send(SendRequest::text(conversation, text))
                .await
                .expect("send"),
        )
        .await;
        let mut thresholds: Vec<u8> = events
            .iter()
            .filter_map(|e| match e {
                TurnEvent::LimitAlerts(a) => {
                    Some(a.iter().map(|a| a.threshold).collect::<Vec<_>>())
                }
                _ => None,
            })
            .flatten()
            .collect();
        thresholds.sort_unstable();
        alerts.push(thresholds);
    }

    // 0.025 (50 %), 0.05 (80 % and 100 % at once: one alert, for 100 %),
    // 0.075 (nothing new).
    assert_eq!(alerts, [vec![50], vec![100], vec![]]);
}

#[tokio::test]
async fn a_server_without_usage_is_billed_from_our_own_count() {
    let server = TestServer::start(vec![text_reply("Twelve chars")]).await;
    let h = Harness::new().await;
    let (_, conversation) = priced(&h, &server).await;

    drain(
        &mut h
            .engine
            .send(SendRequest::text(conversation, "Hi"))
            .await
            .expect("send"),
    )
    .await;

    let usage = usage_of(&h, conversation).await;
    assert_eq!(usage.len(), 1);
    let r = &usage[0];
    assert_eq!(r.verification, Verification::Estimated);
    assert_eq!(
        r.tokens.output, 3,
        "12 characters are estimated as 3 tokens"
    );
    assert_eq!(Some(r.tokens.input), r.counted_input_tokens);
    let expected = Decimal::from(r.tokens.input) * usd("0.00001") + usd("0.00009");
    assert_eq!(r.cost_usd, expected);
}

#[tokio::test]
async fn a_local_model_is_free_and_never_limited() {
    let server = TestServer::start(vec![text_reply_with_usage(&["Free"], 1000, 500)]).await;
    let h = Harness::new().await;
    // An open-weight model: a local server serving a cloud model's name
    // (gpt-4o) is priced as that model (`hard_limits`).
    let provider = h.provider(&server).await;
    let conversation = h
        .engine
        .new_conversation(Some(&provider), Some("llama3.2"))
        .await
        .expect("conversation")
        .id;
    limit(&h, NewLimit::hard(LimitScope::GlobalDay, None, usd("0.01"))).await;

    drain(
        &mut h
            .engine
            .send(SendRequest::text(conversation, "Hi"))
            .await
            .expect("send"),
    )
    .await;

    let usage = usage_of(&h, conversation).await;
    assert_eq!(usage[0].cost_source, CostSource::Free);
    assert_eq!(usage[0].cost_usd, Decimal::ZERO);
}

#[tokio::test]
async fn a_failed_request_before_any_output_bills_nothing() {
    let server = TestServer::start(vec![Reply::fixed(
        400,
        "application/json",
        r#"{"error":{"message":"bad request","type":"invalid_request_error"}}"#,
    )])
    .await;
    let h = Harness::new().await;
    let (_, conversation) = priced(&h, &server).await;

    drain(
        &mut h
            .engine
            .send(SendRequest::text(conversation, "Hi"))
            .await
            .expect("send"),
    )
    .await;

    let usage = usage_of(&h, conversation).await;
    assert!(usage.is_empty(), "{usage:?}");
}

#[tokio::test]
async fn a_rate_limited_request_waits_in_the_queue_and_stop_ends_the_wait() {
    let server = TestServer::start(vec![text_reply_with_usage(&["first"], 10, 5)]).await;
    let h = Harness::new().await;
    let (provider, conversation) = priced(&h, &server).await;
    let limit = valechat_core::chat::RateLimit {
        requests_per_minute: Some(1),
        tokens_per_minute: None,
    };
    h.engine
        .store()
        .set_rate_limit(&provider, limit)
        .await
        .expect("rate limit");
    assert_eq!(
        h.engine.store().rate_limit(&provider).await.expect("read"),
        limit
    );
    drain(
        &mut h
            .engine
            .send(SendRequest::text(conversation, "one"))
            .await
            .expect("send"),
    )
    .await;

    let mut turn = h
        .engine
        .send(SendRequest::text(conversation, "two"))
        .await
        .expect("send");
    let mut queued = None;
    let mut events = Vec::new();
    while let Some(e) = crate::next_event(&mut turn).await {
        if let TurnEvent::Queued { wait_ms } = e {
            queued = Some(wait_ms);
            turn.cancel();
        }
        events.push(e);
    }

    let wait = queued.expect("the second request was queued");
    assert!(wait > 50_000 && wait <= 60_000, "{wait}");
    assert_eq!(
        server.requests().len(),
        1,
        "the queued request was never sent"
    );
    assert!(matches!(
        events.last(),
        Some(TurnEvent::Failed { message: None, .. })
    ));
    // Its reservation went back: only the first request is billed.
    let usage = usage_of(&h, conversation).await;
    assert_eq!(usage.len(), 1);
}
