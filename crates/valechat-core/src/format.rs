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
//! The locale is read like glibc does: the first non-empty of `LC_ALL`, the
//! category variable (`LC_NUMERIC`, `LC_MONETARY`, `LC_TIME`) and `LANG`;
//! `C`, `POSIX` and unparsable values mean `en-US`.

use std::cell::OnceCell;

use chrono::{Datelike, Local, TimeZone};
use icu_datetime::DateTimeFormatter;
use icu_datetime::fieldsets::YMD;
use icu_datetime::input::Date;
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
        let date =
            DateTimeFormatter::try_new((&locale).into(), YMD::medium()).map_err(|source| {
                FormatError::Date {
                    locale: locale.to_string(),
                    source,
                }
            })?;
        Ok(Self {
            locale,
            decimal,
            date,
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
        let (Ok(month), Ok(day)) = (u8::try_from(month), u8::try_from(day)) else {
            return String::new();
        };
        match Date::try_new_iso(year, month, day) {
            Ok(date) => self.date.format(&date).to_string(),
            Err(_) => String::new(),
        }
    }
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

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn f(tag: &str) -> Formatter {
        Formatter::new(tag).expect("baked data covers the locale")
    }

    fn usd(tag: &str, amount: &str) -> String {
        f(tag).usd(Decimal::from_str(amount).expect("decimal literal"))
    }

    #[test]
    fn posix_names_become_bcp47() {
        assert_eq!(parse_locale("de_DE.UTF-8").to_string(), "de-DE");
        assert_eq!(parse_locale("ja_JP.UTF-8@calendar").to_string(), "ja-JP");
        assert_eq!(parse_locale("pt-BR").to_string(), "pt-BR");
        assert_eq!(parse_locale("C.UTF-8").to_string(), "en-US");
        assert_eq!(parse_locale("POSIX").to_string(), "en-US");
        assert_eq!(parse_locale("").to_string(), "en-US");
        assert_eq!(parse_locale("!!").to_string(), "en-US");
    }

    #[test]
    fn counts_are_grouped_per_locale() {
        assert_eq!(f("en_US").count(1_234_567), "1,234,567");
        assert_eq!(f("de_DE").count(1_234_567), "1.234.567");
        assert_eq!(f("ja_JP").count(1_234_567), "1,234,567");
        assert_eq!(f("en_US").count(999), "999");
        assert_eq!(f("fr_FR").count(1_234_567), "1\u{202f}234\u{202f}567");
    }

    #[test]
    fn dollars_follow_the_locale() {
        assert_eq!(usd("en_US", "1234.5"), "$1,234.50");
        assert_eq!(usd("de_DE", "1234.5"), "1.234,50\u{a0}$");
        assert_eq!(usd("ja_JP", "1234.5"), "$1,234.50");
        assert_eq!(usd("pt_BR", "1234.5"), "US$\u{a0}1.234,50");
    }

    #[test]
    fn dollars_keep_up_to_four_decimals_half_away_from_zero() {
        assert_eq!(usd("en_US", "0.005"), "$0.005");
        assert_eq!(usd("en_US", "0.00421"), "$0.0042");
        assert_eq!(usd("en_US", "0.00005"), "$0.00005");
        assert_eq!(usd("en_US", "-0.25555"), "-$0.2556");
        assert_eq!(usd("de_DE", "-0.00421"), "-0,0042\u{a0}$");
        assert_eq!(usd("en_US", "-0.000000001"), "$0.00");
        assert_eq!(usd("en_US", "12"), "$12.00");
        assert_eq!(usd("en_US", "0"), "$0.00");
    }

    #[test]
    fn dates_use_the_locale_pattern() {
        assert_eq!(f("en_US").date_of(2026, 3, 5), "Mar 5, 2026");
        assert_eq!(f("de_DE").date_of(2026, 3, 5), "05.03.2026");
        assert_eq!(f("ja_JP").date_of(2026, 3, 5), "2026/03/05");
        assert_eq!(f("en_US").date_of(2026, 2, 30), "");
    }

    #[test]
    fn timestamps_are_shown_as_local_dates() {
        // 2026-03-05 12:00 UTC is 5 March in every zone from UTC−11 to UTC+11.
        let noon = 1_772_712_000_000;
        assert_eq!(f("de_DE").date(noon), "05.03.2026");
        assert_eq!(f("en_US").date(i64::MAX), "");
    }
}
