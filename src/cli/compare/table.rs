//! The end of `valechat compare`: the table of the columns' figures, or
//! the one JSON object of `--format json`.

use serde_json::{Value, json};

use super::Column;
use valechat_core::chat::{ColumnSummary, Comparison};
use valechat_core::format::{format_count, format_usd};

/// Header of the table, one cell per figure.
const HEADER: [&str; 6] = [
    "MODEL",
    "FIRST TOKEN",
    "TOKENS/S",
    "INPUT",
    "OUTPUT",
    "COST",
];

/// The table: one row per column, in order, cells padded to the widest;
/// `-` where a figure is unknown, `failed` in the first-token cell of a
/// column that failed before any token.
pub(super) fn render(columns: &[Column]) -> String {
    let rows: Vec<[String; 6]> = columns.iter().map(row).collect();
    let mut widths = HEADER.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header = HEADER.map(str::to_owned);
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (cell, width))| {
                let pad = width.saturating_sub(cell.chars().count());
                // The model left-aligned, the figures right-aligned.
                if i == 0 {
                    format!("{cell}{}", " ".repeat(pad))
                } else {
                    format!("{}{cell}", " ".repeat(pad))
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn row(column: &Column) -> [String; 6] {
    let dash = || "-".to_owned();
    let Some(s) = &column.summary else {
        return [column.label.clone(), dash(), dash(), dash(), dash(), dash()];
    };
    let first = match (s.first_token_ms, &s.error) {
        (Some(ms), _) => format!("{} ms", format_count(ms)),
        (None, Some(_)) => "failed".to_owned(),
        (None, None) => dash(),
    };
    [
        column.label.clone(),
        first,
        s.tokens_per_second()
            .map_or_else(dash, |t| format!("{t:.1}")),
        s.input_tokens.map_or_else(dash, format_count),
        s.output_tokens.map_or_else(dash, format_count),
        s.cost_usd.map_or_else(dash, format_usd),
    ]
}

/// `--format json`: the conversation, the prompt's message id and one
/// object per column (its reply's id and text, times in milliseconds,
/// tokens, cost in USD as a decimal string, finish reason, error).
pub(super) fn json(comparison: &Comparison, columns: &[Column]) -> Value {
    let columns: Vec<Value> = columns
        .iter()
        .zip(&comparison.models)
        .map(|(column, (provider, model))| {
            let s = column.summary.as_ref();
            json!({
                "provider": provider,
                "model": model,
                "message_id": s.and_then(|s| s.reply.as_ref()).map(|m| m.id),
                "text": column.text,
                "first_token_ms": s.and_then(|s| s.first_token_ms),
                "total_ms": s.map(|s| s.total_ms),
                "tokens_per_second": s.and_then(rate),
                "input_tokens": s.and_then(|s| s.input_tokens),
                "output_tokens": s.and_then(|s| s.output_tokens),
                "cost_usd": s.and_then(|s| s.cost_usd).map(|c| c.normalize().to_string()),
                "finish_reason": s.and_then(|s| s.finish_reason.clone()),
                "error": s.and_then(|s| s.error.as_ref()).map(ToString::to_string),
            })
        })
        .collect();
    json!({
        "conversation_id": comparison.conversation.id,
        "user_message_id": comparison.user.id,
        "columns": columns,
    })
}

/// Tokens per second rounded to 0.1 for the JSON.
fn rate(summary: &ColumnSummary) -> Option<f64> {
    summary
        .tokens_per_second()
        .map(|t| (t * 10.0).round() / 10.0)
}
