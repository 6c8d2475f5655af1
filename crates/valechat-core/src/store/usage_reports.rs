//! Reports over `usage_records` for the billing page and `valechat usage`:
//! grouped totals over a UTC range, the 30-day chart series, and every
//! limit's status with its projection. Aggregation is in
//! [`crate::ledger::report`].

use chrono::{NaiveDate, TimeZone};

use super::Store;
use super::ledger_rows::{limit_spends, load_limits};
use crate::ledger::period::{day_period, local_date};
use crate::ledger::report::{daily_series, fraction, group, project};
use crate::ledger::{
    DailySeries, GroupBy, LedgerError, LimitStatus, LimitUse, Periods, UsageGroup, UsageTotals,
};

/// Days in the billing page's chart.
pub const CHART_DAYS: u32 = 30;

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
        Ok(self
            .run(move |conn| {
                let limits = load_limits(conn)?;
                let sums = limit_spends(conn, &limits, &periods, now_ms, None)?;
                Ok(limits
                    .into_iter()
                    .zip(sums)
                    .map(|(limit, (spent, reserved))| {
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
            })
            .await?)
    }
}
