//! Spending limits and alerts in words, for the billing page, the PDF report
//! and notifications: limit titles, alert texts, periods and percentages.
//! Amounts and dates in them come from [`valechat_core::format`] (the
//! user's locale).

use chrono::{Datelike, NaiveDate};
use gettextrs::gettext;
use rust_decimal::{Decimal, RoundingStrategy};

use super::names::ProviderNames;
use crate::i18n::gettext_f;
use valechat_core::format::{format_date_of, format_month, format_usd};
use valechat_core::ledger::{LimitAlert, LimitScope, SpendingLimit};

/// A limit's name for people: "Daily, all providers", "Monthly, provider
/// OpenAI", "Monthly, model gpt-4o (OpenAI)" (providers by their names in
/// `names`, by id when it has none), "Conversation 12".
pub fn limit_title(limit: &SpendingLimit, names: &ProviderNames) -> String {
    let target = names.target(limit);
    let target = target.as_str();
    match limit.scope {
        LimitScope::GlobalDay => gettext("Daily, all providers"),
        LimitScope::GlobalMonth => gettext("Monthly, all providers"),
        LimitScope::ProviderMonth => gettext_f("Monthly, provider {target}", &[("target", target)]),
        LimitScope::ModelMonth => gettext_f("Monthly, model {target}", &[("target", target)]),
        LimitScope::Conversation => gettext_f("Conversation {target}", &[("target", target)]),
    }
}

/// A period key for people, in the user's locale: `2026-11` → "November
/// 2026", `2026-11-22` → "Nov 22, 2026", `total` → "all time"; anything
/// else stays as it is.
pub fn period_name(key: &str) -> String {
    if key == "total" {
        return gettext("all time");
    }
    if let Ok(day) = NaiveDate::parse_from_str(key, "%Y-%m-%d") {
        return format_date_of(day.year(), day.month(), day.day());
    }
    match NaiveDate::parse_from_str(&format!("{key}-01"), "%Y-%m-%d") {
        Ok(first) => format_month(first.year(), first.month()),
        Err(_) => key.to_owned(),
    }
}

/// Title and body of a spending alert's desktop notification (GUI and
/// CLI): "Spending limit at 80 %" and "Monthly, all providers: $8.12 spent
/// of $10.00 (November 2026)."
pub fn alert_text(alert: &LimitAlert) -> (String, String) {
    let title = gettext_f(
        "Spending limit at {percent} %",
        &[("percent", &alert.threshold.to_string())],
    );
    let body = gettext_f(
        "{limit}: {spent} spent of {amount} ({period}).",
        &[
            (
                "limit",
                &limit_title(&alert.limit, &ProviderNames::default()),
            ),
            ("spent", &format_usd(alert.spent)),
            ("amount", &format_usd(alert.limit.amount_usd)),
            ("period", &period_name(&alert.period_key)),
        ],
    );
    (title, body)
}

/// `fraction` (1 = 100 %) as a whole percentage: `"80 %"`.
pub fn format_percent(fraction: Decimal) -> String {
    let percent = (fraction * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .normalize();
    format!("{percent} %")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn usd(text: &str) -> String {
        format_usd(Decimal::from_str(text).unwrap())
    }

    #[test]
    fn alert_names_limit_spent_and_amount() {
        let alert = LimitAlert {
            limit: SpendingLimit {
                id: 3,
                scope: LimitScope::ModelMonth,
                target: Some("openai/gpt-4o".into()),
                amount_usd: Decimal::from(20),
                hard: false,
                thresholds: vec![50],
                enabled: true,
                created_at: 0,
                updated_at: 0,
                provider_name: None,
            },
            threshold: 50,
            period_key: "2026-11".into(),
            spent: Decimal::from_str("10.5").unwrap(),
        };
        let (title, body) = alert_text(&alert);
        assert_eq!(title, "Spending limit at 50 %");
        assert_eq!(
            body,
            "Monthly, model gpt-4o (openai): $10.50 spent of $20.00 (November 2026)."
        );
        assert_eq!(format_percent(Decimal::from_str("0.355").unwrap()), "36 %");
    }

    #[test]
    fn periods_are_named() {
        assert_eq!(period_name("2026-12"), "December 2026");
        assert_eq!(period_name("2026-11-22"), "Nov 22, 2026");
        assert_eq!(period_name("total"), "all time");
        assert_eq!(period_name("odd"), "odd");
    }

    #[test]
    fn amounts_have_two_to_four_decimals() {
        assert_eq!(usd("0"), "$0.00");
        assert_eq!(usd("1.5"), "$1.50");
        assert_eq!(usd("1234567.891"), "$1,234,567.891");
        assert_eq!(usd("0.00421"), "$0.0042");
        assert_eq!(usd("0.00005"), "$0.00005");
        assert_eq!(usd("12.345678"), "$12.3457");
        assert_eq!(usd("-0.5"), "-$0.50");
        assert_eq!(usd("100"), "$100.00");
    }
}
