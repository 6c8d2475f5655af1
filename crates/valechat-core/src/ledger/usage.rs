//! Usage records: what one provider request consumed and cost, as stored in
//! `usage_records` (one row per `request_id`, so nothing is billed twice).
//! The records are plain values, defined in [`crate::model::usage`] and
//! re-exported here.
//!
//! This file adds the ledger's checks around recording them:
//! [`Store::settle`] and [`Store::import_usage`] refuse a negative cost and
//! place the record on the local calendar before the store writes it.
//! Reading records back is plain storage ([`Store::list_usage`],
//! [`Store::message_usage`], [`Store::conversation_usage`]…).

use chrono::TimeZone;
use rust_decimal::Decimal;

use super::error::LedgerError;
use super::reserve::Settlement;
use crate::model::Periods;
pub use crate::model::usage::{
    CostSource, NewUsageRecord, Outcome, TokenUsage, UnknownValue, UsageRecord, Verification,
};
use crate::store::Store;

impl Store {
    /// Records what a request consumed and releases its reservation, in one
    /// transaction; then finds every (limit, threshold, period) crossed for
    /// the first time by the usage records of the record's period (the day
    /// or month of `record.created_at` in `tz`) and remembers it in
    /// `limit_alerts`, so each threshold is announced at most once per
    /// period, across restarts. It returns one alert per limit: the highest
    /// threshold this request crossed (a request that crosses 50, 80 and
    /// 100 % at once raises one notification, for 100 %; the lower ones
    /// are remembered as alerted and never fire later).
    ///
    /// A `request_id` already recorded is not an error and bills nothing
    /// again: the result has `duplicate: true`, the first record's id and
    /// no alerts.
    ///
    /// # Errors
    /// [`LedgerError::NegativeAmount`] for a negative cost,
    /// [`LedgerError::Period`] for a time outside the calendar,
    /// [`LedgerError::Store`] for database errors, including a
    /// `conversation_id` or `message_id` that does not exist.
    pub async fn settle<Tz: TimeZone>(
        &self,
        record: NewUsageRecord,
        tz: &Tz,
    ) -> Result<Settlement, LedgerError> {
        if record.cost_usd < Decimal::ZERO {
            return Err(LedgerError::NegativeAmount {
                what: "a usage record's cost",
                amount: record.cost_usd,
            });
        }
        let periods = Periods::at(record.created_at, tz)?;
        Ok(self.record_usage(record, periods).await?)
    }

    /// Inserts many records in one transaction, skipping request ids
    /// already recorded; raises no alerts and touches no reservation (for
    /// imports and benchmarks). Returns how many were inserted.
    ///
    /// # Errors
    /// [`LedgerError::NegativeAmount`] for a negative cost (nothing is
    /// written), [`LedgerError::Store`].
    pub async fn import_usage(&self, records: Vec<NewUsageRecord>) -> Result<usize, LedgerError> {
        if let Some(bad) = records.iter().find(|r| r.cost_usd < Decimal::ZERO) {
            return Err(LedgerError::NegativeAmount {
                what: "a usage record's cost",
                amount: bad.cost_usd,
            });
        }
        Ok(self.insert_usage(records).await?)
    }
}
