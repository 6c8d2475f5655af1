//! Reports over usage records: totals, groups by model, provider,
//! conversation or local day, the daily series of the billing chart, and
//! each limit's status with its end-of-period projection.
//!
//! The store loads the records of a UTC range; [`Store::usage_report`]
//! and the other report methods defined here aggregate them with exact
//! decimal arithmetic in Rust (SQLite would sum the TEXT amounts as
//! floating point). [`UsageTotals`] is a plain value, defined in
//! [`crate::model::usage`] and re-exported here.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone};
use rust_decimal::Decimal;

use super::error::LedgerError;
use super::period::{PeriodError, Periods, day_period, local_date};
use super::reserve::LimitUse;
use super::usage::UsageRecord;
pub use crate::model::usage::UsageTotals;
use crate::store::Store;

/// Days in the billing page's chart.
pub const CHART_DAYS: u32 = 30;

/// How to group a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupBy {
    /// By `"provider/model"`.
    Model,
    /// By provider id.
    Provider,
    /// By conversation id (`"-"` for records without one).
    Conversation,
    /// By local day `YYYY-MM-DD` in the time zone passed along.
    Day,
}

/// One group of a report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UsageGroup {
    /// `"openai/gpt-4o"`, `"openai"`, `"12"` or `"2026-11-22"`.
    pub key: String,
    /// Sums of the group.
    pub totals: UsageTotals,
}

/// Groups `records` by `by`, keys ascending (days in date order).
///
/// # Errors
/// [`PeriodError`] for a record time chrono cannot place (only for
/// [`GroupBy::Day`]).
pub fn group<Tz: TimeZone>(
    records: &[UsageRecord],
    by: GroupBy,
    tz: &Tz,
) -> Result<Vec<UsageGroup>, PeriodError> {
    let mut groups: BTreeMap<String, UsageTotals> = BTreeMap::new();
    for record in records {
        let key = match by {
            GroupBy::Model => record.model_key(),
            GroupBy::Provider => record.provider_id.clone(),
            GroupBy::Conversation => record
                .conversation_id
                .map_or_else(|| "-".to_owned(), |c| c.to_string()),
            GroupBy::Day => local_date(record.created_at, tz)?
                .format("%Y-%m-%d")
                .to_string(),
        };
        groups.entry(key).or_default().add(record);
    }
    Ok(groups
        .into_iter()
        .map(|(key, totals)| UsageGroup { key, totals })
        .collect())
}

/// Daily spend per provider, for the billing page's chart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DailySeries {
    /// The local days, oldest first, consecutive.
    pub days: Vec<NaiveDate>,
    /// Per provider id (ascending): one cost per day of `days`, USD.
    pub providers: Vec<(String, Vec<Decimal>)>,
}

/// Builds the series for `days` from `records` (records outside are ignored).
///
/// # Errors
/// [`PeriodError`] for a record time chrono cannot place.
pub fn daily_series<Tz: TimeZone>(
    records: &[UsageRecord],
    days: Vec<NaiveDate>,
    tz: &Tz,
) -> Result<DailySeries, PeriodError> {
    let index: BTreeMap<NaiveDate, usize> = days.iter().enumerate().map(|(i, d)| (*d, i)).collect();
    let mut providers: BTreeMap<String, Vec<Decimal>> = BTreeMap::new();
    for record in records {
        let Some(&i) = index.get(&local_date(record.created_at, tz)?) else {
            continue;
        };
        providers
            .entry(record.provider_id.clone())
            .or_insert_with(|| vec![Decimal::ZERO; days.len()])[i] += record.cost_usd;
    }
    Ok(DailySeries {
        days,
        providers: providers.into_iter().collect(),
    })
}

/// A limit's standing in its current period, for the billing page and
/// `valechat limits list`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LimitStatus {
    /// The limit, its period, and what usage records hold in it, USD
    /// (reservations are in `reserved`, not in `spent`).
    pub usage: LimitUse,
    /// Held by active reservations in the scope, USD.
    pub reserved: Decimal,
    /// `spent / amount` (1 = the whole amount; may pass 1).
    pub fraction: Decimal,
    /// Spend at the end of the period at the current pace, USD:
    /// `spent / elapsed fraction of the period`. `None` for conversation
    /// limits (no period end) and in the period's first minute, where the
    /// pace is meaningless.
    pub projected: Option<Decimal>,
}

/// Shortest elapsed time a projection is made from, ms (one minute).
pub const MIN_PROJECTION_ELAPSED_MS: i64 = 60_000;

/// `spent` extrapolated to the end of `[start_ms, end_ms)` at the pace so
/// far, as of `now_ms`; `spent` itself once the period is over.
/// `None` for an unbounded period or less than
/// [`MIN_PROJECTION_ELAPSED_MS`] elapsed.
#[must_use]
pub fn project(spent: Decimal, start_ms: i64, end_ms: i64, now_ms: i64) -> Option<Decimal> {
    if start_ms == i64::MIN || end_ms == i64::MAX {
        return None;
    }
    let elapsed = now_ms.saturating_sub(start_ms);
    if elapsed < MIN_PROJECTION_ELAPSED_MS {
        return None;
    }
    let length = end_ms.saturating_sub(start_ms);
    if elapsed >= length {
        return Some(spent);
    }
    spent
        .checked_mul(Decimal::from(length))?
        .checked_div(Decimal::from(elapsed))
}

/// `spent / amount`, 0 for a zero amount.
#[must_use]
pub fn fraction(spent: Decimal, amount: Decimal) -> Decimal {
    spent.checked_div(amount).unwrap_or(Decimal::ZERO)
}

impl Store {
    /// Totals of the records with `created_at` in `[from_ms, until_ms)`.
    ///
    /// # Errors
    /// [`LedgerError::Store`].
    pub async fn usage_totals(
        &self,
        from_ms: i64,
        until_ms: i64,
    ) -> Result<UsageTotals, LedgerError> {
        let records = self.list_usage(from_ms, until_ms).await?;
        Ok(UsageTotals::of(&records))
    }

    /// Records in `[from_ms, until_ms)` grouped by `by` (local days in `tz`),
    /// keys ascending.
    ///
    /// # Errors
    /// [`LedgerError::Store`], [`LedgerError::Period`].
    pub async fn usage_report<Tz: TimeZone>(
        &self,
        from_ms: i64,
        until_ms: i64,
        by: GroupBy,
        tz: &Tz,
    ) -> Result<Vec<UsageGroup>, LedgerError> {
        let records = self.list_usage(from_ms, until_ms).await?;
        Ok(group(&records, by, tz)?)
    }

    /// Daily spend by provider over the `days` local days ending with the
    /// day of `now_ms` (the chart uses [`CHART_DAYS`]).
    ///
    /// # Errors
    /// [`LedgerError::Store`], [`LedgerError::Period`].
    pub async fn daily_spend<Tz: TimeZone>(
        &self,
        now_ms: i64,
        tz: &Tz,
        days: u32,
    ) -> Result<DailySeries, LedgerError> {
        let today = local_date(now_ms, tz)?;
        let dates: Vec<NaiveDate> = (0..days)
            .rev()
            .filter_map(|back| today.checked_sub_days(chrono::Days::new(u64::from(back))))
            .collect();
        let (Some(first), Some(last)) = (dates.first(), dates.last()) else {
            return Ok(DailySeries::default());
        };
        let from = day_period(*first, tz)?.start_ms;
        let until = day_period(*last, tz)?.end_ms;
        let records = self.list_usage(from, until).await?;
        Ok(daily_series(&records, dates, tz)?)
    }

    /// Every limit (enabled or not) in its current local period at
    /// `now_ms`: spent (usage records only), held by active reservations,
    /// fraction of the amount, and the end-of-period projection.
    ///
    /// # Errors
    /// [`LedgerError::Store`], [`LedgerError::Period`].
    pub async fn limit_status<Tz: TimeZone>(
        &self,
        now_ms: i64,
        tz: &Tz,
    ) -> Result<Vec<LimitStatus>, LedgerError> {
        let periods = Periods::at(now_ms, tz)?;
        let limits = self.limits_with_spends(periods.clone(), now_ms).await?;
        Ok(limits
            .into_iter()
            .map(|(limit, spent, reserved)| {
                let period = limit.scope.period(&periods);
                LimitStatus {
                    fraction: fraction(spent, limit.amount_usd),
                    projected: project(spent, period.start_ms, period.end_ms, now_ms),
                    reserved,
                    usage: LimitUse {
                        limit,
                        period,
                        spent,
                    },
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_scales_by_elapsed_fraction() {
        // A 30-day month, 10 days in, 3 USD spent: 9 USD at the end.
        let day = 86_400_000;
        let p = project(Decimal::from(3), 0, 30 * day, 10 * day);
        assert_eq!(p, Some(Decimal::from(9)));
        assert_eq!(project(Decimal::from(3), 0, 30 * day, 30), None);
        assert_eq!(
            project(Decimal::from(3), 0, 30 * day, 31 * day),
            Some(Decimal::from(3))
        );
        assert_eq!(project(Decimal::ONE, i64::MIN, i64::MAX, 5), None);
    }
}
