//! Editing configured providers: name, base URL, enabled flag, API key, and
//! the key's hint ("…1234") that preferences show instead of the key.

use super::Providers;
use crate::chat::EngineError;
use crate::provider::timeouts::ProviderTimeouts;
use crate::provider::{ModelInfo, ProtocolKind};
use crate::store::Provider;

/// Shortest key whose last four characters may be shown; shorter keys show
/// only "…" so that a hint never reveals half of a key.
const HINT_MIN_KEY_CHARS: usize = 8;
/// How many trailing characters a hint shows.
const HINT_TAIL_CHARS: usize = 4;

/// Changes to a provider's configuration for [`Providers::update`];
/// `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderUpdate {
    /// New display name (trimmed; an empty name is refused). The id stays.
    pub name: Option<String>,
    /// New endpoint root, e.g. `https://api.openai.com/v1` (trimmed; an
    /// empty URL is refused).
    pub base_url: Option<String>,
    /// Whether the provider is offered in the model picker.
    pub enabled: Option<bool>,
    /// New connect, first-byte and idle timeouts (each 1–3600 s).
    pub timeouts: Option<ProviderTimeouts>,
}

/// The hint for `key`: `"…"` followed by its last four characters, or just
/// `"…"` for a key of fewer than eight characters (`"sk-abcdef1234"` →
/// `"…1234"`, `"short"` → `"…"`).
#[must_use]
pub fn key_hint(key: &str) -> String {
    let count = key.chars().count();
    if count < HINT_MIN_KEY_CHARS {
        return "…".to_owned();
    }
    let tail: String = key.chars().skip(count - HINT_TAIL_CHARS).collect();
    format!("…{tail}")
}

impl Providers {
    /// Applies `update` to provider `provider_id` and returns the stored
    /// result. Changing the base URL resets the provider's circuit breaker
    /// (the old endpoint's failures say nothing about the new one).
    ///
    /// Changing the timeouts applies to the next client built for it (the
    /// next turn or model list); a turn already streaming keeps its own.
    ///
    ///
    /// # Errors
    /// [`EngineError::UnknownProvider`];
    /// [`EngineError::BuiltInProvider`] for a new name or base URL of "On
    /// this computer" (it may be disabled and get timeouts);
    /// [`EngineError::EmptyProviderField`] for an empty name or base URL;
    /// [`EngineError::InvalidTimeout`] for a timeout outside 1–3600 s
    /// (nothing is saved then); [`EngineError::Store`] when the database fails.
    pub async fn update(
        &self,
        provider_id: &str,
        update: ProviderUpdate,
    ) -> Result<Provider, EngineError> {
        let mut provider = self.get(provider_id).await?;
        if super::is_built_in(&provider) && (update.name.is_some() || update.base_url.is_some()) {
            return Err(EngineError::BuiltInProvider(provider.id));
        }
        if let Some(name) = update.name {
            provider.name = non_empty(&name, "name")?;
        }
        let mut url_changed = false;
        if let Some(base_url) = update.base_url {
            let base_url =
                crate::provider::base_url::check_base_url(&non_empty(&base_url, "base URL")?)?;
            url_changed = base_url != provider.base_url;
            provider.base_url = base_url;
        }
        if let Some(enabled) = update.enabled {
            provider.enabled = enabled;
        }
        if let Some(timeouts) = update.timeouts {
            timeouts.validate()?;
        }
        self.store.update_provider(&provider).await?;
        if let Some(timeouts) = update.timeouts {
            self.store
                .set_provider_timeouts(&provider.id, timeouts)
                .await?;
        }
        if url_changed {
            self.breakers.forget(&provider.id);
        }
        Ok(provider)
    }

    /// Stores (`Some`) or deletes (`None`) provider `provider_id`'s API key
    /// in the keyring and records whether it has one (`has_api_key`). A key
    /// that is empty after trimming counts as `None`. Returns the stored
    /// provider.
    ///
    ///
    /// # Errors
    /// [`EngineError::UnknownProvider`]; [`EngineError::BuiltInProvider`]
    /// for "On this computer" (it has no key); [`EngineError::Secret`]
    /// when the keyring refuses (the provider is then left unchanged);
    /// [`EngineError::Store`].
    pub async fn set_api_key(
        &self,
        provider_id: &str,
        key: Option<&str>,
    ) -> Result<Provider, EngineError> {
        let mut provider = self.get(provider_id).await?;
        if super::is_built_in(&provider) {
            return Err(EngineError::BuiltInProvider(provider.id));
        }
        if let Some(key) = key.map(str::trim).filter(|k| !k.is_empty()) {
            self.keys.set_api_key(&provider.id, key).await?;
            provider.has_api_key = true;
        } else {
            self.keys.delete_api_key(&provider.id).await?;
            provider.has_api_key = false;
        }
        self.store.update_provider(&provider).await?;
        Ok(provider)
    }

    /// The hint for provider `provider_id`'s stored key (see [`key_hint`]):
    /// `None` when it has no key. Never returns the key itself.
    ///
    ///
    /// # Errors
    /// [`EngineError::UnknownProvider`]; [`EngineError::Secret`]
    /// when the keyring cannot be read; [`EngineError::Store`].
    pub async fn api_key_hint(&self, provider_id: &str) -> Result<Option<String>, EngineError> {
        let provider = self.get(provider_id).await?;
        if !provider.has_api_key {
            return Ok(None);
        }
        Ok(self
            .keys
            .api_key(&provider.id)
            .await?
            .map(|key| key_hint(&key)))
    }

    /// "Test connection" for a configured provider: lists its models with
    /// its stored key through [`Providers::test_unsaved`] (one attempt, no
    /// retries, the circuit breaker left alone).
    ///
    ///
    /// # Errors
    /// as [`Providers::api_key_hint`], plus
    /// [`EngineError::UnsupportedProtocol`] and [`EngineError::Provider`].
    pub async fn test(&self, provider_id: &str) -> Result<Vec<ModelInfo>, EngineError> {
        let provider = self.get(provider_id).await?;
        let kind = ProtocolKind::parse(&provider.kind)
            .ok_or_else(|| EngineError::UnsupportedProtocol(provider.kind.clone()))?;
        if kind == ProtocolKind::Local {
            // Its "connection" is the library: the models it would offer.
            return Ok(
                crate::provider::ChatProvider::list_models(&self.local_provider().await?).await?,
            );
        }
        let key = if provider.has_api_key {
            self.keys.api_key(&provider.id).await?
        } else {
            None
        };
        Self::test_unsaved(kind, &provider.base_url, key.as_deref()).await
    }

    /// Provider `provider_id`'s timeouts: the stored ones, or
    /// [`ProviderTimeouts::default`] (10 s connect, 60 s first byte, 30 s
    /// idle) when none were set.
    ///
    ///
    /// # Errors
    /// [`EngineError::UnknownProvider`]; [`EngineError::Store`].
    pub async fn timeouts(&self, provider_id: &str) -> Result<ProviderTimeouts, EngineError> {
        let provider = self.get(provider_id).await?;
        Ok(self
            .store
            .provider_timeouts(&provider.id)
            .await?
            .unwrap_or_default())
    }
}

/// `value` trimmed, or [`EngineError::EmptyProviderField`] naming `field`.
fn non_empty(value: &str, field: &'static str) -> Result<String, EngineError> {
    let value = value.trim();
    if value.is_empty() {
        Err(EngineError::EmptyProviderField(field))
    } else {
        Ok(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::key_hint;

    #[test]
    fn hints_show_at_most_the_last_four_characters() {
        assert_eq!(key_hint("sk-abcdef1234"), "…1234");
        assert_eq!(key_hint("12345678"), "…5678");
        assert_eq!(key_hint("1234567"), "…");
        assert_eq!(key_hint(""), "…");
        assert_eq!(key_hint("ключ-секрет-é1ß4"), "…é1ß4");
    }
}
