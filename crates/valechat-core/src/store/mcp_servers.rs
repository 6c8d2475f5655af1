//! Repository of `mcp_servers`: configured MCP servers
//! ([`ServerConfig`]). The transport is
//! stored as tagged JSON with secrets already replaced by keyring
//! placeholders; the era as its protocol version text; the sandbox settings
//! as JSON (NULL when they are the defaults: off).

use diesel::prelude::*;

use super::error::StoreError;
use super::schema::mcp_servers;
use super::{Store, now_ms};
use crate::model::{Era, SandboxSettings, ServerConfig, Transport};

type Row = (String, String, String, bool, Option<String>, Option<String>);

fn from_row((id, name, transport, enabled, era, sandbox): Row) -> Result<ServerConfig, StoreError> {
    let transport: Transport =
        serde_json::from_str(&transport).map_err(|_| StoreError::InvalidValue {
            column: "mcp_servers.transport",
            value: transport.clone(),
        })?;
    let sandbox = sandbox
        .map(|json| {
            serde_json::from_str::<SandboxSettings>(&json).map_err(|_| StoreError::InvalidValue {
                column: "mcp_servers.sandbox",
                value: json.clone(),
            })
        })
        .transpose()?;
    Ok(ServerConfig {
        id,
        name,
        transport,
        enabled,
        era: era.as_deref().map(Era::from_version),
        sandbox,
    })
}

/// The `sandbox` column: JSON, or NULL for the defaults.
fn sandbox_json(config: &ServerConfig) -> Option<String> {
    // Serialising SandboxSettings (bools, paths, numbers) cannot fail.
    config
        .sandbox
        .as_ref()
        .filter(|s| !s.is_default())
        .and_then(|s| serde_json::to_string(s).ok())
}

fn transport_json(config: &ServerConfig) -> String {
    // Serialising a Transport (strings and maps only) cannot fail.
    serde_json::to_string(&config.transport).unwrap_or_default()
}

const COLUMNS: (
    mcp_servers::id,
    mcp_servers::name,
    mcp_servers::transport,
    mcp_servers::enabled,
    mcp_servers::era,
    mcp_servers::sandbox,
) = (
    mcp_servers::id,
    mcp_servers::name,
    mcp_servers::transport,
    mcp_servers::enabled,
    mcp_servers::era,
    mcp_servers::sandbox,
);

impl Store {
    /// Every MCP server, by name.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::InvalidValue`].
    pub async fn list_mcp_servers(&self) -> Result<Vec<ServerConfig>, StoreError> {
        self.run(|conn| {
            mcp_servers::table
                .order((mcp_servers::name.asc(), mcp_servers::id.asc()))
                .select(COLUMNS)
                .load::<Row>(conn)
                .map_err(StoreError::during("listing MCP servers"))?
                .into_iter()
                .map(from_row)
                .collect()
        })
        .await
    }

    /// The server `id`, or `None`.
    ///
    /// # Errors
    /// As [`Store::list_mcp_servers`].
    pub async fn get_mcp_server(&self, id: &str) -> Result<Option<ServerConfig>, StoreError> {
        let id = id.to_owned();
        self.run(move |conn| {
            mcp_servers::table
                .find(&id)
                .select(COLUMNS)
                .first::<Row>(conn)
                .optional()
                .map_err(StoreError::during("reading an MCP server"))?
                .map(from_row)
                .transpose()
        })
        .await
    }

    /// Inserts `config` (store its secrets first with
    /// `ServerConfig::store_secrets`).
    ///
    /// # Errors
    /// [`StoreError::Query`] when the id exists; [`StoreError::Pool`],
    /// [`StoreError::DiskFull`].
    pub async fn add_mcp_server(&self, config: &ServerConfig) -> Result<(), StoreError> {
        let config = config.clone();
        self.run(move |conn| {
            let now = now_ms();
            diesel::insert_into(mcp_servers::table)
                .values((
                    mcp_servers::id.eq(&config.id),
                    mcp_servers::name.eq(&config.name),
                    mcp_servers::transport.eq(transport_json(&config)),
                    mcp_servers::enabled.eq(config.enabled),
                    mcp_servers::era.eq(config.era.as_ref().map(Era::to_db)),
                    mcp_servers::sandbox.eq(sandbox_json(&config)),
                    mcp_servers::created_at.eq(now),
                    mcp_servers::updated_at.eq(now),
                ))
                .execute(conn)
                .map_err(StoreError::during("adding an MCP server"))?;
            Ok(())
        })
        .await
    }

    /// Replaces name, transport, enabled, era and sandbox of `config.id`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`StoreError::Query`], [`StoreError::Pool`].
    pub async fn update_mcp_server(&self, config: &ServerConfig) -> Result<(), StoreError> {
        let config = config.clone();
        self.run(move |conn| {
            let changed = diesel::update(mcp_servers::table.find(&config.id))
                .set((
                    mcp_servers::name.eq(&config.name),
                    mcp_servers::transport.eq(transport_json(&config)),
                    mcp_servers::enabled.eq(config.enabled),
                    mcp_servers::era.eq(config.era.as_ref().map(Era::to_db)),
                    mcp_servers::sandbox.eq(sandbox_json(&config)),
                    mcp_servers::updated_at.eq(now_ms()),
                ))
                .execute(conn)
                .map_err(StoreError::during("updating an MCP server"))?;
            if changed == 0 {
                return Err(StoreError::not_found("MCP server", &config.id));
            }
            Ok(())
        })
        .await
    }

    /// Deletes `id` (its keyring secrets are the caller's to delete, see
    /// `ServerConfig::secret_keys`).
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`StoreError::Query`], [`StoreError::Pool`].
    pub async fn remove_mcp_server(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_owned();
        self.run(move |conn| {
            let gone = diesel::delete(mcp_servers::table.find(&id))
                .execute(conn)
                .map_err(StoreError::during("removing an MCP server"))?;
            if gone == 0 {
                return Err(StoreError::not_found("MCP server", &id));
            }
            Ok(())
        })
        .await
    }

    /// Caches the era `id` spoke (`None` forgets it).
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`StoreError::Query`], [`StoreError::Pool`].
    pub async fn set_mcp_server_era(&self, id: &str, era: Option<&Era>) -> Result<(), StoreError> {
        let (id, era) = (id.to_owned(), era.map(Era::to_db));
        self.run(move |conn| {
            let changed = diesel::update(mcp_servers::table.find(&id))
                .set((
                    mcp_servers::era.eq(era),
                    mcp_servers::updated_at.eq(now_ms()),
                ))
                .execute(conn)
                .map_err(StoreError::during("caching an MCP server's era"))?;
            if changed == 0 {
                return Err(StoreError::not_found("MCP server", &id));
            }
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn servers_round_trip() {
        let store = Store::open_in_memory().await.unwrap();
        let mut config = ServerConfig {
            id: "time".into(),
            name: "Time".into(),
            transport: Transport::Stdio {
                command: "uvx".into(),
                args: vec!["mcp-server-time".into()],
                env: std::collections::BTreeMap::default(),
                cwd: None,
            },
            enabled: true,
            era: None,
            sandbox: None,
        };
        store.add_mcp_server(&config).await.unwrap();
        assert!(store.add_mcp_server(&config).await.is_err());
        store
            .set_mcp_server_era(
                "time",
                Some(&Era::Legacy {
                    version: "2025-11-25".into(),
                }),
            )
            .await
            .unwrap();
        let back = store.get_mcp_server("time").await.unwrap().unwrap();
        assert_eq!(
            back.era,
            Some(Era::Legacy {
                version: "2025-11-25".into()
            })
        );
        config.enabled = false;
        config.era = Some(Era::Stateless2026);
        config.sandbox = Some(SandboxSettings {
            enabled: true,
            writable_folders: vec!["/data".into()],
            network: false,
            max_memory_mb: Some(512),
            ..SandboxSettings::default()
        });
        store.update_mcp_server(&config).await.unwrap();
        assert_eq!(store.list_mcp_servers().await.unwrap(), [config.clone()]);
        // The defaults are stored as NULL and read back as None.
        config.sandbox = Some(SandboxSettings::default());
        store.update_mcp_server(&config).await.unwrap();
        let back = store.get_mcp_server("time").await.unwrap().unwrap();
        assert_eq!(back.sandbox, None);
        store.remove_mcp_server("time").await.unwrap();
        assert!(matches!(
            store.remove_mcp_server("time").await,
            Err(StoreError::NotFound { .. })
        ));
        assert_eq!(store.get_mcp_server("time").await.unwrap(), None);
    }
}
