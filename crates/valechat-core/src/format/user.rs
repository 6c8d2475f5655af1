//! The formatter of the user's locale, one per category and thread, and
//! the free functions the front ends call (`format_usd`, `format_count`,
//! `format_month`…).

use std::cell::OnceCell;

use rust_decimal::Decimal;

use super::{Formatter, display_digits, env_locale, seconds_of};

thread_local! {
    // One formatter per category and thread (ICU4X's data handles are not
    // `Sync` without its `sync` feature; a formatter is cheap to make).
    static NUMERIC: OnceCell<Option<Formatter>> = const { OnceCell::new() };
    static MONETARY: OnceCell<Option<Formatter>> = const { OnceCell::new() };
    static TIME: OnceCell<Option<Formatter>> = const { OnceCell::new() };
}

fn with_formatter<T>(
    cell: &'static std::thread::LocalKey<OnceCell<Option<Formatter>>>,
    category: &str,
    format: impl FnOnce(Option<&Formatter>) -> T,
) -> T {
    cell.with(|cell| {
        let formatter = cell.get_or_init(|| {
            let locale = env_locale(category).to_string();
            Formatter::new(&locale)
                .inspect_err(|e| tracing::warn!("{e}; values stay unformatted"))
                .ok()
        });
        format(formatter.as_ref())
    })
}

/// `amount` US dollars for the user's `LC_MONETARY` locale
/// ([`Formatter::usd`]): `$1,234.50`, `$0.0042` in English, `1.234,50 $`
/// in German.
#[must_use]
pub fn format_usd(amount: Decimal) -> String {
    with_formatter(&MONETARY, "LC_MONETARY", |f| {
        f.map_or_else(
            || {
                let (negative, digits) = display_digits(amount);
                format!("{}${digits}", if negative { "-" } else { "" })
            },
            |f| f.usd(amount),
        )
    })
}

/// `n` with grouping for the user's `LC_NUMERIC` locale ([`Formatter::count`]).
#[must_use]
pub fn format_count(n: u64) -> String {
    with_formatter(&NUMERIC, "LC_NUMERIC", |f| {
        f.map_or_else(|| n.to_string(), |f| f.count(n))
    })
}

/// The local date of `ts_ms` (UTC unix milliseconds) for the user's
/// `LC_TIME` locale ([`Formatter::date`]).
#[must_use]
pub fn format_date(ts_ms: i64) -> String {
    with_formatter(&TIME, "LC_TIME", |f| {
        f.map_or_else(String::new, |f| f.date(ts_ms))
    })
}

/// `n` with sign and grouping for the user's `LC_NUMERIC` locale
/// ([`Formatter::integer`]): token counts, which the ledger keeps as `i64`.
#[must_use]
pub fn format_integer(n: i64) -> String {
    with_formatter(&NUMERIC, "LC_NUMERIC", |f| {
        f.map_or_else(|| n.to_string(), |f| f.integer(n))
    })
}

/// `value` with the user's `LC_NUMERIC` decimal separator and grouping
/// ([`Formatter::decimal`]).
#[must_use]
pub fn format_decimal(value: Decimal) -> String {
    with_formatter(&NUMERIC, "LC_NUMERIC", |f| {
        f.map_or_else(|| value.to_string(), |f| f.decimal(value))
    })
}

/// `ms` milliseconds as seconds with one decimal for the user's
/// `LC_NUMERIC` locale, without the unit ([`Formatter::seconds`]): `1.5`,
/// `1,5` in German.
#[must_use]
pub fn format_seconds(ms: u64) -> String {
    with_formatter(&NUMERIC, "LC_NUMERIC", |f| {
        f.map_or_else(|| seconds_of(ms).to_string(), |f| f.seconds(ms))
    })
}

/// A month written out for the user's `LC_TIME` locale
/// ([`Formatter::month`]): `December 2026`, `Dezember 2026` in German.
#[must_use]
pub fn format_month(year: i32, month: u32) -> String {
    with_formatter(&TIME, "LC_TIME", |f| {
        f.map_or_else(|| format!("{year}-{month:02}"), |f| f.month(year, month))
    })
}

/// A short day for chart labels in the user's `LC_TIME` locale
/// ([`Formatter::day_month`]): `Dec 5`, `05.12.` in German.
#[must_use]
pub fn format_day_month(year: i32, month: u32, day: u32) -> String {
    with_formatter(&TIME, "LC_TIME", |f| {
        f.map_or_else(
            || format!("{month:02}-{day:02}"),
            |f| f.day_month(year, month, day),
        )
    })
}

/// The local date and time of `ts_ms` (UTC unix milliseconds) for the
/// user's `LC_TIME` locale ([`Formatter::date_time`]).
#[must_use]
pub fn format_date_time(ts_ms: i64) -> String {
    with_formatter(&TIME, "LC_TIME", |f| {
        f.map_or_else(String::new, |f| f.date_time(ts_ms))
    })
}

/// A calendar date (ISO year, month 1–12, day 1–31) for the user's
/// `LC_TIME` locale ([`Formatter::date_of`]): `Mar 5, 2026`, `05.03.2026`.
#[must_use]
pub fn format_date_of(year: i32, month: u32, day: u32) -> String {
    with_formatter(&TIME, "LC_TIME", |f| {
        f.map_or_else(
            || format!("{year}-{month:02}-{day:02}"),
            |f| f.date_of(year, month, day),
        )
    })
}
