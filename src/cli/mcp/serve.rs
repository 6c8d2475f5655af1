//! `valechat mcp serve [--read-only] [--http ADDRESS --no-auth]`: ValeChat's
//! providers as an MCP server ([`crate::serve::mcp`]), over stdio (for a
//! client's configuration) or streamable HTTP at `/mcp`.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Args;
use tokio_util::sync::CancellationToken;

use crate::serve::mcp::{McpServer, ServeOptions, http, serve_stdio};
use valechat_core::chat::Engine;

/// Arguments of `mcp serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Serve only list_models, get_usage and the resources (nothing that
    /// spends).
    #[arg(long)]
    pub read_only: bool,
    /// Serve over streamable HTTP at http://ADDRESS/mcp instead of stdio
    /// (e.g. 127.0.0.1:8766).
    #[arg(long, value_name = "ADDRESS")]
    pub http: Option<SocketAddr>,
    /// Serve HTTP without the API token (loopback addresses only).
    #[arg(long, requires = "http")]
    pub no_auth: bool,
}

/// Runs `mcp serve` until the client disconnects (stdio) or Ctrl+C (HTTP).
///
/// # Errors
/// `--http` without `--no-auth`, or `--no-auth` on an address that is not
/// loopback; the transport's errors.
pub async fn run(engine: &Engine, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let options = ServeOptions {
        read_only: args.read_only,
        database: valechat_core::paths::database_path().ok(),
    };
    let server = McpServer::new(engine.clone(), options);
    let Some(address) = args.http else {
        serve_stdio(server).await?;
        return Ok(ExitCode::SUCCESS);
    };
    if !args.no_auth {
        anyhow::bail!(
            "--http needs the API token, which this build cannot check yet: add --no-auth to serve on a loopback address without it"
        );
    }
    if !address.ip().is_loopback() {
        anyhow::bail!(
            "--no-auth is allowed on a loopback address only (127.0.0.1, ::1), not {}",
            address.ip()
        );
    }
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        stop.cancel();
    });
    http::serve(server, address, cancel, |bound| {
        eprintln!(
            "valechat: serving MCP WITHOUT authentication at http://{bound}{} (loopback only); stop with Ctrl+C",
            http::MCP_PATH
        );
    })
    .await?;
    Ok(ExitCode::SUCCESS)
}
