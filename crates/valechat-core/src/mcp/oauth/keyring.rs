//! OAuth tokens of a server in the system keyring, so the user signs in once.
//!
//! [`KeyringCredentialStore`] is rmcp's [`CredentialStore`] over ValeChat's
//! [`KeyStore`]: one keyring item per server under the slot
//! `mcp=<server id>/oauth` ([`secret_slot`] with [`OAUTH_KEY`]) holding
//! rmcp's [`StoredCredentials`] as JSON (client id, access and refresh
//! tokens, granted scopes, issuer, when the token was received). rmcp saves
//! there after a code exchange and after each refresh; [`sign_out`] deletes
//! the item.

use std::sync::Arc;

use rmcp::transport::auth::{AuthError, CredentialStore, StoredCredentials};

use crate::mcp::config::secret_slot;
use crate::secrets::{KeyStore, SecretError};

/// Key (inside [`secret_slot`]) of a server's OAuth credentials.
pub const OAUTH_KEY: &str = "oauth";

/// rmcp credential store for one server's OAuth credentials in the keyring.
#[derive(Clone)]
pub struct KeyringCredentialStore {
    keys: Arc<dyn KeyStore>,
    slot: String,
}

impl std::fmt::Debug for KeyringCredentialStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyringCredentialStore")
            .field("slot", &self.slot)
            .finish_non_exhaustive()
    }
}

impl KeyringCredentialStore {
    /// The store of server `server_id`'s credentials in `keys`.
    pub fn new(keys: Arc<dyn KeyStore>, server_id: &str) -> Self {
        Self {
            keys,
            slot: secret_slot(server_id, OAUTH_KEY),
        }
    }
}

/// A keyring error as rmcp's store error (no secret in it).
#[allow(
    clippy::needless_pass_by_value,
    reason = "used as `map_err(store_error)`"
)]
fn store_error(error: SecretError) -> AuthError {
    AuthError::CredentialStoreError(error.to_string())
}

#[async_trait::async_trait]
impl CredentialStore for KeyringCredentialStore {
    async fn load(&self) -> Result<Option<StoredCredentials>, AuthError> {
        let Some(json) = self.keys.api_key(&self.slot).await.map_err(store_error)? else {
            return Ok(None);
        };
        match serde_json::from_str(&json) {
            Ok(credentials) => Ok(Some(credentials)),
            Err(e) => {
                // An unreadable item (older format) only means signing in again.
                tracing::warn!(slot = %self.slot, "ignoring unreadable OAuth credentials: {e}");
                Ok(None)
            }
        }
    }

    async fn save(&self, credentials: StoredCredentials) -> Result<(), AuthError> {
        let json = serde_json::to_string(&credentials)
            .map_err(|e| AuthError::CredentialStoreError(format!("cannot encode: {e}")))?;
        self.keys
            .set_api_key(&self.slot, &json)
            .await
            .map_err(store_error)
    }

    async fn clear(&self) -> Result<(), AuthError> {
        self.keys
            .delete_api_key(&self.slot)
            .await
            .map_err(store_error)
    }
}

/// Whether `keys` holds OAuth tokens for server `server_id` (a "Sign Out"
/// button is shown for it).
///
/// # Errors
/// The keyring's [`SecretError`].
pub async fn has_tokens(keys: &dyn KeyStore, server_id: &str) -> Result<bool, SecretError> {
    Ok(keys
        .api_key(&secret_slot(server_id, OAUTH_KEY))
        .await?
        .is_some())
}

/// Forgets server `server_id`'s OAuth tokens; the next connection asks the
/// user to sign in again. Succeeds when there were none.
///
/// # Errors
/// The keyring's [`SecretError`].
pub async fn sign_out(keys: &dyn KeyStore, server_id: &str) -> Result<(), SecretError> {
    keys.delete_api_key(&secret_slot(server_id, OAUTH_KEY))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemoryKeyStore;

    #[tokio::test]
    async fn credentials_round_trip_and_sign_out_clears_them() {
        let keys: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::new());
        let store = KeyringCredentialStore::new(keys.clone(), "notion");
        assert!(store.load().await.unwrap().is_none());
        assert!(!has_tokens(keys.as_ref(), "notion").await.unwrap());
        let credentials =
            StoredCredentials::new("client-1".into(), None, vec!["read".into()], Some(7));
        store.save(credentials).await.unwrap();
        let raw = keys.api_key("mcp=notion/oauth").await.unwrap().unwrap();
        assert!(raw.contains("client-1"), "{raw}");
        let loaded = store.load().await.unwrap().unwrap();
        assert_eq!(loaded.client_id, "client-1");
        assert_eq!(loaded.granted_scopes, ["read"]);
        assert!(has_tokens(keys.as_ref(), "notion").await.unwrap());
        sign_out(keys.as_ref(), "notion").await.unwrap();
        assert!(store.load().await.unwrap().is_none());
        assert!(!has_tokens(keys.as_ref(), "notion").await.unwrap());
    }

    #[tokio::test]
    async fn an_unreadable_item_loads_as_none() {
        let keys: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::new());
        keys.set_api_key("mcp=x/oauth", "not json").await.unwrap();
        let store = KeyringCredentialStore::new(keys, "x");
        assert!(store.load().await.unwrap().is_none());
    }
}
