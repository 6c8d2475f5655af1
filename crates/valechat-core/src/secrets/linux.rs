//! The Secret Service back end (Linux), through oo7.
//!
//! On the host oo7 talks to `org.freedesktop.secrets` (gnome-keyring,
//! `KeePassXC`…) and uses its default collection. Inside Flatpak it keeps an
//! encrypted file keyring in the sandbox, unlocked with a key from the
//! `org.freedesktop.portal.Secret` portal. Spec followed:
//! <https://specifications.freedesktop.org/secret-service-spec/latest/>.

use oo7::dbus::{self, ServiceError};
use oo7::zbus;

use super::{KeyStore, SERVICE, SecretError, check_key, check_provider_id, item_label};

/// API keys in the Secret Service's default collection (or the Flatpak file
/// keyring), one item per provider.
#[derive(Debug)]
pub struct SecretServiceKeyStore {
    keyring: oo7::Keyring,
}

impl SecretServiceKeyStore {
    /// Connects to the keyring the way oo7 chooses (file keyring inside
    /// Flatpak, Secret Service otherwise).
    ///
    /// # Errors
    /// [`SecretError::Unavailable`] when there is no session bus or no Secret
    /// Service on it, or no default collection; [`SecretError::Backend`] for
    /// other failures.
    pub async fn connect() -> Result<Self, SecretError> {
        let keyring = oo7::Keyring::new()
            .await
            .map_err(|error| map_connect_error(&error))?;
        Ok(Self { keyring })
    }

    /// Unlocks the collection if needed: a no-op when it is unlocked, a
    /// password prompt from the keyring daemon when it is locked.
    async fn unlock(&self, operation: &'static str, provider_id: &str) -> Result<(), SecretError> {
        self.keyring
            .unlock()
            .await
            .map_err(|error| map_error(&error, operation, provider_id))
    }
}

/// The attributes identifying `provider_id`'s item. MCP server secrets use
/// ids `mcp=<server>/<key>` (`core::mcp::config::secret_slot`) and are stored
/// under the attribute `mcp=<server>/<key>` instead of `provider`; the local
/// API server's token ([`super::SERVER_TOKEN_SLOT`], `serve=api-token`)
/// under `serve=api-token`.
fn attributes(provider_id: &str) -> Vec<(&str, &str)> {
    if let Some(slot) = provider_id.strip_prefix("mcp=") {
        return vec![("service", SERVICE), ("mcp", slot)];
    }
    if let Some(slot) = provider_id.strip_prefix("serve=") {
        return vec![("service", SERVICE), ("serve", slot)];
    }
    vec![("service", SERVICE), ("provider", provider_id)]
}

#[async_trait::async_trait]
impl KeyStore for SecretServiceKeyStore {
    async fn set_api_key(&self, provider_id: &str, key: &str) -> Result<(), SecretError> {
        check_key(provider_id, key)?;
        self.unlock("store", provider_id).await?;
        self.keyring
            .create_item(
                &item_label(provider_id),
                &attributes(provider_id),
                key,
                true,
            )
            .await
            .map_err(|error| map_error(&error, "store", provider_id))?;
        tracing::debug!(provider_id, "stored an API key in the keyring");
        Ok(())
    }

    async fn api_key(&self, provider_id: &str) -> Result<Option<String>, SecretError> {
        check_provider_id(provider_id)?;
        self.unlock("read", provider_id).await?;
        let items = self
            .keyring
            .search_items(&attributes(provider_id))
            .await
            .map_err(|error| map_error(&error, "read", provider_id))?;
        let Some(item) = items.first() else {
            return Ok(None);
        };
        if items.len() > 1 {
            tracing::warn!(
                provider_id,
                count = items.len(),
                "several keyring items hold an API key for this provider; using the first"
            );
        }
        let secret = item
            .secret()
            .await
            .map_err(|error| map_error(&error, "read", provider_id))?;
        let key = String::from_utf8(secret.to_vec()).map_err(|_| SecretError::NotText {
            provider_id: provider_id.to_owned(),
        })?;
        Ok(Some(key))
    }

    async fn delete_api_key(&self, provider_id: &str) -> Result<(), SecretError> {
        check_provider_id(provider_id)?;
        self.unlock("delete", provider_id).await?;
        self.keyring
            .delete(&attributes(provider_id))
            .await
            .map_err(|error| map_error(&error, "delete", provider_id))?;
        tracing::debug!(provider_id, "deleted the API key from the keyring");
        Ok(())
    }
}

/// D-Bus error names meaning "nobody provides the Secret Service".
const NO_SERVICE_ERRORS: [&str; 3] = [
    "org.freedesktop.DBus.Error.ServiceUnknown",
    "org.freedesktop.DBus.Error.NameHasNoOwner",
    "org.freedesktop.DBus.Error.Spawn.ServiceNotFound",
];

/// Whether a zbus error means the bus or the service is missing.
fn is_unavailable(error: &zbus::Error) -> bool {
    match error {
        zbus::Error::Address(_) | zbus::Error::InputOutput(_) | zbus::Error::Handshake(_) => true,
        zbus::Error::MethodError(name, _, _) => NO_SERVICE_ERRORS.contains(&name.as_str()),
        zbus::Error::FDO(fdo) => matches!(
            **fdo,
            zbus::fdo::Error::ServiceUnknown(_) | zbus::fdo::Error::NameHasNoOwner(_)
        ),
        _ => false,
    }
}

/// Maps a failure to reach the keyring at all.
fn map_connect_error(error: &oo7::Error) -> SecretError {
    match error {
        oo7::Error::DBus(dbus::Error::ZBus(zbus_error)) if is_unavailable(zbus_error) => {
            SecretError::Unavailable {
                reason: error.to_string(),
            }
        }
        oo7::Error::DBus(dbus::Error::NotFound(collection)) => SecretError::Unavailable {
            reason: format!("the Secret Service has no {collection:?} collection"),
        },
        other => SecretError::Unavailable {
            reason: other.to_string(),
        },
    }
}

/// Maps an oo7 error during `operation` on `provider_id`'s item.
fn map_error(error: &oo7::Error, operation: &'static str, provider_id: &str) -> SecretError {
    let past = match operation {
        "store" => "stored",
        "delete" => "deleted",
        _ => "read",
    };
    match error {
        oo7::Error::DBus(
            dbus::Error::Service(ServiceError::IsLocked(_)) | dbus::Error::Dismissed,
        ) => SecretError::Locked {
            operation: past,
            provider_id: provider_id.to_owned(),
        },
        oo7::Error::DBus(dbus::Error::ZBus(zbus_error)) if is_unavailable(zbus_error) => {
            SecretError::Unavailable {
                reason: error.to_string(),
            }
        }
        other => SecretError::Backend {
            operation,
            provider_id: provider_id.to_owned(),
            reason: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locked_and_dismissed_map_to_locked() {
        let locked = oo7::Error::DBus(dbus::Error::Service(ServiceError::IsLocked(
            "Cannot get secret of a locked object".into(),
        )));
        assert!(matches!(
            map_error(&locked, "read", "openai"),
            SecretError::Locked { operation: "read", provider_id } if provider_id == "openai"
        ));
        let dismissed = oo7::Error::DBus(dbus::Error::Dismissed);
        assert!(matches!(
            map_error(&dismissed, "store", "openai"),
            SecretError::Locked {
                operation: "stored",
                ..
            }
        ));
    }

    #[test]
    fn missing_service_maps_to_unavailable() {
        let error = oo7::Error::DBus(dbus::Error::ZBus(zbus::Error::Address(
            "DBUS_SESSION_BUS_ADDRESS is not set".into(),
        )));
        assert!(matches!(
            map_error(&error, "read", "openai"),
            SecretError::Unavailable { .. }
        ));
        assert!(matches!(
            map_connect_error(&error),
            SecretError::Unavailable { .. }
        ));
    }

    #[test]
    fn other_failures_keep_their_context() {
        let error = oo7::Error::DBus(dbus::Error::Deleted);
        let mapped = map_error(&error, "delete", "groq");
        assert!(matches!(
            &mapped,
            SecretError::Backend { operation: "delete", provider_id, .. } if provider_id == "groq"
        ));
        assert!(
            mapped
                .to_string()
                .contains("could not delete the API key for provider \"groq\"")
        );
    }

    #[test]
    fn the_server_token_is_apart_from_provider_keys() {
        assert_eq!(
            attributes(super::super::SERVER_TOKEN_SLOT),
            vec![("service", SERVICE), ("serve", "api-token")]
        );
        assert_eq!(
            attributes("serve"),
            vec![("service", SERVICE), ("provider", "serve")]
        );
    }
}
