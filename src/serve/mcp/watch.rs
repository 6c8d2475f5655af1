//! `notifications/resources/updated` for `stats://usage` subscribers:
//! `resources/subscribe` in the 2025-11-25 era ([`Subscription`], a task per
//! session), `subscriptions/listen` in the 2026-07-28 era ([`listen`], for
//! as long as the listen request lasts).
//!
//! While a session is subscribed, a task wakes every [`POLL_INTERVAL`] and
//! whenever this process billed a request ([`ledger_changed`]). The poll is
//! cheap: it compares the modification times of the database file and its
//! `-wal` file (any process writing to the same database, such as the
//! window, changes them) and only then recomputes the resource; the
//! notification goes out when the resource's JSON differs from the last one
//! sent.

use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, SystemTime};

use rmcp::model::ResourceUpdatedNotificationParam;
use rmcp::service::{SubscriptionContext, SubscriptionSink};
use rmcp::{Peer, RoleServer};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;
use valechat_core::chat::Engine;

use super::ServeOptions;
use super::resources::{STATS_URI, stats};

/// How often a subscribed session looks for changes made by other processes.
pub const POLL_INTERVAL: Duration = Duration::from_secs(2);

/// Counts the requests this process billed; subscribers wake on each.
static BILLED: LazyLock<tokio::sync::watch::Sender<u64>> =
    LazyLock::new(|| tokio::sync::watch::Sender::new(0));

/// Tells every subscribed session that this process wrote to the ledger.
pub fn ledger_changed() {
    BILLED.send_modify(|n| *n = n.wrapping_add(1));
}

/// One session's subscription to `stats://usage`: the polling task, while
/// subscribed. Clones share it.
#[derive(Debug, Clone, Default)]
pub struct Subscription {
    task: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl Subscription {
    /// Starts notifying `peer` (again subscribing is a no-op). The
    /// resource as it is now is read before this returns, so a change made
    /// right after the subscription is answered is notified.
    pub async fn start(&self, engine: Engine, options: Arc<ServeOptions>, peer: Peer<RoleServer>) {
        let mut task = self.task.lock().await;
        if task.as_ref().is_some_and(|t| !t.is_finished()) {
            return;
        }
        let watch = Watch::new(engine, &options, Target::Peer(peer)).await;
        *task = Some(tokio::spawn(watch.poll()));
    }

    /// Stops notifying.
    pub async fn stop(&self) {
        if let Some(task) = self.task.lock().await.take() {
            task.abort();
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        // The last clone of a session's server gone: its task goes too.
        if Arc::strong_count(&self.task) == 1
            && let Ok(mut task) = self.task.try_lock()
            && let Some(task) = task.take()
        {
            task.abort();
        }
    }
}

/// The modification times of `database` and its `-wal` file.
fn stamp(database: &Path) -> (Option<SystemTime>, Option<SystemTime>) {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let mut wal = database.as_os_str().to_owned();
    wal.push("-wal");
    (modified(database), modified(Path::new(&wal)))
}

/// Runs a `subscriptions/listen` whose accepted filter has `stats://usage`
/// until the client cancels it or the session ends.
pub async fn listen(engine: Engine, options: &ServeOptions, context: SubscriptionContext) {
    let watch = Watch::new(engine, options, Target::Listen(context.sink().clone())).await;
    tokio::select! {
        () = watch.poll() => {}
        () = context.cancelled() => {}
    }
}

/// Where the notifications go.
enum Target {
    /// The session that sent `resources/subscribe`.
    Peer(Peer<RoleServer>),
    /// A `subscriptions/listen` stream.
    Listen(SubscriptionSink),
}

impl Target {
    /// Sends `notifications/resources/updated` for `stats://usage`; `false`
    /// when the client is gone.
    async fn updated(&self) -> bool {
        match self {
            Self::Peer(peer) => {
                let updated = ResourceUpdatedNotificationParam::new(STATS_URI);
                !peer.is_transport_closed() && peer.notify_resource_updated(updated).await.is_ok()
            }
            Self::Listen(sink) => sink.notify_resource_updated(STATS_URI).await.is_ok(),
        }
    }
}

/// One subscription's state: what was last seen.
struct Watch {
    engine: Engine,
    database: Option<PathBuf>,
    target: Target,
    billed: tokio::sync::watch::Receiver<u64>,
    stamp: Option<(Option<SystemTime>, Option<SystemTime>)>,
    last: Option<serde_json::Value>,
}

impl Watch {
    /// A watch of the resource as it is now (read before this returns, so
    /// a change made right after is notified).
    async fn new(engine: Engine, options: &ServeOptions, target: Target) -> Self {
        let billed = BILLED.subscribe();
        let database = options.database.clone();
        let stamp = database.as_deref().map(stamp);
        let last = stats(&engine).await.ok();
        Self {
            engine,
            database,
            target,
            billed,
            stamp,
            last,
        }
    }

    /// Notifies the peer of changes to `stats://usage` until its transport
    /// closes.
    async fn poll(mut self) {
        loop {
            let local = tokio::select! {
                () = tokio::time::sleep(POLL_INTERVAL) => false,
                changed = self.billed.changed() => changed.is_ok(),
            };
            let now_stamp = self.database.as_deref().map(stamp);
            if !local && now_stamp.is_some() && now_stamp == self.stamp {
                continue;
            }
            self.stamp = now_stamp;
            let Ok(current) = stats(&self.engine).await else {
                continue;
            };
            if self.last.as_ref() == Some(&current) {
                continue;
            }
            self.last = Some(current);
            if !self.target.updated().await {
                return;
            }
        }
    }
}
