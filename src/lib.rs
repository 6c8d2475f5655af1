//! ValeChat: a native GNOME chat app for many AI models.

pub mod core;
pub mod ui;

/// Entry point used by `main.rs`.
pub fn run() {}
