//! The curated models to download (`data/local-models.json`): one row
//! each with its size, the memory it needs and its licence, Download,
//! then a progress bar with the speed, Pause / Resume and Cancel.
//!
//! A download is one command of the page ([`run`]) whose progress comes
//! back as command messages, at most five a second. Pause cancels it and
//! keeps `NAME.part` in the models folder; Resume downloads again, which
//! continues from those bytes with an HTTP `Range` (the library's
//! `download::fetch`). Cancel also deletes the partial file. A `.part`
//! left by an earlier session shows as paused, ready to resume.
//!
//! Each model's row is a [`DownloadRow`](super::download_row::DownloadRow).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use relm4::prelude::*;
use tokio_util::sync::CancellationToken;

use super::{
    LocalModels, LocalModelsCommand, LocalModelsInput, LocalModelsOutput, LocalModelsWidgets, text,
};
use valechat_core::local::library::catalog::CatalogModel;
use valechat_core::local::library::download::{self, DownloadError, HfFile, hub};
use valechat_core::local::library::files::part_path;
use valechat_core::store::Store;

/// How often progress reaches the window at most.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// Where a download of one curated model stands.
#[derive(Debug, Default)]
pub enum State {
    /// Not started (or cancelled, or refused with nothing kept).
    #[default]
    Idle,
    /// Running; Pause or Cancel cancel `cancel`, Cancel also sets
    /// `discard` so that the partial file is deleted.
    Running {
        /// Stops the download.
        cancel: CancellationToken,
        /// Delete the partial file once stopped.
        discard: Arc<AtomicBool>,
    },
    /// Stopped with this many bytes kept in the partial file.
    Paused(u64),
    /// Downloaded in this session: the bar stays full.
    Done,
    /// Found in the library when the page read it (downloaded earlier).
    InLibrary,
}

/// What a running download reports.
#[derive(Debug)]
pub enum Report {
    /// Bytes on disk, of the file's size, at this speed (bytes a second
    /// over this run; 0 before it can be told).
    Progress {
        /// Bytes on disk.
        done: u64,
        /// The file's size.
        total: u64,
        /// Bytes per second.
        speed: u64,
    },
    /// Added to the library.
    Finished(Box<valechat_core::store::LocalModel>),
    /// Stopped by Pause (bytes kept), or by Cancel (`None`: deleted).
    Stopped(Option<u64>),
    /// Failed: the sentence, and the bytes kept to resume from, if any.
    Failed(String, Option<u64>),
}

/// The hub file of curated model `m`, on `$VALECHAT_HF_ENDPOINT` or
/// Hugging Face.
pub fn hub_file(m: &CatalogModel) -> Result<HfFile, DownloadError> {
    HfFile::new(&hub::endpoint(), &m.repo, &m.file)
}

/// The partial file of a download of `m` into `models_dir`.
pub fn partial(m: &CatalogModel, models_dir: &std::path::Path) -> PathBuf {
    part_path(&models_dir.join(&m.file))
}

/// Downloads curated model `index` and reports to `tx` (a command's
/// sender) until it ends; a stop with `discard` set deletes the partial
/// file.
pub async fn run(
    index: usize,
    m: CatalogModel,
    store: Store,
    cancel: CancellationToken,
    discard: Arc<AtomicBool>,
    tx: relm4::Sender<LocalModelsCommand>,
) {
    let send = |r: Report| tx.send(LocalModelsCommand::Download(index, r)).is_ok();
    let start = async {
        let dir = valechat_core::paths::models_dir().map_err(|e| e.to_string())?;
        let file = hub_file(&m).map_err(|e| text::download_failed(&e))?;
        let client = download::client().map_err(|e| text::download_failed(&e))?;
        Ok::<_, String>((dir, file, client))
    };
    let (dir, file, client) = match start.await {
        Ok(parts) => parts,
        Err(sentence) => {
            send(Report::Failed(sentence, None));
            return;
        }
    };
    let began = Instant::now();
    let mut last: Option<Instant> = None;
    let mut on_progress = |p: download::Progress| {
        let due = last.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY);
        if !due && p.downloaded < p.total {
            return;
        }
        last = Some(Instant::now());
        let secs = began.elapsed().as_secs_f64();
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let speed = if secs >= 0.5 {
            ((p.downloaded - p.resumed_from) as f64 / secs) as u64
        } else {
            0
        };
        let _ = tx.send(LocalModelsCommand::Download(
            index,
            Report::Progress {
                done: p.downloaded,
                total: p.total,
                speed,
            },
        ));
    };
    let result = download::download(&store, &client, &file, &dir, &cancel, &mut on_progress).await;
    let part = partial(&m, &dir);
    let report = match result {
        Ok(model) => Report::Finished(Box::new(model)),
        Err(DownloadError::Paused { kept, .. }) => {
            if discard.load(Ordering::SeqCst) {
                let _ = tokio::fs::remove_file(&part).await;
                Report::Stopped(None)
            } else {
                Report::Stopped(Some(kept))
            }
        }
        Err(
            e @ (DownloadError::DiskFull { kept, .. } | DownloadError::Interrupted { kept, .. }),
        ) => Report::Failed(text::download_failed(&e), Some(kept)),
        Err(e) => Report::Failed(text::download_failed(&e), None),
    };
    send(report);
}

/// Deletes the partial file of a paused download of `m`.
pub async fn discard(m: CatalogModel) {
    if let Ok(dir) = valechat_core::paths::models_dir() {
        let _ = tokio::fs::remove_file(partial(&m, &dir)).await;
    }
}

impl LocalModels {
    /// Starts (or resumes) curated model `n`'s download.
    pub(super) fn start(
        &mut self,
        n: usize,
        widgets: &LocalModelsWidgets,
        sender: &ComponentSender<Self>,
    ) {
        let (Some(m), Some(state), Some(row)) = (
            self.catalog.get(n).cloned(),
            self.downloads.get_mut(n),
            widgets.downloads.get(n),
        ) else {
            return;
        };
        if matches!(state, State::Running { .. }) {
            return;
        }
        let cancel = CancellationToken::new();
        let discard = Arc::new(AtomicBool::new(false));
        *state = State::Running {
            cancel: cancel.clone(),
            discard: Arc::clone(&discard),
        };
        row.show(state);
        let store = self.engine.store().clone();
        sender.command(move |out, shutdown| {
            shutdown
                .register(run(n, m, store, cancel, discard, out))
                .drop_on_shutdown()
        });
    }

    /// Shows what curated model `n`'s download reported.
    pub(super) fn report(
        &mut self,
        n: usize,
        report: Report,
        widgets: &LocalModelsWidgets,
        sender: &ComponentSender<Self>,
    ) {
        let (Some(state), Some(row)) = (self.downloads.get_mut(n), widgets.downloads.get(n)) else {
            return;
        };
        match report {
            Report::Progress { done, total, speed } => row.progress(done, total, speed),
            Report::Finished(model) => {
                *state = State::Done;
                row.show(state);
                let _ = sender.output(LocalModelsOutput::Added(model));
                sender.input(LocalModelsInput::Reload);
            }
            Report::Stopped(kept) => {
                *state = kept.map_or(State::Idle, State::Paused);
                row.show(state);
            }
            Report::Failed(sentence, kept) => {
                *state = kept.map_or(State::Idle, State::Paused);
                row.show(state);
                row.set_status(&sentence, true);
            }
        }
    }
}
