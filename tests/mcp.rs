//! Integration tests of the MCP client core against real servers installed
//! by `tests/mcp/install-peers.sh` (server-everything, mcp-server-time) and
//! the fault servers in `tests/mcp/faults/`. Missing peers fail the tests
//! with a message naming the install script.

#[path = "mcp/client_features.rs"]
mod client_features;
#[path = "mcp/common.rs"]
mod common;
#[path = "mcp/everything.rs"]
mod everything;
#[path = "mcp/faults.rs"]
mod faults;
#[path = "mcp/registry.rs"]
mod registry;
#[path = "mcp/websocket.rs"]
mod websocket;
