//! "Download Model…" for an Ollama provider: a small modal window with the
//! model name, a progress bar fed by Ollama's pull stream (the server's
//! status text, bytes done of the current layer's total) and Cancel.
//!
//! ```text
//! adw::Window "Download Model" (modal)
//! ├─ adw::HeaderBar: Cancel … Download
//! ├─ adw::EntryRow "Model Name" (e.g. llama3.2)
//! ├─ gtk::ProgressBar
//! └─ gtk::Label (hint, then "status · 1.2 GB of 2.0 GB", or the error)
//! ```
//!
//! The pull runs on the tokio runtime ([`relm4::spawn`]); its progress
//! reaches the widgets through a channel read on the GTK main loop.

use std::cell::RefCell;
use std::rc::Rc;

use futures::StreamExt;
use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{adw, gtk};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::i18n::gettext_f;
use valechat_core::chat::Engine;
use valechat_core::provider::ollama::PullProgress;

/// What the pull task reports to the dialog.
enum Report {
    /// One progress step.
    Step(PullProgress),
    /// The download finished (`success`).
    Done,
    /// It failed or was refused: the message for the user.
    Failed(String),
}

/// The dialog's widgets.
struct Dialog {
    window: adw::Window,
    name: adw::EntryRow,
    download: gtk::Button,
    progress: gtk::ProgressBar,
    message: gtk::Label,
    /// The running pull's token; `None` when idle.
    running: RefCell<Option<CancellationToken>>,
}

/// Opens the dialog over `parent` for provider `provider_id` (an Ollama
/// server) named `provider_name`; `on_success(model)` runs on the main loop
/// once a download has finished, and the dialog then closes.
pub(super) fn present(
    parent: Option<&gtk::Window>,
    engine: Engine,
    provider_id: String,
    provider_name: &str,
    on_success: impl Fn(String) + 'static,
) {
    let dialog = Rc::new(build(parent, provider_name));
    let on_success = Rc::new(on_success);

    let d = Rc::clone(&dialog);
    let start = move || {
        let model = d.name.text().trim().to_owned();
        if model.is_empty() || d.running.borrow().is_some() {
            return;
        }
        let cancel = CancellationToken::new();
        *d.running.borrow_mut() = Some(cancel.clone());
        d.download.set_sensitive(false);
        d.name.set_sensitive(false);
        d.message.remove_css_class("error");
        d.message.set_text(&gettext("Starting…"));
        d.progress.set_fraction(0.0);
        d.progress.set_visible(true);
        let (tx, mut rx) = mpsc::unbounded_channel();
        relm4::spawn(run_pull(
            engine.clone(),
            provider_id.clone(),
            model.clone(),
            cancel,
            tx,
        ));
        let (d, on_success) = (Rc::clone(&d), Rc::clone(&on_success));
        relm4::spawn_local(async move {
            while let Some(report) = rx.recv().await {
                match report {
                    Report::Step(step) => show_step(&d.progress, &d.message, &step),
                    Report::Done => {
                        d.running.borrow_mut().take();
                        on_success(model.clone());
                        d.window.close();
                        return;
                    }
                    Report::Failed(message) => {
                        d.running.borrow_mut().take();
                        d.progress.set_visible(false);
                        d.message.set_text(&message);
                        d.message.add_css_class("error");
                        d.download.set_sensitive(true);
                        d.name.set_sensitive(true);
                        return;
                    }
                }
            }
        });
    };
    let start = Rc::new(start);
    let s = Rc::clone(&start);
    dialog.download.connect_clicked(move |_| s());
    let s = Rc::clone(&start);
    dialog.name.connect_entry_activated(move |_| s());
    let d = Rc::clone(&dialog);
    dialog.name.connect_changed(move |row| {
        d.download.set_sensitive(!row.text().trim().is_empty());
    });
    // Closing the window (Cancel, Escape, the close button) stops a running pull.
    let d = Rc::clone(&dialog);
    dialog.window.connect_close_request(move |_| {
        if let Some(cancel) = d.running.borrow_mut().take() {
            cancel.cancel();
        }
        gtk::glib::Propagation::Proceed
    });
    dialog.window.present();
    dialog.name.grab_focus();
}

/// Builds the window and its widgets (not yet shown).
fn build(parent: Option<&gtk::Window>, provider_name: &str) -> Dialog {
    let window = adw::Window::builder()
        .modal(true)
        .default_width(420)
        .title(gettext("Download Model"))
        .build();
    window.set_transient_for(parent);
    let cancel = gtk::Button::with_label(&gettext("Cancel"));
    let download = gtk::Button::builder()
        .label(gettext("Download"))
        .css_classes(["suggested-action"])
        .sensitive(false)
        .build();
    let header = adw::HeaderBar::builder()
        .show_end_title_buttons(false)
        .title_widget(&adw::WindowTitle::new(
            &gettext("Download Model"),
            provider_name,
        ))
        .build();
    header.pack_start(&cancel);
    header.pack_end(&download);
    let w = window.clone();
    cancel.connect_clicked(move |_| w.close());

    let name = adw::EntryRow::builder()
        .title(gettext("Model Name"))
        .build();
    let names = gtk::ListBox::builder()
        .css_classes(["boxed-list"])
        .selection_mode(gtk::SelectionMode::None)
        .build();
    names.append(&name);
    let progress = gtk::ProgressBar::builder().visible(false).build();
    let message = gtk::Label::builder()
        .label(gettext(
            "A name from the Ollama library, such as “llama3.2” or “qwen3:0.6b”.",
        ))
        .wrap(true)
        .xalign(0.0)
        .css_classes(["dim-label"])
        .build();
    let body = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .spacing(12)
        .margin_top(12)
        .margin_bottom(18)
        .margin_start(18)
        .margin_end(18)
        .build();
    body.append(&names);
    body.append(&progress);
    body.append(&message);
    let content = gtk::Box::new(gtk::Orientation::Vertical, 0);
    content.append(&header);
    content.append(&body);
    window.set_content(Some(&content));
    Dialog {
        window,
        name,
        download,
        progress,
        message,
        running: RefCell::new(None),
    }
}

/// Pulls `model` and reports each step; runs on the tokio runtime.
async fn run_pull(
    engine: Engine,
    provider_id: String,
    model: String,
    cancel: CancellationToken,
    tx: mpsc::UnboundedSender<Report>,
) {
    let mut stream = match engine
        .providers()
        .pull_model(&provider_id, &model, cancel)
        .await
    {
        Ok(stream) => stream,
        Err(e) => {
            let _ = tx.send(Report::Failed(e.user_message()));
            return;
        }
    };
    while let Some(item) = stream.next().await {
        match item {
            Ok(step) if step.is_success() => {
                let _ = tx.send(Report::Done);
                return;
            }
            Ok(step) => {
                if tx.send(Report::Step(step)).is_err() {
                    return; // the dialog is gone
                }
            }
            Err(e) => {
                let error = valechat_core::chat::EngineError::from(e);
                let _ = tx.send(Report::Failed(error.user_message()));
                return;
            }
        }
    }
    let _ = tx.send(Report::Failed(gettext(
        "The server stopped before the download finished.",
    )));
}

/// Shows one step: the bar's fraction when the layer's size is known (else
/// a pulse), and "status · done of total" in `label` (a label, which screen
/// readers announce, rather than the bar's own text).
fn show_step(bar: &gtk::ProgressBar, label: &gtk::Label, step: &PullProgress) {
    match step.fraction() {
        Some(fraction) => bar.set_fraction(fraction),
        None => bar.pulse(),
    }
    let text = match (step.completed_bytes, step.total_bytes) {
        (done, Some(total)) if total > 0 => gettext_f(
            "{status} · {done} of {total}",
            &[
                ("status", &step.status),
                ("done", &gtk::glib::format_size(done.unwrap_or(0))),
                ("total", &gtk::glib::format_size(total)),
            ],
        ),
        _ => step.status.clone(),
    };
    label.set_text(&text);
}
