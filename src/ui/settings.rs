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
use std::time::Duration;

use relm4::gtk::gio;
use relm4::gtk::gio::prelude::SettingsExt;

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
/// Key: minutes a model on this computer stays loaded without use, 0:
/// until the app quits (`u`, 0–1440; default 15).
pub const LOCAL_IDLE_UNLOAD_MINUTES: &str = "local-idle-unload-minutes";

/// The longest idle time the setting allows, in minutes (24 hours).
pub const MAX_IDLE_UNLOAD_MINUTES: u32 = 1440;

/// Minutes a model on this computer stays loaded without use (0: until
/// the app quits), from [`LOCAL_IDLE_UNLOAD_MINUTES`]; the engine's
/// default (15) without the schema.
#[must_use]
pub fn local_idle_unload_minutes() -> u32 {
    settings().map_or(15, |s| {
        s.uint(LOCAL_IDLE_UNLOAD_MINUTES)
            .min(MAX_IDLE_UNLOAD_MINUTES)
    })
}

/// Stores [`LOCAL_IDLE_UNLOAD_MINUTES`] (clamped to 0–1440); nothing
/// without the schema.
pub fn set_local_idle_unload_minutes(minutes: u32) {
    if let Some(s) = settings()
        && let Err(e) = s.set_uint(
            LOCAL_IDLE_UNLOAD_MINUTES,
            minutes.min(MAX_IDLE_UNLOAD_MINUTES),
        )
    {
        tracing::warn!("could not store the idle unload time: {e}");
    }
}

/// `minutes` as the engine's idle unload time (0: `None`, never).
#[must_use]
pub fn idle_unload_after(minutes: u32) -> Option<Duration> {
    (minutes > 0).then(|| Duration::from_secs(u64::from(minutes) * 60))
}

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
