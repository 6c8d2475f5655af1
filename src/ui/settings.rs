//! The app's GSettings (`data/io.github.valechat.ValeChat.gschema.xml.in`),
//! tolerant of a missing schema.
//!
//! An installed app (distribution package, Flatpak, Homebrew) always finds
//! its compiled schema. An uninstalled development run finds it only when
//! `GSETTINGS_SCHEMA_DIR` names a directory holding `gschemas.compiled`:
//! `meson devenv -C build` sets it to `build/data`, where meson compiles the
//! schema, and the UI tests do the same. Without it `gio::Settings::new`
//! would abort the process, so [`settings`] looks the schema up first and,
//! when it is missing, logs once and returns `None`: the app then runs with
//! the schema's defaults and remembers nothing.

use std::cell::OnceCell;

use relm4::gtk::gio;

use crate::config;

/// Key: main window width in logical pixels (`i`).
pub const WINDOW_WIDTH: &str = "window-width";
/// Key: main window height in logical pixels (`i`).
pub const WINDOW_HEIGHT: &str = "window-height";
/// Key: whether the main window was maximised (`b`).
pub const IS_MAXIMIZED: &str = "is-maximized";
/// Key: database id of the last open conversation, -1 for none (`x`).
pub const LAST_CONVERSATION: &str = "last-conversation";
/// Key: factor applied to the conversation text (`d`, 0.5–3.0; 1.0 = system size).
pub const FONT_SCALE: &str = "font-scale";
/// Key: `"default"` (follow the system), `"light"` or `"dark"` (`s`).
pub const COLOR_SCHEME: &str = "color-scheme";

thread_local! {
    static SETTINGS: OnceCell<Option<gio::Settings>> = const { OnceCell::new() };
}

/// The settings of schema [`config::APP_ID`], or `None` when the schema is
/// not installed (logged once, at the first call). GSettings objects belong
/// to the thread that made them: call this on the main thread.
pub fn settings() -> Option<gio::Settings> {
    SETTINGS.with(|cell| cell.get_or_init(open).clone())
}

fn open() -> Option<gio::Settings> {
    let found = gio::SettingsSchemaSource::default()
        .and_then(|source| source.lookup(config::APP_ID, true))
        .is_some();
    if found {
        Some(gio::Settings::new(config::APP_ID))
    } else {
        tracing::warn!(
            schema = config::APP_ID,
            "GSettings schema not installed; window state and preferences will not be kept \
             (for an uninstalled build run through `meson devenv -C build` or set \
             GSETTINGS_SCHEMA_DIR to build/data)"
        );
        None
    }
}
