//! `valechat usage` and `valechat limits` run as the real binary, with the
//! data directory in a temporary folder (`VALECHAT_DATA_DIR`) and the local
//! time zone set to America/Los_Angeles (`TZ`).

use std::path::Path;
use std::process::Output;

use chrono::TimeZone;
use chrono_tz::America::Los_Angeles;
use rust_decimal::Decimal;
use valechat_core::ledger::{
    CostSource, NewUsageRecord, Outcome, TokenUsage, Verification, read_csv,
};
use valechat_core::store::Store;

use crate::support::cli;

use cli::{assert_success, stderr, stdout};

/// Runs `valechat args…` with its data in `data_dir`, in Los Angeles time.
async fn valechat(data_dir: &Path, args: &[&str]) -> Output {
    cli::valechat_with(data_dir, &[("TZ", "America/Los_Angeles")], args).await
}

fn usage(request_id: &str, provider: &str, model: &str, at_ms: i64, cost: &str) -> NewUsageRecord {
    NewUsageRecord {
        request_id: request_id.into(),
        provider_id: provider.into(),
        model: model.into(),
        conversation_id: None,
        message_id: None,
        created_at: at_ms,
        tokens: TokenUsage {
            input: 100,
            output: 20,
            ..TokenUsage::default()
        },
        counted_input_tokens: None,
        verification: Verification::Unverifiable,
        cost_usd: cost.parse().expect("decimal"),
        cost_source: CostSource::Estimated,
        outcome: Outcome::Completed,
        client: None,
    }
}

/// Local Los Angeles wall time as UTC ms.
fn la(y: i32, mo: u32, d: u32, h: u32) -> i64 {
    Los_Angeles
        .with_ymd_and_hms(y, mo, d, h, 0, 0)
        .single()
        .expect("local time")
        .timestamp_millis()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_reports_local_days_and_exports_csv() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("valechat.db"))
        .await
        .expect("open store");
    // 22:00 on 9 November in Los Angeles is 10 November in UTC.
    let records = [
        usage("a", "openai", "gpt-4o", la(2026, 11, 9, 22), "0.125"),
        usage("b", "anthropic", "claude", la(2026, 11, 10, 8), "0.5"),
        usage("c", "openai", "gpt-4o", la(2026, 11, 12, 8), "7"),
    ];
    for r in records {
        store.settle(r, &Los_Angeles).await.expect("settle");
    }
    drop(store);
    let range = ["--since", "2026-11-09", "--until", "2026-11-10"];

    let by_day = valechat(
        dir.path(),
        &[&["usage", "--by", "day", "--format", "csv"][..], &range].concat(),
    )
    .await;
    assert_success(&by_day);
    let text = stdout(&by_day);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "key,requests,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,reasoning_tokens,cost_usd"
    );
    assert_eq!(lines[1], "2026-11-09,1,100,20,0,0,0,0.125");
    assert_eq!(lines[2], "2026-11-10,1,100,20,0,0,0,0.5");
    assert_eq!(lines.len(), 3);

    let json = valechat(
        dir.path(),
        &[&["usage", "--by", "model", "--format", "json"][..], &range].concat(),
    )
    .await;
    assert_success(&json);
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    assert_eq!(value["totals"]["cost_usd"], "0.625");
    assert_eq!(value["groups"][0]["key"], "anthropic/claude");
    assert_eq!(value["groups"][1]["key"], "openai/gpt-4o");

    let export = valechat(
        dir.path(),
        &[&["usage", "--format", "csv"][..], &range].concat(),
    )
    .await;
    assert_success(&export);
    let parsed = read_csv(export.stdout.as_slice()).expect("CSV parses");
    let ids: Vec<&str> = parsed.iter().map(|r| r.request_id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(
        parsed[0].cost_usd,
        "0.125".parse::<Decimal>().expect("decimal")
    );

    let table = valechat(
        dir.path(),
        &[&["usage", "--by", "provider"][..], &range].concat(),
    )
    .await;
    assert_success(&table);
    let table = stdout(&table);
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("openai") && l.ends_with("0.125")),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("TOTAL") && l.ends_with("0.625")),
        "{table}"
    );

    let backwards = valechat(
        dir.path(),
        &["usage", "--since", "2026-11-10", "--until", "2026-11-09"],
    )
    .await;
    assert_eq!(backwards.status.code(), Some(1));
    assert!(
        stderr(&backwards).contains("after --until"),
        "{}",
        stderr(&backwards)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_set_list_and_remove() {
    let dir = tempfile::tempdir().expect("temp dir");
    let set = valechat(
        dir.path(),
        &[
            "limits", "set", "--scope", "provider", "--target", "openai", "--amount", "5.00",
        ],
    )
    .await;
    assert_success(&set);
    let id = stdout(&set).trim().to_owned();
    let soft = valechat(
        dir.path(),
        &[
            "limits",
            "set",
            "--scope",
            "global-day",
            "--amount",
            "1",
            "--soft",
            "--thresholds",
            "80",
        ],
    )
    .await;
    assert_success(&soft);
    // Setting the same scope and target again replaces the amount, same id.
    let again = valechat(
        dir.path(),
        &[
            "limits", "set", "--scope", "provider", "--target", "openai", "--amount", "7.5",
        ],
    )
    .await;
    assert_success(&again);
    assert_eq!(stdout(&again).trim(), id);

    let list = valechat(dir.path(), &["limits", "list"]).await;
    assert_success(&list);
    let text = stdout(&list);
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert_eq!(
        rows[0][..6],
        [
            id.as_str(),
            "provider_month",
            "openai",
            "7.5",
            "hard",
            "50,80,100"
        ]
    );
    assert_eq!(rows[1][1..6], ["global_day", "-", "1", "soft", "80"]);
    assert_eq!(rows[0][8], "0%");

    let bad = valechat(
        dir.path(),
        &["limits", "set", "--scope", "global-month", "--amount", "0"],
    )
    .await;
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("more than 0 USD"), "{}", stderr(&bad));
    let no_target = valechat(
        dir.path(),
        &["limits", "set", "--scope", "model", "--amount", "1"],
    )
    .await;
    assert!(
        stderr(&no_target).contains("needs a target"),
        "{}",
        stderr(&no_target)
    );
    let thresholds = valechat(
        dir.path(),
        &[
            "limits",
            "set",
            "--scope",
            "global-month",
            "--amount",
            "1",
            "--thresholds",
            "50,150",
        ],
    )
    .await;
    assert!(
        stderr(&thresholds).contains("150%"),
        "{}",
        stderr(&thresholds)
    );

    assert_success(&valechat(dir.path(), &["limits", "remove", &id]).await);
    let missing = valechat(dir.path(), &["limits", "remove", &id]).await;
    assert_eq!(missing.status.code(), Some(1));
    let list = valechat(dir.path(), &["limits", "list"]).await;
    assert_eq!(stdout(&list).lines().count(), 2);
}
