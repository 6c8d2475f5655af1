//! What an MCP server is, as stored in `mcp_servers`: [`ServerConfig`], its
//! [`Transport`] and its cached protocol [`Era`].
//!
//! Plain data: checking a configuration and moving its secrets to and from
//! the keyring need the MCP client and the keyring, so those methods of
//! [`ServerConfig`] are defined in `crate::mcp::config` (an `impl` block
//! there), which also re-exports these types under their old path.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::sandbox_settings::SandboxSettings;

/// How ValeChat reaches a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Transport {
    /// A child process speaking newline-delimited JSON-RPC on stdin/stdout.
    Stdio {
        /// Program, e.g. `npx`; resolved with the login-shell PATH.
        command: String,
        /// Arguments.
        #[serde(default)]
        args: Vec<String>,
        /// Extra environment variables (secrets replaced by the placeholder).
        #[serde(default)]
        env: BTreeMap<String, String>,
        /// Working directory; `None`: ValeChat's.
        #[serde(default)]
        cwd: Option<String>,
    },
    /// Streamable HTTP (spec 2025-03-26 and later) at one endpoint URL.
    Http {
        /// Endpoint, e.g. `https://example.com/mcp`.
        url: String,
        /// Extra request headers (secrets replaced by the placeholder).
        #[serde(default)]
        headers: BTreeMap<String, String>,
    },
    /// WebSocket (`ws://` / `wss://`), subprotocol `mcp`, one JSON-RPC
    /// message per text frame (see `crate::mcp::websocket`).
    WebSocket {
        /// Endpoint URL.
        url: String,
    },
}

/// Protocol era a server spoke last time, cached so the next start skips
/// discovery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Era {
    /// 2026-07-28 and later: no `initialize`, `server/discover`.
    Stateless2026,
    /// The `initialize` handshake, with the version the server accepted
    /// (e.g. `2025-11-25`).
    Legacy {
        /// Negotiated protocol version.
        version: String,
    },
}

/// First protocol version without the `initialize` handshake.
pub const STATELESS_VERSION: &str = "2026-07-28";

impl Era {
    /// The era of a negotiated protocol version string (`YYYY-MM-DD`).
    #[must_use]
    pub fn from_version(version: &str) -> Self {
        if version >= STATELESS_VERSION {
            Self::Stateless2026
        } else {
            Self::Legacy {
                version: version.to_owned(),
            }
        }
    }

    /// The text stored in `mcp_servers.era`: the protocol version.
    #[must_use]
    pub fn to_db(&self) -> String {
        match self {
            Self::Stateless2026 => STATELESS_VERSION.to_owned(),
            Self::Legacy { version } => version.clone(),
        }
    }
}

/// One configured MCP server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerConfig {
    /// Slug id (`[a-z0-9-]`), primary key, also the tool-name prefix.
    pub id: String,
    /// Display name.
    pub name: String,
    /// How to reach it.
    pub transport: Transport,
    /// Whether it is started at launch and offered to models.
    pub enabled: bool,
    /// Era spoken last time; `None`: probe.
    pub era: Option<Era>,
    /// Sandbox and resource limits (stdio servers only, ignored for the
    /// others); `None`: off, as [`SandboxSettings::default`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<SandboxSettings>,
}

impl ServerConfig {
    /// Whether this is a stdio server with its sandbox turned on.
    #[must_use]
    pub fn is_sandboxed(&self) -> bool {
        matches!(self.transport, Transport::Stdio { .. })
            && self.sandbox.as_ref().is_some_and(|s| s.enabled)
    }
}
