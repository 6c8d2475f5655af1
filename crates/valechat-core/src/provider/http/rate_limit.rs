//! When a rate-limited provider says its limit resets, from its
//! rate-limit headers, for replies that carry no `Retry-After`:
//!
//! - Anthropic (docs "Rate limits", response headers):
//!   `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-reset`,
//!   an RFC 3339 time, with `…-remaining` beside each;
//! - OpenAI (guide "Rate limits", headers): `x-ratelimit-reset-{requests,tokens}`,
//!   a duration such as `1s`, `6m0s` or `20ms`, with `x-ratelimit-remaining-…`.
//!
//! The limit that is used up (remaining `0`) decides; when none says so,
//! the soonest reset is taken.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;

/// Anthropic's limits, as they appear in `anthropic-ratelimit-{limit}-reset`.
const ANTHROPIC_LIMITS: [&str; 4] = ["requests", "tokens", "input-tokens", "output-tokens"];
/// OpenAI's limits, as they appear in `x-ratelimit-reset-{limit}`.
const OPENAI_LIMITS: [&str; 2] = ["requests", "tokens"];

/// The wait until the provider's exhausted rate limit resets, read from
/// Anthropic's or OpenAI's rate-limit headers (see the module
/// documentation), measured from `now`; `None` when no such header parses.
/// A reset in the past gives [`Duration::ZERO`].
pub fn reset_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let mut resets: Vec<(bool, Duration)> = Vec::new();
    for limit in ANTHROPIC_LIMITS {
        let reset = text(headers, &format!("anthropic-ratelimit-{limit}-reset"))
            .and_then(|v| DateTime::parse_from_rfc3339(v).ok())
            .map(|at| (at.with_timezone(&Utc) - now).to_std().unwrap_or_default());
        if let Some(reset) = reset {
            let used_up = text(headers, &format!("anthropic-ratelimit-{limit}-remaining"))
                .is_some_and(|v| v == "0");
            resets.push((used_up, reset));
        }
    }
    for limit in OPENAI_LIMITS {
        if let Some(reset) =
            text(headers, &format!("x-ratelimit-reset-{limit}")).and_then(parse_go_duration)
        {
            let used_up =
                text(headers, &format!("x-ratelimit-remaining-{limit}")).is_some_and(|v| v == "0");
            resets.push((used_up, reset));
        }
    }
    let used_up = resets.iter().filter(|(u, _)| *u).map(|(_, d)| *d).max();
    used_up.or_else(|| resets.iter().map(|(_, d)| *d).min())
}

/// A header's value, trimmed, if present and visible ASCII.
fn text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name)?.to_str().ok().map(str::trim)
}

/// Parses a Go-style duration as OpenAI sends it: one or more
/// `{number}{unit}` parts, unit `h`, `m`, `s`, `ms`, `us`/`µs` or `ns`
/// (`"6m0s"`, `"1.5s"`, `"20ms"`); `None` for anything else.
#[must_use]
pub fn parse_go_duration(raw: &str) -> Option<Duration> {
    let mut rest = raw.trim();
    if rest.is_empty() {
        return None;
    }
    let mut secs = 0.0_f64;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..number_len].parse().ok()?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        secs += number * scale;
        rest = &rest[unit_len..];
    }
    // Digits and units only, so `secs` is never negative or NaN; too large
    // for a Duration is the longest one (callers cap it, see `limits`).
    Some(Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX))
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderName, HeaderValue};

    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        map
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-30T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn go_durations_parse() {
        assert_eq!(parse_go_duration("1s"), Some(Duration::from_secs(1)));
        assert_eq!(parse_go_duration("6m0s"), Some(Duration::from_secs(360)));
        assert_eq!(parse_go_duration("20ms"), Some(Duration::from_millis(20)));
        assert_eq!(parse_go_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_go_duration("1h2m"), Some(Duration::from_secs(3720)));
        for bad in ["", "s", "12", "1d", "-1s", "1 s"] {
            assert_eq!(parse_go_duration(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn anthropic_used_up_limit_decides() {
        let h = headers(&[
            ("anthropic-ratelimit-requests-remaining", "0"),
            ("anthropic-ratelimit-requests-reset", "2026-11-30T12:00:07Z"),
            ("anthropic-ratelimit-tokens-remaining", "5000"),
            ("anthropic-ratelimit-tokens-reset", "2026-11-30T12:00:02Z"),
        ]);
        assert_eq!(reset_after(&h, now()), Some(Duration::from_secs(7)));
        let past = headers(&[("anthropic-ratelimit-tokens-reset", "2026-11-30T11:59:00Z")]);
        assert_eq!(reset_after(&past, now()), Some(Duration::ZERO));
    }

    #[test]
    fn openai_resets_without_a_used_up_limit_take_the_soonest() {
        let h = headers(&[
            ("x-ratelimit-reset-requests", "2s"),
            ("x-ratelimit-reset-tokens", "6m0s"),
        ]);
        assert_eq!(reset_after(&h, now()), Some(Duration::from_secs(2)));
        let tokens_out = headers(&[
            ("x-ratelimit-reset-requests", "2s"),
            ("x-ratelimit-remaining-tokens", "0"),
            ("x-ratelimit-reset-tokens", "45s"),
        ]);
        assert_eq!(
            reset_after(&tokens_out, now()),
            Some(Duration::from_secs(45))
        );
        assert_eq!(
            reset_after(&headers(&[("x-ratelimit-reset-requests", "soon")]), now()),
            None
        );
        assert_eq!(reset_after(&HeaderMap::new(), now()), None);
    }
}
