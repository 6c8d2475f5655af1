//! A [`KeyStore`] kept in process memory, for tests and keyring-less runs.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{KeyStore, SecretError, check_key, check_provider_id};

/// Keys held in a map for the life of the value; nothing touches the disk.
/// `Debug` shows only the provider ids, never the keys.
#[derive(Default)]
pub struct MemoryKeyStore {
    keys: Mutex<HashMap<String, String>>,
}

impl MemoryKeyStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `f` on the map; a poisoned lock is recovered, since every update
    /// is a single insert or remove and leaves the map consistent.
    fn with_keys<T>(&self, f: impl FnOnce(&mut HashMap<String, String>) -> T) -> T {
        let mut keys = self
            .keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut keys)
    }
}

impl std::fmt::Debug for MemoryKeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut providers = self.with_keys(|keys| keys.keys().cloned().collect::<Vec<_>>());
        providers.sort();
        f.debug_struct("MemoryKeyStore")
            .field("providers", &providers)
            .finish()
    }
}

#[async_trait::async_trait]
impl KeyStore for MemoryKeyStore {
    async fn set_api_key(&self, provider_id: &str, key: &str) -> Result<(), SecretError> {
        check_key(provider_id, key)?;
        self.with_keys(|keys| keys.insert(provider_id.to_owned(), key.to_owned()));
        Ok(())
    }

    async fn api_key(&self, provider_id: &str) -> Result<Option<String>, SecretError> {
        check_provider_id(provider_id)?;
        Ok(self.with_keys(|keys| keys.get(provider_id).cloned()))
    }

    async fn delete_api_key(&self, provider_id: &str) -> Result<(), SecretError> {
        check_provider_id(provider_id)?;
        self.with_keys(|keys| keys.remove(provider_id));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_overwrites_and_deletes_per_provider() {
        let store = MemoryKeyStore::new();
        assert_eq!(store.api_key("openai").await.unwrap(), None);
        store.set_api_key("openai", "sk-one").await.unwrap();
        store.set_api_key("mistral", "m-key").await.unwrap();
        store.set_api_key("openai", "sk-two").await.unwrap();
        assert_eq!(
            store.api_key("openai").await.unwrap().as_deref(),
            Some("sk-two")
        );
        store.delete_api_key("openai").await.unwrap();
        store.delete_api_key("openai").await.unwrap();
        assert_eq!(store.api_key("openai").await.unwrap(), None);
        assert_eq!(
            store.api_key("mistral").await.unwrap().as_deref(),
            Some("m-key")
        );
    }

    #[test]
    fn debug_output_hides_keys() {
        let store = MemoryKeyStore::new();
        store.with_keys(|keys| keys.insert("openai".into(), "sk-secret".into()));
        let debug = format!("{store:?}");
        assert!(debug.contains("openai"), "{debug}");
        assert!(!debug.contains("sk-secret"), "{debug}");
    }
}
