//! Downloading a model to an Ollama server ("Download Model…" in
//! Preferences → Providers): [`Providers::pull_model`] streams Ollama's
//! `/api/pull` progress for a configured Ollama provider.

use tokio_util::sync::CancellationToken;

use super::Providers;
use crate::chat::EngineError;
use crate::provider::ProtocolKind;
use crate::provider::ollama::{OllamaConfig, OllamaProvider, PullStream};

impl Providers {
    /// Starts downloading `model` (e.g. `llama3.2`, `qwen3:0.6b`; trimmed)
    /// to Ollama provider `provider_id`, with its stored key and timeouts.
    /// The stream yields [`PullProgress`](crate::provider::ollama::PullProgress)
    /// steps (status text, bytes done and total of the current layer) and
    /// ends after the `success` step; an error ends it as its last item.
    /// Cancelling `cancel` stops the download (Ollama keeps what it has and
    /// resumes on the next pull). No retries: the user sees each failure.
    ///
    ///
    /// # Errors
    /// [`EngineError::UnknownProvider`];
    /// [`EngineError::CannotPull`] when the provider is not an Ollama
    /// server; [`EngineError::EmptyProviderField`] (`"model name"`) for an
    /// empty name; [`EngineError::Secret`], [`EngineError::Store`];
    /// [`EngineError::Provider`] when the server refuses before the first
    /// step (unreachable, unknown model…).
    pub async fn pull_model(
        &self,
        provider_id: &str,
        model: &str,
        cancel: CancellationToken,
    ) -> Result<PullStream, EngineError> {
        let provider = self
            .store
            .get_provider(provider_id)
            .await?
            .ok_or_else(|| EngineError::UnknownProvider(provider_id.to_owned()))?;
        if ProtocolKind::parse(&provider.kind) != Some(ProtocolKind::Ollama) {
            return Err(EngineError::CannotPull(provider.name));
        }
        let model = model.trim();
        if model.is_empty() {
            return Err(EngineError::EmptyProviderField("model name"));
        }
        let key = if provider.has_api_key {
            self.keys.api_key(&provider.id).await?
        } else {
            None
        };
        let timeouts = self.timeouts(&provider.id).await?;
        let config = OllamaConfig::new(provider.base_url.clone(), key).with_timeouts(timeouts);
        let ollama = OllamaProvider::new(config)?;
        Ok(ollama.pull(model, cancel).await?)
    }
}
