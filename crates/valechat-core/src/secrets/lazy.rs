//! A key store that reaches the system keyring on first use, so that
//! starting ValeChat never waits on (or prompts for) the keyring.

use std::sync::Arc;

use tokio::sync::OnceCell;

use super::{KeyStore, SecretError, system_keystore};

/// Connects to [`system_keystore`] the first time a key is needed and keeps
/// the connection. A failed connection is not remembered: the next call
/// tries again (the user may have unlocked the keyring meanwhile).
#[derive(Default)]
pub struct LazyKeyStore {
    inner: OnceCell<Arc<dyn KeyStore>>,
}

impl std::fmt::Debug for LazyKeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazyKeyStore")
            .field("connected", &self.inner.initialized())
            .finish()
    }
}

impl LazyKeyStore {
    /// A key store that has not connected yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    async fn get(&self) -> Result<&Arc<dyn KeyStore>, SecretError> {
        self.inner.get_or_try_init(system_keystore).await
    }
}

#[async_trait::async_trait]
impl KeyStore for LazyKeyStore {
    async fn set_api_key(&self, provider_id: &str, key: &str) -> Result<(), SecretError> {
        self.get().await?.set_api_key(provider_id, key).await
    }

    async fn api_key(&self, provider_id: &str) -> Result<Option<String>, SecretError> {
        self.get().await?.api_key(provider_id).await
    }

    async fn delete_api_key(&self, provider_id: &str) -> Result<(), SecretError> {
        self.get().await?.delete_api_key(provider_id).await
    }
}
