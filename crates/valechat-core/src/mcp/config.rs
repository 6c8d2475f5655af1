//! What an MCP server is: [`ServerConfig`], its [`Transport`] and its cached
//! protocol [`Era`] (plain values the store keeps, defined in
//! [`crate::model::mcp_server`] and re-exported here), plus what needs this
//! module: checking a configuration ([`ServerConfig::validate`], which
//! reports [`McpError`]) and where its secrets live.
//!
//! Secrets (bearer tokens, secret-looking `env` values and headers) never go
//! to the database: [`ServerConfig::extract_secrets`] moves them into the
//! keyring, one item per value under the slot `mcp=<server id>/<key>`
//! (see [`secret_slot`]), and leaves [`SECRET_PLACEHOLDER`] in the config;
//! [`ServerConfig::resolve_secrets`] puts them back just before connecting.

use super::McpError;
pub use crate::model::mcp_server::{Era, STATELESS_VERSION, ServerConfig, Transport};
use crate::secrets::KeyStore;

/// Value stored in place of a secret in `env` or `headers`; the real value is
/// in the keyring under [`secret_slot`].
pub const SECRET_PLACEHOLDER: &str = "@keyring";

/// Key (inside [`secret_slot`]) of an HTTP server's bearer token.
pub const BEARER_KEY: &str = "bearer";

/// Keyring slot (passed as the `KeyStore` id) of secret `key` of server `id`:
/// `mcp=<id>/<key>`; keys are `bearer`, `env/<NAME>`, `header/<Name>`.
#[must_use]
pub fn secret_slot(id: &str, key: &str) -> String {
    format!("mcp={id}/{key}")
}

/// Whether an `env` or header entry looks like a secret: a name with
/// token/key/secret/password/auth/credential in it, or a value shaped like
/// a credential (`Bearer …`, `sk-…`, `ghp_…`, `xox…`).
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
    let by_value = ["Bearer ", "sk-", "ghp_", "github_pat_", "xox"]
        .iter()
        .any(|prefix| value.starts_with(prefix));
    value != SECRET_PLACEHOLDER && !value.is_empty() && (by_name || by_value)
}

impl ServerConfig {
    /// Checks the id, the transport and the sandbox settings.
    ///
    /// # Errors
    /// [`McpError::Config`] for an id that is not a non-empty
    /// `[a-z0-9-]` slug, an empty command, a URL with the wrong scheme, or
    /// a relative writable folder.
    pub fn validate(&self) -> Result<(), McpError> {
        let bad = |reason: String| McpError::Config {
            server: self.id.clone(),
            reason,
        };
        if self.id.is_empty()
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(bad(
                "the id must be a non-empty slug of a-z, 0-9 and -".into()
            ));
        }
        match &self.transport {
            Transport::Stdio { command, .. } if command.trim().is_empty() => {
                Err(bad("the command is empty".into()))
            }
            Transport::Http { url, .. } => check_url(url, &["http", "https"]).map_err(bad),
            Transport::WebSocket { url } => check_url(url, &["ws", "wss"]).map_err(bad),
            Transport::Stdio { .. } => match &self.sandbox {
                Some(sandbox) => check_sandbox(sandbox, dirs::home_dir().as_deref()).map_err(bad),
                None => Ok(()),
            },
        }
    }

    /// Moves secret-looking `env` values and headers into a list of
    /// `(slot key, value)` pairs, leaving [`SECRET_PLACEHOLDER`] behind.
    /// Store each pair with `keys.set_api_key(&secret_slot(id, key), value)`
    /// (done by [`ServerConfig::store_secrets`]).
    pub fn extract_secrets(&mut self) -> Vec<(String, String)> {
        let (map, prefix) = match &mut self.transport {
            Transport::Stdio { env, .. } => (env, "env/"),
            Transport::Http { headers, .. } => (headers, "header/"),
            Transport::WebSocket { .. } => return Vec::new(),
        };
        let mut secrets = Vec::new();
        for (name, value) in map.iter_mut() {
            if looks_secret(name, value) {
                let secret = std::mem::replace(value, SECRET_PLACEHOLDER.to_owned());
                secrets.push((format!("{prefix}{name}"), secret));
            }
        }
        secrets
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
        let mut resolved = self.clone();
        let secret_error = |source| McpError::Secret {
            server: self.id.clone(),
            source,
        };
        let (map, prefix) = match &mut resolved.transport {
            Transport::Stdio { env, .. } => (Some(env), "env/"),
            Transport::Http { headers, .. } => (Some(headers), "header/"),
            Transport::WebSocket { .. } => (None, ""),
        };
        if let Some(map) = map {
            for (name, value) in map.iter_mut() {
                if value != SECRET_PLACEHOLDER {
                    continue;
                }
                let slot = secret_slot(&self.id, &format!("{prefix}{name}"));
                *value = keys
                    .api_key(&slot)
                    .await
                    .map_err(secret_error)?
                    .ok_or_else(|| McpError::Config {
                        server: self.id.clone(),
                        reason: format!("the secret {name:?} is missing from the keyring ({slot})"),
                    })?;
            }
        }
        let bearer = if matches!(self.transport, Transport::Http { .. }) {
            keys.api_key(&secret_slot(&self.id, BEARER_KEY))
                .await
                .map_err(secret_error)?
        } else {
            None
        };
        Ok((resolved, bearer))
    }

    /// Slot keys of every secret this config refers to (for deletion).
    #[must_use]
    pub fn secret_keys(&self) -> Vec<String> {
        let mut keys = vec![BEARER_KEY.to_owned()];
        let (map, prefix) = match &self.transport {
            Transport::Stdio { env, .. } => (env, "env/"),
            Transport::Http { headers, .. } => (headers, "header/"),
            Transport::WebSocket { .. } => return keys,
        };
        keys.extend(
            map.iter()
                .filter(|(_, v)| *v == SECRET_PLACEHOLDER)
                .map(|(k, _)| format!("{prefix}{k}")),
        );
        keys
    }
}

/// Checks that `url` parses and has one of `schemes`.
fn check_url(url: &str, schemes: &[&str]) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("the URL {url:?} is invalid: {e}"))?;
    if schemes.contains(&parsed.scheme()) {
        Ok(())
    } else {
        Err(format!(
            "the URL {url:?} must start with {}",
            schemes.join("/")
        ))
    }
}

/// [`SandboxSettings::validate`] against `home` as written and, where the
/// folders exist, with symbolic links resolved (a link to the home folder
/// is the home folder).
fn check_sandbox(
    sandbox: &crate::model::SandboxSettings,
    home: Option<&std::path::Path>,
) -> Result<(), String> {
    sandbox.validate(home)?;
    let Some(real_home) = home.and_then(|h| h.canonicalize().ok()) else {
        return Ok(());
    };
    let real = crate::model::SandboxSettings {
        writable_folders: sandbox
            .writable_folders
            .iter()
            .map(|f| f.canonicalize().unwrap_or_else(|_| f.clone()))
            .collect(),
        ..sandbox.clone()
    };
    real.validate(Some(&real_home))
        .map_err(|_| sandbox_home_error(&sandbox.writable_folders, &real, &real_home))
}

/// The refusal naming the folder as the person wrote it.
fn sandbox_home_error(
    written: &[std::path::PathBuf],
    real: &crate::model::SandboxSettings,
    real_home: &std::path::Path,
) -> String {
    let position = real
        .writable_folders
        .iter()
        .position(|f| crate::model::sandbox_settings::exposes_home(f, real_home))
        .unwrap_or(0);
    let folder = written.get(position).map(|f| f.display().to_string());
    format!(
        "the writable folder {:?} is your home folder or holds it: a sandboxed server may not write all of your home; choose a folder inside it",
        folder.unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::secrets::MemoryKeyStore;

    fn http(headers: &[(&str, &str)]) -> ServerConfig {
        ServerConfig {
            id: "remote".into(),
            name: "Remote".into(),
            transport: Transport::Http {
                url: "https://example.com/mcp".into(),
                headers: headers
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            },
            enabled: true,
            era: None,
            sandbox: None,
        }
    }

    #[test]
    fn transport_round_trips_as_tagged_json() {
        let config = http(&[("X-Team", "a")]);
        let json = serde_json::to_string(&config.transport).unwrap();
        assert!(json.contains(r#""type":"http""#), "{json}");
        let back: Transport = serde_json::from_str(&json).unwrap();
        assert_eq!(back, config.transport);
    }

    #[test]
    fn era_from_version() {
        assert_eq!(Era::from_version("2026-07-28"), Era::Stateless2026);
        assert_eq!(
            Era::from_version("2025-11-25"),
            Era::Legacy {
                version: "2025-11-25".into()
            }
        );
        assert_eq!(Era::Stateless2026.to_db(), "2026-07-28");
    }

    #[test]
    fn validation_rejects_bad_ids_and_urls() {
        let mut config = http(&[]);
        assert!(config.validate().is_ok());
        config.id = "Bad Id".into();
        assert!(config.validate().is_err());
        config.id = "ok".into();
        config.transport = Transport::Http {
            url: "ftp://x".into(),
            headers: BTreeMap::new(),
        };
        assert!(config.validate().unwrap_err().to_string().contains("http"));
    }

    #[tokio::test]
    async fn secrets_go_to_the_keyring_and_come_back() {
        let keys = MemoryKeyStore::new();
        keys.set_api_key("mcp=remote/bearer", "tok").await.unwrap();
        let mut config = http(&[("Authorization", "Bearer abc"), ("X-Team", "blue")]);
        config.store_secrets(&keys).await.unwrap();
        let Transport::Http { headers, .. } = &config.transport else {
            panic!("not http")
        };
        assert_eq!(headers["Authorization"], SECRET_PLACEHOLDER);
        assert_eq!(headers["X-Team"], "blue");
        assert_eq!(
            keys.api_key("mcp=remote/header/Authorization")
                .await
                .unwrap()
                .as_deref(),
            Some("Bearer abc")
        );
        let (resolved, bearer) = config.resolve_secrets(&keys).await.unwrap();
        assert_eq!(bearer.as_deref(), Some("tok"));
        let Transport::Http { headers, .. } = resolved.transport else {
            panic!("not http")
        };
        assert_eq!(headers["Authorization"], "Bearer abc");
    }
}
