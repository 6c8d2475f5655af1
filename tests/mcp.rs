//! Integration tests of the MCP client core against real servers installed
//! by `tests/mcp/install-peers.sh` (server-everything, mcp-server-time),
//! the fault servers in `tests/mcp/faults/` and in-test rmcp servers over
//! WebSocket (the 2026-07-28 `input_required` one in `mcp/mrtr_server.rs`).
//! Missing peers fail the tests with a message naming the install script.

#[path = "mcp/client_features.rs"]
mod client_features;
#[path = "mcp/common.rs"]
mod common;
#[path = "mcp/elicitation.rs"]
mod elicitation;
#[path = "mcp/everything.rs"]
mod everything;
#[path = "mcp/faults.rs"]
mod faults;
#[path = "mcp/input_required.rs"]
mod input_required;
#[path = "mcp/mrtr_server.rs"]
mod mrtr_server;
#[path = "mcp/registry.rs"]
mod registry;
#[path = "mcp/roots.rs"]
mod roots;
#[path = "mcp/websocket.rs"]
mod websocket;
