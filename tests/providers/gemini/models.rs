//! `models.list`: paging, filtering to chat models, and the `models/` prefix.

use valechat_core::provider::{ChatProvider, ProviderError};

use super::{KEY, provider};
use crate::support::{Reply, TestServer};

fn page(models: serde_json::Value, next: Option<&str>) -> Reply {
    let mut body = serde_json::json!({ "models": models });
    if let Some(token) = next {
        body["nextPageToken"] = token.into();
    }
    Reply::fixed(200, "application/json", body.to_string())
}

fn model(name: &str, methods: &[&str]) -> serde_json::Value {
    serde_json::json!({
        "name": name,
        "version": "001",
        "displayName": name.trim_start_matches("models/"),
        "inputTokenLimit": 1_048_576,
        "outputTokenLimit": 65_536,
        "supportedGenerationMethods": methods,
    })
}

#[tokio::test]
async fn two_pages_are_followed_and_only_generate_content_models_kept() {
    let server = TestServer::start(vec![
        page(
            serde_json::json!([
                model(
                    "models/gemini-2.5-flash",
                    &["generateContent", "countTokens", "createCachedContent"]
                ),
                model("models/text-embedding-004", &["embedContent"]),
            ]),
            Some("page-2=="),
        ),
        page(
            serde_json::json!([
                model("models/aqa", &["generateAnswer"]),
                model(
                    "models/gemini-2.0-flash",
                    &["generateContent", "countTokens"]
                ),
            ]),
            None,
        ),
    ])
    .await;
    let models = provider(&server).list_models().await.unwrap();
    let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["gemini-2.0-flash", "gemini-2.5-flash"]);
    assert!(models.iter().all(|m| m.owned_by.is_none()));
    assert_eq!(models[0].display_name.as_deref(), Some("gemini-2.0-flash"));
    assert!(models.iter().all(|m| m.context_length == Some(1_048_576)
        && m.max_output_tokens == Some(65_536)
        && m.supports_tools.is_none()
        && m.supports_vision.is_none()));

    let requests = server.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/v1/models?pageSize=200",
            "/v1/models?pageSize=200&pageToken=page-2%3D%3D"
        ]
    );
    for sent in &requests {
        assert_eq!(sent.method, "GET");
        assert_eq!(sent.header("x-goog-api-key"), Some(KEY));
    }
}

#[tokio::test]
async fn a_repeated_page_token_stops_the_paging() {
    let same = || {
        page(
            serde_json::json!([model("models/gemini-2.5-pro", &["generateContent"])]),
            Some("again"),
        )
    };
    let server = TestServer::start(vec![same(), same(), same()]).await;
    let models = provider(&server).list_models().await.unwrap();
    assert_eq!(models.len(), 1);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn an_error_or_a_malformed_list_is_typed() {
    let server = TestServer::start(vec![
        Reply::fixed(
            403,
            "application/json",
            r#"{"error":{"code":403,"message":"Method doesn't allow unregistered callers.","status":"PERMISSION_DENIED"}}"#,
        ),
        Reply::fixed(200, "application/json", r#"{"models":"nope"}"#),
    ])
    .await;
    let p = provider(&server);
    let err = p.list_models().await.unwrap_err();
    assert!(matches!(err, ProviderError::Unauthorized { .. }), "{err:?}");
    let err = p.list_models().await.unwrap_err();
    assert!(
        matches!(&err, ProviderError::Malformed(m) if m.contains("nope")),
        "{err:?}"
    );
}
