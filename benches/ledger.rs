//! `cargo bench --bench ledger`: the time to aggregate a month of 100,000
//! usage records on an on-disk database.
//!
//! Setup (not timed): a fresh database file in a temporary directory, five
//! spending limits (global day and month, a provider, a model, a
//! conversation), and 100,000 records spread evenly over November 2026
//! (UTC) across 4 providers × 3 models and 50 conversations, inserted with
//! `Store::import_usage`. Timed: `Store::limit_status` (every limit's
//! spend, reservations and projection) followed by the by-model report of
//! the whole month, as the billing page loads them. Before timing, the
//! month total is checked against the sum of the inserted costs.

use std::hint::black_box;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;
use tokio::runtime::Runtime;
use valechat_core::ledger::{
    CostSource, GroupBy, LimitScope, NewLimit, NewUsageRecord, Outcome, TokenUsage, Verification,
};
use valechat_core::store::{NewConversation, Store};

/// Records inserted.
const RECORDS: i64 = 100_000;
/// 2026-11-01T00:00:00Z.
const MONTH_START: i64 = 1_793_491_200_000;
/// 2026-12-01T00:00:00Z.
const MONTH_END: i64 = 1_796_083_200_000;
const PROVIDERS: [&str; 4] = ["openai", "anthropic", "gemini", "openrouter"];
const MODELS: [&str; 3] = ["large", "medium", "small"];
const CONVERSATIONS: i64 = 50;

/// Opens the store and fills it; returns the store, its directory guard
/// and the sum of the inserted costs.
fn setup(runtime: &Runtime) -> (Store, tempfile::TempDir, Decimal) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = runtime
        .block_on(Store::open(&dir.path().join("valechat.db")))
        .expect("open store");
    let mut conversations = Vec::new();
    for i in 0..CONVERSATIONS {
        let c = runtime
            .block_on(store.create_conversation(NewConversation {
                title: format!("c{i}"),
                ..NewConversation::default()
            }))
            .expect("conversation");
        conversations.push(c.id);
    }
    let step = (MONTH_END - MONTH_START) / RECORDS;
    let mut total = Decimal::ZERO;
    let records: Vec<NewUsageRecord> = (0..RECORDS)
        .map(|i| {
            let n = usize::try_from(i).expect("small index");
            let cost = Decimal::new(i % 9_973 + 1, 6);
            total += cost;
            NewUsageRecord {
                request_id: format!("req-{i}"),
                provider_id: PROVIDERS[n % PROVIDERS.len()].into(),
                model: MODELS[n % MODELS.len()].into(),
                conversation_id: Some(conversations[n % conversations.len()]),
                message_id: None,
                created_at: MONTH_START + i * step,
                tokens: TokenUsage {
                    input: 1200,
                    output: 300,
                    ..TokenUsage::default()
                },
                counted_input_tokens: Some(1190),
                verification: Verification::Agrees,
                cost_usd: cost,
                cost_source: CostSource::Estimated,
                outcome: Outcome::Completed,
                client: None,
            }
        })
        .collect();
    let inserted = runtime
        .block_on(store.import_usage(records))
        .expect("import");
    assert_eq!(inserted, 100_000);
    let conversation = conversations[0].to_string();
    for (scope, target) in [
        (LimitScope::GlobalDay, None),
        (LimitScope::GlobalMonth, None),
        (LimitScope::ProviderMonth, Some("openai")),
        (LimitScope::ModelMonth, Some("anthropic/large")),
        (LimitScope::Conversation, Some(conversation.as_str())),
    ] {
        runtime
            .block_on(store.create_limit(NewLimit::hard(scope, target, Decimal::from(1000))))
            .expect("limit");
    }
    (store, dir, total)
}

fn month_aggregation(c: &mut Criterion) {
    let runtime = Runtime::new().expect("tokio runtime");
    let (store, _dir, total) = setup(&runtime);
    let now = MONTH_END - 1;
    let month = runtime
        .block_on(store.usage_totals(MONTH_START, MONTH_END))
        .expect("totals");
    assert_eq!(month.cost_usd, total);
    let mut group = c.benchmark_group("ledger");
    group.sample_size(10);
    group.bench_function("month of 100k records: status + by-model report", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let status = store.limit_status(now, &Utc).await.expect("status");
                let by_model = store
                    .usage_report(MONTH_START, MONTH_END, GroupBy::Model, &Utc)
                    .await
                    .expect("report");
                black_box((status, by_model))
            })
        });
    });
    group.finish();
}

criterion_group!(benches, month_aggregation);
criterion_main!(benches);
