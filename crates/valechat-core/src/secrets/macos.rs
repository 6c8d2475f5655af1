//! The Keychain back end (macOS), through security-framework.
//!
//! Each key is a generic password with service `valechat`, the provider id as
//! account and the usual ValeChat label. The Keychain calls block, so they run
//! on tokio's blocking pool. Apple reference: "Keychain Services" /
//! `SecItemAdd`, `SecItemCopyMatching`, `SecItemDelete`.

use security_framework::base::Error as KeychainError;
use security_framework::passwords::{
    PasswordOptions, delete_generic_password, generic_password, set_generic_password_options,
};

use super::{KeyStore, SERVICE, SecretError, check_key, check_provider_id, item_label};

/// `errSecItemNotFound`: no item matches.
const ERR_ITEM_NOT_FOUND: i32 = -25300;
/// `errSecUserCanceled`: the user cancelled the Keychain prompt.
const ERR_USER_CANCELED: i32 = -128;
/// `errSecInteractionNotAllowed`: the Keychain is locked and may not prompt.
const ERR_INTERACTION_NOT_ALLOWED: i32 = -25308;
/// `errSecAuthFailed`: the Keychain password was wrong.
const ERR_AUTH_FAILED: i32 = -25293;
/// `errSecNoSuchKeychain` / `errSecNotAvailable`: no usable Keychain.
const ERR_NO_KEYCHAIN: [i32; 2] = [-25294, -25291];

/// API keys in the user's login Keychain.
#[derive(Debug, Default)]
pub struct KeychainKeyStore;

impl KeychainKeyStore {
    /// A handle on the login Keychain (nothing is opened until first use).
    pub fn new() -> Self {
        Self
    }
}

/// Runs a blocking Keychain call on the blocking pool.
async fn blocking<T: Send + 'static>(
    operation: &'static str,
    provider_id: &str,
    call: impl FnOnce() -> Result<T, KeychainError> + Send + 'static,
) -> Result<Result<T, KeychainError>, SecretError> {
    tokio::task::spawn_blocking(call)
        .await
        .map_err(|join_error| SecretError::Backend {
            operation,
            provider_id: provider_id.to_owned(),
            reason: join_error.to_string(),
        })
}

/// Maps a Keychain status during `operation` on `provider_id`'s item.
fn map_error(error: KeychainError, operation: &'static str, provider_id: &str) -> SecretError {
    let code = error.code();
    let past = match operation {
        "store" => "stored",
        "delete" => "deleted",
        _ => "read",
    };
    if [
        ERR_USER_CANCELED,
        ERR_INTERACTION_NOT_ALLOWED,
        ERR_AUTH_FAILED,
    ]
    .contains(&code)
    {
        SecretError::Locked {
            operation: past,
            provider_id: provider_id.to_owned(),
        }
    } else if ERR_NO_KEYCHAIN.contains(&code) {
        SecretError::Unavailable {
            reason: format!(
                "Keychain error {code}: {}",
                error.message().unwrap_or_default()
            ),
        }
    } else {
        SecretError::Backend {
            operation,
            provider_id: provider_id.to_owned(),
            reason: format!(
                "Keychain error {code}: {}",
                error.message().unwrap_or_default()
            ),
        }
    }
}

#[async_trait::async_trait]
impl KeyStore for KeychainKeyStore {
    async fn set_api_key(&self, provider_id: &str, key: &str) -> Result<(), SecretError> {
        check_key(provider_id, key)?;
        // Keychain values are built inside the closure: only owned Rust data
        // crosses to the blocking thread.
        let account = provider_id.to_owned();
        let key = key.as_bytes().to_vec();
        blocking("store", provider_id, move || {
            let mut options = PasswordOptions::new_generic_password(SERVICE, &account);
            options.set_label(&item_label(&account));
            set_generic_password_options(&key, options)
        })
        .await?
        .map_err(|error| map_error(error, "store", provider_id))?;
        tracing::debug!(provider_id, "stored an API key in the Keychain");
        Ok(())
    }

    async fn api_key(&self, provider_id: &str) -> Result<Option<String>, SecretError> {
        check_provider_id(provider_id)?;
        let account = provider_id.to_owned();
        match blocking("read", provider_id, move || {
            generic_password(PasswordOptions::new_generic_password(SERVICE, &account))
        })
        .await?
        {
            Ok(bytes) => String::from_utf8(bytes)
                .map(Some)
                .map_err(|_| SecretError::NotText {
                    provider_id: provider_id.to_owned(),
                }),
            Err(error) if error.code() == ERR_ITEM_NOT_FOUND => Ok(None),
            Err(error) => Err(map_error(error, "read", provider_id)),
        }
    }

    async fn delete_api_key(&self, provider_id: &str) -> Result<(), SecretError> {
        check_provider_id(provider_id)?;
        let account = provider_id.to_owned();
        match blocking("delete", provider_id, move || {
            delete_generic_password(SERVICE, &account)
        })
        .await?
        {
            Ok(()) => Ok(()),
            Err(error) if error.code() == ERR_ITEM_NOT_FOUND => Ok(()),
            Err(error) => Err(map_error(error, "delete", provider_id)),
        }
    }
}
