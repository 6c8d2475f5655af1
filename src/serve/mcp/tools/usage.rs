//! `get_usage`: what was spent in a period of local calendar days, grouped
//! by provider, model or day, from the ledger's reports
//! ([`valechat_core::ledger::report::group`]), as `valechat usage` shows it.

use chrono::{Datelike, Local, NaiveDate};
use rmcp::model::{CallToolResult, JsonObject, Tool};
use serde::Deserialize;
use serde_json::{Value, json};
use valechat_core::chat::Engine;
use valechat_core::ledger::period::{day_period, local_date};
use valechat_core::ledger::report::group;
use valechat_core::ledger::{GroupBy, UsageTotals};

use super::{arguments, failure, success, tool, usd_schema};

/// The tool's name.
pub const NAME: &str = "get_usage";

/// The JSON Schema of one total (`totals` and each group's).
fn totals_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "requests": {"type": "integer"},
            "input_tokens": {"type": "integer"},
            "output_tokens": {"type": "integer"},
            "cost_usd": usd_schema("USD."),
        },
        "required": ["requests", "input_tokens", "output_tokens", "cost_usd"],
    })
}

/// The tool's definition.
#[must_use]
pub fn definition() -> Tool {
    let mut group = totals_schema();
    group["properties"]["key"] = json!({"type": "string",
        "description": "The provider id, provider/model, or the day YYYY-MM-DD."});
    tool(json!({
        "name": NAME,
        "title": "Get usage",
        "description": "What ValeChat spent on model requests in a period of local calendar days: requests, input and output tokens and cost in USD (decimal strings), in total and grouped by provider, model or day. The period is period (today or month: this month so far; the default) or from/to (YYYY-MM-DD, both included).",
        "inputSchema": {
            "type": "object",
            "properties": {
                "period": {"type": "string", "enum": ["today", "month"]},
                "from": {"type": "string", "format": "date", "description": "First day, YYYY-MM-DD."},
                "to": {"type": "string", "format": "date", "description": "Last day (included), YYYY-MM-DD; default today."},
                "group_by": {"type": "string", "enum": ["provider", "model", "day"], "description": "Default provider."},
            },
            "additionalProperties": false,
        },
        "outputSchema": {
            "type": "object",
            "properties": {
                "from": {"type": "string", "format": "date"},
                "to": {"type": "string", "format": "date"},
                "group_by": {"type": "string"},
                "totals": totals_schema(),
                "groups": {"type": "array", "items": group},
            },
            "required": ["from", "to", "group_by", "totals", "groups"],
        },
        "annotations": {"readOnlyHint": true, "openWorldHint": false},
    }))
}

/// The arguments.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Arguments {
    period: Option<Period>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    group_by: Option<By>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Period {
    Today,
    Month,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
enum By {
    #[default]
    Provider,
    Model,
    Day,
}

impl By {
    fn name(self) -> &'static str {
        match self {
            Self::Provider => "provider",
            Self::Model => "model",
            Self::Day => "day",
        }
    }
}

/// `totals` as the tool's JSON (amounts as decimal strings).
#[must_use]
pub fn totals_json(totals: &UsageTotals) -> Value {
    json!({
        "requests": totals.requests,
        "input_tokens": totals.tokens.input,
        "output_tokens": totals.tokens.output,
        "cost_usd": totals.cost_usd.normalize().to_string(),
    })
}

/// Runs the tool.
pub async fn run(engine: &Engine, args: JsonObject) -> CallToolResult {
    let args: Arguments = match arguments(NAME, args) {
        Ok(a) => a,
        Err(e) => return e,
    };
    match report(engine, args).await {
        Ok(result) => result,
        Err(e) => failure(e),
    }
}

async fn report(engine: &Engine, args: Arguments) -> Result<CallToolResult, String> {
    let now = chrono::Utc::now().timestamp_millis();
    let today = local_date(now, &Local).map_err(|e| e.to_string())?;
    let first_of_month = today.with_day(1).unwrap_or(today);
    let (from, to) = match (args.period, args.from, args.to) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return Err("give either period or from/to, not both".to_owned());
        }
        (Some(Period::Today), None, None) => (today, today),
        (Some(Period::Month) | None, None, None) => (first_of_month, today),
        (None, from, to) => (from.unwrap_or(first_of_month), to.unwrap_or(today)),
    };
    if from > to {
        return Err(format!("from {from} is after to {to}"));
    }
    let by = args.group_by.unwrap_or_default();
    let start = day_period(from, &Local)
        .map_err(|e| e.to_string())?
        .start_ms;
    let end = day_period(to, &Local).map_err(|e| e.to_string())?.end_ms;
    let records = engine
        .store()
        .list_usage(start, end)
        .await
        .map_err(|e| format!("could not read the usage records: {e}"))?;
    let totals = UsageTotals::of(&records);
    let grouping = match by {
        By::Provider => GroupBy::Provider,
        By::Model => GroupBy::Model,
        By::Day => GroupBy::Day,
    };
    let groups = group(&records, grouping, &Local).map_err(|e| e.to_string())?;
    let mut text = format!(
        "{from} – {to}: {} USD, {} requests, {} input and {} output tokens",
        totals.cost_usd.normalize(),
        totals.requests,
        totals.tokens.input,
        totals.tokens.output
    );
    let mut rows = Vec::new();
    for g in &groups {
        text.push_str(&format!(
            "\n{}: {} USD, {} requests",
            g.key,
            g.totals.cost_usd.normalize(),
            g.totals.requests
        ));
        let mut row = totals_json(&g.totals);
        row["key"] = json!(g.key);
        rows.push(row);
    }
    Ok(success(
        text,
        json!({
            "from": from.to_string(),
            "to": to.to_string(),
            "group_by": by.name(),
            "totals": totals_json(&totals),
            "groups": rows,
        }),
    ))
}
