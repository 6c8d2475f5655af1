//! Integration tests of the MCP client core against real servers installed
//! by `tests/mcp/install-peers.sh` (server-everything, mcp-server-time),
//! the fault servers in `tests/mcp/faults/` and in-test rmcp servers over
//! WebSocket (the 2026-07-28 `input_required` one in `mcp/mrtr_server.rs`).
//! Missing peers fail the tests with a message naming the install script.
//!
//! `chat`, `chat_faults` and `prompts` run chat turns through the engine
//! with MCP tools, prompts and resources (the local provider test server of
//! `tests/support/`); `oauth` signs in to an OAuth-protected server
//! (`mcp/oauth/server.rs`); `sandbox` runs stdio servers in Bubblewrap (the
//! probe server `mcp/sandbox/probe.py`) and `sandbox_defaults` checks what a
//! new server gets; `lifetime` checks that servers die with a SIGKILLed
//! `valechat`; `environment` checks what reaches a
//! server's environment and that no secret reaches a command line.

mod support;

#[path = "mcp/chat.rs"]
mod chat;
#[path = "mcp/chat_faults.rs"]
mod chat_faults;
#[path = "mcp/client_features.rs"]
mod client_features;
#[path = "mcp/common.rs"]
mod common;
#[path = "mcp/elicitation.rs"]
mod elicitation;
#[path = "mcp/environment.rs"]
mod environment;
#[path = "mcp/everything.rs"]
mod everything;
#[path = "mcp/faults.rs"]
mod faults;
#[path = "mcp/input_required.rs"]
mod input_required;
#[path = "mcp/lifetime.rs"]
mod lifetime;
#[path = "mcp/mrtr_server.rs"]
mod mrtr_server;
#[path = "mcp/oauth.rs"]
mod oauth;
#[path = "mcp/prompts.rs"]
mod prompts;
#[path = "mcp/redirects.rs"]
mod redirects;
#[path = "mcp/registry.rs"]
mod registry;
#[path = "mcp/remote_bounds.rs"]
mod remote_bounds;
#[path = "mcp/roots.rs"]
mod roots;
#[path = "mcp/sandbox.rs"]
mod sandbox;
#[path = "mcp/sandbox_defaults.rs"]
mod sandbox_defaults;
#[path = "mcp/websocket.rs"]
mod websocket;
