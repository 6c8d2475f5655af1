//! Pre-flight reservations: races, refusals, soft limits, overrides, free
//! models, release, stale holds, scopes, and the in-flight check.

use chrono::Utc;
use rust_decimal::Decimal;
use valechat_core::ledger::{LimitScope, NewLimit, ReserveError};
use valechat_core::store::Store;

use super::{Ledger, TestResult, record, request, usd};

/// 2026-11-10T12:00:00Z.
const NOW: i64 = 1_794_312_000_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_concurrent_reserves_never_exceed_a_hard_limit() -> TestResult {
    let ledger = Ledger::new().await;
    let amount = usd("5.00");
    ledger.hard_limit(LimitScope::GlobalDay, None, "5.00").await;
    ledger
        .store
        .settle(
            record("earlier", "openai", "gpt-4o", None, NOW - 1000, "0.35"),
            &Utc,
        )
        .await?;
    // Worst cases of 0.70 to 1.60 USD: their sum (11.50) is far above what is left.
    let mut tasks = Vec::new();
    for i in 0..10u32 {
        // Half share the pool, half open their own connections to the file.
        let store = if i % 2 == 0 {
            ledger.store.clone()
        } else {
            Store::open(&ledger.path).await?
        };
        let worst = Decimal::new(70 + 10 * i64::from(i), 2);
        tasks.push(tokio::spawn(async move {
            let mut req = request(&format!("req-{i}"), "openai", "gpt-4o", None, "0");
            req.worst_case = worst;
            (worst, store.reserve(req, NOW, &Utc, false).await)
        }));
    }
    let (mut granted, mut refused) = (Decimal::ZERO, 0);
    for task in tasks {
        let (worst, result) = task.await?;
        match result {
            Ok(reservation) => {
                assert_eq!(reservation.amount_usd, worst);
                granted += worst;
            }
            Err(ReserveError::Refused(refusal)) => {
                refused += 1;
                assert!(refusal.limit.spent + worst > amount, "{refusal}");
            }
            Err(other) => return Err(other.into()),
        }
    }
    assert!(
        usd("0.35") + granted <= amount,
        "granted {granted} on top of 0.35 exceeds {amount}"
    );
    assert!(refused >= 5, "only {refused} refused");
    assert!(granted > Decimal::ZERO);
    Ok(())
}

#[tokio::test]
async fn refusal_names_the_limit_spent_and_remaining() -> TestResult {
    let ledger = Ledger::new().await;
    ledger
        .hard_limit(LimitScope::GlobalMonth, None, "5.00")
        .await;
    ledger
        .store
        .settle(
            record("a", "openai", "gpt-4o", None, NOW - 5000, "4.20"),
            &Utc,
        )
        .await?;
    let result = ledger
        .store
        .reserve(
            request("b", "openai", "gpt-4o", None, "1.20"),
            NOW,
            &Utc,
            false,
        )
        .await;
    let Err(ReserveError::Refused(refusal)) = result else {
        panic!("not refused: {result:?}");
    };
    assert_eq!(refusal.limit.limit.scope, LimitScope::GlobalMonth);
    assert_eq!(refusal.limit.spent, usd("4.20"));
    assert_eq!(refusal.limit.remaining(), usd("0.80"));
    assert_eq!(refusal.limit.period.key, "2026-11");
    let text = refusal.to_string();
    for part in [
        "global_month",
        "5 USD",
        "0.80 USD left",
        "4.20 USD spent",
        "1.20",
    ] {
        assert!(text.contains(part), "{part:?} missing from {text}");
    }
    // What fits is still granted.
    ledger
        .store
        .reserve(
            request("c", "openai", "gpt-4o", None, "0.80"),
            NOW,
            &Utc,
            false,
        )
        .await?;
    Ok(())
}

#[tokio::test]
async fn soft_limit_warns_but_allows() -> TestResult {
    let ledger = Ledger::new().await;
    let mut soft = NewLimit::hard(LimitScope::GlobalDay, None, usd("1"));
    soft.hard = false;
    ledger.store.create_limit(soft).await?;
    let under = ledger
        .store
        .reserve(
            request("a", "openai", "gpt-4o", None, "0.5"),
            NOW,
            &Utc,
            false,
        )
        .await?;
    assert!(under.warnings.is_empty());
    let over = ledger
        .store
        .reserve(
            request("b", "openai", "gpt-4o", None, "3"),
            NOW,
            &Utc,
            false,
        )
        .await?;
    assert_eq!(over.warnings.len(), 1);
    assert!(!over.warnings[0].limit.hard);
    assert_eq!(over.warnings[0].spent, usd("0.5"));
    assert!(over.overridden.is_empty());
    assert_eq!(over.headroom, None);
    Ok(())
}

#[tokio::test]
async fn allow_over_limit_passes_and_says_so() -> TestResult {
    let ledger = Ledger::new().await;
    let id = ledger
        .hard_limit(LimitScope::ProviderMonth, Some("openai"), "1")
        .await;
    let req = request("a", "openai", "gpt-4o", None, "2");
    assert!(matches!(
        ledger.store.reserve(req.clone(), NOW, &Utc, false).await,
        Err(ReserveError::Refused(_))
    ));
    let granted = ledger.store.reserve(req, NOW, &Utc, true).await?;
    assert_eq!(granted.overridden.len(), 1);
    assert_eq!(granted.overridden[0].limit.id, id);
    Ok(())
}

#[tokio::test]
async fn free_requests_are_never_refused() -> TestResult {
    let ledger = Ledger::new().await;
    ledger.hard_limit(LimitScope::GlobalDay, None, "1").await;
    ledger
        .store
        .settle(record("a", "openai", "gpt-4o", None, NOW - 10, "3"), &Utc)
        .await?;
    let granted = ledger
        .store
        .reserve(
            request("b", "ollama", "llama3.2:3b", None, "0"),
            NOW,
            &Utc,
            false,
        )
        .await?;
    assert_eq!(granted.amount_usd, Decimal::ZERO);
    assert_eq!(granted.headroom, Some(Decimal::ZERO));
    Ok(())
}

#[tokio::test]
async fn release_and_staleness_free_a_hold() -> TestResult {
    let ledger = Ledger::new().await;
    ledger.hard_limit(LimitScope::GlobalDay, None, "3.5").await;
    let store = &ledger.store;
    store
        .reserve(request("a", "p", "m", None, "3"), NOW, &Utc, false)
        .await?;
    let second = request("b", "p", "m", None, "1");
    assert!(
        store
            .reserve(second.clone(), NOW, &Utc, false)
            .await
            .is_err()
    );
    assert!(store.release("a").await?);
    assert!(!store.release("a").await?);
    store.reserve(second, NOW, &Utc, false).await?;
    // "b" (1 USD) is held; "c" for 3 fails now but passes once "b" is an
    // hour old (same day: 12:00 + 1 h).
    let third = request("c", "p", "m", None, "3");
    assert!(
        store
            .reserve(third.clone(), NOW + 1000, &Utc, false)
            .await
            .is_err()
    );
    store.reserve(third, NOW + 3_600_000, &Utc, false).await?;
    Ok(())
}

#[tokio::test]
async fn limits_apply_only_to_their_scope() -> TestResult {
    let ledger = Ledger::new().await;
    let chat = ledger.conversation("budget").await;
    ledger
        .hard_limit(LimitScope::ProviderMonth, Some("openai"), "1")
        .await;
    ledger
        .hard_limit(LimitScope::ModelMonth, Some("anthropic/claude-opus"), "1")
        .await;
    ledger
        .hard_limit(LimitScope::Conversation, Some(&chat.to_string()), "2")
        .await;
    let store = &ledger.store;
    let refused = |r: &Result<_, ReserveError>| matches!(r, Err(ReserveError::Refused(_)));
    assert!(refused(
        &store
            .reserve(
                request("1", "openai", "gpt-4o", None, "1.5"),
                NOW,
                &Utc,
                false
            )
            .await
    ));
    assert!(
        store
            .reserve(
                request("2", "mistral", "large", None, "1.5"),
                NOW,
                &Utc,
                false
            )
            .await
            .is_ok()
    );
    assert!(refused(
        &store
            .reserve(
                request("3", "anthropic", "claude-opus", None, "1.5"),
                NOW,
                &Utc,
                false
            )
            .await
    ));
    assert!(
        store
            .reserve(
                request("4", "anthropic", "claude-haiku", None, "1.5"),
                NOW,
                &Utc,
                false
            )
            .await
            .is_ok()
    );
    // The conversation has spent 1.5 in an earlier month: its limit is a total.
    store
        .settle(
            record(
                "5",
                "mistral",
                "large",
                Some(chat),
                NOW - 40 * 86_400_000,
                "1.5",
            ),
            &Utc,
        )
        .await?;
    let in_chat = store
        .reserve(
            request("6", "mistral", "large", Some(chat), "0.6"),
            NOW,
            &Utc,
            false,
        )
        .await;
    let Err(ReserveError::Refused(refusal)) = in_chat else {
        panic!("not refused: {in_chat:?}");
    };
    assert_eq!(refusal.limit.limit.scope, LimitScope::Conversation);
    assert_eq!(refusal.limit.period.key, "total");
    assert!(
        store
            .reserve(
                request("7", "mistral", "large", Some(chat), "0.5"),
                NOW,
                &Utc,
                false
            )
            .await
            .is_ok()
    );
    Ok(())
}

#[tokio::test]
async fn running_check_stops_at_the_hard_limit() -> TestResult {
    let ledger = Ledger::new().await;
    ledger.hard_limit(LimitScope::GlobalDay, None, "2").await;
    let store = &ledger.store;
    store
        .settle(record("old", "p", "m", None, NOW - 10, "1"), &Utc)
        .await?;
    let req = request("live", "p", "m", None, "0.5");
    let granted = store.reserve(req.clone(), NOW, &Utc, false).await?;
    assert_eq!(granted.headroom, Some(usd("1")));
    // Its own reservation is not counted against it.
    assert_eq!(
        store.running_check(&req, usd("0.9"), NOW, &Utc).await?,
        None
    );
    assert_eq!(
        store.running_check(&req, usd("1.0"), NOW, &Utc).await?,
        None
    );
    let breach = store
        .running_check(&req, usd("1.01"), NOW, &Utc)
        .await?
        .ok_or("no breach above the limit")?;
    assert_eq!(breach.limit.spent, usd("1"));
    assert!(breach.to_string().contains("stopped"), "{breach}");
    Ok(())
}
