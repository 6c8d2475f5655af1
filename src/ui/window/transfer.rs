//! The window's side of export and import ([`crate::ui::transfer`]): it
//! keeps the file chooser and the Import Conversations window alive while
//! they are open, runs exports as commands and reads the conversation list
//! again after an import.

use relm4::gtk::prelude::*;
use relm4::prelude::*;
use relm4::{adw, gtk};

use super::{Window, WindowCommand, WindowInput};
use crate::ui::transfer::export::{self, Scope};
use crate::ui::transfer::import::{self, ImportInit, ImportOutput, ImportWindow};

/// The open file chooser and Import window, if any.
#[derive(Default)]
pub struct Transfers {
    /// The save or open dialog being answered (a native dialog is dropped
    /// if nothing holds it).
    chooser: Option<gtk::FileChooserNative>,
    /// The last Import Conversations window (destroyed when closed).
    import: Option<Controller<ImportWindow>>,
}

impl std::fmt::Debug for Transfers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transfers").finish_non_exhaustive()
    }
}

impl Transfers {
    /// Keeps `dialog` alive until it answers, then has the window drop it.
    fn keep(&mut self, dialog: gtk::FileChooserNative, sender: &ComponentSender<Window>) {
        let input = sender.input_sender().clone();
        dialog.connect_response(move |_, _| input.emit(WindowInput::ChooserClosed));
        self.chooser = Some(dialog);
    }

    /// Drops the answered file chooser, and with it GTK's hidden dialog.
    pub(super) fn forget_chooser(&mut self) {
        if let Some(dialog) = self.chooser.take() {
            dialog.destroy();
        }
    }
}

impl Window {
    /// Export… or Export All…: the save dialog, then the export as a
    /// command whose sentence becomes a toast.
    pub(super) fn ask_export(
        &mut self,
        scope: Scope,
        sender: &ComponentSender<Self>,
        root: &adw::ApplicationWindow,
    ) {
        let Some(store) = self.engine.as_ref().map(|e| e.store().clone()) else {
            return;
        };
        let commands = sender.clone();
        let dialog = export::ask(root, scope.clone(), move |path, format| {
            let (store, scope) = (store.clone(), scope.clone());
            commands.oneshot_command(async move {
                let sentence = match export::run(store, scope, format, path).await {
                    Ok(done) => done,
                    Err(reason) => export::failed_sentence(&reason),
                };
                WindowCommand::Exported(sentence)
            });
        });
        self.transfer.keep(dialog, sender);
    }

    /// Import Conversations…: the open dialog, then the Import window for
    /// the file chosen.
    pub(super) fn ask_import(
        &mut self,
        sender: &ComponentSender<Self>,
        root: &adw::ApplicationWindow,
    ) {
        if self.engine.is_none() {
            return;
        }
        let input = sender.input_sender().clone();
        let dialog = import::ask(root, move |path| {
            input.emit(WindowInput::Import(path));
        });
        self.transfer.keep(dialog, sender);
    }

    /// Opens the Import Conversations window on `path` and starts it.
    pub(super) fn start_import(
        &mut self,
        path: std::path::PathBuf,
        sender: &ComponentSender<Self>,
        root: &adw::ApplicationWindow,
    ) {
        let Some(store) = self.engine.as_ref().map(|e| e.store().clone()) else {
            return;
        };
        let init = ImportInit {
            parent: Some(root.clone().upcast()),
            store,
            path,
        };
        let window = ImportWindow::builder()
            .launch(init)
            .forward(sender.input_sender(), |ImportOutput::Imported| {
                WindowInput::Imported
            });
        self.transfer.import = Some(window);
    }
}
