//! The spending ledger against real SQLite files: reservations racing hard
//! limits, settlement and de-duplication, threshold alerts across restarts,
//! local-calendar periods in non-UTC zones, reports and the CSV export.
//!
//! `reserve` covers pre-flight holds and the in-flight check; `alerts`
//! covers settling; `periods` covers day and month edges with DST;
//! `reports` covers aggregation and projections; `export` the CSV;
//! `pdf_report` the monthly PDF from `valechat usage --pdf`, read back with
//! poppler; `pricing` costs with exact decimals, the shipped price table,
//! user and historical prices, token counts and the generator.

#[path = "ledger/alerts.rs"]
mod alerts;
#[path = "ledger/export.rs"]
mod export;
#[path = "ledger/pdf_report.rs"]
mod pdf_report;
#[path = "ledger/periods.rs"]
mod periods;
#[path = "ledger/pricing.rs"]
mod pricing;
#[path = "ledger/reports.rs"]
mod reports;
#[path = "ledger/reserve.rs"]
mod reserve;

use std::error::Error;
use std::path::PathBuf;

use chrono::TimeZone;
use rust_decimal::Decimal;
use tempfile::TempDir;
use valechat_core::ledger::{
    CostSource, LimitScope, NewLimit, NewUsageRecord, Outcome, SpendRequest, TokenUsage,
    Verification,
};
use valechat_core::store::{NewConversation, Store};

type TestResult = Result<(), Box<dyn Error>>;

/// A store on a database file in a fresh temporary directory.
struct Ledger {
    _dir: TempDir,
    path: PathBuf,
    store: Store,
}

impl Ledger {
    async fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("valechat.db");
        let store = Store::open(&path).await.expect("open store");
        Self {
            _dir: dir,
            path,
            store,
        }
    }

    /// Closes the store and opens the same file again (a restart).
    async fn reopen(&mut self) {
        self.store = Store::open(&self.path).await.expect("reopen store");
    }

    /// Adds a hard limit with the default thresholds.
    async fn hard_limit(&self, scope: LimitScope, target: Option<&str>, amount: &str) -> i64 {
        self.store
            .create_limit(NewLimit::hard(scope, target, usd(amount)))
            .await
            .expect("create limit")
            .id
    }

    /// Creates a conversation and returns its id.
    async fn conversation(&self, title: &str) -> i64 {
        self.store
            .create_conversation(NewConversation {
                title: title.into(),
                ..NewConversation::default()
            })
            .await
            .expect("create conversation")
            .id
    }
}

/// Parses a decimal literal.
fn usd(text: &str) -> Decimal {
    text.parse().expect("decimal literal")
}

/// UTC unix ms of a local wall-clock time (the earlier one if repeated).
fn at<Tz: TimeZone>(tz: &Tz, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
    tz.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .earliest()
        .expect("local time exists")
        .timestamp_millis()
}

/// A usage record of `cost` USD at `at_ms`.
fn record(
    request_id: &str,
    provider: &str,
    model: &str,
    conversation_id: Option<i64>,
    at_ms: i64,
    cost: &str,
) -> NewUsageRecord {
    NewUsageRecord {
        request_id: request_id.into(),
        provider_id: provider.into(),
        model: model.into(),
        conversation_id,
        message_id: None,
        created_at: at_ms,
        tokens: TokenUsage {
            input: 1000,
            output: 200,
            cache_read: 10,
            cache_write: 5,
            reasoning: 7,
        },
        counted_input_tokens: Some(998),
        verification: Verification::Agrees,
        cost_usd: usd(cost),
        cost_source: CostSource::Estimated,
        outcome: Outcome::Completed,
        client: None,
    }
}

/// A spend request of `worst` USD.
fn request(
    request_id: &str,
    provider: &str,
    model: &str,
    conversation_id: Option<i64>,
    worst: &str,
) -> SpendRequest {
    SpendRequest {
        request_id: request_id.into(),
        provider_id: provider.into(),
        model: model.into(),
        conversation_id,
        worst_case: usd(worst),
    }
}
