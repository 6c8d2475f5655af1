//! ValeChat: a native GNOME chat app for many AI models.

pub mod config;
pub mod core;
pub mod i18n;

/// Entry point used by `main.rs`.
pub fn run() {}
