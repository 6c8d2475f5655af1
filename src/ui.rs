//! The GTK user interface: widgets and Relm4 components.
//!
//! This is the only layer that touches gtk, adw, relm4, glib or gio
//! (DESIGN.md, Layers); it drives `crate::core` through messages.

pub mod markdown;
