//! Unloading models nobody used for a while (issue 16): [`Activity`]
//! records when each model was last used and whether a reply is running on
//! it; [`spawn_idle_unloader`] unloads, every little while, the loaded
//! models idle for longer than the setting (`LocalOptions::idle_unload_after`,
//! [`DEFAULT_IDLE_UNLOAD`] in the app); [`spawn_idle_unloader_watching`]
//! follows a setting that changes while it runs (Preferences → Local
//! Models, through `Engine::set_local_idle_unload`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::client::RunnerClient;

/// How long a model stays loaded without use, unless set otherwise: 15 minutes.
pub const DEFAULT_IDLE_UNLOAD: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, Copy)]
struct Use {
    last: Instant,
    busy: usize,
}

/// When each model was last used, and how many replies are running on it.
#[derive(Debug, Default)]
pub struct Activity {
    uses: Mutex<HashMap<String, Use>>,
}

impl Activity {
    /// Marks `model` in use until the guard is dropped (then its last use
    /// is the drop's time).
    #[must_use]
    pub fn begin(self: &Arc<Self>, model: &str) -> InUse {
        let mut uses = self.lock();
        let entry = uses.entry(model.to_owned()).or_insert(Use {
            last: Instant::now(),
            busy: 0,
        });
        entry.busy += 1;
        entry.last = Instant::now();
        InUse {
            activity: self.clone(),
            model: model.to_owned(),
        }
    }

    /// The models not in use whose last use is at least `idle` ago.
    #[must_use]
    pub fn idle_for(&self, idle: Duration) -> Vec<String> {
        self.lock()
            .iter()
            .filter(|(_, u)| u.busy == 0 && u.last.elapsed() >= idle)
            .map(|(m, _)| m.clone())
            .collect()
    }

    /// When `model` was last used (a reply or an embedding ended, or one
    /// running began), on the wall clock; `None` when never used since it
    /// was loaded or forgotten.
    #[must_use]
    pub fn last_used(&self, model: &str) -> Option<std::time::SystemTime> {
        let elapsed = self.lock().get(model)?.last.elapsed();
        std::time::SystemTime::now().checked_sub(elapsed)
    }

    /// Forgets `model` (it was unloaded).
    pub fn forget(&self, model: &str) {
        self.lock().remove(model);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Use>> {
        // Each update is one map operation: a panic cannot leave it half-done.
        self.uses.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A model in use; dropping it records the model's last use.
#[derive(Debug)]
pub struct InUse {
    activity: Arc<Activity>,
    model: String,
}

impl Drop for InUse {
    fn drop(&mut self) {
        let mut uses = self.activity.lock();
        if let Some(entry) = uses.get_mut(&self.model) {
            entry.busy = entry.busy.saturating_sub(1);
            entry.last = Instant::now();
        }
    }
}

/// Every `idle / 4` (between 1 and 60 seconds), unloads from `client`'s
/// runner the models of `activity` idle for `idle` or longer; ends when the
/// client is dropped. Failures are logged (a runner that died has unloaded
/// everything anyway).
pub fn spawn_idle_unloader(
    client: Weak<RunnerClient>,
    activity: Arc<Activity>,
    idle: Duration,
) -> tokio::task::JoinHandle<()> {
    spawn_idle_unloader_watching(client, activity, watch::channel(Some(idle)).1)
}

/// As [`spawn_idle_unloader`], with the idle time read from `idle`, which
/// may change while the task runs: `None` unloads nothing until it is set
/// again; a new value takes effect at once (the next check is `new / 4`
/// later, between 1 and 60 seconds). Once `idle`'s sender is dropped the
/// last value stays. Ends when the client is dropped.
pub fn spawn_idle_unloader_watching(
    client: Weak<RunnerClient>,
    activity: Arc<Activity>,
    mut idle: watch::Receiver<Option<Duration>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut open = true;
        loop {
            let current = *idle.borrow_and_update();
            // `None`: check now and then only that the client is still there.
            let tick = current.map_or(Duration::from_secs(60), |idle| {
                (idle / 4).clamp(Duration::from_secs(1), Duration::from_secs(60))
            });
            if open {
                tokio::select! {
                    changed = idle.changed() => {
                        open = changed.is_ok();
                        continue;
                    }
                    () = tokio::time::sleep(tick) => {}
                }
            } else if current.is_none() {
                return; // never set again: nothing to unload, ever
            } else {
                tokio::time::sleep(tick).await;
            }
            let Some(client) = client.upgrade() else {
                return;
            };
            let Some(current) = current else {
                continue;
            };
            for model in activity.idle_for(current) {
                activity.forget(&model);
                if !client.is_loaded(&model).await {
                    continue;
                }
                match client.unload(&model).await {
                    Ok(()) => tracing::info!("unloaded {model}, idle for {} s", current.as_secs()),
                    Err(e) => tracing::warn!("could not unload idle model {model}: {e}"),
                }
            }
        }
    })
}
