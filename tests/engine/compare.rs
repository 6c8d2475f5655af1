//! Side by side (issue 14, part 2): `Engine::compare` sends one prompt to
//! several models, each on its own local server; the replies are siblings
//! under the one user message, every column is reserved before anything is
//! sent, and one failing column leaves the others running.

use std::str::FromStr;
use std::time::Duration;

use rust_decimal::Decimal;
use valechat_core::billing::ModelPrice;
use valechat_core::chat::{
    ColumnSummary, CompareEvent, CompareRequest, Comparison, ConversationTarget, EngineError,
    SendOptions, SendRequest, TurnEvent, UserInput,
};
use valechat_core::ledger::{LimitScope, NewLimit};
use valechat_core::provider::Role;
use valechat_core::store::{ConversationSettings, MessageStatus};

use crate::support::openai::{chunk, text_reply_with_usage};
use crate::support::{Reply, Step, TestServer};
use crate::{Harness, TURN_DEADLINE, drain, finished};

fn usd(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

/// A reply sending `first`, pausing `pause`, then `rest`, with usage.
fn paused_reply(first: &str, pause: Duration, rest: &str, input: u64, output: u64) -> Reply {
    let usage = serde_json::json!({
        "id": "chatcmpl-test", "object": "chat.completion.chunk", "model": "m",
        "choices": [],
        "usage": {"prompt_tokens": input, "completion_tokens": output,
                  "total_tokens": input + output},
    });
    let mut end = chunk(serde_json::json!({"content": rest}), None);
    end.extend(chunk(serde_json::json!({}), Some("stop")));
    end.extend(format!("data: {usage}\n\ndata: [DONE]\n\n").into_bytes());
    Reply::sse(vec![
        Step::Send(chunk(serde_json::json!({"content": first}), None)),
        Step::Delay(pause),
        Step::Send(end),
    ])
}

/// A provider for `server` with `model` priced at USD 10 / 30 per 1M tokens.
async fn priced_provider(h: &Harness, server: &TestServer, model: &str) -> String {
    let provider = h.provider(server).await;
    h.engine
        .store()
        .set_user_price(
            &provider,
            model,
            ModelPrice::from_per_million(usd("10"), usd("30")),
            0,
        )
        .await
        .expect("price");
    provider
}

/// Every event of `comparison` until all its columns are done.
async fn drain_all(comparison: &mut Comparison) -> Vec<CompareEvent> {
    let mut events = Vec::new();
    while let Some(event) = tokio::time::timeout(TURN_DEADLINE, comparison.next())
        .await
        .expect("in time")
    {
        events.push(event);
    }
    events
}

/// The summaries of the `Done` events, by column.
fn summaries(events: &[CompareEvent], columns: usize) -> Vec<ColumnSummary> {
    let mut out: Vec<Option<ColumnSummary>> = vec![None; columns];
    for event in events {
        if let CompareEvent::Done { column, summary } = event {
            assert!(out[*column].is_none(), "column {column} ended twice");
            out[*column] = Some((**summary).clone());
        }
    }
    out.into_iter()
        .map(|s| s.expect("every column ends"))
        .collect()
}

/// Column `column`'s text.
fn text_of(events: &[CompareEvent], wanted: usize) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            CompareEvent::Turn {
                column,
                event: TurnEvent::TextDelta(t),
            } if *column == wanted => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

fn request(conversation: i64, models: &[(&str, &str)]) -> CompareRequest {
    CompareRequest {
        conversation: ConversationTarget::Existing(conversation),
        input: UserInput::text("Which is larger, 9.11 or 9.9?"),
        models: models
            .iter()
            .map(|(p, m)| ((*p).to_owned(), (*m).to_owned()))
            .collect(),
        options: SendOptions::default(),
    }
}

#[tokio::test]
async fn replies_stream_in_parallel_and_are_stored_as_siblings() {
    let pause = Duration::from_millis(400);
    let a = TestServer::start(vec![paused_reply("Nine point ", pause, "nine.", 20, 4)]).await;
    let b = TestServer::start(vec![paused_reply("9.9 ", pause, "is larger.", 20, 3)]).await;
    let h = Harness::new().await;
    let pa = priced_provider(&h, &a, "gpt-4o").await;
    let pb = priced_provider(&h, &b, "org/model-b").await;
    let c = h
        .engine
        .new_conversation(Some(&pa), Some("gpt-4o"))
        .await
        .expect("conversation")
        .id;

    let mut comparison = h
        .engine
        .compare(request(c, &[(&pa, "gpt-4o"), (&pb, "org/model-b")]))
        .await
        .expect("compare");
    let user = comparison.user.clone();
    let events = drain_all(&mut comparison).await;

    // In parallel: both columns had their first text before either ended.
    let position =
        |wanted: &dyn Fn(&CompareEvent) -> bool| events.iter().position(wanted).expect("event");
    let first_text = |col: usize| {
        position(
            &move |e: &CompareEvent| matches!(e, CompareEvent::Turn { column, event: TurnEvent::TextDelta(_) } if *column == col),
        )
    };
    let done = |col: usize| {
        position(
            &move |e: &CompareEvent| matches!(e, CompareEvent::Done { column, .. } if *column == col),
        )
    };
    assert!(
        first_text(0) < done(1) && first_text(1) < done(0),
        "{events:?}"
    );
    assert_eq!(text_of(&events, 0), "Nine point nine.");
    assert_eq!(text_of(&events, 1), "9.9 is larger.");

    // Figures: tokens from the usage, cost at USD 10 / 30 per 1M.
    let s = summaries(&events, 2);
    assert_eq!((s[0].input_tokens, s[0].output_tokens), (Some(20), Some(4)));
    assert_eq!((s[1].input_tokens, s[1].output_tokens), (Some(20), Some(3)));
    assert_eq!(s[0].cost_usd, Some(usd("0.00032")));
    assert_eq!(s[1].cost_usd, Some(usd("0.00029")));
    assert_eq!(s[1].model, "org/model-b");
    for summary in &s {
        assert!(summary.error.is_none(), "{:?}", summary.error);
        assert_eq!(summary.finish_reason.as_deref(), Some("stop"));
        let first = summary.first_token_ms.expect("first token");
        assert!(summary.total_ms >= first + 300, "{summary:?}");
        assert!(summary.tokens_per_second().is_some());
    }

    // Stored: the prompt once, the replies as its children, each billed.
    let store = h.engine.store();
    let messages = h.messages(c).await;
    assert_eq!(messages.iter().filter(|m| m.role == Role::User).count(), 1);
    let replies: Vec<_> = messages
        .iter()
        .filter(|m| m.role == Role::Assistant)
        .collect();
    assert_eq!(replies.len(), 2);
    assert!(replies.iter().all(|r| r.parent_id == Some(user.id)));
    assert!(replies.iter().all(|r| r.status == MessageStatus::Complete));
    let (r0, r1) = (
        s[0].reply.as_ref().expect("reply").id,
        s[1].reply.as_ref().expect("reply").id,
    );
    // In column order, so that the switcher shows column 2 as `2/2`.
    assert_eq!(store.siblings(r0).await.expect("siblings").ids, [r0, r1]);
    assert_eq!(
        store
            .conversation_usage_records(c)
            .await
            .expect("usage")
            .len(),
        2
    );
    // Each server heard the prompt once, with its own model.
    assert_eq!(a.requests()[0].json()["model"], "gpt-4o");
    assert_eq!(b.requests()[0].json()["model"], "org/model-b");

    // "Continue with this one": each column's reply in turn becomes the
    // active branch; the other stays its sibling.
    for reply in [r0, r1] {
        assert_eq!(
            h.engine.continue_with(reply).await.expect("continue"),
            reply
        );
        let path = store.active_path(c).await.expect("path");
        assert_eq!(
            path.iter().map(|m| m.id).collect::<Vec<_>>(),
            [user.id, reply]
        );
    }
}

#[tokio::test]
async fn a_limit_that_allows_one_column_but_not_three_sends_nothing() {
    let servers = [
        TestServer::start(vec![text_reply_with_usage(&["A"], 10, 1)]).await,
        TestServer::start(vec![text_reply_with_usage(&["B"], 10, 1)]).await,
        TestServer::start(vec![text_reply_with_usage(&["C"], 10, 1)]).await,
    ];
    let h = Harness::new().await;
    let mut providers = Vec::new();
    for server in &servers {
        providers.push(priced_provider(&h, server, "gpt-4o").await);
    }
    let store = h.engine.store();
    let c = h
        .engine
        .new_conversation(Some(&providers[0]), Some("gpt-4o"))
        .await
        .expect("conversation")
        .id;
    // Worst case of one column: about 1,000 output tokens × USD 30 / 1M
    // = USD 0.03; the day allows USD 0.05.
    store
        .set_conversation_settings(
            c,
            ConversationSettings {
                max_output_tokens: Some(1000),
                ..ConversationSettings::default()
            },
        )
        .await
        .expect("settings");
    store
        .create_limit(NewLimit::hard(LimitScope::GlobalDay, None, usd("0.05")))
        .await
        .expect("limit");

    let models: Vec<(&str, &str)> = providers.iter().map(|p| (p.as_str(), "gpt-4o")).collect();
    let refused = h.engine.compare(request(c, &models)).await;
    match refused {
        Err(EngineError::LimitReached(refusal)) => {
            assert_eq!(refusal.limit.limit.scope, LimitScope::GlobalDay);
        }
        other => panic!("the comparison should be refused: {other:?}"),
    }
    assert!(servers.iter().all(|s| s.requests().is_empty()));
    assert!(h.messages(c).await.is_empty(), "nothing is stored");

    // The holds of the first column went back: one reply still fits.
    let events = drain(
        &mut h
            .engine
            .send(SendRequest::text(c, "Just one"))
            .await
            .expect("one column fits"),
    )
    .await;
    assert_eq!(finished(&events).content, "A");
}

/// "Send Anyway" in the compare view: the comparison a hard limit refused
/// runs once over it, every column sent and stored.
#[tokio::test]
async fn send_anyway_compares_once_over_a_hard_limit() {
    let servers = [
        TestServer::start(vec![text_reply_with_usage(&["A"], 10, 1)]).await,
        TestServer::start(vec![text_reply_with_usage(&["B"], 10, 1)]).await,
    ];
    let h = Harness::new().await;
    let mut providers = Vec::new();
    for server in &servers {
        providers.push(priced_provider(&h, server, "gpt-4o").await);
    }
    let store = h.engine.store();
    let c = h
        .engine
        .new_conversation(Some(&providers[0]), Some("gpt-4o"))
        .await
        .expect("conversation")
        .id;
    store
        .set_conversation_settings(
            c,
            ConversationSettings {
                max_output_tokens: Some(1000),
                ..ConversationSettings::default()
            },
        )
        .await
        .expect("settings");
    // Worst case of one column: about USD 0.03; the day allows USD 0.01.
    store
        .create_limit(NewLimit::hard(LimitScope::GlobalDay, None, usd("0.01")))
        .await
        .expect("limit");
    let models: Vec<(&str, &str)> = providers.iter().map(|p| (p.as_str(), "gpt-4o")).collect();
    assert!(
        matches!(
            h.engine.compare(request(c, &models)).await,
            Err(EngineError::LimitReached(_))
        ),
        "the limit refuses the comparison"
    );

    let mut anyway = request(c, &models);
    anyway.options.allow_over_limit = true;
    let mut comparison = h.engine.compare(anyway).await.expect("sent anyway");
    let events = drain_all(&mut comparison).await;
    let s = summaries(&events, 2);
    assert!(s.iter().all(|s| s.error.is_none()), "{s:?}");
    assert_eq!(
        (text_of(&events, 0), text_of(&events, 1)),
        ("A".into(), "B".into())
    );
    assert!(servers.iter().all(|s| s.requests().len() == 1));
    let replies = h
        .messages(c)
        .await
        .into_iter()
        .filter(|m| m.role == Role::Assistant && m.status == MessageStatus::Complete)
        .count();
    assert_eq!(replies, 2);
    assert_eq!(
        store
            .conversation_usage_records(c)
            .await
            .expect("usage")
            .len(),
        2
    );

    // Once: the next comparison is refused again.
    assert!(matches!(
        h.engine.compare(request(c, &models)).await,
        Err(EngineError::LimitReached(_))
    ));
}

#[tokio::test]
async fn one_failing_column_does_not_stop_the_others() {
    let good = TestServer::start(vec![text_reply_with_usage(&["Fine."], 10, 2)]).await;
    let bad = TestServer::start(vec![Reply::fixed(
        404,
        "application/json",
        r#"{"error":{"message":"The model `nope` does not exist","type":"invalid_request_error","code":"model_not_found"}}"#,
    )])
    .await;
    let h = Harness::new().await;
    let pg = priced_provider(&h, &good, "gpt-4o").await;
    let pb = priced_provider(&h, &bad, "nope").await;
    let c = h
        .engine
        .new_conversation(Some(&pg), Some("gpt-4o"))
        .await
        .expect("conversation")
        .id;
    let mut comparison = h
        .engine
        .compare(request(c, &[(&pb, "nope"), (&pg, "gpt-4o")]))
        .await
        .expect("compare");
    let events = drain_all(&mut comparison).await;
    let s = summaries(&events, 2);
    assert!(s[0].error.is_some(), "{:?}", s[0]);
    assert!(s[1].error.is_none(), "{:?}", s[1].error);
    assert_eq!(text_of(&events, 1), "Fine.");
    assert_eq!(s[1].output_tokens, Some(2));
    let replies: Vec<_> = h
        .messages(c)
        .await
        .into_iter()
        .filter(|m| m.role == Role::Assistant)
        .collect();
    assert_eq!(replies.len(), 2);
    let failed = replies.iter().find(|m| m.model.as_deref() == Some("nope"));
    assert_eq!(failed.expect("stored").status, MessageStatus::Failed);
}

#[tokio::test]
async fn a_comparison_takes_two_to_six_models() {
    let h = Harness::new().await;
    let server = TestServer::start(vec![]).await;
    let p = h.provider(&server).await;
    let c = h
        .engine
        .new_conversation(Some(&p), Some("gpt-4o"))
        .await
        .expect("conversation")
        .id;
    for n in [1, 7] {
        let models = vec![(p.as_str(), "gpt-4o"); n];
        match h.engine.compare(request(c, &models)).await {
            Err(EngineError::CompareModelCount(given)) => assert_eq!(given, n),
            other => panic!("{n} models should be refused: {other:?}"),
        }
    }
    assert!(h.messages(c).await.is_empty());
}
