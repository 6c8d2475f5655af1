//! `valechat mcp serve [--read-only] [--http ADDRESS --no-auth]`: ValeChat's
//! providers as an MCP server ([`crate::serve::mcp`]), over stdio (for a
//! client's configuration) or streamable HTTP at `/mcp`.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Args;
use tokio_util::sync::CancellationToken;

use crate::i18n::gettext_f;

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
/// `--no-auth` on an address that is not loopback; the token cannot be
/// read from the keyring; the transport's errors.
pub async fn run(engine: &Engine, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let options = ServeOptions {
        read_only: args.read_only,
        database: valechat_core::paths::database_path().ok(),
        clients: None,
    };
    let server = McpServer::new(engine.clone(), options);
    let stop_alerts = CancellationToken::new();
    let _stop_alerts = stop_alerts.clone().drop_guard();
    crate::serve::alerts::notify_completion_alerts(engine, stop_alerts);
    let Some(address) = args.http else {
        serve_stdio(server).await?;
        return Ok(ExitCode::SUCCESS);
    };
    let auth = if args.no_auth {
        None
    } else {
        let token = crate::serve::auth::token(engine.providers().keys().as_ref()).await?;
        Some(crate::serve::auth::Auth::new(&token))
    };
    if auth.is_none() && !address.ip().is_loopback() {
        anyhow::bail!(gettext_f(
            "--no-auth is allowed on a loopback address only (127.0.0.1, ::1), not {address}",
            &[("address", &address.ip().to_string())],
        ));
    }
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        stop.cancel();
    });
    let protected = auth.is_some();
    http::serve(server, address, auth, cancel, |bound| {
        let url = format!("http://{bound}{}", http::MCP_PATH);
        let said = if protected {
            gettext_f(
                "Serving MCP at {url}; clients send the token that `valechat serve token` prints. Stop with Ctrl+C.",
                &[("url", &url)],
            )
        } else {
            gettext_f(
                "Serving MCP WITHOUT authentication at {url} (loopback only). Stop with Ctrl+C.",
                &[("url", &url)],
            )
        };
        eprintln!("valechat: {said}");
    })
    .await?;
    Ok(ExitCode::SUCCESS)
}
