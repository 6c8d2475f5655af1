//! [`RootsSource`]: the folders ValeChat offers to MCP servers as roots
//! (spec 2025-11-25, "Client Features → Roots": `roots/list`,
//! `notifications/roots/list_changed`, capability `roots.listChanged`).
//!
//! One source is shared (cloned) by every connection through
//! [`ClientHooks::roots`](super::ClientHooks). `roots/list` answers its
//! current folders as `file://` URIs. A connection registers itself when
//! its handshake completes ([`RootsSource::register`], done by
//! [`McpConnection::connect`](super::McpConnection::connect)), so every
//! live connection — the registry's and the CLI's alike — is told when the
//! folders change: [`RootsSource::set`] replaces them and, if they differ,
//! sends `notifications/roots/list_changed` to each registered connection
//! whose transport is still open (closed ones are forgotten).
//!
//! Sessions of the stateless 2026-07-28 era are not registered: SEP-2577
//! deprecates roots and such servers cannot ask for them.
//!
//! In the app the folders are those of the conversation on screen (see
//! `ui::window`); the CLI's `chat --root DIR` sets them for one chat.
#![allow(deprecated)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rmcp::Peer;
use rmcp::model::Root;
use rmcp::service::RoleClient;

use super::log::{LogSource, ServerLog};
pub use crate::model::workspace_root::{WorkspaceRoot, default_name};

/// Longest one `notifications/roots/list_changed` may take to be queued.
const NOTIFY_TIMEOUT: Duration = Duration::from_secs(2);

/// A connection told about changes.
struct Registered {
    /// Unique per registration (one server id may have several sessions).
    key: u64,
    server_id: String,
    peer: Peer<RoleClient>,
    log: ServerLog,
}

#[derive(Default)]
struct Inner {
    roots: Mutex<Vec<WorkspaceRoot>>,
    connections: Mutex<Vec<Registered>>,
    next_key: AtomicU64,
}

/// The current roots, shared by every connection; clone freely (clones
/// share the folders and the registered connections).
#[derive(Clone, Default)]
pub struct RootsSource {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for RootsSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RootsSource")
            .field("roots", &self.current())
            .field("connections", &lock(&self.inner.connections).len())
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl RootsSource {
    /// A source offering `roots` (no connection registered yet).
    #[must_use]
    pub fn new(roots: Vec<WorkspaceRoot>) -> Self {
        let source = Self::default();
        *lock(&source.inner.roots) = roots;
        source
    }

    /// The folders offered now, in order.
    #[must_use]
    pub fn current(&self) -> Vec<WorkspaceRoot> {
        lock(&self.inner.roots).clone()
    }

    /// Replaces the folders without telling anyone; returns whether they
    /// changed (same folders in the same order with the same names: no).
    /// Call [`Self::notify_changed`] after a `true`, or use [`Self::set`].
    #[must_use]
    pub fn replace(&self, roots: Vec<WorkspaceRoot>) -> bool {
        let mut current = lock(&self.inner.roots);
        if *current == roots {
            return false;
        }
        *current = roots;
        true
    }

    /// Replaces the folders and, if they changed, sends
    /// `notifications/roots/list_changed` to every live registered
    /// connection (each within 2 s). Returns whether they changed.
    pub async fn set(&self, roots: Vec<WorkspaceRoot>) -> bool {
        let changed = self.replace(roots);
        if changed {
            self.notify_changed().await;
        }
        changed
    }

    /// Sends `notifications/roots/list_changed` to every live registered
    /// connection; forgets the closed ones and those the notification
    /// cannot reach. Returns how many connections were told.
    pub async fn notify_changed(&self) -> usize {
        let targets: Vec<(u64, String, Peer<RoleClient>, ServerLog)> = {
            let mut connections = lock(&self.inner.connections);
            connections.retain(|c| !c.peer.is_transport_closed());
            connections
                .iter()
                .map(|c| (c.key, c.server_id.clone(), c.peer.clone(), c.log.clone()))
                .collect()
        };
        let sends = targets.iter().map(|(key, server_id, peer, log)| async move {
            let sent =
                tokio::time::timeout(NOTIFY_TIMEOUT, peer.notify_roots_list_changed()).await;
            match sent {
                Ok(Ok(())) => {
                    log.push(
                        LogSource::Client,
                        "sent notifications/roots/list_changed (the workspace folders changed)",
                    );
                    None
                }
                Ok(Err(error)) => {
                    tracing::debug!(server = %server_id, "cannot send roots/list_changed: {error}");
                    Some(*key)
                }
                Err(_) => {
                    tracing::debug!(server = %server_id, "roots/list_changed timed out");
                    Some(*key)
                }
            }
        });
        let failed: Vec<u64> = futures::future::join_all(sends)
            .await
            .into_iter()
            .flatten()
            .collect();
        if !failed.is_empty() {
            lock(&self.inner.connections).retain(|c| !failed.contains(&c.key));
        }
        targets.len() - failed.len()
    }

    /// Tells the connection of `server_id` (its `peer`, logging into `log`)
    /// about later changes, until its transport closes (a restarted
    /// server's old session is forgotten then).
    pub fn register(&self, server_id: &str, peer: Peer<RoleClient>, log: ServerLog) {
        let key = self.inner.next_key.fetch_add(1, Ordering::Relaxed);
        let mut connections = lock(&self.inner.connections);
        connections.retain(|c| !c.peer.is_transport_closed());
        connections.push(Registered {
            key,
            server_id: server_id.to_owned(),
            peer,
            log,
        });
    }

    /// How many registered connections are still open.
    #[must_use]
    pub fn live_connections(&self) -> usize {
        let mut connections = lock(&self.inner.connections);
        connections.retain(|c| !c.peer.is_transport_closed());
        connections.len()
    }

    /// The answer to `roots/list`: every folder with an absolute path as a
    /// `file://` URI and its name, in order (relative paths are skipped
    /// with a warning).
    #[must_use]
    pub fn list(&self) -> Vec<Root> {
        self.current()
            .iter()
            .filter_map(|root| {
                let Some(uri) = root.uri() else {
                    tracing::warn!(path = %root.path.display(), "not offered as a root: the path is not absolute");
                    return None;
                };
                Some(Root::new(uri).with_name(root.name.clone()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded_file_urls() {
        let root = WorkspaceRoot::from_path("/tmp/My Project/ü#1%");
        assert_eq!(root.name, "ü#1%");
        assert_eq!(
            root.uri().as_deref(),
            Some("file:///tmp/My%20Project/%C3%BC%231%25")
        );
        assert_eq!(WorkspaceRoot::from_path("relative/dir").uri(), None);
        assert_eq!(WorkspaceRoot::from_path("/").name, "/");
    }

    #[test]
    fn replace_reports_only_real_changes_and_list_skips_relative_paths() {
        let source = RootsSource::default();
        assert!(!source.replace(Vec::new()));
        let a = WorkspaceRoot::new("/srv/a", "A");
        assert!(source.replace(vec![a.clone(), WorkspaceRoot::from_path("rel")]));
        assert!(!source.replace(vec![a.clone(), WorkspaceRoot::from_path("rel")]));
        let listed = source.list();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].uri, "file:///srv/a");
        assert_eq!(listed[0].name.as_deref(), Some("A"));
        // A clone shares the folders.
        let clone = source.clone();
        assert!(clone.replace(vec![WorkspaceRoot::new("/srv/a", "renamed")]));
        assert_eq!(source.current()[0].name, "renamed");
    }
}
