//! The providers registry: the configured providers (in the store), their
//! API keys (in the key store), a circuit breaker per provider, and what
//! their model lists said about images. Every front end adds, edits, tests
//! and removes providers here, and the engine builds its clients here
//! (DESIGN.md, "The engine's face": a registry call).
//!
//! `edit` holds changes to a stored provider and its key, `pull` the model
//! download of an Ollama server, `local` the built-in "On this computer".

mod edit;
mod embedder;
mod local;
mod pull;

use std::sync::Arc;

use super::EngineError;
use super::breakers::Breakers;
use super::vision::VisionCache;
use crate::provider::anthropic::{AnthropicConfig, AnthropicProvider};
use crate::provider::base_url::check_base_url;
use crate::provider::gemini::{GeminiConfig, GeminiProvider};
use crate::provider::ollama::{OllamaConfig, OllamaProvider};
use crate::provider::openai::{OpenAiConfig, OpenAiProvider};
use crate::provider::resilient::BreakerState;
use crate::provider::timeouts::ProviderTimeouts;
use crate::provider::{ChatProvider, ModelInfo, ProtocolKind};
use crate::secrets::KeyStore;
use crate::store::{NewProvider, Provider, Store};

pub use edit::{ProviderUpdate, key_hint};
pub use local::{LOCAL_PROVIDER_ID, LOCAL_PROVIDER_NAME, is_built_in, library_models};

/// The configured providers and how to reach each. Cheap to clone: clones
/// share the store, the key store, the circuit breakers and the model
/// knowledge.
#[derive(Clone)]
pub struct Providers {
    store: Store,
    keys: Arc<dyn KeyStore>,
    /// One circuit breaker per provider id, kept across turns.
    breakers: Breakers,
    /// Which models accept images, as the last model lists said.
    vision: VisionCache,
    /// The runner of "On this computer", once [`Providers::enable_local`]
    /// offered it.
    local: Option<Arc<local::LocalRuntime>>,
}

impl std::fmt::Debug for Providers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Providers").finish_non_exhaustive()
    }
}

impl Providers {
    /// The providers stored in `store`, with API keys in `keys`.
    pub fn new(store: Store, keys: Arc<dyn KeyStore>) -> Self {
        Self {
            store,
            keys,
            breakers: Breakers::default(),
            vision: VisionCache::default(),
            local: None,
        }
    }

    /// The key store holding the providers' API keys.
    #[must_use]
    pub fn keys(&self) -> &Arc<dyn KeyStore> {
        &self.keys
    }

    /// What the last model lists said about images (for sends).
    pub(super) fn vision(&self) -> &VisionCache {
        &self.vision
    }

    /// The stored configuration of `provider_id`.
    ///
    /// # Errors
    /// [`EngineError::UnknownProvider`]; [`EngineError::Store`].
    pub async fn get(&self, provider_id: &str) -> Result<Provider, EngineError> {
        self.store
            .get_provider(provider_id)
            .await?
            .ok_or_else(|| EngineError::UnknownProvider(provider_id.to_owned()))
    }

    /// Every configured provider, in the store's order.
    ///
    /// # Errors
    /// [`EngineError::Store`].
    pub async fn list(&self) -> Result<Vec<Provider>, EngineError> {
        Ok(self.store.list_providers().await?)
    }

    /// Builds a client for a configured provider, reading its API key from the
    /// key store when it has one. The client retries transient failures and
    /// reports to the provider's circuit breaker
    /// ([`ResilientProvider`](crate::provider::resilient::ResilientProvider)
    /// with the default retry policy) and waits as long as the provider's
    /// timeouts allow ([`Providers::timeouts`]).
    ///
    ///
    /// # Errors
    /// [`EngineError::UnknownProvider`], [`EngineError::Secret`] when
    /// the keyring cannot be read, [`EngineError::Provider`] for a bad base URL.
    pub async fn client(&self, provider_id: &str) -> Result<Arc<dyn ChatProvider>, EngineError> {
        let provider = self
            .store
            .get_provider(provider_id)
            .await?
            .ok_or_else(|| EngineError::UnknownProvider(provider_id.to_owned()))?;
        let key = if provider.has_api_key {
            self.keys.api_key(&provider.id).await?
        } else {
            None
        };
        let timeouts = self
            .store
            .provider_timeouts(&provider.id)
            .await?
            .unwrap_or_default();
        let client: Arc<dyn ChatProvider> = if is_built_in(&provider) {
            Arc::new(self.local_provider().await?)
        } else {
            client_for(&provider, key, timeouts)?
        };
        Ok(self
            .breakers
            .wrap(&provider.id, client, timeouts.first_byte))
    }

    /// The circuit-breaker state of a configured provider, for its status dot
    /// ([`BreakerState::Closed`] until a request to it has failed repeatedly).
    #[must_use]
    pub fn state(&self, provider_id: &str) -> BreakerState {
        self.breakers.state(provider_id)
    }

    /// Lists a configured provider's models (`GET /v1/models`), sorted by
    /// id, and remembers which accept images (a later send of images to a
    /// model listed with `supports_vision: Some(false)` is refused).
    ///
    /// # Errors
    /// As [`Providers::client`], and [`EngineError::Provider`] when the server
    /// does not answer with a model list.
    pub async fn list_models(&self, provider_id: &str) -> Result<Vec<ModelInfo>, EngineError> {
        let models = self.client(provider_id).await?.list_models().await?;
        self.vision.record(provider_id, &models);
        Ok(models)
    }

    /// Checks an unsaved configuration ("Test connection"): lists the models
    /// at `base_url` with `api_key`, and returns them. One attempt, no
    /// retries: the result shows the server as it is.
    ///
    /// # Errors
    /// [`EngineError::Provider`] for a bad base URL or when the server does not
    /// answer with a model list (unreachable, refused key…).
    pub async fn test_unsaved(
        kind: ProtocolKind,
        base_url: &str,
        api_key: Option<&str>,
    ) -> Result<Vec<ModelInfo>, EngineError> {
        let base_url = check_base_url(base_url)?;
        let client = build_client(
            kind,
            &base_url,
            api_key.map(str::to_owned),
            ProviderTimeouts::default(),
        )?;
        Ok(client.list_models().await?)
    }

    /// Adds a provider: its configuration goes to the store, its API key (if
    /// any) to the keyring. If the keyring refuses the key, the half-saved
    /// provider is removed again and the keyring's error returned.
    ///
    /// # Errors
    /// [`EngineError::Store`] (e.g. a name whose id is taken);
    /// [`EngineError::Secret`] when the keyring refuses the key (the provider
    /// is removed again).
    pub async fn add(
        &self,
        kind: ProtocolKind,
        name: &str,
        base_url: &str,
        api_key: Option<&str>,
    ) -> Result<Provider, EngineError> {
        let api_key = api_key.map(str::trim).filter(|k| !k.is_empty());
        let base_url = check_base_url(base_url)?;
        let provider = self
            .store
            .insert_provider(NewProvider {
                name: name.trim().to_owned(),
                kind: kind.as_str().to_owned(),
                base_url,
                has_api_key: api_key.is_some(),
                default_model: None,
            })
            .await?;
        if let Some(key) = api_key
            && let Err(e) = self.keys.set_api_key(&provider.id, key).await
        {
            if let Err(cleanup) = self.store.delete_provider(&provider.id).await {
                tracing::warn!(
                    "could not remove provider {} after a keyring failure: {cleanup}",
                    provider.id
                );
            }
            return Err(e.into());
        }
        Ok(provider)
    }

    /// Removes a provider and its API key. Its conversations stay, without a
    /// provider (the store sets theirs to none).
    ///
    /// # Errors
    /// [`EngineError::UnknownProvider`]; [`EngineError::BuiltInProvider`]
    /// for "On this computer"; [`EngineError::Secret`] when the
    /// keyring cannot delete the key; [`EngineError::Store`].
    pub async fn remove(&self, provider_id: &str) -> Result<(), EngineError> {
        let provider = self
            .store
            .get_provider(provider_id)
            .await?
            .ok_or_else(|| EngineError::UnknownProvider(provider_id.to_owned()))?;
        if is_built_in(&provider) {
            return Err(EngineError::BuiltInProvider(provider.id));
        }
        if provider.has_api_key {
            self.keys.delete_api_key(&provider.id).await?;
        }
        self.store.delete_provider(&provider.id).await?;
        self.breakers.forget(&provider.id);
        Ok(())
    }
}

/// Builds the protocol client for a stored provider configuration.
fn client_for(
    provider: &Provider,
    key: Option<String>,
    timeouts: ProviderTimeouts,
) -> Result<Arc<dyn ChatProvider>, EngineError> {
    let kind = ProtocolKind::parse(&provider.kind)
        .ok_or_else(|| EngineError::UnsupportedProtocol(provider.kind.clone()))?;
    build_client(kind, &provider.base_url, key, timeouts)
}

/// Builds the protocol client of `kind` with the connect, first-byte and
/// idle `timeouts` applied to its HTTP client.
fn build_client(
    kind: ProtocolKind,
    base_url: &str,
    key: Option<String>,
    timeouts: ProviderTimeouts,
) -> Result<Arc<dyn ChatProvider>, EngineError> {
    let base_url = base_url.to_owned();
    let key = key.filter(|k| !k.is_empty());
    Ok(match kind {
        ProtocolKind::OpenAiCompatible => Arc::new(OpenAiProvider::new(
            OpenAiConfig::new(base_url, key).with_timeouts(timeouts),
        )?),
        ProtocolKind::Anthropic => {
            let mut config = AnthropicConfig::new(base_url, key);
            config.connection.set_timeouts(timeouts);
            Arc::new(AnthropicProvider::new(config)?)
        }
        ProtocolKind::Gemini => {
            let mut config = GeminiConfig::new(base_url, key);
            config.connection.set_timeouts(timeouts);
            Arc::new(GeminiProvider::new(config)?)
        }
        ProtocolKind::Ollama => Arc::new(OllamaProvider::new(
            OllamaConfig::new(base_url, key).with_timeouts(timeouts),
        )?),
        // The built-in "On this computer" has no endpoint to reach
        // (`Providers::local_client`).
        ProtocolKind::Local => {
            return Err(EngineError::UnsupportedProtocol(kind.as_str().to_owned()));
        }
    })
}
