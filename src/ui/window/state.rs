//! The window's size, maximised state and last conversation,
//! kept in GSettings ([`crate::ui::settings`]) and restored at start-up.
//!
//! Geometry is written when the window closes and when the app quits (Ctrl+Q
//! and SIGTERM quit without a close request); the last conversation is
//! written whenever another one is opened. Without the schema nothing is
//! read or written.

use relm4::adw;
use relm4::gtk;
use relm4::gtk::prelude::*;

use crate::ui::settings::{IS_MAXIMIZED, LAST_CONVERSATION, WINDOW_HEIGHT, WINDOW_WIDTH, settings};

/// Smallest size restored, so a corrupt value cannot hide the window.
const MIN_WIDTH: i32 = 360;
const MIN_HEIGHT: i32 = 300;

/// Applies the stored size and maximised state to `window` (before it is
/// shown).
pub fn restore(window: &adw::ApplicationWindow) {
    let Some(settings) = settings() else {
        return;
    };
    let width = settings.int(WINDOW_WIDTH).max(MIN_WIDTH);
    let height = settings.int(WINDOW_HEIGHT).max(MIN_HEIGHT);
    window.set_default_size(width, height);
    if settings.boolean(IS_MAXIMIZED) {
        window.maximize();
    }
}

/// Stores the size (the unmaximised one) and maximised state.
pub fn save_geometry(window: &adw::ApplicationWindow) {
    let Some(settings) = settings() else {
        return;
    };
    let (width, height) = window.default_size();
    let maximized = window.is_maximized();
    let mut results = vec![settings.set_boolean(IS_MAXIMIZED, maximized)];
    if !maximized && width > 0 && height > 0 {
        results.push(settings.set_int(WINDOW_WIDTH, width));
        results.push(settings.set_int(WINDOW_HEIGHT, height));
    }
    for result in results {
        if let Err(e) = result {
            tracing::warn!("could not store the window state: {e}");
        }
    }
    gtk::gio::Settings::sync();
}

/// The conversation open when the window last closed, if any.
pub fn last_conversation() -> Option<i64> {
    settings()
        .map(|s| s.int64(LAST_CONVERSATION))
        .filter(|id| *id >= 0)
}

/// Remembers conversation `id` (`None`: a new, unsaved one) as the open one.
pub fn set_last_conversation(id: Option<i64>) {
    let Some(settings) = settings() else {
        return;
    };
    if let Err(e) = settings.set_int64(LAST_CONVERSATION, id.unwrap_or(-1)) {
        tracing::warn!("could not store the last conversation: {e}");
    }
}
