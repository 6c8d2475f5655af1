//! API keys in the system keyring: the [`KeyStore`] trait and its back ends.
//!
//! Keys are never stored in the database or in settings. Each provider's key
//! is one keyring item with the attributes `service=valechat` and
//! `provider=<provider id>` and the label `ValeChat API key for <provider id>`
//! (DESIGN.md, Identity).
//!
//! - Linux: the Secret Service through oo7 (`linux`); inside Flatpak oo7
//!   keeps an encrypted file in the sandbox, with its key from the Secret
//!   portal, so no `org.freedesktop.secrets` D-Bus hole is needed.
//! - macOS: a generic password in the login Keychain (`macos`).
//! - [`MemoryKeyStore`]: a process-local store for tests and for front ends
//!   that must run without a keyring.
//!
//! Key values never appear in logs, errors or `Debug` output.

use std::sync::Arc;

#[cfg(target_os = "linux")]
pub mod linux;
#[cfg(target_os = "macos")]
pub mod macos;
mod memory;

pub use lazy::LazyKeyStore;
pub use memory::MemoryKeyStore;
mod lazy;

/// Value of the `service` attribute (Secret Service) or the Keychain service
/// name on every item ValeChat stores.
pub const SERVICE: &str = "valechat";

/// The slot (the `provider_id` argument of [`KeyStore`]'s methods) of the
/// local API server's bearer token (`valechat serve`): on Linux the item
/// with the attributes `service=valechat` and `serve=api-token` (not
/// `provider=…`, so no provider id can reach it), on macOS the Keychain
/// account `serve=api-token`. The token itself is made and checked by the
/// app (`src/serve/auth.rs`).
pub const SERVER_TOKEN_SLOT: &str = "serve=api-token";

/// Label shown by keyring managers (Passwords and Keys, Keychain Access) for
/// the item holding `provider_id`'s key, e.g. `ValeChat API key for openai`;
/// `ValeChat local API token` for [`SERVER_TOKEN_SLOT`].
#[must_use]
pub fn item_label(provider_id: &str) -> String {
    if provider_id == SERVER_TOKEN_SLOT {
        return "ValeChat local API token".to_owned();
    }
    format!("ValeChat API key for {provider_id}")
}

/// What went wrong while reading or writing an API key. No variant carries a
/// key value.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The keyring exists but is locked, and unlocking it was refused,
    /// cancelled or impossible without a password prompt.
    #[error(
        "the system keyring is locked, so the API key for provider {provider_id:?} cannot be {operation}; \
         unlock the keyring (for example in Passwords and Keys, or by logging in again) and retry"
    )]
    Locked {
        /// What was attempted: `"stored"`, `"read"` or `"deleted"`.
        operation: &'static str,
        /// The provider whose key was concerned.
        provider_id: String,
    },
    /// No keyring service could be reached (no Secret Service on the D-Bus
    /// session bus, no session bus, or an unsupported platform).
    #[error(
        "no system keyring is available ({reason}); on Linux a Secret Service such as \
         gnome-keyring or KeePassXC must be running on the D-Bus session bus"
    )]
    Unavailable {
        /// The underlying error, for diagnosis.
        reason: String,
    },
    /// The provider id was empty; keys are always stored per provider.
    #[error("an API key needs a provider id, but the provider id was empty")]
    EmptyProviderId,
    /// An empty key was given to [`KeyStore::set_api_key`]; use
    /// [`KeyStore::delete_api_key`] to remove a key.
    #[error(
        "the API key for provider {provider_id:?} is empty; delete the key instead of storing an empty one"
    )]
    EmptyKey {
        /// The provider whose key was concerned.
        provider_id: String,
    },
    /// The stored secret is not UTF-8 text, so it cannot be an API key.
    #[error("the keyring item for provider {provider_id:?} does not hold UTF-8 text")]
    NotText {
        /// The provider whose key was concerned.
        provider_id: String,
    },
    /// Any other keyring failure.
    #[error("could not {operation} the API key for provider {provider_id:?}: {reason}")]
    Backend {
        /// What was attempted: `"store"`, `"read"` or `"delete"`.
        operation: &'static str,
        /// The provider whose key was concerned.
        provider_id: String,
        /// The back end's error message.
        reason: String,
    },
}

/// Stores one API key per provider id in a keyring.
///
/// Implementations are cheap to share (`Arc<dyn KeyStore>`) and safe to call
/// from any tokio task. Provider ids are the ids of the `providers` table
/// (e.g. `"openai"`); they must not be empty.
#[async_trait::async_trait]
pub trait KeyStore: Send + Sync {
    /// Stores `key` for `provider_id`, replacing any key stored before.
    ///
    /// # Errors
    /// [`SecretError::EmptyProviderId`], [`SecretError::EmptyKey`],
    /// [`SecretError::Locked`], [`SecretError::Unavailable`] or
    /// [`SecretError::Backend`].
    async fn set_api_key(&self, provider_id: &str, key: &str) -> Result<(), SecretError>;

    /// Returns the key stored for `provider_id`, or `None` when there is none.
    ///
    /// # Errors
    /// [`SecretError::EmptyProviderId`], [`SecretError::Locked`],
    /// [`SecretError::Unavailable`], [`SecretError::NotText`] or
    /// [`SecretError::Backend`].
    async fn api_key(&self, provider_id: &str) -> Result<Option<String>, SecretError>;

    /// Removes the key stored for `provider_id`; succeeds when there was none.
    ///
    /// # Errors
    /// [`SecretError::EmptyProviderId`], [`SecretError::Locked`],
    /// [`SecretError::Unavailable`] or [`SecretError::Backend`].
    async fn delete_api_key(&self, provider_id: &str) -> Result<(), SecretError>;
}

/// Opens the platform's keyring: the Secret Service (or the Flatpak file
/// keyring) on Linux, the Keychain on macOS.
///
/// # Errors
/// [`SecretError::Unavailable`] when no keyring can be reached (or on other
/// platforms); [`SecretError::Backend`] for other failures while connecting.
pub async fn system_keystore() -> Result<Arc<dyn KeyStore>, SecretError> {
    #[cfg(target_os = "linux")]
    {
        let store = linux::SecretServiceKeyStore::connect().await?;
        Ok(Arc::new(store))
    }
    #[cfg(target_os = "macos")]
    {
        Ok(Arc::new(macos::KeychainKeyStore::new()))
    }
    #[cfg(not(any(target_os = "linux", target_os = "macos")))]
    {
        Err(SecretError::Unavailable {
            reason: format!("no keyring back end for {}", std::env::consts::OS),
        })
    }
}

/// Checks the arguments every back end shares.
fn check_provider_id(provider_id: &str) -> Result<(), SecretError> {
    if provider_id.is_empty() {
        return Err(SecretError::EmptyProviderId);
    }
    Ok(())
}

/// Checks a key before it is stored.
fn check_key(provider_id: &str, key: &str) -> Result<(), SecretError> {
    check_provider_id(provider_id)?;
    if key.is_empty() {
        return Err(SecretError::EmptyKey {
            provider_id: provider_id.to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_names_the_provider() {
        assert_eq!(item_label("openai"), "ValeChat API key for openai");
        assert_eq!(item_label(SERVER_TOKEN_SLOT), "ValeChat local API token");
    }

    #[test]
    fn errors_say_what_failed_and_for_which_provider() {
        let locked = SecretError::Locked {
            operation: "read",
            provider_id: "anthropic".into(),
        };
        let text = locked.to_string();
        assert!(text.contains("locked"), "{text}");
        assert!(text.contains("\"anthropic\""), "{text}");
        let unavailable = SecretError::Unavailable {
            reason: "org.freedesktop.secrets was not provided".into(),
        };
        assert!(unavailable.to_string().contains("Secret Service"));
    }

    #[test]
    fn arguments_are_checked() {
        assert!(matches!(
            check_key("", "k"),
            Err(SecretError::EmptyProviderId)
        ));
        assert!(matches!(
            check_key("openai", ""),
            Err(SecretError::EmptyKey { provider_id }) if provider_id == "openai"
        ));
        assert!(check_key("openai", "sk-1").is_ok());
    }
}
