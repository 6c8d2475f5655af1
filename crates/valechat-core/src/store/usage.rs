//! Repository of `usage_records`: settling a request (record, release its
//! reservation, raise first-time threshold alerts into `limit_alerts`) and
//! reading records back by range, message or conversation.

use diesel::prelude::*;
use rust_decimal::Decimal;

use super::error::StoreError;
use super::ledger_rows::{UsageRow, limit_spends, load_limits, load_records, parse_usd};
use super::schema::{limit_alerts, spending_reservations, usage_records};
use super::{Store, now_ms};
use crate::model::{
    LimitAlert, NewUsageRecord, Periods, Settlement, SpendTarget, SpendingLimit, UsageRecord,
    UsageTotals,
};

impl Store {
    /// In one transaction: releases the reservation of `record.request_id`,
    /// inserts `record`, then finds every (limit, threshold, period)
    /// crossed for the first time by the usage records of the record's
    /// period (its day or month in `periods`) and remembers it in
    /// `limit_alerts`; it returns one alert per limit, for the highest
    /// threshold crossed (the lower ones crossed with it are remembered
    /// but not announced). A request id already recorded inserts
    /// nothing: the result has `duplicate: true`, the first record's id and
    /// no alerts. The checks before it (a negative cost, the calendar) are
    /// `Store::settle`'s, in `crate::ledger::usage`.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`] (including a
    /// `conversation_id` or `message_id` that does not exist),
    /// [`StoreError::DiskFull`], [`StoreError::InvalidValue`].
    pub(crate) async fn record_usage(
        &self,
        record: NewUsageRecord,
        periods: Periods,
    ) -> Result<Settlement, StoreError> {
        self.run(move |conn| conn.immediate_transaction(|conn| settle_in(conn, &record, &periods)))
            .await
    }

    /// Inserts many records in one transaction, skipping request ids
    /// already recorded; raises no alerts and touches no reservation.
    /// Returns how many were inserted.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub(crate) async fn insert_usage(
        &self,
        records: Vec<NewUsageRecord>,
    ) -> Result<usize, StoreError> {
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                let mut inserted = 0;
                for record in &records {
                    inserted += insert_record(conn, record, true)?.map_or(0, |_| 1);
                }
                Ok(inserted)
            })
        })
        .await
    }

    /// Usage records with `created_at` in `[from_ms, until_ms)` (UTC unix
    /// ms), oldest first.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`],
    /// [`StoreError::InvalidValue`] for a damaged row.
    pub async fn list_usage(
        &self,
        from_ms: i64,
        until_ms: i64,
    ) -> Result<Vec<UsageRecord>, StoreError> {
        self.run(move |conn| load_records(conn, from_ms, until_ms))
            .await
    }

    /// Records of the requests that produced message `message_id` (one per
    /// provider request, several with tool rounds), oldest first.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::InvalidValue`].
    pub async fn message_usage(&self, message_id: i64) -> Result<Vec<UsageRecord>, StoreError> {
        self.run(move |conn| {
            usage_records::table
                .filter(usage_records::message_id.eq(message_id))
                .order(usage_records::id.asc())
                .select(UsageRow::as_select())
                .load(conn)
                .map_err(StoreError::during("reading a message's usage"))?
                .into_iter()
                .map(UsageRecord::try_from)
                .collect()
        })
        .await
    }

    /// The usage record of provider request `request_id`, if stored.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::InvalidValue`].
    pub async fn usage_by_request(
        &self,
        request_id: &str,
    ) -> Result<Option<UsageRecord>, StoreError> {
        let request_id = request_id.to_owned();
        self.run(move |conn| {
            usage_records::table
                .filter(usage_records::request_id.eq(&request_id))
                .select(UsageRow::as_select())
                .first(conn)
                .optional()
                .map_err(StoreError::during("reading a request's usage"))?
                .map(UsageRecord::try_from)
                .transpose()
        })
        .await
    }

    /// Every usage record of conversation `conversation_id`, oldest first
    /// (the conversation view shows each message's tokens and cost).
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::InvalidValue`].
    pub async fn conversation_usage_records(
        &self,
        conversation_id: i64,
    ) -> Result<Vec<UsageRecord>, StoreError> {
        self.run(move |conn| {
            usage_records::table
                .filter(usage_records::conversation_id.eq(conversation_id))
                .order(usage_records::id.asc())
                .select(UsageRow::as_select())
                .load(conn)
                .map_err(StoreError::during("reading a conversation's usage"))?
                .into_iter()
                .map(UsageRecord::try_from)
                .collect()
        })
        .await
    }

    /// Totals of every request of conversation `conversation_id`.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::InvalidValue`].
    pub async fn conversation_usage(
        &self,
        conversation_id: i64,
    ) -> Result<UsageTotals, StoreError> {
        self.run(move |conn| {
            let records = usage_records::table
                .filter(usage_records::conversation_id.eq(conversation_id))
                .select(UsageRow::as_select())
                .load(conn)
                .map_err(StoreError::during("reading a conversation's usage"))?
                .into_iter()
                .map(UsageRecord::try_from)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(UsageTotals::of(&records))
        })
        .await
    }
}

/// Body of [`Store::record_usage`] inside its transaction.
fn settle_in(
    conn: &mut SqliteConnection,
    record: &NewUsageRecord,
    periods: &Periods,
) -> Result<Settlement, StoreError> {
    diesel::delete(
        spending_reservations::table
            .filter(spending_reservations::request_id.eq(&record.request_id)),
    )
    .execute(conn)
    .map_err(StoreError::during("releasing a settled reservation"))?;
    let existing: Option<i64> = usage_records::table
        .filter(usage_records::request_id.eq(&record.request_id))
        .select(usage_records::id)
        .first(conn)
        .optional()
        .map_err(StoreError::during("looking up a request id"))?;
    if let Some(record_id) = existing {
        return Ok(Settlement {
            record_id,
            duplicate: true,
            alerts: Vec::new(),
        });
    }
    let record_id = insert_record(conn, record, false)?.ok_or_else(|| StoreError::NotFound {
        what: "inserted usage record",
        id: record.request_id.clone(),
    })?;
    let target = SpendTarget {
        provider_id: record.provider_id.clone(),
        model: record.model.clone(),
        conversation_id: record.conversation_id,
    };
    let limits: Vec<SpendingLimit> = load_limits(conn)?
        .into_iter()
        .filter(|l| l.enabled && !l.thresholds.is_empty() && l.applies_to(&target))
        .collect();
    let sums = limit_spends(conn, &limits, periods, record.created_at, None)?;
    let mut alerts = Vec::new();
    let raised_at = now_ms();
    for (limit, (spent, _held)) in limits.into_iter().zip(sums) {
        let period_key = limit.scope.period(periods).key;
        // One request can cross several thresholds at once (50, 80 and
        // 100 %): each is remembered, only the highest is announced.
        let mut highest = None;
        for &threshold in &limit.thresholds {
            if spent * Decimal::ONE_HUNDRED < limit.amount_usd * Decimal::from(threshold) {
                break; // thresholds ascend
            }
            let inserted = diesel::insert_or_ignore_into(limit_alerts::table)
                .values((
                    limit_alerts::limit_id.eq(limit.id),
                    limit_alerts::threshold.eq(i32::from(threshold)),
                    limit_alerts::period_key.eq(&period_key),
                    limit_alerts::raised_at.eq(raised_at),
                ))
                .execute(conn)
                .map_err(StoreError::during("remembering a limit alert"))?;
            if inserted > 0 {
                highest = Some(threshold);
            }
        }
        if let Some(threshold) = highest {
            alerts.push(LimitAlert {
                limit,
                threshold,
                period_key,
                spent,
            });
        }
    }
    Ok(Settlement {
        record_id,
        duplicate: false,
        alerts,
    })
}

/// Inserts `record`; with `or_ignore`, a known request id is skipped and
/// gives `None`.
fn insert_record(
    conn: &mut SqliteConnection,
    record: &NewUsageRecord,
    or_ignore: bool,
) -> Result<Option<i64>, StoreError> {
    let t = &record.tokens;
    let values = (
        usage_records::request_id.eq(&record.request_id),
        usage_records::provider_id.eq(&record.provider_id),
        usage_records::model.eq(&record.model),
        usage_records::conversation_id.eq(record.conversation_id),
        usage_records::message_id.eq(record.message_id),
        usage_records::created_at.eq(record.created_at),
        usage_records::input_tokens.eq(t.input),
        usage_records::output_tokens.eq(t.output),
        usage_records::cache_read_tokens.eq(t.cache_read),
        usage_records::cache_write_tokens.eq(t.cache_write),
        usage_records::reasoning_tokens.eq(t.reasoning),
        usage_records::counted_input_tokens.eq(record.counted_input_tokens),
        usage_records::verification.eq(record.verification.as_str()),
        usage_records::cost_usd.eq(record.cost_usd.to_string()),
        usage_records::cost_source.eq(record.cost_source.as_str()),
        usage_records::outcome.eq(record.outcome.as_str()),
        usage_records::client.eq(record.client.as_deref()),
    );
    let result = if or_ignore {
        diesel::insert_or_ignore_into(usage_records::table)
            .values(values)
            .returning(usage_records::id)
            .get_result(conn)
            .optional()
    } else {
        diesel::insert_into(usage_records::table)
            .values(values)
            .returning(usage_records::id)
            .get_result(conn)
            .map(Some)
    };
    result.map_err(StoreError::during("recording usage"))
}

/// The usage records of the messages of `conversation_id` whose ids lie in
/// `message_ids`, oldest first.
pub(super) fn load_message_usage(
    conn: &mut SqliteConnection,
    conversation_id: i64,
    message_ids: &std::ops::RangeInclusive<i64>,
) -> Result<Vec<UsageRecord>, StoreError> {
    usage_records::table
        .filter(usage_records::conversation_id.eq(conversation_id))
        .filter(usage_records::message_id.between(*message_ids.start(), *message_ids.end()))
        .order(usage_records::id.asc())
        .select(UsageRow::as_select())
        .load(conn)
        .map_err(StoreError::during("reading a conversation's usage"))?
        .into_iter()
        .map(UsageRecord::try_from)
        .collect()
}

/// What every request of `conversation_id` cost, USD; `None` when nothing
/// was billed. Reads only the cost column.
pub(super) fn load_conversation_cost(
    conn: &mut SqliteConnection,
    conversation_id: i64,
) -> Result<Option<Decimal>, StoreError> {
    let costs: Vec<String> = usage_records::table
        .filter(usage_records::conversation_id.eq(conversation_id))
        .select(usage_records::cost_usd)
        .load(conn)
        .map_err(StoreError::during("reading a conversation's cost"))?;
    let mut total: Option<Decimal> = None;
    for cost in costs {
        let cost = parse_usd("usage_records.cost_usd", &cost)?;
        *total.get_or_insert(Decimal::ZERO) += cost;
    }
    Ok(total)
}
