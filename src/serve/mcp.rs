//! `valechat mcp serve`: the configured providers as an MCP server (issue 15,
//! part 1), over stdio or streamable HTTP ([`http::router`]).
//!
//! - `server`: the [`McpServer`] handler (initialize, tools, resources,
//!   subscriptions) over rmcp's server side; both protocol eras the client
//!   side speaks (2025-11-25 with `initialize`, 2026-07-28 stateless).
//! - `tools/`: one module per tool (`list_models`, `get_usage`, `generate`,
//!   `compare_models`; `request` what the last two share).
//! - `resources`: `stats://usage` and `config://providers` (never a key).
//! - `watch`: `notifications/resources/updated` for `stats://usage`.
//! - `http`: the streamable HTTP service at `/mcp`.

pub mod http;
pub mod resources;
pub mod server;
pub mod tools;
pub mod watch;

pub use server::{McpServer, ServeOptions};

/// Serves `server` over stdin/stdout until the client closes them.
///
/// # Errors
/// When the client's first messages do not open a session, or the transport
/// fails.
pub async fn serve_stdio(server: McpServer) -> anyhow::Result<()> {
    let running = rmcp::serve_server(server, rmcp::transport::stdio())
        .await
        .map_err(|e| anyhow::anyhow!("the MCP session did not start: {e}"))?;
    running.waiting().await?;
    Ok(())
}
