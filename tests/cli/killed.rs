//! A `valechat chat` killed with SIGKILL in the middle of a billed stream
//! (issue 13, point 9): the next start records the request as an estimated
//! usage record (input counted before sending, output from what was
//! stored) instead of letting its reservation expire unbilled.

use std::process::Stdio;
use std::time::Duration;

use rust_decimal::Decimal;
use tokio::io::AsyncReadExt;
use valechat_core::ledger::{CostSource, Outcome, Verification, read_csv};

use crate::support;
use support::cli::{assert_success, stdout};
use support::openai::chunk;
use support::{Reply, Step, TestServer};

/// Longest the test waits for the reply's first words.
const FIRST_TEXT_DEADLINE: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_killed_mid_stream_is_recorded_as_estimated_usage_at_the_next_start() {
    // The server sends the first words, then keeps the stream open.
    let server = TestServer::start(vec![Reply::sse(vec![
        Step::Send(chunk(
            serde_json::json!({"content": "The first words"}),
            None,
        )),
        Step::HoldOpen,
    ])])
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    let added = support::cli::valechat_with(
        data,
        &[],
        &[
            "providers",
            "add",
            "--name",
            "Billed",
            "--base-url",
            &server.base_url(),
        ],
    )
    .await;
    assert_success(&added);
    let provider = stdout(&added).trim_end().to_owned();
    let priced = support::cli::valechat_with(
        data,
        &[],
        &[
            "prices",
            "set",
            "--provider",
            &provider,
            "--model",
            "gpt-4o",
            "--input",
            "10",
            "--output",
            "30",
        ],
    )
    .await;
    assert_success(&priced);

    let mut chat = tokio::process::Command::new(env!("CARGO_BIN_EXE_valechat"))
        .args([
            "chat",
            "--provider",
            &provider,
            "--model",
            "gpt-4o",
            "--no-tools",
        ])
        .arg("Tell me a long story about the sea.")
        .env("VALECHAT_DATA_DIR", data)
        .env("RUST_LOG", "off")
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start valechat chat");
    let mut out = chat.stdout.take().expect("stdout");
    let mut seen = Vec::new();
    tokio::time::timeout(FIRST_TEXT_DEADLINE, async {
        let mut buf = [0u8; 256];
        while !String::from_utf8_lossy(&seen).contains("The first words") {
            let n = out.read(&mut buf).await.expect("read stdout");
            assert!(n > 0, "valechat chat ended before streaming");
            seen.extend_from_slice(&buf[..n]);
        }
    })
    .await
    .expect("no reply text arrived");
    // SIGKILL: nothing of ValeChat runs after it.
    chat.start_kill().expect("kill");
    let status = chat.wait().await.expect("wait");
    assert!(!status.success());

    // A fresh start (any command) records what the killed one left.
    let usage = support::cli::valechat_with(data, &[], &["usage", "--format", "csv"]).await;
    assert_success(&usage);
    let records = read_csv(usage.stdout.as_slice()).expect("CSV");
    assert_eq!(records.len(), 1, "{}", stdout(&usage));
    let record = &records[0];
    assert_eq!(record.provider_id, provider);
    assert_eq!(record.model, "gpt-4o");
    assert_eq!(record.verification, Verification::Estimated);
    assert_eq!(record.outcome, Outcome::Failed);
    assert_eq!(record.cost_source, CostSource::Estimated);
    assert!(record.message_id.is_some());
    // The input was counted before sending (a dozen tokens of prompt).
    assert!(record.tokens.input > 0, "{record:?}");
    assert!(record.cost_usd > Decimal::ZERO, "{record:?}");

    // Recorded once: a second start finds nothing left to record.
    let again = support::cli::valechat_with(data, &[], &["usage", "--format", "csv"]).await;
    assert_eq!(read_csv(again.stdout.as_slice()).expect("CSV").len(), 1);
}
