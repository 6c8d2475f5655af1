//! `valechat usage [--since D] [--until D] [--by …] [--format …]`: what was
//! spent, from the usage ledger, over local-calendar dates; and
//! `valechat usage --pdf FILE [--month YYYY-MM]`: the monthly PDF report
//! ([`crate::reports`]).

use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::{Datelike, Local, NaiveDate};
use clap::{Args, ValueEnum};
use serde_json::json;

use crate::reports::{BillingReport, ChartSpan, write_pdf};
use valechat_core::chat::Engine;
use valechat_core::ledger::period::{day_period, local_date};
use valechat_core::ledger::{GroupBy, UsageGroup, UsageTotals, write_csv};

/// Arguments of `usage`.
#[derive(Debug, Args)]
pub struct UsageArgs {
    /// First local day, YYYY-MM-DD (default: the first of this month).
    #[arg(long)]
    pub since: Option<NaiveDate>,
    /// Last local day, included, YYYY-MM-DD (default: today).
    #[arg(long)]
    pub until: Option<NaiveDate>,
    /// Group the totals.
    #[arg(long)]
    pub by: Option<By>,
    /// Output format; `csv` without `--by` exports every record.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the monthly PDF report to this file instead (see `--month`).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["since", "until", "by"])]
    pub pdf: Option<std::path::PathBuf>,
    /// Month of the PDF report, YYYY-MM (default: this month).
    #[arg(long, value_parser = parse_month, requires = "pdf")]
    pub month: Option<NaiveDate>,
}

/// Parses `YYYY-MM` as the first day of that month.
fn parse_month(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d")
        .map_err(|_| format!("{text:?} is not a month written YYYY-MM"))
}

/// Writes the PDF report of `month` (default: this month) to `path`.
async fn write_pdf_report(
    engine: &Engine,
    path: &std::path::Path,
    month: Option<NaiveDate>,
) -> anyhow::Result<ExitCode> {
    let now = chrono::Utc::now().timestamp_millis();
    let month = match month {
        Some(m) => m,
        None => local_date(now, &Local)?,
    };
    let report = BillingReport::load(engine.store(), month, now, &Local, ChartSpan::WholeMonth)
        .await
        .with_context(|| format!("loading the usage of {}", month.format("%Y-%m")))?;
    write_pdf(path, &report, Local::now())?;
    println!("{}", path.display());
    Ok(ExitCode::SUCCESS)
}

/// Grouping of `usage --by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum By {
    /// By provider/model.
    Model,
    /// By provider.
    Provider,
    /// By local day.
    Day,
    /// By conversation id.
    Conversation,
}

impl From<By> for GroupBy {
    fn from(by: By) -> Self {
        match by {
            By::Model => Self::Model,
            By::Provider => Self::Provider,
            By::Day => Self::Day,
            By::Conversation => Self::Conversation,
        }
    }
}

/// Output format of `usage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object; amounts as exact decimal strings.
    Json,
}

/// Runs `usage`.
pub async fn run(engine: &Engine, args: UsageArgs) -> anyhow::Result<ExitCode> {
    if let Some(path) = &args.pdf {
        return write_pdf_report(engine, path, args.month).await;
    }
    let today = local_date(chrono::Utc::now().timestamp_millis(), &Local)?;
    let since = match args.since {
        Some(d) => d,
        None => today.with_day(1).context("the first of this month")?,
    };
    let until = args.until.unwrap_or(today);
    if since > until {
        bail!("--since {since} is after --until {until}");
    }
    let from_ms = day_period(since, &Local)?.start_ms;
    let until_ms = day_period(until, &Local)?.end_ms;
    let store = engine.store();
    let records = store.list_usage(from_ms, until_ms).await?;
    let totals = UsageTotals::of(&records);
    let groups = match args.by {
        Some(by) => Some(valechat_core::ledger::report::group(
            &records,
            by.into(),
            &Local,
        )?),
        None => None,
    };
    let mut out = std::io::stdout().lock();
    match (args.format, groups) {
        (Format::Table, None) => {
            println!("{since} – {until}");
            println!("requests\t{}", totals.requests);
            println!("input tokens\t{}", totals.tokens.input);
            println!("output tokens\t{}", totals.tokens.output);
            println!("cache read tokens\t{}", totals.tokens.cache_read);
            println!("cache write tokens\t{}", totals.tokens.cache_write);
            println!("reasoning tokens\t{}", totals.tokens.reasoning);
            println!("cost\t{} USD", totals.cost_usd);
        }
        (Format::Table, Some(groups)) => print_table(&groups, &totals),
        (Format::Csv, None) => write_csv(&mut out, &records)?,
        (Format::Csv, Some(groups)) => {
            let mut csv = csv::Writer::from_writer(&mut out);
            csv.write_record([
                "key",
                "requests",
                "input_tokens",
                "output_tokens",
                "cache_read_tokens",
                "cache_write_tokens",
                "reasoning_tokens",
                "cost_usd",
            ])?;
            for g in &groups {
                let t = &g.totals;
                csv.write_record([
                    g.key.clone(),
                    t.requests.to_string(),
                    t.tokens.input.to_string(),
                    t.tokens.output.to_string(),
                    t.tokens.cache_read.to_string(),
                    t.tokens.cache_write.to_string(),
                    t.tokens.reasoning.to_string(),
                    t.cost_usd.to_string(),
                ])?;
            }
            csv.flush()?;
        }
        (Format::Json, groups) => {
            let value = json!({
                "since": since.to_string(),
                "until": until.to_string(),
                "by": args.by.map(|b| format!("{b:?}").to_lowercase()),
                "totals": totals,
                "groups": groups,
            });
            println!("{}", serde_json::to_string_pretty(&value)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints groups as aligned columns with a total line.
fn print_table(groups: &[UsageGroup], totals: &UsageTotals) {
    let width = groups
        .iter()
        .map(|g| g.key.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    println!(
        "{:<width$}  {:>8}  {:>12}  {:>12}  {:>14}",
        "KEY", "REQUESTS", "INPUT", "OUTPUT", "COST USD"
    );
    let row = |key: &str, t: &UsageTotals| {
        println!(
            "{key:<width$}  {:>8}  {:>12}  {:>12}  {:>14}",
            t.requests, t.tokens.input, t.tokens.output, t.cost_usd
        );
    };
    for g in groups {
        row(&g.key, &g.totals);
    }
    row("TOTAL", totals);
}
