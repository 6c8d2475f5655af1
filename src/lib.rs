//! ValeChat: a native GNOME chat app for many AI models.

pub mod core;

/// Entry point used by `main.rs`.
pub fn run() {}
