//! Rows of the ledger tables and the one computation every limit check
//! shares: what is spent against each limit in its current period.
//!
//! Costs are TEXT holding exact decimals, so sums are taken in Rust with
//! `rust_decimal` (SQLite's `SUM` would go through floating point).

use diesel::prelude::*;
use rust_decimal::Decimal;

use super::error::StoreError;
use super::schema::{providers, spending_limits, spending_reservations, usage_records};
use crate::model::{
    LimitScope, LimitUse, Period, Periods, STALE_RESERVATION_MS, SpendTarget, SpendingLimit,
    TokenUsage, UsageRecord, parse_thresholds,
};

/// Parses a stored USD amount.
pub(crate) fn parse_usd(column: &'static str, text: &str) -> Result<Decimal, StoreError> {
    text.parse().map_err(|_| StoreError::InvalidValue {
        column,
        value: text.to_owned(),
    })
}

/// Parses a stored enum name.
fn parse_text<T: std::str::FromStr>(column: &'static str, text: &str) -> Result<T, StoreError> {
    text.parse().map_err(|_| StoreError::InvalidValue {
        column,
        value: text.to_owned(),
    })
}

/// A `spending_limits` row as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = spending_limits, check_for_backend(diesel::sqlite::Sqlite))]
pub(crate) struct LimitRow {
    id: i64,
    scope: String,
    target: Option<String>,
    amount_usd: String,
    hard: bool,
    thresholds: String,
    enabled: bool,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<LimitRow> for SpendingLimit {
    type Error = StoreError;

    fn try_from(row: LimitRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.id,
            scope: parse_text::<LimitScope>("spending_limits.scope", &row.scope)?,
            target: row.target,
            amount_usd: parse_usd("spending_limits.amount_usd", &row.amount_usd)?,
            hard: row.hard,
            thresholds: parse_thresholds(&row.thresholds).map_err(|_| {
                StoreError::InvalidValue {
                    column: "spending_limits.thresholds",
                    value: row.thresholds.clone(),
                }
            })?,
            enabled: row.enabled,
            created_at: row.created_at,
            updated_at: row.updated_at,
            provider_name: None,
        })
    }
}

/// Fills in each limit's [`SpendingLimit::provider_name`] from the
/// providers table.
pub(crate) fn name_providers(
    conn: &mut SqliteConnection,
    limits: &mut [SpendingLimit],
) -> Result<(), StoreError> {
    if limits.iter().all(|l| l.target_provider().is_none()) {
        return Ok(());
    }
    let names: std::collections::HashMap<String, String> = providers::table
        .select((providers::id, providers::name))
        .load(conn)
        .map_err(StoreError::during("reading provider names"))?
        .into_iter()
        .collect();
    for limit in limits {
        limit.provider_name = limit
            .target_provider()
            .and_then(|id| names.get(id))
            .filter(|name| !name.trim().is_empty())
            .cloned();
    }
    Ok(())
}

/// A `usage_records` row as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = usage_records, check_for_backend(diesel::sqlite::Sqlite))]
pub(crate) struct UsageRow {
    id: i64,
    request_id: String,
    provider_id: String,
    model: String,
    conversation_id: Option<i64>,
    message_id: Option<i64>,
    created_at: i64,
    input_tokens: i64,
    output_tokens: i64,
    cache_read_tokens: i64,
    cache_write_tokens: i64,
    reasoning_tokens: i64,
    counted_input_tokens: Option<i64>,
    verification: String,
    cost_usd: String,
    cost_source: String,
    outcome: String,
    client: Option<String>,
}

impl TryFrom<UsageRow> for UsageRecord {
    type Error = StoreError;

    fn try_from(row: UsageRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.id,
            verification: parse_text("usage_records.verification", &row.verification)?,
            cost_usd: parse_usd("usage_records.cost_usd", &row.cost_usd)?,
            cost_source: parse_text("usage_records.cost_source", &row.cost_source)?,
            outcome: parse_text("usage_records.outcome", &row.outcome)?,
            request_id: row.request_id,
            provider_id: row.provider_id,
            model: row.model,
            conversation_id: row.conversation_id,
            message_id: row.message_id,
            created_at: row.created_at,
            tokens: TokenUsage {
                input: row.input_tokens,
                output: row.output_tokens,
                cache_read: row.cache_read_tokens,
                cache_write: row.cache_write_tokens,
                reasoning: row.reasoning_tokens,
            },
            counted_input_tokens: row.counted_input_tokens,
            client: row.client,
        })
    }
}

/// Loads every limit, by id.
pub(crate) fn load_limits(conn: &mut SqliteConnection) -> Result<Vec<SpendingLimit>, StoreError> {
    let mut limits = spending_limits::table
        .order(spending_limits::id.asc())
        .select(LimitRow::as_select())
        .load(conn)
        .map_err(StoreError::during("reading spending limits"))?
        .into_iter()
        .map(SpendingLimit::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    name_providers(conn, &mut limits)?;
    Ok(limits)
}

/// Loads the usage records with `created_at` in `[from_ms, until_ms)`,
/// oldest first.
pub(crate) fn load_records(
    conn: &mut SqliteConnection,
    from_ms: i64,
    until_ms: i64,
) -> Result<Vec<UsageRecord>, StoreError> {
    usage_records::table
        .filter(usage_records::created_at.ge(from_ms))
        .filter(usage_records::created_at.lt(until_ms))
        .order((usage_records::created_at.asc(), usage_records::id.asc()))
        .select(UsageRow::as_select())
        .load(conn)
        .map_err(StoreError::during("reading usage records"))?
        .into_iter()
        .map(UsageRecord::try_from)
        .collect()
}

/// What each limit holds now: `(records in its period, active reservations
/// in its scope)`, USD, in the order of `limits`.
///
/// Records count when their `created_at` is in the limit's period (from
/// `periods`); reservations count when younger than
/// [`STALE_RESERVATION_MS`] at `now_ms`, whatever their period, and not
/// for `exclude_request`.
pub(crate) fn limit_spends(
    conn: &mut SqliteConnection,
    limits: &[SpendingLimit],
    periods: &Periods,
    now_ms: i64,
    exclude_request: Option<&str>,
) -> Result<Vec<(Decimal, Decimal)>, StoreError> {
    let mut sums = vec![(Decimal::ZERO, Decimal::ZERO); limits.len()];
    let dated: Vec<(usize, Period)> = limits
        .iter()
        .enumerate()
        .filter(|(_, l)| l.scope != LimitScope::Conversation)
        .map(|(i, l)| (i, l.scope.period(periods)))
        .collect();
    if !dated.is_empty() {
        let rows: Vec<(i64, String, String, Option<i64>, String)> = usage_records::table
            .filter(usage_records::created_at.ge(periods.month.start_ms))
            .filter(usage_records::created_at.lt(periods.month.end_ms))
            .select((
                usage_records::created_at,
                usage_records::provider_id,
                usage_records::model,
                usage_records::conversation_id,
                usage_records::cost_usd,
            ))
            .load(conn)
            .map_err(StoreError::during("summing this month's usage"))?;
        for (at, provider, model, conversation, cost) in rows {
            let cost = parse_usd("usage_records.cost_usd", &cost)?;
            for (i, period) in &dated {
                if period.contains(at) && limits[*i].matches(&provider, &model, conversation) {
                    sums[*i].0 += cost;
                }
            }
        }
    }
    for (i, limit) in limits.iter().enumerate() {
        if let Some(conversation) = limit.conversation_id() {
            let costs: Vec<String> = usage_records::table
                .filter(usage_records::conversation_id.eq(conversation))
                .select(usage_records::cost_usd)
                .load(conn)
                .map_err(StoreError::during("summing a conversation's usage"))?;
            for cost in costs {
                sums[i].0 += parse_usd("usage_records.cost_usd", &cost)?;
            }
        }
    }
    let held: Vec<(String, String, Option<i64>, String, String)> = spending_reservations::table
        .filter(spending_reservations::created_at.gt(now_ms.saturating_sub(STALE_RESERVATION_MS)))
        .select((
            spending_reservations::provider_id,
            spending_reservations::model,
            spending_reservations::conversation_id,
            spending_reservations::amount_usd,
            spending_reservations::request_id,
        ))
        .load(conn)
        .map_err(StoreError::during("reading spending reservations"))?;
    for (provider, model, conversation, amount, request) in held {
        if exclude_request == Some(request.as_str()) {
            continue;
        }
        let amount = parse_usd("spending_reservations.amount_usd", &amount)?;
        for (i, limit) in limits.iter().enumerate() {
            if limit.matches(&provider, &model, conversation) {
                sums[i].1 += amount;
            }
        }
    }
    Ok(sums)
}

/// [`LimitUse`] of every enabled limit matching the request parts, with
/// `spent` = records + other reservations.
pub(crate) fn uses_for(
    conn: &mut SqliteConnection,
    target: &SpendTarget,
    periods: &Periods,
    now_ms: i64,
    exclude_request: Option<&str>,
) -> Result<Vec<LimitUse>, StoreError> {
    let limits: Vec<SpendingLimit> = load_limits(conn)?
        .into_iter()
        .filter(|l| l.enabled && l.applies_to(target))
        .collect();
    let sums = limit_spends(conn, &limits, periods, now_ms, exclude_request)?;
    Ok(limits
        .into_iter()
        .zip(sums)
        .map(|(limit, (records, held))| LimitUse {
            period: limit.scope.period(periods),
            limit,
            spent: records + held,
        })
        .collect())
}
