//! The curated models' downloads (issue 16), kept by the main window so
//! that they outlive the pages that show them: closing Preferences or the
//! first-run "Use a Model on This Computer" window leaves a download
//! running, and any page that opens later subscribes and shows where each
//! one stands.
//!
//! A download is a task on the app's runtime ([`run::run`]: the core's
//! `download::download`, with its free-space check, HTTP `Range` resume
//! and SHA-256 check) whose [`Report`]s go to every subscriber. One
//! download per curated model at a time (keyed by its position in
//! `data/local-models.json`). Pause stops the task and keeps `NAME.part`;
//! Resume starts it again from those bytes; Cancel stops it and deletes
//! the partial file. Quitting the app drops the task: the bytes written so
//! far stay in `NAME.part`, which the next session's page shows as paused
//! (Resume continues with a `Range` and hashes the kept bytes first).

mod run;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio_util::sync::CancellationToken;

pub use run::{Report, hub_file, partial};
use valechat_core::local::library::catalog::CatalogModel;
use valechat_core::store::Store;

/// Receives `(curated model index, report)`; returns `false` once its
/// page is gone, which unsubscribes it.
type Subscriber = Box<dyn Fn(usize, Report) -> bool + Send>;

/// One curated model's download as the registry knows it.
#[derive(Debug)]
enum Entry {
    /// Running; the last progress reported, if any.
    Running {
        /// Stops the task.
        cancel: CancellationToken,
        /// Delete the partial file once stopped (Cancel).
        discard: Arc<AtomicBool>,
        /// The last [`Report::Progress`], replayed to a new subscriber.
        last: Option<Report>,
    },
    /// Failed: the [`Report::Failed`], replayed to a new subscriber.
    Failed(Report),
}

#[derive(Default)]
struct Inner {
    entries: HashMap<usize, Entry>,
    subscribers: Vec<Subscriber>,
}

impl Inner {
    /// Sends `report` on curated model `n` to every live subscriber.
    fn broadcast(&mut self, n: usize, report: &Report) {
        self.subscribers.retain(|s| s(n, report.clone()));
    }
}

/// The downloads registry; clones share it. Owned by the main window and
/// handed to every page that shows the downloads.
#[derive(Clone, Default)]
pub struct Downloads {
    inner: Arc<Mutex<Inner>>,
}

impl std::fmt::Debug for Downloads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Downloads").finish_non_exhaustive()
    }
}

impl Downloads {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a subscriber and at once tells it where every download the
    /// registry knows stands: [`Report::Started`] then the last
    /// [`Report::Progress`] for a running one, the [`Report::Failed`] of
    /// a failed one (paused downloads are the partial files the page
    /// finds itself).
    pub fn subscribe(&self, subscriber: impl Fn(usize, Report) -> bool + Send + 'static) {
        let mut inner = self.lock();
        for (&n, entry) in &inner.entries {
            match entry {
                Entry::Running { last, .. } => {
                    subscriber(n, Report::Started);
                    if let Some(last) = last {
                        subscriber(n, last.clone());
                    }
                }
                Entry::Failed(report) => {
                    subscriber(n, report.clone());
                }
            }
        }
        inner.subscribers.push(Box::new(subscriber));
    }

    /// Whether curated model `n` is downloading.
    pub fn is_running(&self, n: usize) -> bool {
        matches!(self.lock().entries.get(&n), Some(Entry::Running { .. }))
    }

    /// Starts (or resumes, from its partial file) curated model `n`'s
    /// download into the library of `store`; nothing when it is already
    /// running. Must be called inside the app's runtime context (the
    /// main loop's).
    pub fn start(&self, n: usize, m: CatalogModel, store: Store) {
        let cancel = CancellationToken::new();
        let discard = Arc::new(AtomicBool::new(false));
        {
            let mut inner = self.lock();
            if matches!(inner.entries.get(&n), Some(Entry::Running { .. })) {
                return;
            }
            inner.entries.insert(
                n,
                Entry::Running {
                    cancel: cancel.clone(),
                    discard: Arc::clone(&discard),
                    last: None,
                },
            );
            inner.broadcast(n, &Report::Started);
        }
        let this = self.clone();
        relm4::spawn(async move {
            run::run(m, store, cancel, discard, |r| this.report(n, r)).await;
        });
    }

    /// Pauses curated model `n`'s download (its partial file is kept).
    pub fn pause(&self, n: usize) {
        if let Some(Entry::Running { cancel, .. }) = self.lock().entries.get(&n) {
            cancel.cancel();
        }
    }

    /// Cancels curated model `n`'s download and deletes its partial file,
    /// whether it is running or paused (then [`Report::Stopped`]`(None)`
    /// reaches the subscribers).
    pub fn cancel(&self, n: usize, m: CatalogModel) {
        if let Some(Entry::Running {
            cancel, discard, ..
        }) = self.lock().entries.get(&n)
        {
            discard.store(true, Ordering::SeqCst);
            cancel.cancel();
            return;
        }
        let this = self.clone();
        relm4::spawn(async move {
            run::discard(m).await;
            this.report(n, Report::Stopped(None));
        });
    }

    /// Records a report of curated model `n`'s task and passes it on.
    fn report(&self, n: usize, report: Report) {
        let mut inner = self.lock();
        match &report {
            Report::Progress { .. } => {
                if let Some(Entry::Running { last, .. }) = inner.entries.get_mut(&n) {
                    *last = Some(report.clone());
                }
            }
            Report::Failed(..) => {
                inner.entries.insert(n, Entry::Failed(report.clone()));
            }
            Report::Finished(_) | Report::Stopped(_) => {
                inner.entries.remove(&n);
            }
            Report::Started => {}
        }
        inner.broadcast(n, &report);
    }
}
