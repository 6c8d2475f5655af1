//! Tests of the formatter for fixed locales.

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

#[test]
fn durations_are_seconds_with_one_decimal() {
    assert_eq!(f("en_US").seconds(1500), "1.5");
    assert_eq!(f("de_DE").seconds(1500), "1,5");
    assert_eq!(f("de_DE").seconds(1450), "1,5");
    assert_eq!(f("de_DE").seconds(0), "0,0");
    assert_eq!(f("de_DE").seconds(2000), "2,0");
    assert_eq!(f("de_DE").seconds(12_345_678), "12.345,7");
    assert_eq!(seconds_of(1449).to_string(), "1.4");
}

#[test]
fn integers_and_decimals_use_the_locale_separators() {
    assert_eq!(f("de_DE").integer(-1_234), "-1.234");
    assert_eq!(f("en_US").integer(1_234), "1,234");
    let d = |s| Decimal::from_str(s).expect("decimal literal");
    assert_eq!(f("de_DE").decimal(d("1234.50")), "1.234,50");
    assert_eq!(f("en_US").decimal(d("1.5")), "1.5");
}

#[test]
fn months_are_written_out() {
    assert_eq!(f("en_US").month(2026, 12), "December 2026");
    assert_eq!(f("de_DE").month(2026, 12), "Dezember 2026");
    assert_eq!(f("de_DE").month(2026, 13), "");
}

#[test]
fn chart_days_are_short() {
    assert_eq!(f("en_US").day_month(2026, 12, 5), "Dec 5");
    assert_eq!(f("de_DE").day_month(2026, 12, 5), "05.12.");
    assert_eq!(f("de_DE").day_month(2026, 2, 30), "");
}

#[test]
fn date_and_time_are_local_to_the_minute() {
    // 2026-03-05 12:00 UTC is 5 March in every zone from UTC−11 to UTC+11.
    let noon = 1_772_712_000_000;
    let de = f("de_DE").date_time(noon);
    assert!(de.starts_with("05.03.2026"), "{de}");
    assert!(!de.contains("12:00:00"), "no seconds: {de}");
    assert_eq!(f("en_US").date_time(i64::MAX), "");
}
