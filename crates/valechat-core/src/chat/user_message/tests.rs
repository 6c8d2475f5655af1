//! Tests of the sentences people see for engine errors.

use std::time::Duration;

use super::*;

#[test]
fn rate_limit_names_the_wait_and_keeps_the_detail() {
    let e = EngineError::Provider(ProviderError::RateLimited {
        message: "slow down".into(),
        retry_after: Some(Duration::from_millis(2500)),
        quota_exhausted: false,
    });
    let text = e.user_message();
    assert!(text.contains("wait 2 s"), "{text}");
    assert!(text.ends_with("(slow down)"), "{text}");
    let capped = EngineError::Provider(ProviderError::RateLimited {
        message: "later".into(),
        retry_after: Some(MAX_SERVER_WAIT),
        quota_exhausted: false,
    });
    let text = capped.user_message();
    assert!(text.contains("3600 s or longer"), "{text}");
}

#[test]
fn exhausted_quota_is_not_called_a_rate_limit() {
    let e = EngineError::Provider(ProviderError::RateLimited {
        message: "insufficient_quota".into(),
        retry_after: None,
        quota_exhausted: true,
    });
    assert!(e.user_message().contains("no quota left"));
}

#[test]
fn a_bad_key_points_to_the_settings() {
    let e = EngineError::Provider(ProviderError::Unauthorized {
        message: "Incorrect API key".into(),
    });
    let text = e.user_message();
    assert!(text.contains("API key"), "{text}");
    assert!(text.contains("Incorrect API key"), "{text}");
}

#[test]
fn the_server_text_is_a_detail_apart_from_the_sentence() {
    let e = EngineError::Provider(ProviderError::BadRequest {
        status: 401,
        message: "  Invalid token\n(see docs)  ".into(),
    });
    let user = e.user_error();
    assert_eq!(user.sentence, "The server refused the request (HTTP 401).");
    assert_eq!(user.detail.as_deref(), Some("Invalid token\n(see docs)"));
    assert_eq!(UserError::from_stored(&user.stored()), user);
    let blank = EngineError::Provider(ProviderError::Timeout(" ".into())).user_error();
    assert_eq!(blank.detail, None);
    assert_eq!(blank.stored(), blank.sentence);
    // Text stored before the split is all sentence.
    let old = UserError::from_stored("The server had a problem. (overloaded)");
    assert_eq!(old.sentence, "The server had a problem. (overloaded)");
    assert_eq!(old.detail, None);
}
