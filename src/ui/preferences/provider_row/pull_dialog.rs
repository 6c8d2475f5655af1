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
//! [`PullDialog`] is a component: the pull is one command whose progress
//! comes back as command messages, and a finished download is its
//! [`PullDialogOutput`], which the provider row forwards. Closing the
//! window (Cancel, Escape, the close button) destroys it and stops a
//! running pull.

use std::cell::RefCell;
use std::rc::Rc;

use futures::StreamExt;
use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::prelude::*;
use relm4::{adw, gtk};
use tokio_util::sync::CancellationToken;

use crate::i18n::gettext_f;
use valechat_core::chat::Engine;
use valechat_core::provider::ollama::PullProgress;

/// What the pull reports to the dialog.
#[derive(Debug)]
pub enum PullReport {
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
}

/// The Download Model dialog of one Ollama provider.
pub struct PullDialog {
    engine: Engine,
    provider_id: String,
    dialog: Dialog,
    /// The model being pulled.
    model: String,
    /// The running pull's token; `None` when idle. Shared with the
    /// window's close handler, which cancels it.
    running: Rc<RefCell<Option<CancellationToken>>>,
}

impl std::fmt::Debug for PullDialog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PullDialog")
            .field("provider_id", &self.provider_id)
            .finish_non_exhaustive()
    }
}

/// What the dialog is started with.
pub struct PullDialogInit {
    /// The window it belongs to.
    pub parent: Option<gtk::Window>,
    /// The engine, whose providers pull.
    pub engine: Engine,
    /// The Ollama provider's id.
    pub provider_id: String,
    /// Its name, shown under the title.
    pub provider_name: String,
}

/// What the dialog's widgets ask of it.
#[derive(Debug)]
pub enum PullDialogInput {
    /// Download the model named in the entry (Download, or Enter).
    Start,
}

/// What the dialog tells the provider row.
#[derive(Debug)]
pub enum PullDialogOutput {
    /// The model with this name was downloaded (the dialog then closes).
    Downloaded(String),
}

impl Component for PullDialog {
    type CommandOutput = PullReport;
    type Input = PullDialogInput;
    type Output = PullDialogOutput;
    type Init = PullDialogInit;
    type Root = adw::Window;
    type Widgets = ();

    fn init_root() -> Self::Root {
        adw::Window::builder()
            .modal(true)
            .default_width(420)
            .title(gettext("Download Model"))
            .build()
    }

    /// Builds the dialog and shows it over its parent.
    fn init(
        init: PullDialogInit,
        window: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        window.set_transient_for(init.parent.as_ref());
        let dialog = build(window, &init.provider_name);
        let running: Rc<RefCell<Option<CancellationToken>>> = Rc::default();
        let input = sender.input_sender().clone();
        dialog
            .download
            .connect_clicked(move |_| input.emit(PullDialogInput::Start));
        let input = sender.input_sender().clone();
        dialog
            .name
            .connect_entry_activated(move |_| input.emit(PullDialogInput::Start));
        let download = dialog.download.clone();
        dialog.name.connect_changed(move |row| {
            download.set_sensitive(!row.text().trim().is_empty());
        });
        let token = Rc::clone(&running);
        dialog.window.connect_close_request(move |_| {
            if let Some(cancel) = token.borrow_mut().take() {
                cancel.cancel();
            }
            gtk::glib::Propagation::Proceed
        });
        dialog.window.present();
        dialog.name.grab_focus();
        let model = PullDialog {
            engine: init.engine,
            provider_id: init.provider_id,
            dialog,
            model: String::new(),
            running,
        };
        ComponentParts { model, widgets: () }
    }

    fn update(&mut self, message: Self::Input, sender: ComponentSender<Self>, _: &Self::Root) {
        let PullDialogInput::Start = message;
        let d = &self.dialog;
        let model = d.name.text().trim().to_owned();
        if model.is_empty() || self.running.borrow().is_some() {
            return;
        }
        let cancel = CancellationToken::new();
        *self.running.borrow_mut() = Some(cancel.clone());
        d.download.set_sensitive(false);
        d.name.set_sensitive(false);
        d.message.remove_css_class("error");
        d.message.set_text(&gettext("Starting…"));
        d.progress.set_fraction(0.0);
        d.progress.set_visible(true);
        self.model.clone_from(&model);
        let (engine, provider_id) = (self.engine.clone(), self.provider_id.clone());
        sender.command(move |out, shutdown| {
            shutdown
                .register(run_pull(engine, provider_id, model, cancel, out))
                .drop_on_shutdown()
        });
    }

    fn update_cmd(
        &mut self,
        report: PullReport,
        sender: ComponentSender<Self>,
        window: &Self::Root,
    ) {
        let d = &self.dialog;
        match report {
            PullReport::Step(step) => show_step(&d.progress, &d.message, &step),
            PullReport::Done => {
                self.running.borrow_mut().take();
                let _ = sender.output(PullDialogOutput::Downloaded(self.model.clone()));
                window.close();
            }
            PullReport::Failed(message) => {
                self.running.borrow_mut().take();
                d.progress.set_visible(false);
                d.message.set_text(&message);
                d.message.add_css_class("error");
                d.download.set_sensitive(true);
                d.name.set_sensitive(true);
            }
        }
    }
}

/// Builds the widgets into `window` (not yet shown).
fn build(window: adw::Window, provider_name: &str) -> Dialog {
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
    }
}

/// Pulls `model` and reports each step to `tx` (the command's sender).
async fn run_pull(
    engine: Engine,
    provider_id: String,
    model: String,
    cancel: CancellationToken,
    tx: relm4::Sender<PullReport>,
) {
    let mut stream = match engine
        .providers()
        .pull_model(&provider_id, &model, cancel)
        .await
    {
        Ok(stream) => stream,
        Err(e) => {
            let _ = tx.send(PullReport::Failed(e.user_message()));
            return;
        }
    };
    while let Some(item) = stream.next().await {
        match item {
            Ok(step) if step.is_success() => {
                let _ = tx.send(PullReport::Done);
                return;
            }
            Ok(step) => {
                if tx.send(PullReport::Step(step)).is_err() {
                    return; // the dialog is gone
                }
            }
            Err(e) => {
                let error = valechat_core::chat::EngineError::from(e);
                let _ = tx.send(PullReport::Failed(error.user_message()));
                return;
            }
        }
    }
    let _ = tx.send(PullReport::Failed(gettext(
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
