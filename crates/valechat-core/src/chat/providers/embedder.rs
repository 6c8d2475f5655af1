//! [`Providers::embedder`]: the embeddings client of a configured provider,
//! built from the same stored configuration, key and timeouts as its chat
//! client.

use std::sync::Arc;

use super::{Providers, is_built_in};
use crate::chat::EngineError;
use crate::provider::embeddings::{EmbeddingProvider, anthropic_unsupported};
use crate::provider::gemini::{GeminiConfig, GeminiProvider};
use crate::provider::ollama::{OllamaConfig, OllamaProvider};
use crate::provider::openai::{OpenAiConfig, OpenAiProvider};
use crate::provider::{ProtocolKind, ProviderError};

impl Providers {
    /// The embeddings client of a configured provider (OpenAI-compatible,
    /// Gemini or Ollama), with its API key from the key store and its
    /// timeouts. No retries: a failed batch is reported as it is.
    ///
    /// # Errors
    /// [`EngineError::UnknownProvider`]; [`EngineError::Secret`] when the
    /// keyring cannot be read; [`EngineError::Provider`] with
    /// [`ProviderError::Unsupported`] for Anthropic (no embeddings API) and
    /// for the built-in local provider (its models embed through
    /// `Engine::embed`), [`ProviderError::Config`] for a bad base URL;
    /// [`EngineError::UnsupportedProtocol`] for an unknown kind.
    pub async fn embedder(
        &self,
        provider_id: &str,
    ) -> Result<Arc<dyn EmbeddingProvider>, EngineError> {
        let provider = self.get(provider_id).await?;
        if is_built_in(&provider) {
            return Err(ProviderError::Unsupported(
                "the models on this computer embed through the local runner, not an HTTP API"
                    .to_owned(),
            )
            .into());
        }
        let kind = ProtocolKind::parse(&provider.kind)
            .ok_or_else(|| EngineError::UnsupportedProtocol(provider.kind.clone()))?;
        let key = if provider.has_api_key {
            self.keys.api_key(&provider.id).await?
        } else {
            None
        }
        .filter(|k| !k.is_empty());
        let timeouts = self
            .store
            .provider_timeouts(&provider.id)
            .await?
            .unwrap_or_default();
        let base_url = provider.base_url.clone();
        Ok(match kind {
            ProtocolKind::OpenAiCompatible => Arc::new(OpenAiProvider::new(
                OpenAiConfig::new(base_url, key).with_timeouts(timeouts),
            )?),
            ProtocolKind::Gemini => {
                let mut config = GeminiConfig::new(base_url, key);
                config.connection.set_timeouts(timeouts);
                Arc::new(GeminiProvider::new(config)?)
            }
            ProtocolKind::Ollama => Arc::new(OllamaProvider::new(
                OllamaConfig::new(base_url, key).with_timeouts(timeouts),
            )?),
            ProtocolKind::Anthropic => return Err(anthropic_unsupported().into()),
            ProtocolKind::Local => {
                return Err(EngineError::UnsupportedProtocol(kind.as_str().to_owned()));
            }
        })
    }
}
