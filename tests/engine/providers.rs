//! Editing providers: rename, base URL, enable, API keys in the keyring and
//! their hints, Test Connection with the stored key.

use valechat_core::chat::{EngineError, ProviderUpdate};
use valechat_core::provider::ProtocolKind;
use valechat_core::secrets::KeyStore;

use crate::Harness;
use crate::support::{Reply, TestServer};

const MODELS: &str = r#"{"object":"list","data":[{"id":"gpt-4o","object":"model"},{"id":"gpt-4o-mini","object":"model"}]}"#;

#[tokio::test]
async fn update_changes_only_the_given_fields_and_keeps_the_id() {
    let h = Harness::new().await;
    let id = h
        .engine
        .providers()
        .add(
            ProtocolKind::OpenAiCompatible,
            "Local",
            "http://127.0.0.1:1/v1",
            None,
        )
        .await
        .expect("add")
        .id;

    let renamed = h
        .engine
        .providers()
        .update(
            &id,
            ProviderUpdate {
                name: Some("  My Server ".into()),
                ..ProviderUpdate::default()
            },
        )
        .await
        .expect("rename");
    assert_eq!(renamed.id, id);
    assert_eq!(renamed.name, "My Server");
    assert_eq!(renamed.base_url, "http://127.0.0.1:1/v1");
    assert!(renamed.enabled);

    h.engine
        .providers()
        .update(
            &id,
            ProviderUpdate {
                base_url: Some("http://127.0.0.1:2/v1".into()),
                enabled: Some(false),
                ..ProviderUpdate::default()
            },
        )
        .await
        .expect("update");
    let stored = h
        .engine
        .store()
        .get_provider(&id)
        .await
        .expect("read")
        .expect("still there");
    assert_eq!(stored.name, "My Server");
    assert_eq!(stored.base_url, "http://127.0.0.1:2/v1");
    assert!(!stored.enabled);
}

#[tokio::test]
async fn update_refuses_empty_values_and_unknown_providers() {
    let h = Harness::new().await;
    let id = h
        .engine
        .providers()
        .add(
            ProtocolKind::Ollama,
            "Ollama",
            "http://127.0.0.1:11434",
            None,
        )
        .await
        .expect("add")
        .id;
    let empty_name = h
        .engine
        .providers()
        .update(
            &id,
            ProviderUpdate {
                name: Some("   ".into()),
                ..ProviderUpdate::default()
            },
        )
        .await;
    assert!(matches!(
        empty_name,
        Err(EngineError::EmptyProviderField("name"))
    ));
    let empty_url = h
        .engine
        .providers()
        .update(
            &id,
            ProviderUpdate {
                base_url: Some(String::new()),
                ..ProviderUpdate::default()
            },
        )
        .await;
    assert!(matches!(empty_url, Err(EngineError::EmptyProviderField(_))));
    let stored = h
        .engine
        .store()
        .get_provider(&id)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(stored.name, "Ollama");

    let unknown = h
        .engine
        .providers()
        .update("nope", ProviderUpdate::default())
        .await;
    assert!(matches!(unknown, Err(EngineError::UnknownProvider(id)) if id == "nope"));
    assert!(matches!(
        h.engine.providers().set_api_key("nope", Some("sk-1")).await,
        Err(EngineError::UnknownProvider(_))
    ));
    assert!(matches!(
        h.engine.providers().api_key_hint("nope").await,
        Err(EngineError::UnknownProvider(_))
    ));
}

#[tokio::test]
async fn keys_go_to_the_keyring_and_only_their_hint_comes_back() {
    let h = Harness::new().await;
    let id = h
        .engine
        .providers()
        .add(
            ProtocolKind::Anthropic,
            "Claude",
            "https://api.anthropic.com",
            None,
        )
        .await
        .expect("add")
        .id;
    assert_eq!(
        h.engine.providers().api_key_hint(&id).await.expect("hint"),
        None
    );

    let with_key = h
        .engine
        .providers()
        .set_api_key(&id, Some(" sk-ant-secret-9876 "))
        .await
        .expect("set key");
    assert!(with_key.has_api_key);
    assert_eq!(
        h.keys.api_key(&id).await.expect("keyring").as_deref(),
        Some("sk-ant-secret-9876")
    );
    assert_eq!(
        h.engine
            .providers()
            .api_key_hint(&id)
            .await
            .expect("hint")
            .as_deref(),
        Some("…9876")
    );

    h.engine
        .providers()
        .set_api_key(&id, Some("short"))
        .await
        .expect("replace");
    assert_eq!(
        h.engine
            .providers()
            .api_key_hint(&id)
            .await
            .expect("hint")
            .as_deref(),
        Some("…")
    );

    let without = h
        .engine
        .providers()
        .set_api_key(&id, None)
        .await
        .expect("delete key");
    assert!(!without.has_api_key);
    assert_eq!(h.keys.api_key(&id).await.expect("keyring"), None);
    let stored = h
        .engine
        .store()
        .get_provider(&id)
        .await
        .expect("read")
        .expect("there");
    assert!(!stored.has_api_key);
    assert_eq!(
        h.engine.providers().api_key_hint(&id).await.expect("hint"),
        None
    );

    // An empty key counts as no key.
    h.engine
        .providers()
        .set_api_key(&id, Some("sk-0123456789"))
        .await
        .expect("set");
    let cleared = h
        .engine
        .providers()
        .set_api_key(&id, Some("  "))
        .await
        .expect("clear");
    assert!(!cleared.has_api_key);
    assert_eq!(h.keys.api_key(&id).await.expect("keyring"), None);
}

#[tokio::test]
async fn test_provider_lists_models_with_the_stored_key() {
    let server = TestServer::start(vec![Reply::fixed(200, "application/json", MODELS)]).await;
    let h = Harness::new().await;
    let id = h
        .engine
        .providers()
        .add(
            ProtocolKind::OpenAiCompatible,
            "Test",
            &server.base_url(),
            None,
        )
        .await
        .expect("add")
        .id;
    h.engine
        .providers()
        .set_api_key(&id, Some("sk-stored-key-4321"))
        .await
        .expect("set key");

    let models = h
        .engine
        .providers()
        .test(&id)
        .await
        .expect("test connection");
    let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["gpt-4o", "gpt-4o-mini"]);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].header("authorization"),
        Some("Bearer sk-stored-key-4321")
    );
}
