//! The MCP server over streamable HTTP (specification 2025-11-25,
//! "Transports"), at `/mcp`: rmcp's streamable HTTP service with stateful
//! sessions for the `initialize` era (one [`McpServer`] per session) and
//! stateless requests for 2026-07-28.
//!
//! On a loopback address, requests whose `Host` is not loopback are refused
//! (DNS rebinding). A server that serves other computers (`remote`) cannot
//! know the names it is reached by, so it accepts any `Host`: the bearer
//! token, which a rebound page does not have, is then the guard. Browser
//! requests from an origin that is not loopback are refused either way.
//! The bearer token is the caller's concern: [`router`] adds no
//! authentication.

use std::net::SocketAddr;
use std::sync::Arc;

use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use super::McpServer;

/// The path the MCP endpoint is served at.
pub const MCP_PATH: &str = "/mcp";

/// An axum router serving `server` at [`MCP_PATH`] until `cancel` fires.
/// Each session gets [`McpServer::new_session`] of `server`. `remote`: the
/// server listens for other computers too (any `Host` is accepted; put it
/// behind the token).
pub fn router(server: McpServer, cancel: CancellationToken, remote: bool) -> axum::Router {
    let config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(["localhost", "127.0.0.1", "::1", "[::1]"])
        .with_allowed_origins(["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"])
        .with_cancellation_token(cancel);
    let config = if remote {
        config.disable_allowed_hosts()
    } else {
        config
    };
    let service = StreamableHttpService::new(
        move || Ok(server.new_session()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    axum::Router::new().route_service(MCP_PATH, service)
}

/// Serves [`router`] on `address` until `cancel` fires, behind `auth`'s
/// bearer token when given; `bound` receives the address actually bound
/// (port 0 picks a free one).
///
/// # Errors
/// When the address cannot be bound, or the server fails.
pub async fn serve(
    server: McpServer,
    address: SocketAddr,
    auth: Option<crate::serve::auth::Auth>,
    cancel: CancellationToken,
    bound: impl FnOnce(SocketAddr),
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| anyhow::anyhow!("could not listen on {address}: {e}"))?;
    bound(listener.local_addr()?);
    let remote = auth.is_some() && !address.ip().is_loopback();
    let mut app = router(server, cancel.clone(), remote);
    if let Some(auth) = auth {
        app = crate::serve::auth::protect(app, auth);
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { cancel.cancelled().await })
        .await?;
    Ok(())
}
