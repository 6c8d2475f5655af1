//! The Keyboard Shortcuts window (Ctrl+?, main menu → Keyboard Shortcuts).
//!
//! Its definition (`resources/shortcuts.ui`) names actions; the keys shown
//! for them are the application's accelerators, read when the window opens,
//! so the window and the keys that work cannot drift apart. GTK fills them
//! in only for the help overlay GtkApplication keeps hidden for every main
//! window, which this app does not use (see [`crate::ui::a11y`]).

use relm4::gtk::prelude::*;
use relm4::{adw, gtk};

/// Path of the window's definition (`resources/shortcuts.ui`) in the app's
/// resources. Not GtkApplication's `gtk/help-overlay.ui`: GtkApplication
/// would build that window for every main window and keep it hidden.
const SHORTCUTS: &str = "/io/github/valechat/ValeChat/shortcuts.ui";

/// Opens a new Keyboard Shortcuts window over `root`, each action's
/// shortcut showing the application's accelerators for it; the window is
/// destroyed when closed.
pub fn show(root: &adw::ApplicationWindow) {
    // `Builder::from_resource` would abort the process on a missing file.
    let builder = gtk::Builder::new();
    if let Err(e) = builder.add_from_resource(SHORTCUTS) {
        tracing::warn!("no Keyboard Shortcuts window: {e}");
        return;
    }
    let Some(window) = builder.object::<gtk::ShortcutsWindow>("help_overlay") else {
        tracing::warn!("{SHORTCUTS} defines no help_overlay window");
        return;
    };
    if let Some(app) = root.application() {
        for shortcut in builder
            .objects()
            .into_iter()
            .filter_map(|o| o.downcast::<gtk::ShortcutsShortcut>().ok())
        {
            show_accelerators(&app, &shortcut);
        }
    }
    window.set_hide_on_close(false);
    window.set_transient_for(Some(root));
    window.set_modal(true);
    window.present();
}

/// Gives `shortcut`, if it names an action, the accelerators `app` has for
/// that action (GtkShortcutsShortcut's `accelerator` takes them separated
/// by spaces); an action without one keeps what the definition says.
fn show_accelerators(app: &gtk::Application, shortcut: &gtk::ShortcutsShortcut) {
    let Some(action) = shortcut.property::<Option<String>>("action-name") else {
        return;
    };
    let accels = app.accels_for_action(&action);
    if accels.is_empty() {
        tracing::warn!("the Keyboard Shortcuts window lists {action}, which has no accelerator");
        return;
    }
    let joined = accels
        .iter()
        .map(gtk::glib::GString::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    shortcut.set_property("accelerator", joined);
}
