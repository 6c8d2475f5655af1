//! The command line: `valechat providers|chat|assistants|compare|history|folders|library|usage|limits|prices|mcp|models|serve …`, a thin layer over
//! [`valechat_core`] sharing the GUI's database and keyring.
//!
//! Exit status: 0 on success, 1 on an error (printed to stderr as
//! `valechat: …`), 2 on a usage error (clap), 130 when a reply is
//! interrupted with Ctrl+C.

mod assistants;
mod chat;
mod compare;
mod elicitation;
mod folders;
mod history;
mod library;
mod limits;
mod mcp;
mod models;
pub mod notify;
mod prices;
mod providers;
mod secret_input;
mod serve;
mod usage;

use std::ffi::OsString;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use valechat_core::chat::Engine;
use valechat_core::paths;
use valechat_core::secrets::{KeyStore, LazyKeyStore};
use valechat_core::store::Store;

/// Command-line interface of ValeChat.
#[derive(Debug, Parser)]
#[command(name = "valechat", version = crate::config::VERSION, about = "Chat with many AI models from GNOME or the terminal")]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Manage providers (model servers).
    #[command(subcommand)]
    Providers(providers::ProvidersCommand),
    /// Send one prompt and stream the reply to stdout.
    Chat(chat::ChatArgs),
    /// Manage assistants (saved system prompt, model, parameters and MCP servers).
    #[command(subcommand)]
    Assistants(assistants::AssistantsCommand),
    /// Send one prompt to 2–6 models at once and compare their replies.
    Compare(compare::CompareArgs),
    /// Read and organise stored conversations.
    #[command(subcommand)]
    History(history::HistoryCommand),
    /// Manage folders of conversations (`history move` files them).
    #[command(subcommand)]
    Folders(folders::FoldersCommand),
    /// Manage knowledge libraries: files and folders indexed for search.
    #[command(subcommand)]
    Library(library::LibraryCommand),
    /// Show what was spent (local calendar dates).
    Usage(usage::UsageArgs),
    /// Manage spending limits.
    #[command(subcommand)]
    Limits(limits::LimitsCommand),
    /// Manage model prices (USD per million tokens).
    #[command(subcommand)]
    Prices(prices::PricesCommand),
    /// Manage MCP servers and use their tools, resources and prompts.
    #[command(subcommand)]
    Mcp(mcp::McpCommand),
    /// Manage the models on this computer (GGUF files): list, import,
    /// download, remove, info.
    #[command(subcommand)]
    Models(models::ModelsCommand),
    /// Serve the OpenAI-compatible API on this computer (`serve token` prints
    /// the token clients need).
    Serve(serve::ServeArgs),
}

const SUBCOMMANDS: &[&str] = &[
    "providers",
    "chat",
    "assistants",
    "compare",
    "history",
    "folders",
    "library",
    "usage",
    "limits",
    "prices",
    "mcp",
    "models",
    "serve",
    "help",
    "--help",
    "-h",
    "--version",
    "-V",
];

/// Whether the process arguments ask for the CLI rather than the window.
pub fn wants_cli(args: &[OsString]) -> bool {
    args.get(1)
        .and_then(|a| a.to_str())
        .is_some_and(|a| SUBCOMMANDS.contains(&a))
}

/// Parses `args` and runs the command on a fresh tokio runtime.
pub fn run(args: Vec<OsString>) -> ExitCode {
    exit_quietly_on_broken_pipe();
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    // MCP servers a ValeChat that is gone left behind (see
    // `valechat_core::mcp::process::owners`).
    valechat_core::mcp::process::owners::sweep_once();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("valechat: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli.command)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("valechat: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Exit status of a command whose reader went away (`valechat … | head`):
/// what a shell reports for a process killed by SIGPIPE (128 + 13).
pub const BROKEN_PIPE_STATUS: i32 = 141;

/// `valechat usage | head` closes stdout early. Rust ignores SIGPIPE, and
/// ValeChat keeps it ignored (a dead MCP server's stdin pipe must give an
/// error, not kill the process), so printing gets `EPIPE` and `println!`
/// panics. This hook turns that one panic into a quiet exit with
/// [`BROKEN_PIPE_STATUS`]; every other panic goes to the default hook.
/// Commands that write with `write!` (`chat`, `usage`) see the error
/// themselves.
fn exit_quietly_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        // The OS text is translated; the number is not. EPIPE is 32 on
        // Linux and macOS.
        if message.starts_with("failed printing to stdout") && message.ends_with("(os error 32)") {
            std::process::exit(BROKEN_PIPE_STATUS);
        }
        default(info);
    }));
}

async fn dispatch(command: Command) -> anyhow::Result<ExitCode> {
    // The conformance client touches neither the database nor the keyring.
    if let Command::Mcp(mcp::McpCommand::ConformanceClient { url }) = &command {
        return mcp::conformance::run(url).await;
    }
    let engine = open_engine().await?;
    match command {
        Command::Providers(c) => providers::run(&engine, c).await,
        Command::Chat(args) => chat::run(&engine, args).await,
        Command::Assistants(c) => assistants::run(&engine, c).await,
        Command::Compare(args) => compare::run(&engine, args).await,
        Command::History(c) => history::run(&engine, c).await,
        Command::Folders(c) => folders::run(&engine, c).await,
        Command::Library(c) => library::run(&engine, c).await,
        Command::Usage(args) => usage::run(&engine, args).await,
        Command::Limits(c) => limits::run(&engine, c).await,
        Command::Prices(c) => prices::run(&engine, c).await,
        Command::Mcp(c) => mcp::run(&engine, c).await,
        Command::Models(c) => models::run(&engine, c).await,
        Command::Serve(args) => serve::run(&engine, args).await,
    }
}

/// Opens the user's database; the keyring is reached only when a command
/// needs a key, so a missing one fails only those commands.
async fn open_engine() -> anyhow::Result<Engine> {
    let path = paths::database_path()?;
    let store = Store::open(&path)
        .await
        .map_err(|e| anyhow::anyhow!("could not open the database {}: {e}", path.display()))?;
    let keys: Arc<dyn KeyStore> = Arc::new(LazyKeyStore::new());
    let engine = crate::offer_local_models(Engine::new(store, keys)).await?;
    // Replies a killed ValeChat left streaming become estimated usage.
    if let Err(e) = engine.settle_interrupted().await {
        tracing::warn!("could not record interrupted requests: {e}");
    }
    Ok(engine)
}
