//! Shared helpers: peer paths and connections.

use std::collections::BTreeMap;
use std::path::PathBuf;

use valechat_core::mcp::{ClientHooks, McpConnection, ServerConfig, ServerLog, Transport};
use valechat_core::secrets::MemoryKeyStore;

/// `tests/mcp/<rest>`.
pub fn peer_path(rest: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/mcp")
        .join(rest)
}

/// Fails with the fix when a peer is missing.
pub fn require(path: &std::path::Path) -> String {
    assert!(
        path.exists(),
        "{} is missing: run tests/mcp/install-peers.sh (also called by .ci/install-deps)",
        path.display()
    );
    path.to_string_lossy().into_owned()
}

/// A stdio config.
pub fn stdio(id: &str, command: &str, args: &[&str]) -> ServerConfig {
    ServerConfig {
        id: id.into(),
        name: id.into(),
        transport: Transport::Stdio {
            command: command.into(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            env: BTreeMap::new(),
            cwd: None,
        },
        enabled: true,
        era: None,
        sandbox: None,
    }
}

/// server-everything over stdio.
pub fn everything_config() -> ServerConfig {
    let script = require(&peer_path(
        "node_modules-root/node_modules/@modelcontextprotocol/server-everything/dist/index.js",
    ));
    stdio("everything", "node", &[&script, "stdio"])
}

/// Connects with no hooks and a fresh log.
pub async fn connect(config: &ServerConfig) -> McpConnection {
    McpConnection::connect(
        config,
        &MemoryKeyStore::new(),
        ClientHooks::default(),
        ServerLog::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("connecting to {}: {e}", config.id))
}

/// Whether process `pid` still exists (and is not a zombie).
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// Pids whose process group is `pgid`.
pub fn group_members(pgid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                let fields: Vec<&str> = stat
                    .rsplit(')')
                    .next()
                    .unwrap_or("")
                    .split_whitespace()
                    .collect();
                fields.get(2) == Some(&pgid.to_string().as_str()) && fields.first() != Some(&"Z")
            })
        })
        .collect()
}

/// A registry running server-everything with `hooks`, once it is ready
/// (30 s at most; panics with the reason when it fails).
#[allow(dead_code)] // not every test crate including this file uses it
pub async fn everything_ready(hooks: ClientHooks) -> valechat_core::mcp::McpServers {
    use valechat_core::mcp::{McpServers, ServerState};
    let servers = McpServers::new(std::sync::Arc::new(MemoryKeyStore::new()), hooks, None);
    let mut states = servers.subscribe();
    servers.start(everything_config()).await;
    tokio::time::timeout(std::time::Duration::from_secs(30), async {
        loop {
            if let Some(ServerState::Ready { .. }) = states.borrow_and_update().get("everything") {
                return;
            }
            if let Some(ServerState::Failed { reason, .. }) = states.borrow().get("everything") {
                panic!("server-everything failed to start: {reason}");
            }
            states.changed().await.expect("registry alive");
        }
    })
    .await
    .expect("server-everything did not become ready within 30 s");
    servers
}
