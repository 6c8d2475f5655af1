//! The local API server's stored settings (GSettings keys
//! `api-server-enabled`, `api-server-port`, `api-server-allow-remote`,
//! `data/io.github.valechat.ValeChat.gschema.xml.in`): off, port 8765 and
//! this computer only without the schema.

use std::net::{IpAddr, Ipv4Addr};

use relm4::gtk::gio::prelude::SettingsExt;

use crate::serve::http::{DEFAULT_PORT, ServeConfig};
use crate::ui::settings::settings;

/// Key: serve the API while the window is open (`b`).
pub const ENABLED: &str = "api-server-enabled";
/// Key: the TCP port (`u`, 1024–65535).
pub const PORT: &str = "api-server-port";
/// Key: listen on every interface, not only loopback (`b`).
pub const ALLOW_REMOTE: &str = "api-server-allow-remote";

/// The lowest port the setting allows (below it ports need privileges).
pub const MIN_PORT: u16 = 1024;

/// What the person chose in Preferences → Server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerSettings {
    /// Serve while the window is open.
    pub enabled: bool,
    /// TCP port.
    pub port: u16,
    /// Listen on every network interface (IPv4 `0.0.0.0`), not only
    /// `127.0.0.1`.
    pub allow_remote: bool,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            port: DEFAULT_PORT,
            allow_remote: false,
        }
    }
}

impl ServerSettings {
    /// The stored settings (the defaults without the schema).
    #[must_use]
    pub fn load() -> Self {
        let Some(s) = settings() else {
            return Self::default();
        };
        Self {
            enabled: s.boolean(ENABLED),
            port: u16::try_from(s.uint(PORT))
                .ok()
                .filter(|p| *p >= MIN_PORT)
                .unwrap_or(DEFAULT_PORT),
            allow_remote: s.boolean(ALLOW_REMOTE),
        }
    }

    /// Stores the settings; nothing without the schema.
    pub fn store(self) {
        let Some(s) = settings() else { return };
        for result in [
            s.set_boolean(ENABLED, self.enabled),
            s.set_uint(PORT, u32::from(self.port.max(MIN_PORT))),
            s.set_boolean(ALLOW_REMOTE, self.allow_remote),
        ] {
            if let Err(e) = result {
                tracing::warn!("could not store the API server settings: {e}");
            }
        }
    }

    /// The server's configuration: `127.0.0.1`, or `0.0.0.0` with
    /// [`ServerSettings::allow_remote`].
    #[must_use]
    pub fn serve_config(self) -> ServeConfig {
        ServeConfig {
            address: if self.allow_remote {
                IpAddr::V4(Ipv4Addr::UNSPECIFIED)
            } else {
                IpAddr::V4(Ipv4Addr::LOCALHOST)
            },
            port: self.port,
            allow_remote: self.allow_remote,
            ..ServeConfig::default()
        }
    }
}
