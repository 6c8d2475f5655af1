//! Numbers, dates and US dollar amounts formatted for the user's locale:
//! the one money formatter of ValeChat, shared by the engine's messages, the
//! window, the billing page, the PDF report and the CLI (CSV exports keep
//! plain decimals).
//!
//! Locale data comes from ICU4X (`icu_decimal`, `icu_datetime` 2.x, the
//! Unicode Consortium's own Rust implementation of ICU) with its
//! `compiled_data`: the CLDR data is baked into the binary, so formatting
//! needs no system ICU, no installed glibc locales and no network, and
//! behaves the same in the Flatpak sandbox, on macOS and in CI. It was
//! chosen over `num-format` (grouping only, no dates, last release 2020)
//! and over libc's `strfmon`/`localeconv` (unsafe FFI, which the crate
//! forbids, and results that depend on the locales a machine generated).
//! `url` already pulls in ICU4X's core crates, so the cost is the decimal
//! and date data.
//!
//! ICU4X 2.1 has no stable currency formatter, so [`Formatter::usd`] formats
//! the amount with the locale's decimal symbols and grouping and places the
//! symbol by the CLDR `currencyFormat` pattern and USD symbol of the
//! locale's language, for the languages ValeChat is translated into
//! ([`usd_style`]); other languages get `US$1,234.50`-style placement with
//! their own digits and separators.
//!
//! Durations are seconds with one decimal (`1.5`, `1,5`), months are
//! written out (`December 2026`, `Dezember 2026`) and chart days are short
//! (`Dec 5`, `5. Dez.`).
//!
//! The locale is read like glibc does: the first non-empty of `LC_ALL`, the
//! category variable (`LC_NUMERIC`, `LC_MONETARY`, `LC_TIME`) and `LANG`;
//! `C`, `POSIX` and unparsable values mean `en-US`.

use chrono::{Datelike, Local, TimeZone, Timelike};
use icu_datetime::DateTimeFormatter;
use icu_datetime::fieldsets::{MD, YM, YMD, YMDT};
use icu_datetime::input::{Date, DateTime, Time};
use icu_datetime::options::TimePrecision;
use icu_decimal::DecimalFormatter;
use icu_decimal::input::Decimal as IcuDecimal;
use icu_decimal::options::DecimalFormatterOptions;
use icu_locale_core::{Locale, locale};
use rust_decimal::{Decimal, RoundingStrategy};

/// Why a [`Formatter`] could not be made.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// The decimal formatter found no data for the locale.
    #[error("no number format data for locale {locale}: {source}")]
    Decimal {
        /// The locale asked for (BCP 47).
        locale: String,
        /// ICU4X's error.
        source: icu_provider::DataError,
    },
    /// The date formatter found no data for the locale.
    #[error("no date format data for locale {locale}: {source}")]
    Date {
        /// The locale asked for (BCP 47).
        locale: String,
        /// ICU4X's error.
        source: icu_datetime::DateTimeFormatterLoadError,
    },
}

/// Where the currency symbol goes relative to the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolPlacement {
    /// `$1,234.50` (pattern `¤#,##0.00`).
    Before,
    /// `US$ 1.234,50` (pattern `¤ #,##0.00`, no-break space).
    BeforeWithSpace,
    /// `1.234,50 $` (pattern `#,##0.00 ¤`, no-break space).
    AfterWithSpace,
}

/// The USD symbol and its placement for a language (ISO 639 code), from
/// CLDR 47's `currencyFormats/standard` and `currencies/USD/symbol`.
#[must_use]
#[allow(
    clippy::match_same_arms,
    reason = "one arm per translated language, as CLDR lists them"
)]
pub fn usd_style(language: &str) -> (&'static str, SymbolPlacement) {
    match language {
        "en" | "ja" => ("$", SymbolPlacement::Before),
        "zh" => ("US$", SymbolPlacement::Before),
        "pt" => ("US$", SymbolPlacement::BeforeWithSpace),
        "de" => ("$", SymbolPlacement::AfterWithSpace),
        "fr" => ("$US", SymbolPlacement::AfterWithSpace),
        "es" => ("US$", SymbolPlacement::AfterWithSpace),
        "it" => ("USD", SymbolPlacement::AfterWithSpace),
        _ => ("US$", SymbolPlacement::Before),
    }
}

/// Formats numbers, money and dates for one locale.
#[derive(Debug)]
pub struct Formatter {
    locale: Locale,
    decimal: DecimalFormatter,
    date: DateTimeFormatter<YMD>,
    month: DateTimeFormatter<YM>,
    day: DateTimeFormatter<MD>,
    date_time: DateTimeFormatter<YMDT>,
}

impl Formatter {
    /// A formatter for BCP 47 or POSIX locale `tag` (`"de-DE"`, `"de_DE.UTF-8"`,
    /// `"ja_JP"`); unparsable tags, `C` and `POSIX` mean `en-US`.
    ///
    /// # Errors
    /// [`FormatError`] if the baked data has nothing for the locale (ICU4X
    /// falls back to the root locale, so this is not expected in practice).
    pub fn new(tag: &str) -> Result<Self, FormatError> {
        let locale = parse_locale(tag);
        let decimal =
            DecimalFormatter::try_new((&locale).into(), DecimalFormatterOptions::default())
                .map_err(|source| FormatError::Decimal {
                    locale: locale.to_string(),
                    source,
                })?;
        let date_error = |source| FormatError::Date {
            locale: locale.to_string(),
            source,
        };
        let date =
            DateTimeFormatter::try_new((&locale).into(), YMD::medium()).map_err(date_error)?;
        let month = DateTimeFormatter::try_new((&locale).into(), YM::long()).map_err(date_error)?;
        let day = DateTimeFormatter::try_new((&locale).into(), MD::medium()).map_err(date_error)?;
        let date_time = DateTimeFormatter::try_new(
            (&locale).into(),
            YMDT::medium().with_time_precision(TimePrecision::Minute),
        )
        .map_err(date_error)?;
        Ok(Self {
            locale,
            decimal,
            date,
            month,
            day,
            date_time,
        })
    }

    /// The locale in use (BCP 47).
    #[must_use]
    pub fn locale(&self) -> &Locale {
        &self.locale
    }

    /// `n` with the locale's digits and grouping: `1,234,567` (en),
    /// `1.234.567` (de).
    #[must_use]
    pub fn count(&self, n: u64) -> String {
        self.decimal.format(&IcuDecimal::from(n)).to_string()
    }

    /// `n` with the locale's sign, digits and grouping: `-1,234` (en),
    /// `-1.234` (de).
    #[must_use]
    pub fn integer(&self, n: i64) -> String {
        self.decimal.format(&IcuDecimal::from(n)).to_string()
    }

    /// `value` with the locale's decimal separator and grouping, keeping
    /// its digits as they are (`1.50` stays two decimals): `1,234.5` (en),
    /// `1.234,5` (de).
    #[must_use]
    pub fn decimal(&self, value: Decimal) -> String {
        let text = value.to_string();
        match text.parse::<IcuDecimal>() {
            Ok(d) => self.decimal.format(&d).to_string(),
            // rust_decimal prints plain digits with a dot, which always parses.
            Err(_) => text,
        }
    }

    /// `ms` milliseconds as seconds with one decimal, rounded half away
    /// from zero, without the unit: `1.5` (en), `1,5` (de), `0.0`.
    #[must_use]
    pub fn seconds(&self, ms: u64) -> String {
        self.decimal(seconds_of(ms))
    }

    /// `amount` in US dollars with the locale's symbols and grouping:
    /// `$1,234.50` (en), `1.234,50 $` (de), `$1,234.50` (ja), `-$0.25`.
    /// Rounded half away from zero for display only ([`display_digits`]):
    /// at least two decimals, up to four so that the cost of one message
    /// shows (`$0.0042`), up to eight below `$0.0001`.
    #[must_use]
    pub fn usd(&self, amount: Decimal) -> String {
        let (negative, text) = display_digits(amount);
        let number = match text.parse::<IcuDecimal>() {
            Ok(d) => self.decimal.format(&d).to_string(),
            // rust_decimal prints plain digits with a dot, which always parses;
            // keep the plain text rather than lose the amount.
            Err(_) => text,
        };
        let (symbol, placement) = usd_style(self.locale.id.language.as_str());
        let body = match placement {
            SymbolPlacement::Before => format!("{symbol}{number}"),
            SymbolPlacement::BeforeWithSpace => format!("{symbol}\u{a0}{number}"),
            SymbolPlacement::AfterWithSpace => format!("{number}\u{a0}{symbol}"),
        };
        if negative { format!("-{body}") } else { body }
    }

    /// The local calendar date of `ts_ms` (UTC unix milliseconds), medium
    /// length: `Mar 5, 2026` (en), `05.03.2026` (de), `2026/03/05` (ja).
    /// Out-of-range times give an empty string.
    #[must_use]
    pub fn date(&self, ts_ms: i64) -> String {
        let Some(local) = Local.timestamp_millis_opt(ts_ms).single() else {
            return String::new();
        };
        self.date_of(local.year(), local.month(), local.day())
    }

    /// A calendar date (ISO year, month 1–12, day 1–31), medium length.
    /// Invalid dates give an empty string.
    #[must_use]
    pub fn date_of(&self, year: i32, month: u32, day: u32) -> String {
        iso_date(year, month, day)
            .and_then(|(y, m, d)| Date::try_new_iso(y, m, d).ok())
            .map_or_else(String::new, |d| self.date.format(&d).to_string())
    }

    /// A month of a year, written out: `December 2026` (en), `Dezember
    /// 2026` (de), `2026年12月` (ja). An invalid month gives an empty string.
    #[must_use]
    pub fn month(&self, year: i32, month: u32) -> String {
        iso_date(year, month, 1)
            .and_then(|(y, m, d)| Date::try_new_iso(y, m, d).ok())
            .map_or_else(String::new, |d| self.month.format(&d).to_string())
    }

    /// A day of the year, short, for chart labels: `Dec 5` (en), `05.12.`
    /// (de). An invalid date gives an empty string.
    #[must_use]
    pub fn day_month(&self, year: i32, month: u32, day: u32) -> String {
        iso_date(year, month, day)
            .and_then(|(y, m, d)| Date::try_new_iso(y, m, d).ok())
            .map_or_else(String::new, |d| self.day.format(&d).to_string())
    }

    /// The local date and time of `ts_ms` (UTC unix milliseconds), medium
    /// length, to the minute: `Dec 5, 2026, 3:04 PM` (en), `05.12.2026,
    /// 15:04` (de). Out-of-range times give an empty string.
    #[must_use]
    pub fn date_time(&self, ts_ms: i64) -> String {
        let Some(local) = Local.timestamp_millis_opt(ts_ms).single() else {
            return String::new();
        };
        let date = iso_date(local.year(), local.month(), local.day())
            .and_then(|(y, m, d)| Date::try_new_iso(y, m, d).ok());
        let time = u8::try_from(local.hour())
            .ok()
            .zip(u8::try_from(local.minute()).ok())
            .and_then(|(h, m)| Time::try_new(h, m, 0, 0).ok());
        match (date, time) {
            (Some(date), Some(time)) => self.date_time.format(&DateTime { date, time }).to_string(),
            _ => String::new(),
        }
    }
}

/// Year, month and day as ICU4X takes them, if month and day fit a byte
/// (`Date::try_new_iso` checks the rest).
fn iso_date(year: i32, month: u32, day: u32) -> Option<(i32, u8, u8)> {
    Some((year, u8::try_from(month).ok()?, u8::try_from(day).ok()?))
}

/// The digits of `amount` as shown: rounded half away from zero to four
/// decimals (eight when it is not zero but below 0.0001), trailing zeros
/// dropped down to two decimals; and whether it is negative (not after
/// rounding to zero). `1234.5` → `(false, "1234.50")`, `0.00421` →
/// `(false, "0.0042")`, `-0.255` → `(true, "0.255")`.
#[must_use]
pub fn display_digits(amount: Decimal) -> (bool, String) {
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
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    (negative, format!("{int}.{frac}"))
}

/// `ms` milliseconds as seconds with exactly one decimal, rounded half
/// away from zero: 1 450 → `1.5`, 0 → `0.0`.
#[must_use]
pub fn seconds_of(ms: u64) -> Decimal {
    let mut seconds = (Decimal::from(ms) / Decimal::ONE_THOUSAND)
        .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    seconds.rescale(1);
    seconds
}

/// Parses a BCP 47 or POSIX locale name: `de_DE.UTF-8@euro` → `de-DE`.
/// `C`, `POSIX`, empty and unparsable names give `en-US`.
#[must_use]
pub fn parse_locale(tag: &str) -> Locale {
    let base = tag
        .split(['.', '@'])
        .next()
        .unwrap_or_default()
        .replace('_', "-");
    if base.is_empty() || base == "C" || base == "POSIX" {
        return locale!("en-US");
    }
    Locale::try_from_str(&base).unwrap_or(locale!("en-US"))
}

/// The user's locale for `category` (e.g. `"LC_MONETARY"`), as glibc picks
/// it: `LC_ALL`, then `category`, then `LANG`.
#[must_use]
pub fn env_locale(category: &str) -> Locale {
    let tag = ["LC_ALL", category, "LANG"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_default();
    parse_locale(&tag)
}

mod user;

pub use user::*;

#[cfg(test)]
mod tests;
