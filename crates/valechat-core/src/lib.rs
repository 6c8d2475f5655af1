//! `valechat-core`: ValeChat's engine, everything it does that is not drawing
//! widgets, as a library any front end drives the same way (the window, the
//! command line, and next the MCP-server mode and the WebSocket API).
//!
//! - [`model`]: the plain value types at the bottom (roles, attachments,
//!   prices, limits, server configurations…), which import nothing else;
//! - [`store`]: conversations, messages, providers, prices, usage and MCP
//!   configuration in SQLite (diesel), with embedded migrations;
//! - [`provider`]: the `ChatProvider` trait and one module per wire protocol
//!   (OpenAI-compatible, Anthropic, Gemini, Ollama), retries and breakers;
//! - [`mcp`]: the MCP client (rmcp): registry, connections, sandbox, OAuth;
//! - [`billing`] and [`ledger`]: prices, costs (USD as `rust_decimal`),
//!   spending limits and reservations;
//! - [`secrets`]: API keys in the system keyring (Secret Service, Keychain);
//! - [`chat`]: the `Engine` that puts them together and runs turns;
//! - [`format`](mod@format): money, counts and dates in the user's locale (ICU4X).
//!
//! Nothing in this crate's dependency tree is gtk4, glib, gio, cairo,
//! libadwaita, relm4 or sourceview5 (`tests/core_dependencies.rs` checks it):
//! it builds and its tests run without a display.

pub mod billing;
pub mod chat;
pub mod documents;
pub mod format;
#[doc(hidden)]
pub mod fuzzing;
pub mod i18n;
pub mod ledger;
pub mod local;
pub mod mcp;
pub mod model;
pub mod paths;
pub mod provider;
pub mod secrets;
pub mod store;
pub mod transfer;

/// This crate's version (`CARGO_PKG_VERSION`), which ValeChat announces to
/// MCP servers as its client version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
