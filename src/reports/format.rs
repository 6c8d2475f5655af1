//! Spending limits and alerts in words, for the billing page, the PDF report
//! and notifications: limit titles, alert texts and percentages. Amounts in
//! them come from [`valechat_core::format::format_usd`] (the user's locale).

use gettextrs::gettext;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::i18n::gettext_f;
use valechat_core::format::format_usd;
use valechat_core::ledger::{LimitAlert, LimitScope, SpendingLimit};

/// A limit's name for people: "Daily, all providers", "Monthly, model
/// openai/gpt-4o", "Conversation “Trip plans”" (with the conversation id
/// when no title is known).
pub fn limit_title(limit: &SpendingLimit) -> String {
    let target = limit.target.as_deref().unwrap_or_default();
    match limit.scope {
        LimitScope::GlobalDay => gettext("Daily, all providers"),
        LimitScope::GlobalMonth => gettext("Monthly, all providers"),
        LimitScope::ProviderMonth => gettext_f("Monthly, provider {target}", &[("target", target)]),
        LimitScope::ModelMonth => gettext_f("Monthly, model {target}", &[("target", target)]),
        LimitScope::Conversation => gettext_f("Conversation {target}", &[("target", target)]),
    }
}

/// Title and body of a spending alert's desktop notification (GUI and
/// CLI): "Spending limit at 80 %" and "Monthly, all providers: $8.12 spent
/// of $10.00 (2026-11)."
pub fn alert_text(alert: &LimitAlert) -> (String, String) {
    let title = gettext_f(
        "Spending limit at {percent} %",
        &[("percent", &alert.threshold.to_string())],
    );
    let body = gettext_f(
        "{limit}: {spent} spent of {amount} ({period}).",
        &[
            ("limit", &limit_title(&alert.limit)),
            ("spent", &format_usd(alert.spent)),
            ("amount", &format_usd(alert.limit.amount_usd)),
            ("period", &alert.period_key),
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
            },
            threshold: 50,
            period_key: "2026-11".into(),
            spent: Decimal::from_str("10.5").unwrap(),
        };
        let (title, body) = alert_text(&alert);
        assert_eq!(title, "Spending limit at 50 %");
        assert_eq!(
            body,
            "Monthly, model openai/gpt-4o: $10.50 spent of $20.00 (2026-11)."
        );
        assert_eq!(format_percent(Decimal::from_str("0.355").unwrap()), "36 %");
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
