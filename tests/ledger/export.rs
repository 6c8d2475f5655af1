//! The CSV export parsed back equals the rows in the database.

use chrono::Utc;
use valechat_core::ledger::{CSV_HEADER, CostSource, Outcome, Verification, read_csv, write_csv};

use super::{Ledger, TestResult, record};

#[tokio::test]
async fn csv_round_trips_the_database_rows() -> TestResult {
    let ledger = Ledger::new().await;
    let chat = ledger.conversation("export").await;
    let mut odd = record(
        "req \"quoted\", with comma",
        "openrouter",
        "openai/gpt-4o, \"latest\"\nsecond line",
        Some(chat),
        1_794_312_000_123,
        "0.000000123456789",
    );
    odd.counted_input_tokens = None;
    odd.verification = Verification::Unverifiable;
    odd.cost_source = CostSource::Actual;
    odd.outcome = Outcome::CutOff;
    odd.client = Some("mcp:Claude, \"Desktop\"".into());
    ledger.store.settle(odd, &Utc).await?;
    for i in 0..20 {
        let cost = format!("{}.{:03}", i, i * 7);
        ledger
            .store
            .settle(
                record(
                    &format!("r{i}"),
                    "ollama",
                    "llama3.2:3b",
                    None,
                    1_794_000_000_000 + i,
                    &cost,
                ),
                &Utc,
            )
            .await?;
    }
    let rows = ledger.store.list_usage(0, i64::MAX).await?;
    assert_eq!(rows.len(), 21);
    let mut buffer = Vec::new();
    write_csv(&mut buffer, &rows)?;
    let text = String::from_utf8(buffer.clone())?;
    assert!(text.starts_with(&CSV_HEADER.join(",")));
    assert!(text.contains("0.000000123456789"));
    assert!(text.contains("2026-11-10T12:00:00.123Z"));
    assert_eq!(read_csv(buffer.as_slice())?, rows);
    Ok(())
}

#[test]
fn a_foreign_header_is_rejected() {
    let result = read_csv("a,b\n1,2\n".as_bytes());
    assert!(result.is_err());
}

#[test]
fn a_file_written_before_the_client_column_is_read() -> TestResult {
    let old_header = CSV_HEADER[..CSV_HEADER.len() - 1].join(",");
    let row = "1,r1,2026-11-10T12:00:00.123Z,ollama,llama3.2:3b,,,10,5,0,0,0,10,agrees,0.5,estimated,completed";
    let records = read_csv(format!("{old_header}\n{row}\n").as_bytes())?;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].client, None);
    assert_eq!(records[0].outcome, Outcome::Completed);
    Ok(())
}
