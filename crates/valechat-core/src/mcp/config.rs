//! What an MCP server is: [`ServerConfig`], its [`Transport`] and its cached
//! protocol [`Era`] (plain values the store keeps, defined in
//! [`crate::model::mcp_server`] and re-exported here), plus what needs this
//! module: checking a configuration ([`ServerConfig::validate`], which
//! reports [`McpError`]) and where its secrets live (`secrets.rs`).
//!
//! Secrets (bearer tokens, secret-looking `env` values and headers, keys
//! written in a command line or a URL) never go to the database:
//! [`ServerConfig::extract_secrets`] moves them into the keyring, one item
//! per value under the slot `mcp=<server id>/<key>` (see [`secret_slot`]),
//! and leaves [`SECRET_PLACEHOLDER`] in the config;
//! [`ServerConfig::resolve_secrets`] puts them back just before connecting.

pub mod inline;
mod secrets;

use super::McpError;
pub use crate::model::mcp_server::{Era, STATELESS_VERSION, ServerConfig, Transport};
pub use secrets::{
    BEARER_KEY, SECRET_PLACEHOLDER, looks_secret, secret_slot, secure_stored_servers,
};

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

    /// An HTTP server config with `headers` (also used by `secrets`' tests).
    pub(super) fn http(headers: &[(&str, &str)]) -> ServerConfig {
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
}
