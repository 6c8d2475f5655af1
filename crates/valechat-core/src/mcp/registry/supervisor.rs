//! The [`Supervisor`] of one server: the background task that connects,
//! keeps the tool list fresh on `list_changed`, notices a server that went
//! away and restarts it with exponential backoff, or gives up (`Failed`,
//! `NeedsSignIn`).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rmcp::model::Tool;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::{FIRST_BACKOFF, MAX_TRIES, McpServers, STABLE_AFTER, ServerState, lock};
use crate::mcp::McpError;
use crate::mcp::config::ServerConfig;
use crate::mcp::connection::McpConnection;
use crate::mcp::log::{LogSource, ServerLog};

/// Stderr lines kept in [`ServerState::Failed`].
const FAILED_STDERR_LINES: usize = 10;

/// The background task of one server.
pub(super) struct Supervisor {
    pub(super) registry: McpServers,
    pub(super) config: ServerConfig,
    pub(super) log: ServerLog,
    pub(super) stop: CancellationToken,
    pub(super) connection: Arc<Mutex<Option<Arc<McpConnection>>>>,
    pub(super) tools: Arc<Mutex<Vec<Tool>>>,
}

impl Supervisor {
    pub(super) async fn run(mut self) {
        let id = self.config.id.clone();
        let mut failures = 0u32;
        let changed = Arc::new(Notify::new());
        let mut hooks = self.registry.inner.hooks.clone();
        let notify = changed.clone();
        let outer = hooks.on_list_changed.take();
        hooks.on_list_changed = Some(Arc::new(move |kind| {
            notify.notify_one();
            if let Some(outer) = &outer {
                outer(kind);
            }
        }));
        loop {
            self.registry.set_state(&id, ServerState::Starting);
            let keys = self.registry.inner.keys.clone();
            let connect = McpConnection::connect(
                &self.config,
                keys.as_ref(),
                hooks.clone(),
                self.log.clone(),
            );
            let result = tokio::select! {
                result = connect => result,
                () = self.stop.cancelled() => return,
            };
            let reason = match result {
                Ok(connection) => {
                    let connection = Arc::new(connection);
                    let up_since = Instant::now();
                    self.session(&connection, &changed).await;
                    *lock(&self.connection) = None;
                    lock(&self.tools).clear();
                    connection.shutdown().await;
                    if self.stop.is_cancelled() {
                        return;
                    }
                    if up_since.elapsed() >= STABLE_AFTER {
                        failures = 0;
                    }
                    // Its stderr is in the log and in `last_stderr_lines`,
                    // not in the reason, which a model may read.
                    "the server exited".to_owned()
                }
                Err(McpError::SignIn { reason, .. }) => {
                    // Retrying would open the browser again and again.
                    self.log
                        .push(LogSource::Client, &format!("sign-in failed: {reason}"));
                    self.registry
                        .set_state(&id, ServerState::NeedsSignIn { reason });
                    return;
                }
                Err(error) => {
                    if matches!(error, McpError::Sandbox { .. }) {
                        // Retrying cannot help until the person acts.
                        failures = MAX_TRIES - 1;
                    }
                    error.without_stderr()
                }
            };
            failures += 1;
            self.log
                .push(LogSource::Client, &format!("failure {failures}: {reason}"));
            if failures >= MAX_TRIES {
                self.registry.set_state(
                    &id,
                    ServerState::Failed {
                        reason,
                        last_stderr_lines: self.log.last_stderr(FAILED_STDERR_LINES),
                    },
                );
                return;
            }
            let delay = FIRST_BACKOFF * 2u32.pow(failures - 1);
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = self.stop.cancelled() => return,
            }
        }
    }

    /// Runs one connected session until the server goes away or stop.
    async fn session(&mut self, connection: &Arc<McpConnection>, changed: &Notify) {
        let id = self.config.id.clone();
        if self.config.era.as_ref() != Some(connection.era()) {
            self.config.era = Some(connection.era().clone());
            if let Some(sink) = &self.registry.inner.era_sink {
                sink(&id, connection.era());
            }
        }
        *lock(&self.connection) = Some(connection.clone());
        // A new process knows nothing of the old one's subscriptions.
        self.registry.resubscribe(&id, connection, &self.log).await;
        self.refresh(connection).await;
        loop {
            tokio::select! {
                () = self.stop.cancelled() => return,
                () = changed.notified() => self.refresh(connection).await,
                () = tokio::time::sleep(Duration::from_millis(500)) => {
                    if connection.is_closed() {
                        return;
                    }
                }
            }
        }
    }

    /// Re-lists tools (and counts resources and prompts) and publishes
    /// `Ready`. A server without resources or prompts answers with an
    /// error, counted as 0.
    async fn refresh(&self, connection: &McpConnection) {
        let tools = connection.list_tools().await.unwrap_or_else(|error| {
            self.log.push(LogSource::Client, &error.to_string());
            Vec::new()
        });
        let resources = connection.list_resources().await.map_or(0, |r| r.len());
        let prompts = connection.list_prompts().await.map_or(0, |p| p.len());
        let count = tools.len();
        self.log.push(
            LogSource::Client,
            &format!("lists refreshed: {count} tools, {resources} resources, {prompts} prompts"),
        );
        *lock(&self.tools) = tools;
        self.registry.set_state(
            &self.config.id,
            ServerState::Ready {
                tools: count,
                resources,
                prompts,
            },
        );
    }
}
