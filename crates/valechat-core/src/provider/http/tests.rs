//! Unit tests of base-URL validation, `Retry-After` parsing, status
//! classification and header building.

use reqwest::header::HeaderValue;

use super::*;

fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (k, v) in pairs {
        map.insert(*k, HeaderValue::from_static(v));
    }
    map
}

#[test]
fn base_url_is_normalised_and_validated() {
    assert_eq!(
        normalise_base_url("https://api.openai.com/v1/").unwrap(),
        "https://api.openai.com/v1"
    );
    assert_eq!(
        normalise_base_url(" http://localhost:11434/v1 ").unwrap(),
        "http://localhost:11434/v1"
    );
    for bad in [
        "",
        "localhost:11434/v1",
        "ftp://host/v1",
        "http://h/v1?x=1",
        "not a url",
    ] {
        assert!(
            matches!(normalise_base_url(bad), Err(ProviderError::Config(_))),
            "{bad:?} accepted"
        );
    }
}

#[test]
fn retry_after_prefers_milliseconds_and_accepts_seconds() {
    assert_eq!(
        retry_after(&headers(&[
            ("retry-after-ms", "1500"),
            ("retry-after", "9")
        ])),
        Some(Duration::from_millis(1500))
    );
    assert_eq!(
        retry_after(&headers(&[("retry-after", "20")])),
        Some(Duration::from_secs(20))
    );
    assert_eq!(
        retry_after(&headers(&[(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT"
        )])),
        None
    );
    assert_eq!(retry_after(&headers(&[("retry-after", "-3")])), None);
}

#[test]
fn extreme_waits_are_capped_instead_of_panicking() {
    use crate::provider::limits::MAX_SERVER_WAIT;
    for (name, value) in [
        ("retry-after", "1e20"),
        ("retry-after", "inf"),
        ("retry-after", "1e308"),
        ("retry-after-ms", "1e20"),
        ("retry-after-ms", "1.8e22"),
    ] {
        assert_eq!(
            retry_after(&headers(&[(name, value)])),
            Some(MAX_SERVER_WAIT),
            "{name}: {value}"
        );
    }
    assert_eq!(retry_after(&headers(&[("retry-after", "NaN")])), None);
    // A rate-limit reset a century away is capped as well.
    let far = classify_status(
        429,
        &headers(&[
            ("x-ratelimit-reset-requests", "876000h"),
            ("x-ratelimit-remaining-requests", "0"),
        ]),
        "m".into(),
        false,
    );
    assert!(
        matches!(far, ProviderError::RateLimited { retry_after: Some(w), .. } if w == MAX_SERVER_WAIT),
        "{far:?}"
    );
}

#[test]
fn statuses_map_to_variants() {
    let kind = |status| classify_status(status, &HeaderMap::new(), "m".into(), false);
    assert!(matches!(kind(401), ProviderError::Unauthorized { .. }));
    assert!(matches!(kind(403), ProviderError::Unauthorized { .. }));
    assert!(matches!(kind(404), ProviderError::NotFound { .. }));
    assert!(matches!(
        kind(413),
        ProviderError::BadRequest { status: 413, .. }
    ));
    assert!(matches!(
        kind(529),
        ProviderError::Server { status: 529, .. }
    ));
    assert!(matches!(kind(418), ProviderError::Http { status: 418, .. }));
    assert_eq!(plain_message(404, " \n"), "Not Found");
    assert_eq!(plain_message(500, " boom\n"), "boom");
}

#[test]
fn bad_header_or_secret_is_a_config_error() {
    assert!(matches!(
        header_map(&[("bad header".into(), "v".into())]),
        Err(ProviderError::Config(_))
    ));
    assert!(matches!(
        secret_header("bad\nkey"),
        Err(ProviderError::Config(m)) if !m.contains("bad\nkey")
    ));
    assert!(secret_header("sk-ok").unwrap().is_sensitive());
}
