//! Amounts of money as people read them: `$1,234.50`, `$0.0042`.
//!
//! Shared by the window, the CLI, error messages and reports. US-style
//! grouping for now; amounts are rounded for display only (stored values
//! stay exact).

use rust_decimal::{Decimal, RoundingStrategy};

/// Formats `amount` (USD) as `$1,234.50`; negative as `-$0.50`.
pub fn format_usd(amount: Decimal) -> String {
    let places = if amount.is_zero() || amount.abs() >= Decimal::new(1, 4) {
        4
    } else {
        8
    };
    let rounded = amount
        .round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
        .normalize();
    let text = rounded.abs().to_string();
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut frac = frac.to_owned();
    while frac.len() < 2 {
        frac.push('0');
    }
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}${}.{frac}", group_thousands(int))
}

/// `"1234567"` → `"1,234,567"`.
fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
