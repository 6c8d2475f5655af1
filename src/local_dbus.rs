//! The running window's models on this computer over D-Bus: the models its
//! engine keeps loaded, and unloading one (`valechat models loaded|unload`).
//!
//! A CLI process has its own runner, so it asks the window's. The window
//! exports [`INTERFACE`] at [`object_path`] (the app id as a path) on its
//! GApplication's session-bus connection ([`export`]) once its engine is
//! ready; the CLI calls it ([`list_loaded`], [`unload`]) without
//! auto-starting ValeChat.
//!
//! ```text
//! ListLoaded() → a(ssttuutt)   id, GGUF path, memory bytes (weights + KV
//!                              cache), weights bytes, context length
//!                              (tokens), GPU layers, loaded at and last
//!                              used (Unix milliseconds; 0: not used since
//!                              it was loaded), sorted by id
//! Unload(s id)                 errors: …Error.NotLoaded, …Error.NotInThisBuild,
//!                              …Error.Failed
//! ```

pub mod export;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use gtk::gio;
use gtk::glib;
use gtk::glib::prelude::ToVariant;
use relm4::gtk;

use crate::config;

/// The interface's name.
pub const INTERFACE: &str = "io.github.valechat.ValeChat.LocalModels";

/// D-Bus error names the interface returns.
pub mod errors {
    /// The model is not loaded in the window's runner.
    pub const NOT_LOADED: &str = "io.github.valechat.ValeChat.LocalModels.Error.NotLoaded";
    /// The running ValeChat was built without models on this computer.
    pub const NOT_IN_THIS_BUILD: &str =
        "io.github.valechat.ValeChat.LocalModels.Error.NotInThisBuild";
    /// Anything else (the runner failed).
    pub const FAILED: &str = "io.github.valechat.ValeChat.LocalModels.Error.Failed";
}

/// The introspection data registered with the object.
pub const INTROSPECTION: &str = r#"<node>
  <interface name="io.github.valechat.ValeChat.LocalModels">
    <method name="ListLoaded">
      <arg type="a(ssttuutt)" name="models" direction="out"/>
    </method>
    <method name="Unload">
      <arg type="s" name="id" direction="in"/>
    </method>
  </interface>
</node>"#;

/// The object path: the app id with dots as slashes
/// (`/io/github/valechat/ValeChat`, `…/ValeChat/Devel` in development).
#[must_use]
pub fn object_path() -> String {
    format!("/{}", config::APP_ID.replace('.', "/"))
}

/// The D-Bus struct of one loaded model, `(ssttuutt)`.
pub type Wire = (String, String, u64, u64, u32, u32, u64, u64);

/// One loaded model as the interface carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedRow {
    /// The model id (the library's, its file's name; or a GGUF path).
    pub id: String,
    /// The GGUF file.
    pub path: String,
    /// Weights plus KV cache, bytes.
    pub memory_bytes: u64,
    /// Weights, bytes.
    pub weights_bytes: u64,
    /// Context length, tokens.
    pub context_length: u32,
    /// Layers offloaded to the GPU.
    pub gpu_layers: u32,
    /// When it was loaded, Unix milliseconds.
    pub loaded_at_ms: u64,
    /// When it was last used, Unix milliseconds; `None`: not since loaded.
    pub last_used_ms: Option<u64>,
}

/// `time` as Unix milliseconds (0 before 1970).
#[must_use]
pub fn unix_ms(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Unix milliseconds as a time.
#[must_use]
pub fn from_unix_ms(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms)
}

impl LoadedRow {
    /// The D-Bus struct `(ssttuutt)`.
    #[must_use]
    pub fn to_tuple(&self) -> Wire {
        (
            self.id.clone(),
            self.path.clone(),
            self.memory_bytes,
            self.weights_bytes,
            self.context_length,
            self.gpu_layers,
            self.loaded_at_ms,
            self.last_used_ms.unwrap_or(0),
        )
    }

    fn from_tuple(t: Wire) -> Self {
        Self {
            id: t.0,
            path: t.1,
            memory_bytes: t.2,
            weights_bytes: t.3,
            context_length: t.4,
            gpu_layers: t.5,
            loaded_at_ms: t.6,
            last_used_ms: (t.7 != 0).then_some(t.7),
        }
    }
}

/// Why the running window could not answer.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// No ValeChat window runs on this session bus.
    #[error("ValeChat is not running")]
    NotRunning,
    /// ValeChat runs but exports no loaded models (still starting, or a
    /// version without this interface).
    #[error(
        "ValeChat is running but does not share its loaded models (it may still be starting): try again"
    )]
    NotExported,
    /// The model is not loaded in the window (its message).
    #[error("{0}")]
    NotLoaded(String),
    /// Any other failure (its message).
    #[error("{0}")]
    Failed(String),
}

fn call(
    method: &str,
    args: Option<&glib::Variant>,
    reply: &str,
) -> Result<glib::Variant, CallError> {
    let Ok(bus) = gio::bus_get_sync(gio::BusType::Session, gio::Cancellable::NONE) else {
        // No session bus: no window can be running on it.
        return Err(CallError::NotRunning);
    };
    let reply_type = glib::VariantTy::new(reply).map_err(|e| CallError::Failed(e.to_string()))?;
    bus.call_sync(
        Some(config::APP_ID),
        &object_path(),
        INTERFACE,
        method,
        args,
        Some(reply_type),
        gio::DBusCallFlags::NO_AUTO_START,
        30_000,
        gio::Cancellable::NONE,
    )
    .map_err(|mut e| {
        let name = gio::DBusError::remote_error(&e).map(|n| n.to_string());
        gio::DBusError::strip_remote_error(&mut e);
        let message = e.message().to_owned();
        match name.as_deref() {
            Some(
                "org.freedesktop.DBus.Error.ServiceUnknown"
                | "org.freedesktop.DBus.Error.NameHasNoOwner",
            ) => CallError::NotRunning,
            Some(
                "org.freedesktop.DBus.Error.UnknownObject"
                | "org.freedesktop.DBus.Error.UnknownInterface"
                | "org.freedesktop.DBus.Error.UnknownMethod",
            ) => CallError::NotExported,
            Some(errors::NOT_LOADED) => CallError::NotLoaded(message),
            _ => CallError::Failed(message),
        }
    })
}

/// The models loaded in the running window's engine, sorted by id.
///
/// # Errors
/// [`CallError::NotRunning`] when no window runs; the others as named.
pub fn list_loaded() -> Result<Vec<LoadedRow>, CallError> {
    let reply = call("ListLoaded", None, "(a(ssttuutt))")?;
    let (rows,): (Vec<Wire>,) = reply
        .get()
        .ok_or_else(|| CallError::Failed(format!("an unreadable reply: {reply}")))?;
    Ok(rows.into_iter().map(LoadedRow::from_tuple).collect())
}

/// Unloads model `id` in the running window's engine.
///
/// # Errors
/// [`CallError::NotRunning`]; [`CallError::NotLoaded`] when the window has
/// not loaded it; the others as named.
pub fn unload(id: &str) -> Result<(), CallError> {
    let args = (id.to_owned(),).to_variant();
    call("Unload", Some(&args), "()").map(|_| ())
}
