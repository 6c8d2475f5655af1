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
//! ```text
//! gtk::ListBoxRow
//! └─ gtk::Box (vertical)
//!    ├─ name, "491 MB · needs 0.6 GB of memory · apache-2.0" │ Download / Pause|Resume, Cancel
//!    ├─ gtk::ProgressBar
//!    └─ gtk::Label (progress and speed, or what went wrong)
//! ```

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use gettextrs::gettext;
use relm4::gtk;
use relm4::gtk::prelude::*;
use relm4::prelude::*;
use tokio_util::sync::CancellationToken;

use super::{LocalModels, LocalModelsCommand, LocalModelsInput, text};
use crate::i18n::gettext_f;
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

/// The widgets of one curated model's row.
#[derive(Debug)]
pub struct DownloadRow {
    /// The row, in the Download group.
    pub row: gtk::ListBoxRow,
    download: gtk::Button,
    pause: gtk::Button,
    cancel: gtk::Button,
    progress: gtk::ProgressBar,
    status: gtk::Label,
}

impl DownloadRow {
    /// The row of curated model `m` (at `index` in the list).
    pub fn new(m: &CatalogModel, index: usize, sender: &ComponentSender<LocalModels>) -> Self {
        let name = gtk::Label::builder().label(&m.name).xalign(0.0).build();
        let memory = m.memory().total_bytes();
        let about = gtk::Label::builder()
            .label(gettext_f(
                "{size} · needs {memory} of memory · {license}",
                &[
                    ("size", &text::size(m.size_mb.saturating_mul(1_000_000))),
                    ("memory", &text::size(memory)),
                    ("license", &m.license),
                ],
            ))
            .xalign(0.0)
            .wrap(true)
            .css_classes(["caption", "dim-label"])
            .build();
        let labels = gtk::Box::new(gtk::Orientation::Vertical, 3);
        labels.set_hexpand(true);
        labels.set_valign(gtk::Align::Center);
        labels.append(&name);
        labels.append(&about);
        let button = |label: String, accessible: String, input: LocalModelsInput| {
            // GTK 4.8 names a button with text by its text: the model's
            // name goes in its description.
            let b = gtk::Button::with_label(&label);
            crate::ui::a11y::describe(b.upcast_ref(), &accessible);
            b.set_valign(gtk::Align::Center);
            let s = sender.clone();
            b.connect_clicked(move |_| s.input(input.clone()));
            b
        };
        let name_arg = [("name", m.name.as_str())];
        let download = button(
            gettext("Download"),
            gettext_f("Download {name}", &name_arg),
            LocalModelsInput::Download(index),
        );
        let pause = button(
            gettext("Pause"),
            gettext_f("Pause or Resume {name}", &name_arg),
            LocalModelsInput::Pause(index),
        );
        let cancel = button(
            gettext("Cancel"),
            gettext_f("Cancel download of {name}", &name_arg),
            LocalModelsInput::CancelDownload(index),
        );
        let top = gtk::Box::new(gtk::Orientation::Horizontal, 6);
        top.append(&labels);
        top.append(&pause);
        top.append(&cancel);
        top.append(&download);
        let progress = gtk::ProgressBar::new();
        let status = gtk::Label::builder()
            .xalign(0.0)
            .wrap(true)
            .css_classes(["caption"])
            .build();
        let body = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(6)
            .margin_top(8)
            .margin_bottom(8)
            .margin_start(12)
            .margin_end(12)
            .build();
        body.append(&top);
        body.append(&progress);
        body.append(&status);
        let row = gtk::ListBoxRow::builder()
            .activatable(false)
            .child(&body)
            .build();
        let this = Self {
            row,
            download,
            pause,
            cancel,
            progress,
            status,
        };
        this.show(&State::Idle);
        this
    }

    /// Shows the buttons and bar of `state`.
    pub fn show(&self, state: &State) {
        let (download, pause, cancel, bar) = match state {
            State::Idle => (true, false, false, false),
            State::Running { .. } | State::Paused(_) => (false, true, true, true),
            State::Done => (false, false, false, true),
            State::InLibrary => (false, false, false, false),
        };
        self.download.set_visible(download);
        self.pause.set_visible(pause);
        self.cancel.set_visible(cancel);
        self.progress.set_visible(bar);
        self.pause.set_label(&if matches!(state, State::Paused(_)) {
            gettext("Resume")
        } else {
            gettext("Pause")
        });
        match state {
            State::Idle => self.set_status("", false),
            State::Running { .. } => self.set_status(&gettext("Starting…"), false),
            State::Paused(kept) => {
                self.set_status(
                    &gettext_f("Paused, {kept} kept", &[("kept", &text::size(*kept))]),
                    false,
                );
            }
            State::Done => {
                self.progress.set_fraction(1.0);
                self.set_status(&gettext("Downloaded: in the library"), false);
            }
            State::InLibrary => self.set_status(&gettext("In the library"), false),
        }
    }

    /// Shows a progress step.
    pub fn progress(&self, done: u64, total: u64, speed: u64) {
        #[allow(clippy::cast_precision_loss)] // a fraction for a bar
        let fraction = if total == 0 {
            1.0
        } else {
            done as f64 / total as f64
        };
        self.progress.set_fraction(fraction.clamp(0.0, 1.0));
        self.set_status(&text::progress(done, total, speed), false);
    }

    /// Shows `text` under the bar, as an error when `error`.
    pub fn set_status(&self, text: &str, error: bool) {
        self.status.set_text(text);
        self.status.set_visible(!text.is_empty());
        if error {
            self.status.add_css_class("error");
        } else {
            self.status.remove_css_class("error");
        }
    }
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
