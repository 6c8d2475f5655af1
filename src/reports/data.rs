//! What the billing page and the monthly PDF show, loaded from the store in
//! one go: a month's totals and groups, every limit's status, and the
//! daily-spend series of the chart, with providers by their display names.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, TimeZone};

use valechat_core::ledger::period::{day_period, local_date, month_of};
use valechat_core::ledger::{
    DailySeries, GroupBy, LedgerError, LimitStatus, Period, UsageGroup, UsageTotals,
};
use valechat_core::store::Store;

use super::names::ProviderNames;

/// Which days the chart covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartSpan {
    /// The `n` local days ending with the report's moment (the billing page
    /// uses [`CHART_DAYS`](valechat_core::ledger::CHART_DAYS)).
    LastDays(u32),
    /// Every day of the report's month (the PDF).
    WholeMonth,
}

/// A month of spending, as of one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingReport {
    /// The local month, key `YYYY-MM`.
    pub month: Period,
    /// The moment the figures are taken at, UTC unix ms: now, or the last
    /// millisecond of a past month.
    pub as_of_ms: i64,
    /// Totals of the month's usage records.
    pub totals: UsageTotals,
    /// Every limit in its period containing `as_of_ms`.
    pub limits: Vec<LimitStatus>,
    /// Daily spend per provider for the chart, keyed by the providers'
    /// display names.
    pub daily: DailySeries,
    /// The month grouped by model, keys "model (Provider name)"
    /// ([`ProviderNames::model`]), by cost descending.
    pub by_model: Vec<UsageGroup>,
    /// The month grouped by provider, keys the providers' display names,
    /// by cost descending.
    pub by_provider: Vec<UsageGroup>,
    /// The month grouped by conversation, by cost descending; keys are
    /// conversation titles where the conversation still exists, else its id
    /// ("Outside conversations", translated, for requests without one).
    pub by_conversation: Vec<UsageGroup>,
    /// The providers' display names by id (for the limits' titles).
    pub names: ProviderNames,
}

impl BillingReport {
    /// Loads the local month containing `month_day` (any day of it) in
    /// `tz`, as of `now_ms` (UTC unix ms) — or as of the month's last
    /// millisecond when the month is over.
    ///
    /// # Errors
    /// [`LedgerError::Store`] when the database fails,
    /// [`LedgerError::Period`] for dates chrono cannot place.
    pub async fn load<Tz: TimeZone>(
        store: &Store,
        month_day: NaiveDate,
        now_ms: i64,
        tz: &Tz,
        span: ChartSpan,
    ) -> Result<Self, LedgerError> {
        let first = month_start(month_day);
        let month = month_of(day_period(first, tz)?.start_ms, tz)?;
        let as_of_ms = now_ms.min(month.end_ms - 1);
        let (from, until) = (month.start_ms, month.end_ms);
        let totals = store.usage_totals(from, until).await?;
        let limits = store.limit_status(as_of_ms, tz).await?;
        let days = match span {
            ChartSpan::LastDays(n) => n,
            ChartSpan::WholeMonth => {
                let last = local_date(month.end_ms - 1, tz)?;
                last.day()
            }
        };
        let names = ProviderNames::of(&store.list_providers().await?);
        let mut daily = store
            .daily_spend(as_of_ms_for_chart(span, &month, as_of_ms), tz, days)
            .await?;
        for (provider, _) in &mut daily.providers {
            *provider = names.name(provider).to_owned();
        }
        let mut by_model = store.usage_report(from, until, GroupBy::Model, tz).await?;
        let mut by_provider = store
            .usage_report(from, until, GroupBy::Provider, tz)
            .await?;
        let mut by_conversation = store
            .usage_report(from, until, GroupBy::Conversation, tz)
            .await?;
        let titles: HashMap<String, String> = store
            .list_conversations()
            .await?
            .into_iter()
            .filter(|c| !c.title.trim().is_empty())
            .map(|c| (c.id.to_string(), c.title))
            .collect();
        for group in &mut by_conversation {
            if let Some(title) = titles.get(&group.key) {
                group.key.clone_from(title);
            } else if group.key == "-" {
                group.key = gettextrs::gettext("Outside conversations");
            }
        }
        for group in &mut by_provider {
            group.key = names.name(&group.key).to_owned();
        }
        for group in &mut by_model {
            group.key = names.model(&group.key);
        }
        for groups in [&mut by_model, &mut by_provider, &mut by_conversation] {
            groups.sort_by(|a, b| {
                b.totals
                    .cost_usd
                    .cmp(&a.totals.cost_usd)
                    .then_with(|| a.key.cmp(&b.key))
            });
        }
        Ok(Self {
            month,
            as_of_ms,
            totals,
            limits,
            daily,
            by_model,
            by_provider,
            by_conversation,
            names,
        })
    }
}

/// The moment whose day ends the chart: the report's moment for
/// [`ChartSpan::LastDays`], the month's last millisecond for a whole month.
fn as_of_ms_for_chart(span: ChartSpan, month: &Period, as_of_ms: i64) -> i64 {
    match span {
        ChartSpan::LastDays(_) => as_of_ms,
        ChartSpan::WholeMonth => month.end_ms - 1,
    }
}

/// The first day of `day`'s month.
pub fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}
