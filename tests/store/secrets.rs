//! API keys through a real Secret Service: gnome-keyring-daemon on a private
//! D-Bus session bus, as set up by `tests/run-in-session.sh`.
//!
//! Run with `tests/run-in-session.sh cargo test --test store secrets::`. Outside such a
//! session these tests fail on purpose rather than touch the user's keyring
//! or silently skip.

#![cfg(target_os = "linux")]

use std::process::Command;

use valechat_core::secrets::{
    KeyStore, SERVICE, SecretError, item_label, linux::SecretServiceKeyStore, system_keystore,
};

/// Fails with instructions unless a private session bus is present.
fn require_session() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "DBUS_SESSION_BUS_ADDRESS is unset: run these tests through tests/run-in-session.sh \
         (e.g. `tests/run-in-session.sh cargo test --test store secrets::`), which starts a private \
         D-Bus session with an unlocked gnome-keyring"
    );
    assert!(
        std::env::var_os("VALECHAT_SESSION_DIR").is_some(),
        "not inside tests/run-in-session.sh: refusing to write test keys into your own keyring"
    );
}

/// A provider id no other test (or earlier run) uses.
fn provider_id(name: &str) -> String {
    format!("test-{name}-{}", std::process::id())
}

#[tokio::test]
async fn stores_reads_overwrites_and_deletes_a_key() {
    require_session();
    let store = system_keystore()
        .await
        .expect("Secret Service is reachable");
    let id = provider_id("roundtrip");

    assert_eq!(
        store.api_key(&id).await.unwrap(),
        None,
        "fresh provider has no key"
    );

    store.set_api_key(&id, "sk-first-ключ").await.unwrap();
    assert_eq!(
        store.api_key(&id).await.unwrap().as_deref(),
        Some("sk-first-ключ")
    );

    store.set_api_key(&id, "sk-second").await.unwrap();
    assert_eq!(
        store.api_key(&id).await.unwrap().as_deref(),
        Some("sk-second")
    );

    store.delete_api_key(&id).await.unwrap();
    assert_eq!(store.api_key(&id).await.unwrap(), None);
    // Deleting a key that is gone is not an error.
    store.delete_api_key(&id).await.unwrap();
}

#[tokio::test]
async fn items_carry_the_documented_attributes_and_label() {
    require_session();
    let store = SecretServiceKeyStore::connect().await.unwrap();
    let id = provider_id("attributes");
    let other = provider_id("attributes-other");
    store.set_api_key(&id, "sk-a").await.unwrap();
    store.set_api_key(&id, "sk-b").await.unwrap();
    store.set_api_key(&other, "sk-other").await.unwrap();

    // Look the item up with oo7 directly, as another keyring client would.
    let keyring = oo7::Keyring::new().await.unwrap();
    let items = keyring
        .search_items(&vec![("service", SERVICE), ("provider", id.as_str())])
        .await
        .unwrap();
    assert_eq!(
        items.len(),
        1,
        "overwriting replaces the item instead of adding one"
    );
    let item = &items[0];
    assert_eq!(item.label().await.unwrap(), item_label(&id));
    let attributes = item.attributes().await.unwrap();
    assert_eq!(
        attributes.get("service").map(String::as_str),
        Some("valechat")
    );
    assert_eq!(attributes.get("provider"), Some(&id));
    assert_eq!(&*item.secret().await.unwrap(), b"sk-b");

    // Providers do not see each other's keys.
    store.delete_api_key(&id).await.unwrap();
    assert_eq!(
        store.api_key(&other).await.unwrap().as_deref(),
        Some("sk-other")
    );
    store.delete_api_key(&other).await.unwrap();
}

#[tokio::test]
async fn rejects_empty_ids_and_keys_without_touching_the_keyring() {
    require_session();
    let store = system_keystore().await.unwrap();
    assert!(matches!(
        store.set_api_key("", "sk").await,
        Err(SecretError::EmptyProviderId)
    ));
    assert!(matches!(
        store.set_api_key("openai", "").await,
        Err(SecretError::EmptyKey { .. })
    ));
}

/// The full name of `test` in this test binary
/// (`secrets::child_without_a_bus_reports_unavailable`), for running it alone
/// with `--exact`.
fn test_name(test: &str) -> String {
    let module = module_path!().split_once("::").map_or("", |(_, rest)| rest);
    format!("{module}::{test}")
}

/// Runs [`child_without_a_bus_reports_unavailable`] in a child process whose
/// session bus address points nowhere.
#[test]
fn no_secret_service_is_a_clear_error() {
    require_session();
    let exe = std::env::current_exe().unwrap();
    let output = Command::new(exe)
        .args([
            "--exact",
            &test_name("child_without_a_bus_reports_unavailable"),
            "--ignored",
            "--nocapture",
        ])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/valechat-bus",
        )
        .env("VALECHAT_SECRETS_CHILD", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("1 passed"),
        "child test did not run:\n{stdout}"
    );
}

/// Only meaningful as the child of [`no_secret_service_is_a_clear_error`].
#[tokio::test]
#[ignore = "run by no_secret_service_is_a_clear_error with a broken bus address"]
async fn child_without_a_bus_reports_unavailable() {
    assert_eq!(
        std::env::var("VALECHAT_SECRETS_CHILD").as_deref(),
        Ok("1"),
        "run through no_secret_service_is_a_clear_error"
    );
    let error = match system_keystore().await {
        Ok(store) => store.api_key("openai").await.unwrap_err(),
        Err(error) => error,
    };
    assert!(
        matches!(error, SecretError::Unavailable { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("no system keyring is available"),
        "{message}"
    );
    assert!(message.contains("Secret Service"), "{message}");
}
