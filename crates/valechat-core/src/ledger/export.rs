//! CSV export of usage records (RFC 4180 through the `csv` crate), and the
//! matching reader used to check an export and to import one back.
//!
//! One header row, then one row per record in the order given. Costs are
//! the exact decimal text (`0.000125`, never rounded or in exponent form);
//! times are RFC 3339 in UTC with milliseconds (`2026-11-22T09:30:00.000Z`);
//! empty cells are absent optional values.

use std::io::{Read, Write};
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat};
use rust_decimal::Decimal;

use super::usage::{TokenUsage, UsageRecord};

/// Column names of the header row, in order. Files written before
/// `client` was added (the first 17 columns) are still read.
pub const CSV_HEADER: [&str; 18] = [
    "id",
    "request_id",
    "created_at",
    "provider_id",
    "model",
    "conversation_id",
    "message_id",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
    "counted_input_tokens",
    "verification",
    "cost_usd",
    "cost_source",
    "outcome",
    "client",
];

/// A CSV export or import problem.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// Writing or reading the CSV stream failed.
    #[error("CSV error: {0}")]
    Csv(#[from] csv::Error),
    /// The header row is not [`CSV_HEADER`].
    #[error("unexpected CSV header {0:?}")]
    Header(Vec<String>),
    /// A cell holds a value of the wrong form.
    #[error("row {row}, column {column}: cannot read {value:?}")]
    Cell {
        /// 1-based data row.
        row: usize,
        /// Column name.
        column: &'static str,
        /// The cell text.
        value: String,
    },
    /// A timestamp outside the calendar range.
    #[error("record {request_id} has a time outside the calendar range: {ms} ms")]
    Time {
        /// The record.
        request_id: String,
        /// UTC unix ms.
        ms: i64,
    },
}

/// Formats UTC unix ms as RFC 3339 with milliseconds, `Z` suffix.
#[must_use]
pub fn rfc3339_utc(ms: i64) -> Option<String> {
    DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// Writes `records` as CSV with a header row.
///
/// # Errors
/// [`CsvError::Csv`] when the writer fails, [`CsvError::Time`] for an
/// unrepresentable time.
pub fn write_csv<W: Write>(writer: W, records: &[UsageRecord]) -> Result<(), CsvError> {
    let mut out = csv::Writer::from_writer(writer);
    out.write_record(CSV_HEADER)?;
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    for r in records {
        let time = rfc3339_utc(r.created_at).ok_or_else(|| CsvError::Time {
            request_id: r.request_id.clone(),
            ms: r.created_at,
        })?;
        out.write_record([
            r.id.to_string(),
            r.request_id.clone(),
            time,
            r.provider_id.clone(),
            r.model.clone(),
            opt(r.conversation_id),
            opt(r.message_id),
            r.tokens.input.to_string(),
            r.tokens.output.to_string(),
            r.tokens.cache_read.to_string(),
            r.tokens.cache_write.to_string(),
            r.tokens.reasoning.to_string(),
            opt(r.counted_input_tokens),
            r.verification.to_string(),
            r.cost_usd.to_string(),
            r.cost_source.to_string(),
            r.outcome.to_string(),
            r.client.clone().unwrap_or_default(),
        ])?;
    }
    out.flush().map_err(|e| CsvError::Csv(e.into()))?;
    Ok(())
}

/// Reads records written by [`write_csv`].
///
/// # Errors
/// [`CsvError::Header`] for another header, [`CsvError::Cell`] for a value
/// that does not parse, [`CsvError::Csv`] for malformed CSV.
pub fn read_csv<R: Read>(reader: R) -> Result<Vec<UsageRecord>, CsvError> {
    let mut input = csv::Reader::from_reader(reader);
    let header: Vec<String> = input.headers()?.iter().map(str::to_owned).collect();
    let known = header.len() >= CSV_HEADER.len() - 1
        && header.len() <= CSV_HEADER.len()
        && header.iter().zip(CSV_HEADER).all(|(a, b)| a == b);
    if !known {
        return Err(CsvError::Header(header));
    }
    let mut records = Vec::new();
    for (i, row) in input.records().enumerate() {
        let row = row?;
        let cells = Cells {
            row: &row,
            n: i + 1,
        };
        records.push(UsageRecord {
            id: cells.parse(0)?,
            request_id: cells.text(1),
            created_at: cells.time(2)?,
            provider_id: cells.text(3),
            model: cells.text(4),
            conversation_id: cells.optional(5)?,
            message_id: cells.optional(6)?,
            tokens: TokenUsage {
                input: cells.parse(7)?,
                output: cells.parse(8)?,
                cache_read: cells.parse(9)?,
                cache_write: cells.parse(10)?,
                reasoning: cells.parse(11)?,
            },
            counted_input_tokens: cells.optional(12)?,
            verification: cells.parse(13)?,
            cost_usd: cells.parse::<Decimal>(14)?,
            cost_source: cells.parse(15)?,
            outcome: cells.parse(16)?,
            client: Some(cells.text(17)).filter(|c| !c.is_empty()),
        });
    }
    Ok(records)
}

/// One data row with its 1-based number, for error messages.
struct Cells<'a> {
    row: &'a csv::StringRecord,
    n: usize,
}

impl Cells<'_> {
    fn text(&self, i: usize) -> String {
        self.row.get(i).unwrap_or_default().to_owned()
    }

    fn bad(&self, i: usize) -> CsvError {
        CsvError::Cell {
            row: self.n,
            column: CSV_HEADER[i],
            value: self.text(i),
        }
    }

    fn parse<T: FromStr>(&self, i: usize) -> Result<T, CsvError> {
        self.text(i).parse().map_err(|_| self.bad(i))
    }

    fn optional(&self, i: usize) -> Result<Option<i64>, CsvError> {
        match self.row.get(i) {
            None | Some("") => Ok(None),
            Some(_) => self.parse(i).map(Some),
        }
    }

    fn time(&self, i: usize) -> Result<i64, CsvError> {
        DateTime::parse_from_rfc3339(&self.text(i))
            .map(|t| t.timestamp_millis())
            .map_err(|_| self.bad(i))
    }
}
