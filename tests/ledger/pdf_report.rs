//! The monthly PDF report (`valechat usage --pdf FILE --month YYYY-MM`) from
//! an on-disk store with known records: poppler renders its first page to a
//! PNG that is not blank, and its text holds the exact totals.
//!
//! Needs `pdftoppm` and `pdftotext` (poppler-utils, in .ci/install-deps).

use std::path::Path;
use std::process::{Command, Stdio};

use chrono::TimeZone;
use chrono_tz::America::Los_Angeles;
use rust_decimal::Decimal;
use valechat_core::ledger::{
    CostSource, LimitScope, NewLimit, NewUsageRecord, Outcome, TokenUsage, Verification,
};
use valechat_core::store::Store;

fn record(id: &str, provider: &str, model: &str, at_ms: i64, cost: &str) -> NewUsageRecord {
    NewUsageRecord {
        request_id: id.into(),
        provider_id: provider.into(),
        model: model.into(),
        conversation_id: None,
        message_id: None,
        created_at: at_ms,
        tokens: TokenUsage {
            input: 1000,
            output: 250,
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

fn la(y: i32, mo: u32, d: u32, h: u32) -> i64 {
    Los_Angeles
        .with_ymd_and_hms(y, mo, d, h, 0, 0)
        .single()
        .expect("local time")
        .timestamp_millis()
}

fn run(program: &str, args: &[&str], env_dir: Option<&Path>) -> String {
    let mut command = Command::new(program);
    command.args(args).stdin(Stdio::null());
    if let Some(dir) = env_dir {
        command
            .env("VALECHAT_DATA_DIR", dir)
            .env("RUST_LOG", "off")
            .env("LC_ALL", "C.UTF-8")
            .env("TZ", "America/Los_Angeles");
    }
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("start {program}: {e}"));
    assert!(
        output.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// Variance of the grey level (0–255) over every pixel of a PNG.
fn grey_variance(png: &Path) -> f64 {
    let pixbuf = relm4::gtk::gdk_pixbuf::Pixbuf::from_file(png).expect("decode PNG");
    let (width, height, stride, channels) = (
        usize::try_from(pixbuf.width()).expect("width"),
        usize::try_from(pixbuf.height()).expect("height"),
        usize::try_from(pixbuf.rowstride()).expect("stride"),
        usize::try_from(pixbuf.n_channels()).expect("channels"),
    );
    let data = pixbuf.read_pixel_bytes();
    let mut values = Vec::with_capacity(width * height);
    for y in 0..height {
        for x in 0..width {
            let at = y * stride + x * channels;
            let p = &data[at..at + 3];
            values.push((f64::from(p[0]) + f64::from(p[1]) + f64::from(p[2])) / 3.0);
        }
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monthly_pdf_renders_and_holds_exact_totals() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("valechat.db"))
        .await
        .expect("open store");
    store
        .create_limit(NewLimit::hard(
            LimitScope::GlobalMonth,
            None,
            Decimal::from(10),
        ))
        .await
        .expect("limit");
    for r in [
        record("a", "openai", "gpt-4o", la(2026, 10, 3, 9), "1.25"),
        record(
            "b",
            "anthropic",
            "claude-sonnet",
            la(2026, 10, 10, 12),
            "0.5",
        ),
        record("c", "openai", "gpt-4o-mini", la(2026, 10, 20, 18), "0.0042"),
        // September and November stay out of October's report.
        record("d", "openai", "gpt-4o", la(2026, 9, 30, 23), "100"),
        record("e", "openai", "gpt-4o", la(2026, 11, 1, 0), "200"),
    ] {
        store.settle(r, &Los_Angeles).await.expect("settle");
    }
    drop(store);

    let pdf = dir.path().join("report.pdf");
    let pdf_arg = pdf.to_str().expect("UTF-8 path");
    run(
        env!("CARGO_BIN_EXE_valechat"),
        &["usage", "--pdf", pdf_arg, "--month", "2026-10"],
        Some(dir.path()),
    );

    let prefix = dir.path().join("page");
    run(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            pdf_arg,
            prefix.to_str().expect("UTF-8"),
        ],
        None,
    );
    let png = std::fs::read_dir(dir.path())
        .expect("list temp dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "png"))
        .expect("pdftoppm wrote a PNG page");
    let variance = grey_variance(&png);
    assert!(variance > 100.0, "page looks blank: variance {variance}");

    // For people: VALECHAT_REPORT_PAGE=build/screenshots/report-page keeps a
    // 90 dpi render of page 1 (pdftoppm adds ".png").
    if let Ok(keep) = std::env::var("VALECHAT_REPORT_PAGE") {
        run(
            "pdftoppm",
            &[
                "-png",
                "-r",
                "90",
                "-singlefile",
                "-f",
                "1",
                "-l",
                "1",
                pdf_arg,
                &keep,
            ],
            None,
        );
    }

    let text = run("pdftotext", &["-layout", pdf_arg, "-"], None);
    assert!(text.contains("October 2026"), "{text}");
    assert!(text.contains("Total spent: $1.7542"), "{text}");
    assert!(text.contains("Requests: 3"), "{text}");
    assert!(
        text.contains("$1.7542 of $10.00 (18 %), $8.2458 left"),
        "{text}"
    );
    // Tables: openai 1.25 + 0.0042, anthropic 0.5, each model on its own.
    assert!(text.contains("$1.2542"), "{text}");
    assert!(text.contains("$0.50"), "{text}");
    assert!(text.contains("gpt-4o-mini"), "{text}");
    assert!(
        !text.contains("$100.00") && !text.contains("$200.00"),
        "{text}"
    );
}
