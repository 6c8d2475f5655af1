//! Embeddings from a provider's API billed like chat tokens
//! (`Engine::embed_with_provider`, `Engine::estimate_embedding`): the
//! usage record's tokens and cost, the estimate marked when the provider
//! reports no tokens, a hard limit refusing before anything is sent, a
//! soft limit's alert, and the estimate shown before indexing.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::json;
use tokio_util::sync::CancellationToken;
use valechat_core::billing::ModelPrice;
use valechat_core::chat::{EmbedError, EngineError, ProviderEmbeddings};
use valechat_core::ledger::{CostSource, LimitScope, NewLimit, Outcome, Verification};
use valechat_core::provider::{ProtocolKind, ProviderError};

use crate::Harness;
use crate::support::{Reply, TestServer};

const MODEL: &str = "text-embedding-3-small";

fn usd(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

/// An OpenAI embeddings reply of `n` vectors reporting `tokens` input tokens.
fn reply(n: usize, tokens: u64) -> Reply {
    let data: Vec<_> = (0..n)
        .map(|i| json!({"index": i, "embedding": [0.5, i as f32]}))
        .collect();
    Reply::fixed(
        200,
        "application/json",
        json!({"data": data, "model": MODEL, "usage": {"prompt_tokens": tokens}}).to_string(),
    )
}

/// A provider of `kind` for `server` with `model` priced by the user at
/// `per_million` USD per million input tokens (no output price).
async fn priced(
    h: &Harness,
    kind: ProtocolKind,
    server: &TestServer,
    model: &str,
    per_million: &str,
) -> String {
    let provider = h
        .engine
        .providers()
        .add(kind, "Test", &server.base_url(), Some("key"))
        .await
        .expect("add provider")
        .id;
    h.engine
        .store()
        .set_user_price(
            &provider,
            model,
            ModelPrice::from_per_million(usd(per_million), Decimal::ZERO),
            0,
        )
        .await
        .expect("price");
    provider
}

async fn embed(
    h: &Harness,
    provider: &str,
    model: &str,
    texts: &[&str],
) -> Result<ProviderEmbeddings, EmbedError> {
    h.engine
        .embed_with_provider(
            provider,
            model,
            texts.iter().map(|t| (*t).to_owned()).collect(),
            Some("test:embed".into()),
            CancellationToken::new(),
        )
        .await
}

#[tokio::test]
async fn the_reported_input_tokens_are_billed_at_the_input_price() {
    let server = TestServer::start(vec![reply(2, 1_000)]).await;
    let h = Harness::new().await;
    let provider = priced(&h, ProtocolKind::OpenAiCompatible, &server, MODEL, "0.02").await;
    let got = embed(&h, &provider, MODEL, &["hello world", "second text"])
        .await
        .expect("embeddings");
    assert_eq!(got.embeddings.vectors, vec![vec![0.5, 0.0], vec![0.5, 1.0]]);
    let record = got.record.expect("a usage record");
    assert_eq!(record.tokens.input, 1_000);
    assert_eq!(record.tokens.output, 0);
    // 1,000 tokens × USD 0.02 per million.
    assert_eq!(record.cost_usd, usd("0.00002"));
    assert_eq!(record.cost_source, CostSource::Estimated);
    assert_ne!(record.verification, Verification::Estimated);
    assert_eq!(record.outcome, Outcome::Completed);
    assert_eq!(record.client.as_deref(), Some("test:embed"));
    assert_eq!(record.conversation_id, None);
    let stored = h
        .engine
        .store()
        .list_usage(0, i64::MAX)
        .await
        .expect("usage");
    assert_eq!(stored.len(), 1, "one record per request");
}

#[tokio::test]
async fn without_reported_tokens_the_count_is_billed_and_marked_estimated() {
    let server = TestServer::start(vec![Reply::fixed(
        200,
        "application/json",
        json!({"embeddings": [{"values": [1.0, 2.0]}]}).to_string(),
    )])
    .await;
    let h = Harness::new().await;
    let model = "gemini-embedding-001";
    let provider = priced(&h, ProtocolKind::Gemini, &server, model, "0.15").await;
    // 40 characters: 10 tokens at 4 characters a token.
    let text = "abcd".repeat(10);
    let got = embed(&h, &provider, model, &[&text])
        .await
        .expect("embeddings");
    assert_eq!(got.embeddings.input_tokens, None);
    let record = got.record.expect("a usage record");
    assert_eq!(record.tokens.input, 10);
    assert_eq!(record.verification, Verification::Estimated);
    assert_eq!(record.cost_usd, usd("0.0000015"));
}

#[tokio::test]
async fn a_hard_limit_refuses_before_the_provider_is_called() {
    let server = TestServer::start(vec![reply(1, 5)]).await;
    let h = Harness::new().await;
    let provider = priced(&h, ProtocolKind::OpenAiCompatible, &server, MODEL, "10").await;
    h.engine
        .store()
        .create_limit(NewLimit::hard(LimitScope::GlobalMonth, None, usd("0.0001")))
        .await
        .expect("limit");
    // About 2,000 tokens × USD 10 per million = USD 0.02, over USD 0.0001.
    let long = "word ".repeat(2_000);
    let err = embed(&h, &provider, MODEL, &[&long]).await.unwrap_err();
    assert!(
        matches!(&err, EmbedError::Engine(EngineError::LimitReached(refusal)) if refusal.worst_case > usd("0.0001")),
        "{err:?}"
    );
    assert!(server.requests().is_empty(), "nothing was sent");
    let stored = h
        .engine
        .store()
        .list_usage(0, i64::MAX)
        .await
        .expect("usage");
    assert!(stored.is_empty(), "nothing recorded: {stored:?}");
}

#[tokio::test]
async fn a_soft_limit_threshold_crossed_comes_back_as_an_alert() {
    let server = TestServer::start(vec![reply(1, 1_000)]).await;
    let h = Harness::new().await;
    let provider = priced(&h, ProtocolKind::OpenAiCompatible, &server, MODEL, "0.02").await;
    // A soft limit of USD 0.00003: the request's USD 0.00002 is past 50 %.
    h.engine
        .store()
        .create_limit(NewLimit {
            hard: false,
            ..NewLimit::hard(LimitScope::GlobalMonth, None, usd("0.00003"))
        })
        .await
        .expect("limit");
    let mut subscribed = h.engine.completion_alerts();
    let got = embed(&h, &provider, MODEL, &["hello"])
        .await
        .expect("a soft limit does not refuse");
    assert_eq!(got.alerts.len(), 1, "{:?}", got.alerts);
    assert_eq!(got.alerts[0].threshold, 50);
    assert_eq!(got.alerts[0].spent, usd("0.00002"));
    let sent = subscribed.try_recv().expect("sent to subscribers");
    assert_eq!(sent[0].threshold, 50);
}

#[tokio::test]
async fn the_estimate_counts_the_texts_and_prices_them() {
    let server = TestServer::start(vec![]).await;
    let h = Harness::new().await;
    let provider = priced(&h, ProtocolKind::OpenAiCompatible, &server, MODEL, "0.02").await;
    let texts = vec!["hello world".to_owned(), "hello world".to_owned()];
    let estimate = h
        .engine
        .estimate_embedding(&provider, MODEL, &texts)
        .await
        .expect("estimate");
    // "hello world" is 2 tokens in cl100k_base.
    assert_eq!(estimate.tokens, 4);
    assert_eq!(estimate.cost_usd, Some(usd("0.00000008")));
    // A server on this computer is free; a custom one elsewhere has no price.
    let local = h
        .engine
        .estimate_embedding(&provider, "some-other-model", &texts)
        .await
        .expect("estimate");
    assert_eq!(local.cost_usd, Some(Decimal::ZERO));
    let custom = h
        .engine
        .providers()
        .add(
            ProtocolKind::OpenAiCompatible,
            "Custom",
            "https://embeddings.example.com/v1",
            None,
        )
        .await
        .expect("add provider")
        .id;
    let unpriced = h
        .engine
        .estimate_embedding(&custom, "some-other-model", &texts)
        .await
        .expect("estimate");
    assert_eq!(unpriced.cost_usd, None);
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn anthropic_is_refused_as_having_no_embeddings_api() {
    let server = TestServer::start(vec![]).await;
    let h = Harness::new().await;
    let provider = priced(&h, ProtocolKind::Anthropic, &server, "claude", "1").await;
    let err = embed(&h, &provider, "claude", &["hi"]).await.unwrap_err();
    assert!(
        matches!(&err, EmbedError::Engine(EngineError::Provider(ProviderError::Unsupported(m))) if m.contains("Anthropic")),
        "{err:?}"
    );
}
