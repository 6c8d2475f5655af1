//! Where a server's secrets live: the keyring, one item per value under the
//! slot `mcp=<server id>/<key>` ([`secret_slot`]), with a placeholder left
//! in the stored configuration.
//!
//! Keys: `bearer` (an HTTP server's token), `env/<NAME>`, `header/<Name>`,
//! `arg/<N>` (a secret in the command line), `query/<name>` and
//! `url/password` (secrets in a URL; see [`super::inline`]).

use std::collections::{BTreeMap, HashMap};

use super::inline;
use crate::mcp::McpError;
use crate::mcp::config::{ServerConfig, Transport};
use crate::secrets::KeyStore;
use crate::store::Store;

/// Value stored in place of a secret in `env`, headers and URLs (and, with
/// a number, in arguments); the real value is in the keyring under
/// [`secret_slot`].
pub const SECRET_PLACEHOLDER: &str = "@keyring";

/// Key (inside [`secret_slot`]) of an HTTP server's bearer token.
pub const BEARER_KEY: &str = "bearer";

/// Keyring slot (passed as the `KeyStore` id) of secret `key` of server `id`:
/// `mcp=<id>/<key>`; keys are `bearer`, `env/<NAME>`, `header/<Name>`,
/// `arg/<N>`, `query/<name>` and `url/password`.
#[must_use]
pub fn secret_slot(id: &str, key: &str) -> String {
    format!("mcp={id}/{key}")
}

/// Whether an `env` or header entry looks like a secret: a name with
/// token/key/secret/password/auth/credential in it, or a value shaped like
/// a credential (`Bearer …`, or one of [`inline::CREDENTIAL_PREFIXES`]).
#[must_use]
pub fn looks_secret(name: &str, value: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let by_name = [
        "token",
        "key",
        "secret",
        "password",
        "passwd",
        "auth",
        "credential",
        "cookie",
    ]
    .iter()
    .any(|word| name.contains(word));
    let by_value = value.starts_with("Bearer ")
        || inline::CREDENTIAL_PREFIXES
            .iter()
            .any(|prefix| value.starts_with(prefix));
    value != SECRET_PLACEHOLDER && !value.is_empty() && (by_name || by_value)
}

/// Moves the secret-looking entries of `map` out, leaving the placeholder.
fn extract_map(map: &mut BTreeMap<String, String>, prefix: &str) -> Vec<(String, String)> {
    let mut secrets = Vec::new();
    for (name, value) in map.iter_mut() {
        if looks_secret(name, value) {
            let secret = std::mem::replace(value, SECRET_PLACEHOLDER.to_owned());
            secrets.push((format!("{prefix}{name}"), secret));
        }
    }
    secrets
}

impl ServerConfig {
    /// Moves secret-looking `env` values and headers, secrets in the
    /// command line's arguments and in URLs into a list of
    /// `(slot key, value)` pairs, leaving placeholders behind. Store each
    /// pair with `keys.set_api_key(&secret_slot(id, key), value)` (done by
    /// [`ServerConfig::store_secrets`]).
    pub fn extract_secrets(&mut self) -> Vec<(String, String)> {
        match &mut self.transport {
            Transport::Stdio { env, args, .. } => {
                let mut secrets = extract_map(env, "env/");
                secrets.extend(inline::extract_args(args));
                secrets
            }
            Transport::Http { headers, url } => {
                let mut secrets = extract_map(headers, "header/");
                secrets.extend(inline::extract_url(url));
                secrets
            }
            Transport::WebSocket { url } => inline::extract_url(url),
        }
    }

    /// [`ServerConfig::extract_secrets`], then stores them in `keys`.
    ///
    /// # Errors
    /// [`McpError::Secret`] when the keyring refuses.
    pub async fn store_secrets(&mut self, keys: &dyn KeyStore) -> Result<(), McpError> {
        for (key, value) in self.extract_secrets() {
            keys.set_api_key(&secret_slot(&self.id, &key), &value)
                .await
                .map_err(|source| McpError::Secret {
                    server: self.id.clone(),
                    source,
                })?;
        }
        Ok(())
    }

    /// A copy with every placeholder replaced by its keyring value, plus the
    /// bearer token (slot `bearer`) if one is stored.
    ///
    /// # Errors
    /// [`McpError::Secret`] when the keyring fails; [`McpError::Config`] when
    /// a placeholder has no stored value.
    pub async fn resolve_secrets(
        &self,
        keys: &dyn KeyStore,
    ) -> Result<(Self, Option<String>), McpError> {
        let mut values = HashMap::new();
        for key in self.secret_keys() {
            if key == BEARER_KEY {
                continue;
            }
            let slot = secret_slot(&self.id, &key);
            let value = keys
                .api_key(&slot)
                .await
                .map_err(|source| McpError::Secret {
                    server: self.id.clone(),
                    source,
                })?;
            if let Some(value) = value {
                values.insert(key, value);
            }
        }
        let missing = |key: String| McpError::Config {
            server: self.id.clone(),
            reason: format!(
                "the secret {key:?} is missing from the keyring ({})",
                secret_slot(&self.id, &key)
            ),
        };
        let mut lookup = |key: &str| values.get(key).cloned();
        let mut resolved = self.clone();
        match &mut resolved.transport {
            Transport::Stdio { env, args, .. } => {
                resolve_map(env, "env/", &mut lookup).map_err(missing)?;
                inline::resolve_args(args, &mut lookup).map_err(missing)?;
            }
            Transport::Http { headers, url } => {
                resolve_map(headers, "header/", &mut lookup).map_err(missing)?;
                inline::resolve_url(url, &mut lookup).map_err(missing)?;
            }
            Transport::WebSocket { url } => {
                inline::resolve_url(url, &mut lookup).map_err(missing)?;
            }
        }
        let bearer = if matches!(self.transport, Transport::Http { .. }) {
            keys.api_key(&secret_slot(&self.id, BEARER_KEY))
                .await
                .map_err(|source| McpError::Secret {
                    server: self.id.clone(),
                    source,
                })?
        } else {
            None
        };
        Ok((resolved, bearer))
    }

    /// Slot keys of every secret this config refers to (for deletion).
    #[must_use]
    pub fn secret_keys(&self) -> Vec<String> {
        let mut keys = vec![BEARER_KEY.to_owned()];
        let placeholders = |map: &BTreeMap<String, String>, prefix: &str| -> Vec<String> {
            map.iter()
                .filter(|(_, v)| *v == SECRET_PLACEHOLDER)
                .map(|(k, _)| format!("{prefix}{k}"))
                .collect()
        };
        match &self.transport {
            Transport::Stdio { env, args, .. } => {
                keys.extend(placeholders(env, "env/"));
                keys.extend(inline::arg_keys(args));
            }
            Transport::Http { headers, url } => {
                keys.extend(placeholders(headers, "header/"));
                keys.extend(inline::url_keys(url));
            }
            Transport::WebSocket { url } => keys.extend(inline::url_keys(url)),
        }
        keys
    }
}

/// Puts the placeholders of `map` back from `lookup`.
fn resolve_map(
    map: &mut BTreeMap<String, String>,
    prefix: &str,
    lookup: &mut dyn FnMut(&str) -> Option<String>,
) -> Result<(), String> {
    for (name, value) in map.iter_mut() {
        if value == SECRET_PLACEHOLDER {
            let key = format!("{prefix}{name}");
            *value = lookup(&key).ok_or(key)?;
        }
    }
    Ok(())
}

/// Moves the secrets still written in stored servers' command lines and
/// URLs (saved by a ValeChat older than this check) into the keyring, and
/// moves their "Always allow" permissions to the new command line or URL.
/// Run once per start by every front end before it lists or starts
/// servers; returns the ids of the servers changed.
///
/// # Errors
/// [`McpError::Secret`] when the keyring refuses (the server is then left
/// as it was); [`McpError::Config`] with the database's error.
pub async fn secure_stored_servers(
    store: &Store,
    keys: &dyn KeyStore,
) -> Result<Vec<String>, McpError> {
    let stored = store
        .list_mcp_servers()
        .await
        .map_err(|e| McpError::Config {
            server: String::new(),
            reason: e.to_string(),
        })?;
    let mut changed = Vec::new();
    for mut config in stored {
        let before = crate::mcp::toolbox::server_binding(&config);
        let mut probe = config.clone();
        if probe.extract_secrets().is_empty() {
            continue;
        }
        config.store_secrets(keys).await?;
        let after = crate::mcp::toolbox::server_binding(&config);
        let database = |e: crate::store::StoreError| McpError::Config {
            server: config.id.clone(),
            reason: e.to_string(),
        };
        store.update_mcp_server(&config).await.map_err(database)?;
        store
            .rebind_tool_permissions(&before, &after)
            .await
            .map_err(database)?;
        tracing::info!(server = %config.id, "moved secrets from its command line or URL to the keyring");
        changed.push(config.id);
    }
    Ok(changed)
}

#[cfg(test)]
#[path = "secrets_tests.rs"]
mod tests;
