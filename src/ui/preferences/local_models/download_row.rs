//! One curated model's row in the Download group: its name, size,
//! memory needed and licence; Download, or Pause / Resume and Cancel; a
//! progress bar and a line for the progress and speed or what went wrong.
//!
//! ```text
//! gtk::ListBoxRow
//! └─ gtk::Box (vertical)
//!    ├─ name, "491 MB · needs 0.6 GB of memory · apache-2.0" │ Download / Pause|Resume, Cancel
//!    ├─ gtk::ProgressBar
//!    └─ gtk::Label (progress and speed, or what went wrong)
//! ```

use gettextrs::gettext;
use relm4::gtk;
use relm4::gtk::prelude::*;
use relm4::prelude::*;

use super::downloads::State;
use super::{LocalModels, LocalModelsInput, text};
use crate::i18n::gettext_f;
use valechat_core::local::library::catalog::CatalogModel;

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
        this.show(State::Idle);
        this
    }

    /// Shows the buttons and bar of `state`.
    pub fn show(&self, state: State) {
        let (download, pause, cancel, bar) = match state {
            State::Idle => (true, false, false, false),
            State::Running | State::Paused(_) => (false, true, true, true),
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
            State::Running => self.set_status(&gettext("Starting…"), false),
            State::Paused(kept) => {
                self.set_status(
                    &gettext_f("Paused, {kept} kept", &[("kept", &text::size(kept))]),
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
