//! Limits follow the local calendar of a non-UTC zone: day and month edges
//! in Los Angeles and Auckland, including daylight-saving days.

use chrono_tz::America::Los_Angeles;
use chrono_tz::Pacific::Auckland;
use valechat_core::ledger::period::{day_of, month_of};
use valechat_core::ledger::{LimitScope, ReserveError};

use super::{Ledger, TestResult, at, record, request};

const HOUR: i64 = 3_600_000;

#[test]
fn daylight_saving_days_last_23_and_25_hours() {
    let spring = day_of(at(&Los_Angeles, 2026, 3, 8, 12, 0), &Los_Angeles).unwrap();
    assert_eq!(
        (spring.key.as_str(), spring.len_ms()),
        ("2026-03-08", 23 * HOUR)
    );
    let fall = day_of(at(&Los_Angeles, 2026, 11, 1, 12, 0), &Los_Angeles).unwrap();
    assert_eq!(
        (fall.key.as_str(), fall.len_ms()),
        ("2026-11-01", 25 * HOUR)
    );
    assert_eq!(fall.start_ms, at(&Los_Angeles, 2026, 11, 1, 0, 0));
    let nz_spring = day_of(at(&Auckland, 2026, 9, 27, 12, 0), &Auckland).unwrap();
    assert_eq!(nz_spring.len_ms(), 23 * HOUR);
    let nz_fall = day_of(at(&Auckland, 2026, 4, 5, 12, 0), &Auckland).unwrap();
    assert_eq!(nz_fall.len_ms(), 25 * HOUR);
}

#[test]
fn months_follow_the_local_calendar() {
    // 00:30 on 1 November in Auckland is still 31 October in UTC.
    let early = at(&Auckland, 2026, 11, 1, 0, 30);
    assert_eq!(month_of(early, &Auckland).unwrap().key, "2026-11");
    assert_eq!(month_of(early, &chrono::Utc).unwrap().key, "2026-10");
    let october = month_of(at(&Auckland, 2026, 10, 15, 9, 0), &Auckland).unwrap();
    assert_eq!(october.end_ms, at(&Auckland, 2026, 11, 1, 0, 0));
    // Auckland's clocks moved on 27 September: October is 31 days of +13:00.
    assert_eq!(october.len_ms(), 31 * 24 * HOUR);
    let march_la = month_of(at(&Los_Angeles, 2026, 3, 31, 23, 59), &Los_Angeles).unwrap();
    assert_eq!(march_la.len_ms(), 31 * 24 * HOUR - HOUR);
}

#[tokio::test]
async fn a_day_limit_resets_at_local_midnight() -> TestResult {
    let ledger = Ledger::new().await;
    ledger.hard_limit(LimitScope::GlobalDay, None, "1").await;
    let store = &ledger.store;
    let last_ms_of_7th = at(&Los_Angeles, 2026, 3, 8, 0, 0) - 1;
    store
        .settle(
            record("a", "p", "m", None, last_ms_of_7th, "1"),
            &Los_Angeles,
        )
        .await?;
    let late = store
        .reserve(
            request("b", "p", "m", None, "0.01"),
            last_ms_of_7th,
            &Los_Angeles,
            false,
        )
        .await;
    assert!(matches!(late, Err(ReserveError::Refused(_))), "{late:?}");
    let midnight = last_ms_of_7th + 1;
    store
        .reserve(
            request("c", "p", "m", None, "1"),
            midnight,
            &Los_Angeles,
            false,
        )
        .await?;
    Ok(())
}

#[tokio::test]
async fn the_25_hour_day_is_one_day() -> TestResult {
    let ledger = Ledger::new().await;
    ledger.hard_limit(LimitScope::GlobalDay, None, "1").await;
    let store = &ledger.store;
    let half_past_midnight = at(&Los_Angeles, 2026, 11, 1, 0, 30);
    store
        .settle(
            record("a", "p", "m", None, half_past_midnight, "1"),
            &Los_Angeles,
        )
        .await?;
    // 24 hours later it is 23:30 the same local day (clocks went back).
    let later = half_past_midnight + 24 * HOUR;
    let refused = store
        .reserve(
            request("b", "p", "m", None, "0.5"),
            later,
            &Los_Angeles,
            false,
        )
        .await;
    let Err(ReserveError::Refused(refusal)) = refused else {
        panic!("not refused: {refused:?}");
    };
    assert_eq!(refusal.limit.period.key, "2026-11-01");
    store
        .reserve(
            request("c", "p", "m", None, "0.5"),
            later + HOUR,
            &Los_Angeles,
            false,
        )
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_month_limit_counts_local_months() -> TestResult {
    let ledger = Ledger::new().await;
    ledger.hard_limit(LimitScope::GlobalMonth, None, "2").await;
    let store = &ledger.store;
    // Local 1 November 00:30 (UTC: 31 October) counts in November...
    store
        .settle(
            record(
                "a",
                "p",
                "m",
                None,
                at(&Auckland, 2026, 11, 1, 0, 30),
                "1.5",
            ),
            &Auckland,
        )
        .await?;
    // ...and 31 October 23:59 local counts in October.
    store
        .settle(
            record(
                "b",
                "p",
                "m",
                None,
                at(&Auckland, 2026, 10, 31, 23, 59),
                "1.5",
            ),
            &Auckland,
        )
        .await?;
    let mid_november = at(&Auckland, 2026, 11, 15, 12, 0);
    assert!(
        store
            .reserve(
                request("c", "p", "m", None, "0.6"),
                mid_november,
                &Auckland,
                false
            )
            .await
            .is_err()
    );
    store
        .reserve(
            request("d", "p", "m", None, "0.5"),
            mid_november,
            &Auckland,
            false,
        )
        .await?;
    let last_of_october = at(&Auckland, 2026, 11, 1, 0, 0) - 1;
    let status = store.limit_status(last_of_october, &Auckland).await?;
    assert_eq!(status[0].usage.period.key, "2026-10");
    assert_eq!(status[0].usage.spent, super::usd("1.5"));
    Ok(())
}
