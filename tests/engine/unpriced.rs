//! Unpriced and proxied models under a hard limit (issue 13, point 8): a
//! model without a known price is refused under a hard limit (unless sent
//! anyway), and a local or custom endpoint serving a paid cloud model by
//! its name is priced as that model, marked assumed, while open-weight
//! models on a local server stay free.

use std::str::FromStr;

use rust_decimal::Decimal;
use valechat_core::chat::{EngineError, SendRequest};
use valechat_core::ledger::{CostSource, LimitScope, NewLimit};
use valechat_core::provider::ProtocolKind;

use crate::support::TestServer;
use crate::support::openai::text_reply_with_usage;
use crate::{Harness, drain};

fn usd(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

/// A conversation with `model` on a keyless provider at `base_url`, with
/// no price of the user's.
async fn unpriced_conversation(h: &Harness, base_url: &str, model: &str) -> i64 {
    let provider = h
        .engine
        .providers()
        .add(ProtocolKind::OpenAiCompatible, "Gateway", base_url, None)
        .await
        .expect("add provider")
        .id;
    h.engine
        .new_conversation(Some(&provider), Some(model))
        .await
        .expect("conversation")
        .id
}

async fn daily_hard_limit(h: &Harness, amount: &str) {
    h.engine
        .store()
        .create_limit(NewLimit::hard(LimitScope::GlobalDay, None, usd(amount)))
        .await
        .expect("limit");
}

#[tokio::test]
async fn an_unpriced_model_under_a_hard_limit_is_refused_and_says_why() {
    let h = Harness::new().await;
    // A company gateway ValeChat knows no price for, serving a model of its
    // own name: nothing bounds what a reply costs.
    let conversation = unpriced_conversation(&h, "https://llm.corp.example/v1", "corp-model").await;
    daily_hard_limit(&h, "5").await;
    let Err(error) = h.engine.send(SendRequest::text(conversation, "Hi")).await else {
        panic!("an unpriced model under a hard limit was sent to");
    };
    assert!(
        matches!(error, EngineError::UnpricedUnderLimit { ref model, .. } if model == "corp-model"),
        "{error:?}"
    );
    let sentence = error.user_message();
    assert!(sentence.contains("corp-model"), "{sentence}");
    assert!(sentence.contains("Preferences → Billing"), "{sentence}");
    // Nothing was stored and nothing stays reserved.
    assert!(h.messages(conversation).await.is_empty());
    let totals = h
        .engine
        .store()
        .conversation_usage(conversation)
        .await
        .expect("totals");
    assert_eq!(totals.cost_usd, Decimal::ZERO);
}

#[tokio::test]
async fn an_unpriced_model_may_be_sent_to_once_anyway() {
    let h = Harness::new().await;
    let conversation = unpriced_conversation(&h, "https://llm.corp.example/v1", "corp-model").await;
    daily_hard_limit(&h, "5").await;
    let mut request = SendRequest::text(conversation, "Hi");
    request.options.allow_over_limit = true;
    // The custom host cannot be reached: the turn fails at the provider,
    // not at the limit.
    let turn = h.engine.send(request).await;
    assert!(
        !matches!(turn, Err(EngineError::UnpricedUnderLimit { .. })),
        "Send Anyway was refused"
    );
}

#[tokio::test]
async fn a_local_proxy_serving_a_cloud_model_is_priced_as_that_model_and_marked_assumed() {
    let server = TestServer::start(vec![text_reply_with_usage(&["Hello"], 1000, 500)]).await;
    let h = Harness::new().await;
    // A LiteLLM proxy on this machine serving gpt-4o, with no price of the
    // user's: before, a local endpoint was free whatever it served.
    let conversation = unpriced_conversation(&h, &server.base_url(), "gpt-4o").await;
    drain(
        &mut h
            .engine
            .send(SendRequest::text(conversation, "Hi"))
            .await
            .expect("send"),
    )
    .await;
    let usage = h
        .engine
        .store()
        .conversation_usage_records(conversation)
        .await
        .expect("usage");
    assert_eq!(usage.len(), 1);
    assert_eq!(usage[0].cost_source, CostSource::Assumed);
    // gpt-4o's shipped price: USD 2.50 / 10 per 1M input / output tokens.
    assert_eq!(usage[0].cost_usd, usd("0.0075"));
}

#[tokio::test]
async fn a_gateway_serving_a_cloud_model_counts_against_a_hard_limit() {
    let h = Harness::new().await;
    let conversation =
        unpriced_conversation(&h, "https://llm.corp.example/v1", "openai/gpt-4o").await;
    // gpt-4o's worst case (16,384 output tokens at USD 10 per 1M) is
    // about USD 0.16: over a limit of one cent.
    daily_hard_limit(&h, "0.01").await;
    let error = h
        .engine
        .send(SendRequest::text(conversation, "Hi"))
        .await
        .err()
        .expect("refused");
    assert!(matches!(error, EngineError::LimitReached(_)), "{error:?}");
}

#[tokio::test]
async fn an_open_weight_model_on_a_local_server_stays_free() {
    let server = TestServer::start(vec![text_reply_with_usage(&["Hello"], 1000, 500)]).await;
    let h = Harness::new().await;
    let conversation = unpriced_conversation(&h, &server.base_url(), "llama3.2").await;
    daily_hard_limit(&h, "0.01").await;
    drain(
        &mut h
            .engine
            .send(SendRequest::text(conversation, "Hi"))
            .await
            .expect("a free local model is not refused"),
    )
    .await;
    let usage = h
        .engine
        .store()
        .conversation_usage_records(conversation)
        .await
        .expect("usage");
    assert_eq!(usage[0].cost_source, CostSource::Free);
    assert_eq!(usage[0].cost_usd, Decimal::ZERO);
}
