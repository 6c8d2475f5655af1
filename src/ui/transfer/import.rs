//! Import Conversations…: a native open dialog, then a small modal window
//! that imports the file with a progress bar and ends with the summary.
//!
//! ```text
//! adw::Window "Import Conversations" (modal)
//! ├─ adw::HeaderBar: Cancel … Done (once finished)
//! └─ gtk::Stack
//!    ├─ "progress": file name, gtk::ProgressBar, "120 conversations · 45 MB of 200 MB"
//!    └─ "summary": adw::StatusPage (the headline: "412 conversations,
//!       9,133 messages imported; 2 skipped:") and one row per detail
//!       (each skipped conversation and why, those imported before…)
//! ```
//!
//! [`ImportWindow`] is a component: the import is one command
//! ([`valechat_core::transfer::import_file`]) whose progress comes back as
//! command messages. Closing the window (Cancel, Escape, the close button)
//! destroys it and stops the import after the conversation being written
//! (each conversation is written whole or not at all). When anything was
//! written it tells the window ([`ImportOutput::Imported`]), which reads
//! the conversation list again.

mod widgets;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::prelude::*;
use relm4::{adw, gtk};
use tokio_util::sync::CancellationToken;

use valechat_core::store::Store;
use valechat_core::transfer::{ImportProgress, ImportSummary, TransferError, import_file};

/// Opens the file chooser for Import Conversations… over `parent`;
/// `chosen` receives the file. The returned dialog must be kept alive until
/// it answers.
pub fn ask(
    parent: &impl IsA<gtk::Window>,
    chosen: impl Fn(PathBuf) + 'static,
) -> gtk::FileChooserNative {
    let dialog = gtk::FileChooserNative::new(
        Some(&gettext("Import Conversations")),
        Some(parent),
        gtk::FileChooserAction::Open,
        Some(&gettext("_Import")),
        Some(&gettext("_Cancel")),
    );
    dialog.set_modal(true);
    let json = gtk::FileFilter::new();
    json.set_name(Some(&gettext(
        "Conversation exports (ValeChat, ChatGPT, Claude, Open WebUI)",
    )));
    json.add_mime_type("application/json");
    json.add_suffix("json");
    dialog.add_filter(&json);
    let any = gtk::FileFilter::new();
    any.set_name(Some(&gettext("All Files")));
    any.add_pattern("*");
    dialog.add_filter(&any);
    dialog.connect_response(move |dialog, response| {
        if response == gtk::ResponseType::Accept
            && let Some(path) = dialog.file().and_then(|f| f.path())
        {
            chosen(path);
        }
    });
    dialog.show();
    dialog
}

/// What the import reports to the window.
#[derive(Debug)]
pub enum ImportReport {
    /// After a conversation (throttled to visible changes).
    Progress(ImportProgress),
    /// The import ended with this summary.
    Finished(ImportSummary),
    /// The import stopped as a whole; the error says why and where.
    Failed(TransferError),
}

/// What the import window tells the main window.
#[derive(Debug)]
pub enum ImportOutput {
    /// Conversations were written: read the list again.
    Imported,
}

/// The Import Conversations window of one file.
pub struct ImportWindow {
    widgets: widgets::ImportWidgets,
    /// The running import's token; `None` once it ended. Shared with the
    /// window's close handler, which cancels it.
    running: Rc<RefCell<Option<CancellationToken>>>,
}

impl std::fmt::Debug for ImportWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportWindow").finish_non_exhaustive()
    }
}

/// What the window is started with.
pub struct ImportInit {
    /// The window it belongs to.
    pub parent: Option<gtk::Window>,
    /// The database to import into.
    pub store: Store,
    /// The file to import.
    pub path: PathBuf,
}

impl Component for ImportWindow {
    type CommandOutput = ImportReport;
    type Input = ();
    type Output = ImportOutput;
    type Init = ImportInit;
    type Root = adw::Window;
    type Widgets = ();

    fn init_root() -> Self::Root {
        adw::Window::builder()
            .modal(true)
            .default_width(460)
            .title(gettext("Import Conversations"))
            .build()
    }

    /// Builds the window, shows it and starts the import.
    fn init(
        init: ImportInit,
        window: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        window.set_transient_for(init.parent.as_ref());
        let file_name = display_name(&init.path);
        let widgets = widgets::build(window, &file_name);
        let cancel = CancellationToken::new();
        let running = Rc::new(RefCell::new(Some(cancel.clone())));
        let token = Rc::clone(&running);
        widgets.window.connect_close_request(move |_| {
            if let Some(cancel) = token.borrow_mut().take() {
                cancel.cancel();
            }
            gtk::glib::Propagation::Proceed
        });
        widgets.window.present();
        let (store, path) = (init.store, init.path);
        sender.command(move |out, shutdown| {
            shutdown
                .register(run_import(store, path, cancel, out))
                .drop_on_shutdown()
        });
        let model = ImportWindow { widgets, running };
        ComponentParts { model, widgets: () }
    }

    fn update_cmd(&mut self, report: ImportReport, sender: ComponentSender<Self>, _: &Self::Root) {
        match report {
            ImportReport::Progress(p) => self.widgets.show_progress(&p),
            ImportReport::Finished(summary) => {
                self.running.borrow_mut().take();
                if summary.conversations > 0 || summary.usage_records > 0 {
                    let _ = sender.output(ImportOutput::Imported);
                }
                self.widgets.show_summary(&summary);
            }
            ImportReport::Failed(error) => {
                self.running.borrow_mut().take();
                if matches!(error, TransferError::Parse { imported_before, .. } if imported_before > 0)
                {
                    let _ = sender.output(ImportOutput::Imported);
                }
                self.widgets.show_failure(&error.to_string());
            }
        }
    }
}

/// The file's name as people know it.
fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Progress reports a second at most this many: the bar moves by 0.2 % steps.
const PROGRESS_STEPS: u64 = 500;

/// Imports `path` into `store`, reporting to `tx` (the command's sender),
/// until it ends or `cancel` fires.
async fn run_import(
    store: Store,
    path: PathBuf,
    cancel: CancellationToken,
    tx: relm4::Sender<ImportReport>,
) {
    let mut last_step = None;
    let progress_tx = tx.clone();
    let import = import_file(&store, &path, move |p: ImportProgress| {
        let step = p.bytes_read * PROGRESS_STEPS / p.total_bytes.max(1);
        if last_step != Some(step) {
            last_step = Some(step);
            let _ = progress_tx.send(ImportReport::Progress(p));
        }
    });
    let report = tokio::select! {
        result = import => match result {
            Ok(summary) => ImportReport::Finished(summary),
            Err(error) => ImportReport::Failed(error),
        },
        () = cancel.cancelled() => return,
    };
    let _ = tx.send(report);
}
