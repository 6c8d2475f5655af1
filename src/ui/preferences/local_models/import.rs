//! Import Model File…: a native open dialog (portal-aware
//! `gtk::FileChooserNative`) for `.gguf` files, with a choice between
//! copying the file into ValeChat's models folder and using it where it
//! is. The page destroys the dialog as soon as it answers (no hidden
//! window: see `ui/a11y.rs`).

use std::path::PathBuf;

use gettextrs::gettext;
use relm4::gtk;
use relm4::gtk::prelude::*;

use valechat_core::local::library::ImportMode;

/// The choice's id and its options' ids.
const CHOICE: &str = "mode";
const COPY: &str = "copy";
const REFERENCE: &str = "reference";

/// Opens the dialog over `parent`; `answered` gets the file and the mode
/// chosen, or `None` when the dialog was cancelled or closed.
pub fn ask(
    parent: Option<&gtk::Window>,
    answered: impl Fn(Option<(PathBuf, ImportMode)>) + 'static,
) -> gtk::FileChooserNative {
    let dialog = gtk::FileChooserNative::new(
        Some(&gettext("Import Model File")),
        parent,
        gtk::FileChooserAction::Open,
        Some(&gettext("_Import")),
        Some(&gettext("_Cancel")),
    );
    dialog.set_modal(true);
    let gguf = gtk::FileFilter::new();
    gguf.set_name(Some(&gettext("GGUF models")));
    gguf.add_suffix("gguf");
    dialog.add_filter(&gguf);
    let any = gtk::FileFilter::new();
    any.set_name(Some(&gettext("All Files")));
    any.add_pattern("*");
    dialog.add_filter(&any);
    // Copy first: GTK 4.8's fallback dialog shows the first option.
    let copy = gettext("Copy into ValeChat's models folder");
    let reference = gettext("Use the file where it is");
    dialog.add_choice(
        CHOICE,
        gettext("Import"),
        &[(COPY, copy.as_str()), (REFERENCE, reference.as_str())],
    );
    dialog.set_choice(CHOICE, COPY);
    dialog.connect_response(move |dialog, response| {
        let chosen = (response == gtk::ResponseType::Accept)
            .then(|| dialog.file().and_then(|f| f.path()))
            .flatten()
            .map(|path| {
                let mode = match dialog.choice(CHOICE).as_deref() {
                    Some(REFERENCE) => ImportMode::Reference,
                    _ => ImportMode::Copy,
                };
                (path, mode)
            });
        answered(chosen);
    });
    dialog.show();
    dialog
}
