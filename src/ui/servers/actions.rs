//! The MCP Servers window's background work: store and registry calls run
//! as commands, never on the main loop. Each returns the person-facing
//! message of what failed.
//!
//! Here: listing, saving (secrets into the keyring), enabling, removing and
//! signing out stored servers. Files: `actions/details` (the details page's
//! data), `actions/importing` (importing servers from other apps).

mod details;
mod importing;

pub use details::{Details, details, revoke};
pub use importing::{Candidate, candidates, discovered, import, source_label};

use crate::i18n::gettext_f;
use valechat_core::chat::{Engine, EngineError};
use valechat_core::mcp::config::{BEARER_KEY, SECRET_PLACEHOLDER, secret_slot};
use valechat_core::mcp::oauth;
use valechat_core::mcp::toolbox::server_binding;
use valechat_core::mcp::{McpServers, ServerConfig, Transport};

use super::form::Draft;

fn store_error(e: valechat_core::store::StoreError) -> String {
    EngineError::from(e).user_message()
}

/// Every stored server, by name.
pub async fn list(engine: Engine) -> Result<Vec<ServerConfig>, String> {
    engine.store().list_mcp_servers().await.map_err(store_error)
}

/// Moves secret-looking values (and a new bearer token) into the keyring;
/// values already in the keyring stay there.
async fn store_secrets(engine: &Engine, draft: &mut Draft) -> Result<(), String> {
    let id = draft.config.id.clone();
    let keyring_error = |e: valechat_core::secrets::SecretError| {
        gettext_f(
            "Could not store a secret of {server} in the keyring: {error}",
            &[("server", &id), ("error", &e.to_string())],
        )
    };
    for (key, value) in draft.config.extract_secrets() {
        if value == SECRET_PLACEHOLDER {
            continue;
        }
        engine
            .keys()
            .set_api_key(&secret_slot(&id, &key), &value)
            .await
            .map_err(keyring_error)?;
    }
    if let Some(token) = &draft.bearer {
        engine
            .keys()
            .set_api_key(&secret_slot(&id, BEARER_KEY), token)
            .await
            .map_err(keyring_error)?;
    }
    Ok(())
}

/// Stores a new server (or the edited one when `editing`) and (re)starts
/// it in the registry.
pub async fn save(
    engine: Engine,
    servers: McpServers,
    mut draft: Draft,
    editing: bool,
) -> Result<ServerConfig, String> {
    store_secrets(&engine, &mut draft).await?;
    let config = draft.config;
    let store = engine.store();
    if editing {
        store.update_mcp_server(&config).await
    } else {
        store.add_mcp_server(&config).await
    }
    .map_err(store_error)?;
    servers.start(config.clone()).await;
    Ok(config)
}

/// Stores `enabled` for `config` and starts or stops it.
pub async fn set_enabled(
    engine: Engine,
    servers: McpServers,
    mut config: ServerConfig,
    enabled: bool,
) -> Result<(), String> {
    config.enabled = enabled;
    engine
        .store()
        .update_mcp_server(&config)
        .await
        .map_err(store_error)?;
    if enabled {
        servers.start(config).await;
    } else {
        servers.stop(&config.id).await;
    }
    Ok(())
}

/// Stops `config`, deletes it, its tool permissions (when no other server
/// has the same command line or URL) and its keyring secrets (a keyring
/// failure only logs: the server is gone either way).
pub async fn remove(
    engine: Engine,
    servers: McpServers,
    config: ServerConfig,
) -> Result<(), String> {
    servers.remove(&config.id).await;
    engine
        .store()
        .remove_mcp_server(&config.id)
        .await
        .map_err(store_error)?;
    // Its "Always allow" permissions go too, unless another server runs
    // the same command line or URL (permissions are bound to that).
    let binding = server_binding(&config);
    let others = engine
        .store()
        .list_mcp_servers()
        .await
        .map_err(store_error)?;
    if !others.iter().any(|o| server_binding(o) == binding) {
        let permissions = engine
            .store()
            .list_tool_permissions(&binding)
            .await
            .map_err(store_error)?;
        for permission in permissions {
            engine
                .store()
                .revoke_tool(&binding, &permission.tool_name)
                .await
                .map_err(store_error)?;
        }
    }
    let remote = !matches!(config.transport, Transport::Stdio { .. });
    for key in config.secret_keys() {
        if key == BEARER_KEY && !remote {
            continue;
        }
        if let Err(e) = engine
            .keys()
            .delete_api_key(&secret_slot(&config.id, &key))
            .await
        {
            tracing::warn!(server = %config.id, "cannot delete secret {key}: {e}");
        }
    }
    if remote && let Err(e) = oauth::sign_out(engine.keys().as_ref(), &config.id).await {
        tracing::warn!(server = %config.id, "cannot delete its OAuth tokens: {e}");
    }
    Ok(())
}

/// Forgets `config`'s OAuth tokens and restarts it, so the next connection
/// asks the user to sign in again.
pub async fn sign_out(
    engine: Engine,
    servers: McpServers,
    config: ServerConfig,
) -> Result<(), String> {
    oauth::sign_out(engine.keys().as_ref(), &config.id)
        .await
        .map_err(|e| e.to_string())?;
    servers.start(config).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn save_keeps_secrets_in_the_keyring_and_remove_clears_everything() {
        use std::sync::Arc;
        use valechat_core::mcp::ClientHooks;
        use valechat_core::secrets::{KeyStore, MemoryKeyStore};

        let keys: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::new());
        let engine = Engine::new(
            valechat_core::store::Store::open_in_memory().await.unwrap(),
            keys.clone(),
        );
        let servers = McpServers::new(keys.clone(), ClientHooks::default(), None);
        let values = super::super::form::FormValues {
            name: "Files".into(),
            command: "npx".into(),
            arguments: "-y fs".into(),
            environment: "API_TOKEN=sk-secret\nDEBUG=1".into(),
            ..Default::default()
        };
        let mut draft = super::super::form::parse(&values, &[], None).unwrap();
        draft.config.enabled = false;
        let saved = save(engine.clone(), servers.clone(), draft, false)
            .await
            .unwrap();
        let stored = list(engine.clone()).await.unwrap();
        assert_eq!(stored, vec![saved.clone()]);
        let Transport::Stdio { env, .. } = &stored[0].transport else {
            panic!("not stdio");
        };
        assert_eq!(env["API_TOKEN"], SECRET_PLACEHOLDER);
        assert_eq!(env["DEBUG"], "1");
        let slot = secret_slot("files", "env/API_TOKEN");
        assert_eq!(
            keys.api_key(&slot).await.unwrap().as_deref(),
            Some("sk-secret")
        );
        assert_eq!(
            servers.state("files"),
            Some(valechat_core::mcp::ServerState::Disabled)
        );

        // Saving the edited server again keeps the keyring value.
        let edited = super::super::form::parse(
            &super::super::form::values_of(&saved),
            &stored,
            Some(&saved),
        )
        .unwrap();
        save(engine.clone(), servers.clone(), edited, true)
            .await
            .unwrap();
        assert_eq!(
            keys.api_key(&slot).await.unwrap().as_deref(),
            Some("sk-secret")
        );

        let binding = server_binding(&saved);
        engine
            .store()
            .allow_tool(&binding, "read", "hash")
            .await
            .unwrap();
        remove(engine.clone(), servers, saved).await.unwrap();
        assert!(list(engine.clone()).await.unwrap().is_empty());
        assert!(keys.api_key(&slot).await.unwrap().is_none());
        assert!(
            engine
                .store()
                .list_tool_permissions(&binding)
                .await
                .unwrap()
                .is_empty()
        );
    }
}
