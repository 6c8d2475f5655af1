//! The page's side of the curated models' downloads, which run in the
//! main window's registry ([`crate::ui::model_downloads`]) and so go on
//! when the page closes: the page subscribes when it opens, shows every
//! report in the model's row, and hands Download, Pause / Resume and
//! Cancel to the registry.
//!
//! Each model's row is a [`DownloadRow`](super::download_row::DownloadRow).

use relm4::prelude::*;

use super::{LocalModels, LocalModelsInput, LocalModelsOutput, LocalModelsWidgets};
use crate::ui::model_downloads::{Downloads, Report};

/// Where a download of one curated model stands, as the page shows it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Not started (or cancelled, or refused with nothing kept).
    #[default]
    Idle,
    /// Running in the registry.
    Running,
    /// Stopped with this many bytes kept in the partial file.
    Paused(u64),
    /// Downloaded while the app runs: the bar stays full.
    Done,
    /// Found in the library when the page read it (downloaded earlier).
    InLibrary,
}

/// Subscribes the page to `downloads`: each report becomes
/// [`LocalModelsInput::Report`], until the page is gone.
pub fn subscribe(downloads: &Downloads, sender: &ComponentSender<LocalModels>) {
    let input = sender.input_sender().clone();
    downloads.subscribe(move |n, report| input.send(LocalModelsInput::Report(n, report)).is_ok());
}

impl LocalModels {
    /// Starts (or resumes) curated model `n`'s download in the registry.
    pub(super) fn start(&self, n: usize) {
        if let Some(m) = self.catalog.get(n).cloned() {
            self.downloads.start(n, m, self.engine.store().clone());
        }
    }

    /// Pause when running, Resume when paused.
    pub(super) fn pause_or_resume(&self, n: usize) {
        match self.states.get(n) {
            Some(State::Running) => self.downloads.pause(n),
            Some(State::Paused(_)) => self.start(n),
            _ => {}
        }
    }

    /// Cancel: stops the download and deletes its partial file.
    pub(super) fn cancel(&self, n: usize) {
        if let (Some(State::Running | State::Paused(_)), Some(m)) =
            (self.states.get(n), self.catalog.get(n).cloned())
        {
            self.downloads.cancel(n, m);
        }
    }

    /// Shows what curated model `n`'s download reported.
    pub(super) fn report(
        &mut self,
        n: usize,
        report: Report,
        widgets: &LocalModelsWidgets,
        sender: &ComponentSender<Self>,
    ) {
        let (Some(state), Some(row)) = (self.states.get_mut(n), widgets.downloads.get(n)) else {
            return;
        };
        match report {
            Report::Started => {
                *state = State::Running;
                row.show(*state);
            }
            Report::Progress { done, total, speed } => {
                if *state != State::Running {
                    *state = State::Running;
                    row.show(*state);
                }
                row.progress(done, total, speed);
            }
            Report::Finished(model) => {
                *state = State::Done;
                row.show(*state);
                let _ = sender.output(LocalModelsOutput::Added(model));
                sender.input(LocalModelsInput::Reload);
            }
            Report::Stopped(kept) => {
                *state = kept.map_or(State::Idle, State::Paused);
                row.show(*state);
            }
            Report::Failed(sentence, kept) => {
                *state = kept.map_or(State::Idle, State::Paused);
                row.show(*state);
                row.set_status(&sentence, true);
            }
        }
    }
}
