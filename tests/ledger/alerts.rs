//! Settling: one record per request id, reservations replaced by actual
//! cost, and threshold alerts raised once per limit, threshold and period,
//! also after a restart; one request that crosses several thresholds raises
//! one alert, for the highest.

use std::error::Error;
use std::path::Path;

use chrono::Utc;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use valechat_core::ledger::{LimitScope, ReserveError};

use super::{Ledger, TestResult, record, request, usd};

/// 2026-11-10T12:00:00Z.
const NOW: i64 = 1_794_312_000_000;

#[tokio::test]
async fn a_duplicate_request_id_bills_once() -> TestResult {
    let ledger = Ledger::new().await;
    let store = &ledger.store;
    let first = store
        .settle(record("req-1", "openai", "gpt-4o", None, NOW, "0.25"), &Utc)
        .await?;
    assert!(!first.duplicate);
    let again = store
        .settle(
            record("req-1", "openai", "gpt-4o", None, NOW + 5, "0.25"),
            &Utc,
        )
        .await?;
    assert!(again.duplicate);
    assert_eq!(again.record_id, first.record_id);
    assert!(again.alerts.is_empty());
    let totals = store.usage_totals(0, i64::MAX).await?;
    assert_eq!(totals.requests, 1);
    assert_eq!(totals.cost_usd, usd("0.25"));
    Ok(())
}

#[tokio::test]
async fn settling_replaces_the_hold_with_the_actual_cost() -> TestResult {
    let ledger = Ledger::new().await;
    ledger.hard_limit(LimitScope::GlobalDay, None, "3.5").await;
    let store = &ledger.store;
    store
        .reserve(request("a", "p", "m", None, "3"), NOW, &Utc, false)
        .await?;
    let next = request("b", "p", "m", None, "2");
    assert!(matches!(
        store.reserve(next.clone(), NOW, &Utc, false).await,
        Err(ReserveError::Refused(_))
    ));
    store
        .settle(record("a", "p", "m", None, NOW, "1"), &Utc)
        .await?;
    assert!(!store.release("a").await?, "the hold was not removed");
    store.reserve(next, NOW, &Utc, false).await?;
    Ok(())
}

#[tokio::test]
async fn each_threshold_alerts_once_per_period_across_restarts() -> TestResult {
    let mut ledger = Ledger::new().await;
    let limit = ledger.hard_limit(LimitScope::GlobalMonth, None, "10").await;
    let steps = [
        ("4", vec![]),
        ("1", vec![50]),
        ("3", vec![80]),
        ("1.5", vec![]),
        ("0.5", vec![100]),
        ("1", vec![]),
    ];
    for (i, (cost, expected)) in steps.into_iter().enumerate() {
        let settled = ledger
            .store
            .settle(
                record(&format!("r{i}"), "p", "m", None, NOW + i as i64, cost),
                &Utc,
            )
            .await?;
        let raised: Vec<u8> = settled.alerts.iter().map(|a| a.threshold).collect();
        assert_eq!(raised, expected, "after step {i} ({cost} USD)");
        for alert in &settled.alerts {
            assert_eq!(alert.limit.id, limit);
            assert_eq!(alert.period_key, "2026-11");
        }
    }
    ledger.reopen().await;
    let after_restart = ledger
        .store
        .settle(record("r-restart", "p", "m", None, NOW + 100, "5"), &Utc)
        .await?;
    assert!(
        after_restart.alerts.is_empty(),
        "{:?}",
        after_restart.alerts
    );
    // A new month starts over: 6 of 10 crosses 50 % again, once.
    let december = NOW + 30 * 86_400_000;
    let next = ledger
        .store
        .settle(record("r-dec", "p", "m", None, december, "6"), &Utc)
        .await?;
    let raised: Vec<(u8, &str)> = next
        .alerts
        .iter()
        .map(|a| (a.threshold, a.period_key.as_str()))
        .collect();
    assert_eq!(raised, vec![(50, "2026-12")]);
    assert_eq!(next.alerts[0].spent, usd("6"));
    Ok(())
}

#[tokio::test]
async fn alerts_only_for_limits_that_apply() -> TestResult {
    let ledger = Ledger::new().await;
    ledger
        .hard_limit(LimitScope::ProviderMonth, Some("anthropic"), "1")
        .await;
    let other = ledger
        .store
        .settle(record("a", "openai", "gpt-4o", None, NOW, "5"), &Utc)
        .await?;
    assert!(other.alerts.is_empty());
    let same = ledger
        .store
        .settle(record("b", "anthropic", "claude", None, NOW, "0.6"), &Utc)
        .await?;
    assert_eq!(same.alerts.len(), 1);
    assert_eq!(same.alerts[0].threshold, 50);
    Ok(())
}

#[tokio::test]
async fn one_request_over_several_thresholds_raises_one_alert() -> TestResult {
    let mut ledger = Ledger::new().await;
    let limit = ledger.hard_limit(LimitScope::GlobalMonth, None, "10").await;
    // 0 → 12 of 10 USD: crosses 50, 80 and 100 % in one request.
    let settled = ledger
        .store
        .settle(record("big", "p", "m", None, NOW, "12"), &Utc)
        .await?;
    let raised: Vec<(i64, u8)> = settled
        .alerts
        .iter()
        .map(|a| (a.limit.id, a.threshold))
        .collect();
    assert_eq!(raised, vec![(limit, 100)], "{:?}", settled.alerts);
    assert_eq!(settled.alerts[0].spent, usd("12"));
    // The lower thresholds are remembered as alerted in the database file…
    assert_eq!(
        alerted(&ledger.path)?,
        vec![
            (limit, 50, "2026-11".to_owned()),
            (limit, 80, "2026-11".to_owned()),
            (limit, 100, "2026-11".to_owned()),
        ]
    );
    // …so nothing fires later in the month, also after a restart.
    ledger.reopen().await;
    let later = ledger
        .store
        .settle(record("later", "p", "m", None, NOW + 1, "1"), &Utc)
        .await?;
    assert!(later.alerts.is_empty(), "{:?}", later.alerts);
    Ok(())
}

#[tokio::test]
async fn each_limit_raises_its_own_highest_threshold() -> TestResult {
    let ledger = Ledger::new().await;
    let month = ledger.hard_limit(LimitScope::GlobalMonth, None, "10").await;
    let day = ledger.hard_limit(LimitScope::GlobalDay, None, "4").await;
    // 4.5 USD: 45 % of the month (nothing), 112 % of the day (50, 80, 100).
    let settled = ledger
        .store
        .settle(record("r", "p", "m", None, NOW, "4.5"), &Utc)
        .await?;
    let raised: Vec<(i64, u8)> = settled
        .alerts
        .iter()
        .map(|a| (a.limit.id, a.threshold))
        .collect();
    assert_eq!(raised, vec![(day, 100)]);
    // 1 USD more: the month crosses 50 % alone.
    let next = ledger
        .store
        .settle(record("r2", "p", "m", None, NOW + 1, "1"), &Utc)
        .await?;
    let raised: Vec<(i64, u8)> = next
        .alerts
        .iter()
        .map(|a| (a.limit.id, a.threshold))
        .collect();
    assert_eq!(raised, vec![(month, 50)]);
    Ok(())
}

/// A row of `limit_alerts`: limit id, threshold, period key.
type Alerted = (i64, i32, String);

/// Every row of `limit_alerts` in the database file at `path`, read
/// without the store.
fn alerted(path: &Path) -> Result<Vec<Alerted>, Box<dyn Error>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        limit_id: i64,
        #[diesel(sql_type = Integer)]
        threshold: i32,
        #[diesel(sql_type = Text)]
        period_key: String,
    }
    let url = path.to_str().ok_or("non-UTF-8 temp path")?;
    let mut conn = SqliteConnection::establish(url)?;
    // The ledger's store may still be closing its last connection.
    conn.batch_execute("PRAGMA busy_timeout = 5000;")?;
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT limit_id, threshold, period_key FROM limit_alerts \
         ORDER BY limit_id, threshold, period_key",
    )
    .load(&mut conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.limit_id, r.threshold, r.period_key))
        .collect())
}

#[tokio::test]
async fn limits_name_their_provider_as_people_named_it() -> TestResult {
    use valechat_core::chat::{EngineError, limit_name};
    use valechat_core::store::NewProvider;
    let ledger = Ledger::new().await;
    let provider = ledger
        .store
        .insert_provider(NewProvider {
            name: "Work Gateway".into(),
            kind: "openai_compatible".into(),
            base_url: "http://localhost:4000/v1".into(),
            has_api_key: false,
            default_model: None,
        })
        .await?;
    let id = provider.id.clone();
    ledger
        .hard_limit(LimitScope::ProviderMonth, Some(&id), "10")
        .await;
    ledger
        .hard_limit(LimitScope::ModelMonth, Some(&format!("{id}/gpt-4o")), "2")
        .await;
    // What the refusal says: the provider's name, not its id.
    let refused = ledger
        .store
        .reserve(request("big", &id, "gpt-4o", None, "3"), NOW, &Utc, false)
        .await;
    let Err(ReserveError::Refused(refusal)) = refused else {
        panic!("not refused: {refused:?}");
    };
    let sentence = EngineError::LimitReached(refusal).user_message();
    assert!(sentence.contains("gpt-4o (Work Gateway)"), "{sentence}");
    // What the alerts say (the desktop notification and the toast).
    let settled = ledger
        .store
        .settle(record("r", &id, "gpt-4o", None, NOW, "6"), &Utc)
        .await?;
    let names: Vec<String> = settled
        .alerts
        .iter()
        .map(|a| limit_name(&a.limit))
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    for name in &names {
        assert!(name.contains("Work Gateway"), "{name}");
        assert!(!name.contains(&format!("“{id}")), "{name}");
    }
    Ok(())
}
