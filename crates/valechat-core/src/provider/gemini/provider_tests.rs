//! Unit tests of the Gemini provider's configuration, URLs and request body.

use super::*;
use crate::provider::{ChatMessage, Role};

fn provider(base: &str) -> GeminiProvider {
    GeminiProvider::new(GeminiConfig::new(base, Some("AIza-secret".into()))).unwrap()
}

#[test]
fn base_url_defaults_is_normalised_and_validated() {
    assert_eq!(
        GeminiConfig::new("  ", None).connection.base_url,
        DEFAULT_BASE_URL
    );
    assert_eq!(
        provider("https://generativelanguage.googleapis.com/v1beta/").base_url(),
        DEFAULT_BASE_URL
    );
    for bad in [
        "generativelanguage.googleapis.com/v1beta",
        "ftp://host/v1",
        "https://host/v1beta?key=AIza",
        "not a url",
    ] {
        assert!(
            matches!(
                GeminiProvider::new(GeminiConfig::new(bad, None)),
                Err(ProviderError::Config(_))
            ),
            "{bad:?} accepted"
        );
    }
}

#[test]
fn stream_url_accepts_plain_ids_and_resource_names() {
    let p = provider(DEFAULT_BASE_URL);
    let expected = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse";
    assert_eq!(p.stream_url("gemini-2.5-flash").unwrap().as_str(), expected);
    assert_eq!(
        p.stream_url("models/gemini-2.5-flash").unwrap().as_str(),
        expected
    );
    // Odd characters stay inside the one path segment.
    assert_eq!(
        p.stream_url("a/b?c").unwrap().as_str(),
        "https://generativelanguage.googleapis.com/v1beta/models/a%2Fb%3Fc:streamGenerateContent?alt=sse"
    );
    assert!(matches!(
        p.stream_url("models/"),
        Err(ProviderError::Config(_))
    ));
    let bare = provider("http://localhost:8080");
    assert_eq!(
        bare.stream_url("g").unwrap().as_str(),
        "http://localhost:8080/models/g:streamGenerateContent?alt=sse"
    );
}

#[test]
fn the_key_is_a_sensitive_header_never_printed() {
    let config = GeminiConfig::new(DEFAULT_BASE_URL, Some("AIza-secret".into()));
    assert!(!format!("{config:?}").contains("AIza-secret"));
    let p = GeminiProvider::new(config).unwrap();
    assert!(!format!("{p:?}").contains("AIza-secret"));
    let value = p.http.headers().get(API_KEY_HEADER).unwrap();
    assert!(value.is_sensitive());
    assert_eq!(value, "AIza-secret");
    assert!(!p.stream_url("g").unwrap().as_str().contains("AIza"));
}

#[test]
fn invalid_header_or_key_is_a_config_error() {
    let mut config = GeminiConfig::new(DEFAULT_BASE_URL, Some("bad\nkey".into()));
    assert!(matches!(
        GeminiProvider::new(config.clone()),
        Err(ProviderError::Config(_))
    ));
    config.connection.api_key = None;
    config.connection.extra_headers = vec![("bad header".into(), "v".into())];
    assert!(matches!(
        GeminiProvider::new(config),
        Err(ProviderError::Config(_))
    ));
}

#[test]
fn request_body_splits_system_merges_roles_and_skips_unset_config() {
    let message = |role, content: &str| ChatMessage::new(role, content);
    let request = ChatRequest {
        model: "gemini-2.5-flash".into(),
        messages: vec![
            message(Role::System, "Be brief."),
            message(Role::User, "Hi"),
            message(Role::Assistant, "Hello!"),
            message(Role::System, "Answer in French."),
            message(Role::User, "Weather?"),
            message(Role::User, "In Edinburgh."),
        ],
        max_output_tokens: Some(64),
        ..ChatRequest::default()
    };
    let body = serde_json::to_value(GenerateRequest::new(&request)).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "contents": [
                {"role": "user", "parts": [{"text": "Hi"}]},
                {"role": "model", "parts": [{"text": "Hello!"}]},
                {"role": "user", "parts": [{"text": "Weather?"}, {"text": "In Edinburgh."}]},
            ],
            "systemInstruction": {"parts": [{"text": "Be brief."}, {"text": "Answer in French."}]},
            "generationConfig": {"maxOutputTokens": 64},
        })
    );
    let bare = ChatRequest {
        model: "g".into(),
        messages: vec![message(Role::User, "Hi")],
        ..ChatRequest::default()
    };
    assert_eq!(
        serde_json::to_value(GenerateRequest::new(&bare)).unwrap(),
        serde_json::json!({"contents": [{"role": "user", "parts": [{"text": "Hi"}]}]})
    );
}

#[test]
fn json_reply_to_a_stream_request_is_classified() {
    assert_eq!(
        non_stream_reply(
            r#"{"error":{"code":500,"message":"Internal error","status":"INTERNAL"}}"#
        ),
        ProviderError::Stream {
            message: "Internal error (INTERNAL)".into()
        }
    );
    assert!(matches!(
        non_stream_reply("{}"),
        ProviderError::Malformed(_)
    ));
}
