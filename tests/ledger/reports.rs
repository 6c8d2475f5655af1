//! Reports: totals and groups equal hand-computed sums, the chart series,
//! per-message and per-conversation lookups, limit status and projections.

use chrono::Utc;
use chrono_tz::America::Los_Angeles;
use rust_decimal::Decimal;
use valechat_core::ledger::{GroupBy, LimitScope, UsageGroup};
use valechat_core::store::{MessageStatus, NewMessage};

use super::{Ledger, TestResult, at, record, usd};

fn costs(groups: &[UsageGroup]) -> Vec<(&str, Decimal)> {
    groups
        .iter()
        .map(|g| (g.key.as_str(), g.totals.cost_usd))
        .collect()
}

#[tokio::test]
async fn groups_and_totals_equal_hand_sums() -> TestResult {
    let ledger = Ledger::new().await;
    let chat = ledger.conversation("a").await;
    let store = &ledger.store;
    let tz = &Los_Angeles;
    let rows = [
        (
            "1",
            "openai",
            "gpt-4o",
            Some(chat),
            at(tz, 2026, 6, 1, 9, 0),
            "0.10",
        ),
        (
            "2",
            "openai",
            "gpt-4o-mini",
            None,
            at(tz, 2026, 6, 1, 23, 59),
            "0.015",
        ),
        (
            "3",
            "anthropic",
            "claude",
            None,
            at(tz, 2026, 6, 2, 0, 0),
            "0.333",
        ),
        (
            "4",
            "openai",
            "gpt-4o",
            Some(chat),
            at(tz, 2026, 6, 3, 17, 0),
            "0.20",
        ),
        // Outside the range (May):
        (
            "5",
            "openai",
            "gpt-4o",
            Some(chat),
            at(tz, 2026, 5, 31, 23, 0),
            "9",
        ),
    ];
    for (id, p, m, c, t, cost) in rows {
        store.settle(record(id, p, m, c, t, cost), tz).await?;
    }
    let (from, until) = (at(tz, 2026, 6, 1, 0, 0), at(tz, 2026, 7, 1, 0, 0));
    let totals = store.usage_totals(from, until).await?;
    assert_eq!(totals.requests, 4);
    assert_eq!(totals.cost_usd, usd("0.648"));
    assert_eq!(totals.tokens.input, 4000);
    assert_eq!(totals.tokens.reasoning, 28);
    let by_model = store.usage_report(from, until, GroupBy::Model, tz).await?;
    assert_eq!(
        costs(&by_model),
        vec![
            ("anthropic/claude", usd("0.333")),
            ("openai/gpt-4o", usd("0.30")),
            ("openai/gpt-4o-mini", usd("0.015")),
        ]
    );
    let by_provider = store
        .usage_report(from, until, GroupBy::Provider, tz)
        .await?;
    assert_eq!(
        costs(&by_provider),
        vec![("anthropic", usd("0.333")), ("openai", usd("0.315"))]
    );
    let by_day = store.usage_report(from, until, GroupBy::Day, tz).await?;
    assert_eq!(
        costs(&by_day),
        vec![
            ("2026-06-01", usd("0.115")),
            ("2026-06-02", usd("0.333")),
            ("2026-06-03", usd("0.20")),
        ]
    );
    // The same records in UTC fall on other days.
    let utc_days = store.usage_report(from, until, GroupBy::Day, &Utc).await?;
    assert_ne!(costs(&utc_days), costs(&by_day));
    let by_chat = store
        .usage_report(from, until, GroupBy::Conversation, tz)
        .await?;
    let chat_key = chat.to_string();
    assert_eq!(
        costs(&by_chat),
        vec![("-", usd("0.348")), (chat_key.as_str(), usd("0.30"))]
    );
    assert_eq!(store.conversation_usage(chat).await?.cost_usd, usd("9.30"));

    let series = store.daily_spend(at(tz, 2026, 6, 3, 20, 0), tz, 30).await?;
    assert_eq!(series.days.len(), 30);
    assert_eq!(series.days[29].to_string(), "2026-06-03");
    assert_eq!(series.days[0].to_string(), "2026-05-05");
    let openai = &series
        .providers
        .iter()
        .find(|(p, _)| p == "openai")
        .ok_or("openai")?
        .1;
    assert_eq!(openai[29], usd("0.20"));
    assert_eq!(openai[27], usd("0.115"));
    assert_eq!(openai[26], usd("9"));
    assert_eq!(openai.iter().sum::<Decimal>(), usd("9.315"));
    Ok(())
}

#[tokio::test]
async fn message_usage_lists_its_requests() -> TestResult {
    let ledger = Ledger::new().await;
    let chat = ledger.conversation("tools").await;
    let message = ledger
        .store
        .insert_message(NewMessage {
            conversation_id: chat,
            role: valechat_core::provider::Role::Assistant,
            content: "done".into(),
            status: MessageStatus::Complete,
            provider_id: None,
            model: None,
        })
        .await?;
    for (i, cost) in ["0.01", "0.02"].into_iter().enumerate() {
        let mut r = record(
            &format!("round-{i}"),
            "p",
            "m",
            Some(chat),
            1000 + i as i64,
            cost,
        );
        r.message_id = Some(message.id);
        ledger.store.settle(r, &Utc).await?;
    }
    let used = ledger.store.message_usage(message.id).await?;
    let ids: Vec<&str> = used.iter().map(|r| r.request_id.as_str()).collect();
    assert_eq!(ids, ["round-0", "round-1"]);
    assert!(ledger.store.message_usage(message.id + 1).await?.is_empty());
    // Deleting the conversation keeps the spend, unlinked.
    ledger.store.delete_conversation(chat).await?;
    let kept = ledger.store.list_usage(0, i64::MAX).await?;
    assert_eq!(kept.len(), 2);
    assert!(
        kept.iter()
            .all(|r| r.conversation_id.is_none() && r.message_id.is_none())
    );
    Ok(())
}

#[tokio::test]
async fn status_projects_the_month_end_at_the_current_pace() -> TestResult {
    let ledger = Ledger::new().await;
    let tz = &Los_Angeles;
    ledger
        .hard_limit(LimitScope::GlobalMonth, None, "100")
        .await;
    ledger
        .hard_limit(LimitScope::Conversation, Some("42"), "5")
        .await;
    let store = &ledger.store;
    store
        .settle(
            record("a", "p", "m", None, at(tz, 2026, 6, 2, 10, 0), "1"),
            tz,
        )
        .await?;
    store
        .settle(
            record("b", "p", "m", None, at(tz, 2026, 6, 9, 10, 0), "2"),
            tz,
        )
        .await?;
    store
        .reserve(
            super::request("c", "p", "m", None, "0.25"),
            at(tz, 2026, 6, 10, 23, 30),
            tz,
            false,
        )
        .await?;
    // June has 30 days without a DST change; 10 days have elapsed.
    let now = at(tz, 2026, 6, 11, 0, 0);
    let status = store.limit_status(now, tz).await?;
    let month = &status[0];
    assert_eq!(month.usage.period.key, "2026-06");
    assert_eq!(month.usage.spent, usd("3"));
    assert_eq!(month.reserved, usd("0.25"));
    assert_eq!(month.fraction, usd("0.03"));
    assert_eq!(month.projected, Some(usd("9")));
    let chat = &status[1];
    assert_eq!(chat.usage.period.key, "total");
    assert_eq!(chat.projected, None);
    assert_eq!(chat.usage.spent, Decimal::ZERO);
    Ok(())
}
