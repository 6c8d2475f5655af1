//! One curated model's download as a task: the core's
//! `download::download` into the models folder, its progress passed on at
//! most five times a second with the speed, and how it ended.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::ui::preferences::local_models::text;
use valechat_core::local::library::catalog::CatalogModel;
use valechat_core::local::library::download::{self, DownloadError, HfFile, hub};
use valechat_core::local::library::files::part_path;
use valechat_core::store::Store;

/// How often progress is reported at most.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// What a download reports.
#[derive(Debug, Clone)]
pub enum Report {
    /// Started (or resumed); progress follows.
    Started,
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

/// Downloads curated model `m` into `store`'s library and reports to
/// `send` until it ends; a stop with `discard` set deletes the partial
/// file.
pub async fn run(
    m: CatalogModel,
    store: Store,
    cancel: CancellationToken,
    discard: Arc<AtomicBool>,
    send: impl Fn(Report) + Send + Sync,
) {
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
        send(Report::Progress {
            done: p.downloaded,
            total: p.total,
            speed,
        });
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
