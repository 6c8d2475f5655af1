//! `valechat serve [--address A] [--port P] [--allow-remote]
//! [--requests-per-minute N]`: the local API server in the foreground until
//! Ctrl+C or SIGTERM; `valechat serve token [--regenerate]` prints the
//! bearer token clients must send.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use gettextrs::gettext;
use tokio_util::sync::CancellationToken;
use valechat_core::chat::Engine;
use valechat_core::mcp::RootsSource;

use crate::i18n::gettext_f;
use crate::serve::{auth, http};

/// Arguments of `serve`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ServeArgs {
    /// `token`: print (or regenerate) the API token instead of serving.
    #[command(subcommand)]
    pub command: Option<ServeCommand>,
    /// Address to listen on; another than loopback needs --allow-remote.
    #[arg(long, default_value = "127.0.0.1")]
    pub address: IpAddr,
    /// Port to listen on (0: any free port, printed at start).
    #[arg(long, default_value_t = http::DEFAULT_PORT)]
    pub port: u16,
    /// Allow an address other than loopback: anyone who reaches it with the
    /// token can spend on your providers.
    #[arg(long)]
    pub allow_remote: bool,
    /// Requests a minute per token.
    #[arg(long, default_value_t = http::DEFAULT_REQUESTS_PER_MINUTE)]
    pub requests_per_minute: NonZeroU32,
    /// Offer no MCP tools to the WebSocket stream's turns (by default the
    /// enabled MCP servers are started, and each call waits for the
    /// client's approval).
    #[arg(long)]
    pub no_tools: bool,
}

/// Subcommands of `serve`.
#[derive(Debug, Subcommand)]
pub enum ServeCommand {
    /// Print the bearer token of the API (made on first use, kept in the keyring).
    Token {
        /// Make a new token first; clients with the old one are refused.
        #[arg(long)]
        regenerate: bool,
    },
}

/// Runs `serve`.
pub async fn run(engine: &Engine, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let keys = engine.providers().keys().as_ref();
    if let Some(ServeCommand::Token { regenerate }) = args.command {
        let token = if regenerate {
            auth::regenerate(keys).await?
        } else {
            auth::token(keys).await?
        };
        println!("{token}");
        return Ok(ExitCode::SUCCESS);
    }
    let config = http::ServeConfig {
        address: args.address,
        port: args.port,
        allow_remote: args.allow_remote,
        requests_per_minute: args.requests_per_minute,
    };
    // The enabled MCP servers' tools, for turns of the WebSocket stream:
    // every call is put to the client that follows the turn (the fixed
    // denial here is never asked: the stream gives each turn its own
    // approver). MCP servers see no workspace folders from here.
    let (engine, servers) = if args.no_tools {
        (engine.clone(), None)
    } else {
        crate::cli::chat::tools::with_tools(
            engine,
            crate::cli::chat::tools::ToolPolicy::DenyAll,
            RootsSource::new(Vec::new()),
        )
        .await?
    };
    let shutdown = CancellationToken::new();
    let server = http::start(engine.clone(), config, shutdown.clone()).await?;
    let address = server.address().to_string();
    if !server.address().ip().is_loopback() {
        eprintln!(
            "{}",
            gettext_f(
                "Warning: serving on {address}, reachable from other computers; anyone with the token can spend on your providers.",
                &[("address", &address)],
            )
        );
    }
    println!(
        "{}",
        gettext_f(
            "Serving the OpenAI-compatible API at http://{address}/v1",
            &[("address", &address)],
        )
    );
    println!(
        "{}",
        gettext("Clients need the token that `valechat serve token` prints. Stop with Ctrl+C.")
    );
    wait_for_stop_signal().await?;
    shutdown.cancel();
    let stopped = server.wait().await;
    if let Some(servers) = servers {
        servers.shutdown_all().await;
    }
    stopped.context("the server stopped with an error")?;
    Ok(ExitCode::SUCCESS)
}

/// Returns at Ctrl+C (SIGINT) or, on Unix, SIGTERM.
async fn wait_for_stop_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("cannot listen for SIGTERM")?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result.context("cannot listen for Ctrl+C")?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c()
        .await
        .context("cannot listen for Ctrl+C")?;
    Ok(())
}
