//! [`McpServers`]: every configured server, started in the background and
//! supervised.
//!
//! [`McpServers::start`] returns at once; a supervisor task per server
//! connects, lists tools/resources/prompts, publishes [`ServerState`]s on a
//! `watch` channel, refreshes the tool list on `list_changed`, and restarts
//! a crashed server with exponential backoff (500 ms, 1 s, 2 s…) up to
//! [`MAX_TRIES`] consecutive failures, after which it is `Failed` with its
//! last stderr lines; a failed OAuth sign-in is `NeedsSignIn` at once (no
//! retry, which would open the browser again). A session that stayed up for [`STABLE_AFTER`] resets
//! the failure count. Every new session (a restart after a crash, or
//! [`McpServers::start`] again) subscribes again to the resources being
//! watched before the server is `Ready`. [`McpServers::shutdown_all`] stops every supervisor
//! and kills every process group.
//!
//! Files: `registry/supervisor` (the background task of one server).

mod supervisor;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rmcp::model::Tool;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::config::{Era, ServerConfig};
use super::connection::McpConnection;
use super::handler::ClientHooks;
use super::log::ServerLog;
use crate::secrets::KeyStore;
use supervisor::Supervisor;

/// Consecutive failed starts before a server is marked failed.
pub const MAX_TRIES: u32 = 5;
/// First restart delay; doubles each failure.
pub const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// A session up this long resets the failure count.
pub const STABLE_AFTER: Duration = Duration::from_secs(60);

/// Where a server is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerState {
    /// Not enabled.
    Disabled,
    /// Connecting (first start or restart).
    Starting,
    /// Connected; counts of what it offers.
    Ready {
        /// Tools.
        tools: usize,
        /// Resources.
        resources: usize,
        /// Prompts.
        prompts: usize,
    },
    /// The server needs an OAuth sign-in that did not happen (refused,
    /// cancelled, timed out); not retried until the user starts it again.
    NeedsSignIn {
        /// Why the sign-in failed (English).
        reason: String,
    },
    /// Gave up after [`MAX_TRIES`] failures.
    Failed {
        /// The last error.
        reason: String,
        /// The last stderr lines, oldest first.
        last_stderr_lines: Vec<String>,
    },
}

/// Called with `(server id, era)` when a server's era is learned, so the
/// app can store it (`Store::set_mcp_server_era`).
pub type EraSink = Arc<dyn Fn(&str, &Era) + Send + Sync>;

struct Running {
    config: ServerConfig,
    log: ServerLog,
    stop: CancellationToken,
    task: JoinHandle<()>,
    connection: Arc<Mutex<Option<Arc<McpConnection>>>>,
    tools: Arc<Mutex<Vec<Tool>>>,
}

struct Inner {
    keys: Arc<dyn KeyStore>,
    hooks: ClientHooks,
    era_sink: Option<EraSink>,
    servers: Mutex<HashMap<String, Running>>,
    /// Server id → URIs subscribed to with [`McpServers::watch_resource`];
    /// kept across restarts and subscribed again on every new session.
    watched: Mutex<HashMap<String, BTreeSet<String>>>,
    states: watch::Sender<BTreeMap<String, ServerState>>,
}

/// The set of running servers; clone freely.
#[derive(Clone)]
pub struct McpServers {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for McpServers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpServers")
            .field("states", &*self.inner.states.borrow())
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl McpServers {
    /// An empty registry using `keys` for secrets and `hooks` for every
    /// connection (the registry adds its own list-changed observer).
    pub fn new(keys: Arc<dyn KeyStore>, hooks: ClientHooks, era_sink: Option<EraSink>) -> Self {
        let (states, _) = watch::channel(BTreeMap::new());
        Self {
            inner: Arc::new(Inner {
                keys,
                hooks,
                era_sink,
                servers: Mutex::new(HashMap::new()),
                watched: Mutex::new(HashMap::new()),
                states,
            }),
        }
    }

    /// State changes of every server, for the UI.
    #[must_use]
    pub fn subscribe(&self) -> watch::Receiver<BTreeMap<String, ServerState>> {
        self.inner.states.subscribe()
    }

    /// The current state of `id` (`None`: unknown id).
    #[must_use]
    pub fn state(&self, id: &str) -> Option<ServerState> {
        self.inner.states.borrow().get(id).cloned()
    }

    /// The log of `id`.
    #[must_use]
    pub fn log(&self, id: &str) -> Option<ServerLog> {
        lock(&self.inner.servers).get(id).map(|r| r.log.clone())
    }

    /// The live connection of `id` when it is ready.
    #[must_use]
    pub fn connection(&self, id: &str) -> Option<Arc<McpConnection>> {
        let servers = lock(&self.inner.servers);
        let running = servers.get(id)?;
        lock(&running.connection).clone()
    }

    /// `(server id, tool)` of every ready server.
    #[must_use]
    pub fn tools(&self) -> Vec<(String, Tool)> {
        let servers = lock(&self.inner.servers);
        let mut all: Vec<(String, Tool)> = servers
            .iter()
            .flat_map(|(id, r)| {
                lock(&r.tools)
                    .iter()
                    .map(|t| (id.clone(), t.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        all.sort_by(|a, b| (&a.0, &a.1.name).cmp(&(&b.0, &b.1.name)));
        all
    }

    /// The URIs of `id` being watched (subscribed to), sorted.
    #[must_use]
    pub fn watched_uris(&self, id: &str) -> Vec<String> {
        lock(&self.inner.watched)
            .get(id)
            .map(|uris| uris.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Records that `uri` of `id` is watched (`on`) or no longer.
    pub(super) fn set_watched(&self, id: &str, uri: &str, on: bool) {
        let mut watched = lock(&self.inner.watched);
        if on {
            watched
                .entry(id.to_owned())
                .or_default()
                .insert(uri.to_owned());
        } else if let Some(uris) = watched.get_mut(id) {
            uris.remove(uri);
            if uris.is_empty() {
                watched.remove(id);
            }
        }
    }

    fn set_state(&self, id: &str, state: ServerState) {
        self.inner.states.send_modify(|states| {
            states.insert(id.to_owned(), state);
        });
    }

    /// Starts every enabled config (and records disabled ones as
    /// `Disabled`) without waiting for any of them.
    pub async fn start_all(&self, configs: Vec<ServerConfig>) {
        for config in configs {
            self.start(config).await;
        }
    }

    /// (Re)starts `config` in the background: stops a running instance of
    /// the same id first. A disabled config only gets the `Disabled` state.
    pub async fn start(&self, config: ServerConfig) {
        self.stop(&config.id).await;
        if !config.enabled {
            self.set_state(&config.id, ServerState::Disabled);
            return;
        }
        self.set_state(&config.id, ServerState::Starting);
        let log = ServerLog::default();
        let stop = CancellationToken::new();
        let connection = Arc::new(Mutex::new(None));
        let tools = Arc::new(Mutex::new(Vec::new()));
        let supervisor = Supervisor {
            registry: self.clone(),
            config: config.clone(),
            log: log.clone(),
            stop: stop.clone(),
            connection: connection.clone(),
            tools: tools.clone(),
        };
        let task = tokio::spawn(supervisor.run());
        lock(&self.inner.servers).insert(
            config.id.clone(),
            Running {
                config,
                log,
                stop,
                task,
                connection,
                tools,
            },
        );
    }

    /// Stops `id` (kills its process group) and marks it `Disabled`.
    pub async fn stop(&self, id: &str) {
        let running = lock(&self.inner.servers).remove(id);
        if let Some(running) = running {
            running.stop.cancel();
            if tokio::time::timeout(Duration::from_secs(10), running.task)
                .await
                .is_err()
            {
                tracing::warn!(server = id, "MCP supervisor did not stop in time");
            }
            self.set_state(id, ServerState::Disabled);
        }
    }

    /// Stops `id` and forgets it, for a server the user removed: its state
    /// and its watched resources go too (a new server given the same id
    /// starts with none).
    pub async fn remove(&self, id: &str) {
        self.stop(id).await;
        lock(&self.inner.watched).remove(id);
        self.inner.states.send_modify(|states| {
            states.remove(id);
        });
    }

    /// The config `id` was started with.
    #[must_use]
    pub fn config(&self, id: &str) -> Option<ServerConfig> {
        lock(&self.inner.servers).get(id).map(|r| r.config.clone())
    }

    /// Stops every server and kills every process group.
    pub async fn shutdown_all(&self) {
        let ids: Vec<String> = lock(&self.inner.servers).keys().cloned().collect();
        futures::future::join_all(ids.iter().map(|id| self.stop(id))).await;
    }
}
