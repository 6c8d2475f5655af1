//! Browser sign-in to a streamable HTTP MCP server protected by OAuth 2.1
//! (MCP 2025-11-25 "Authorization"), end to end: a real authorization
//! server and MCP endpoint (`oauth/server.rs`), ValeChat's
//! `LoopbackAuthorizer` listening on 127.0.0.1, and a "browser" that GETs
//! the authorization URL following redirects, so the loopback listener
//! really receives the callback. Tokens go to a `MemoryKeyStore`.

#[path = "oauth/server.rs"]
mod server;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use server::Consent;
use valechat_core::mcp::oauth::{LoopbackAuthorizer, OAuthSettings, has_tokens, sign_out};
use valechat_core::mcp::{
    ClientHooks, Era, McpConnection, McpError, ServerConfig, ServerLog, Transport,
};
use valechat_core::secrets::{KeyStore, MemoryKeyStore};

/// The app's side: settings with a loopback authorizer whose browser is
/// reqwest, and a count of browser openings.
fn hooks(keys: &Arc<dyn KeyStore>, opened: &Arc<AtomicUsize>) -> ClientHooks {
    let opened = opened.clone();
    let browser: valechat_core::mcp::oauth::OpenUrl = Arc::new(move |url: &str| {
        opened.fetch_add(1, Ordering::SeqCst);
        let url = url.to_owned();
        tokio::spawn(async move {
            // Follows the authorization server's redirect to the loopback.
            let _ = reqwest::get(url).await;
        });
        Ok(())
    });
    ClientHooks {
        oauth: Some(OAuthSettings {
            redirect_uri: "http://127.0.0.1:0/callback".into(),
            client_name: "ValeChat tests".into(),
            client_metadata_url: None,
            client_id: None,
            client_secret: None,
            authorizer: Arc::new(LoopbackAuthorizer::new(browser)),
            max_authorizations: 3,
            keys: Some(keys.clone()),
        }),
        ..ClientHooks::default()
    }
}

fn config(url: &str) -> ServerConfig {
    ServerConfig {
        id: "notes".into(),
        name: "Notes".into(),
        transport: Transport::Http {
            url: url.into(),
            headers: Default::default(),
        },
        enabled: true,
        era: Some(Era::Legacy {
            version: "2025-11-25".into(),
        }),
        sandbox: None,
    }
}

/// Connects, lists the tools, shuts down; returns the tool names.
async fn connect(
    url: &str,
    keys: &Arc<dyn KeyStore>,
    opened: &Arc<AtomicUsize>,
) -> Result<Vec<String>, McpError> {
    let connection = McpConnection::connect(
        &config(url),
        keys.as_ref(),
        hooks(keys, opened),
        ServerLog::default(),
    )
    .await?;
    let tools = connection.list_tools().await?;
    connection.shutdown().await;
    Ok(tools.iter().map(|t| t.name.to_string()).collect())
}

#[tokio::test]
async fn signs_in_once_then_reuses_and_refreshes_the_stored_tokens() {
    let (auth, url) = server::start().await;
    let keys: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::new());
    let opened = Arc::new(AtomicUsize::new(0));

    assert_eq!(connect(&url, &keys, &opened).await.unwrap(), ["echo"]);
    assert_eq!(opened.load(Ordering::SeqCst), 1);
    assert!(auth.registered());
    let stored = keys.api_key("mcp=notes/oauth").await.unwrap().unwrap();
    assert!(
        stored.contains("refresh-1") && stored.contains("test-client"),
        "{stored}"
    );

    // A new connection uses the keyring's token: no browser.
    assert_eq!(connect(&url, &keys, &opened).await.unwrap(), ["echo"]);
    assert_eq!(opened.load(Ordering::SeqCst), 1);
    assert_eq!(auth.authorizations.load(Ordering::SeqCst), 1);

    // A refused access token is refreshed, still without the browser.
    auth.expire_access_tokens();
    assert_eq!(connect(&url, &keys, &opened).await.unwrap(), ["echo"]);
    assert_eq!(opened.load(Ordering::SeqCst), 1);
    assert_eq!(auth.refreshes.load(Ordering::SeqCst), 1);
    let stored = keys.api_key("mcp=notes/oauth").await.unwrap().unwrap();
    assert!(stored.contains("access-2"), "the refreshed token is saved");

    // Signing out forgets the tokens: the browser opens again.
    sign_out(keys.as_ref(), "notes").await.unwrap();
    assert!(!has_tokens(keys.as_ref(), "notes").await.unwrap());
    assert_eq!(connect(&url, &keys, &opened).await.unwrap(), ["echo"]);
    assert_eq!(opened.load(Ordering::SeqCst), 2);
    assert!(has_tokens(keys.as_ref(), "notes").await.unwrap());
}

#[tokio::test]
async fn a_denied_consent_is_a_sign_in_error() {
    let (auth, url) = server::start().await;
    auth.set_consent(Consent::Deny);
    let keys: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::new());
    let opened = Arc::new(AtomicUsize::new(0));
    let error = connect(&url, &keys, &opened).await.unwrap_err();
    match &error {
        McpError::SignIn { server, reason } => {
            assert_eq!(server, "notes");
            assert!(reason.contains("access was denied"), "{reason}");
        }
        other => panic!("expected a sign-in error, got {other}"),
    }
    assert_eq!(opened.load(Ordering::SeqCst), 1, "asked once, not retried");
    assert!(!has_tokens(keys.as_ref(), "notes").await.unwrap());
}

#[tokio::test]
async fn a_forged_state_is_rejected() {
    let (auth, url) = server::start().await;
    auth.set_consent(Consent::ForgeState);
    let keys: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::new());
    let opened = Arc::new(AtomicUsize::new(0));
    let error = connect(&url, &keys, &opened).await.unwrap_err();
    assert!(
        matches!(&error, McpError::SignIn { reason, .. } if reason.contains("state that does not match")),
        "{error}"
    );
    assert!(!has_tokens(keys.as_ref(), "notes").await.unwrap());
}
