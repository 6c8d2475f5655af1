//! `valechat mcp list|add|remove|enable|disable|import|tools|call|resources|read|prompts|serve`
//! (and the hidden `conformance-client`, in `mcp/conformance.rs`):
//! MCP servers from the terminal, over the same core as the GUI
//! ([`valechat_core::mcp`]).
//!
//! Servers are named by id or by display name (case-insensitive).
//! Configuration commands live in `mcp/manage.rs`, `import` in
//! `mcp/import.rs`, the commands that talk to a server (each connects,
//! runs one request and shuts the server down) in `mcp/inspect.rs`,
//! `serve` (ValeChat as an MCP server) in `mcp/serve.rs`.

pub mod conformance;
mod import;
mod inspect;
mod manage;
mod serve;
mod settings;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use valechat_core::chat::Engine;
use valechat_core::mcp::ServerConfig;
use valechat_core::mcp::config::secure_stored_servers;

/// MCP subcommands.
#[derive(Debug, Subcommand)]
pub enum McpCommand {
    /// List configured servers: id, name, transport, enabled, protocol era.
    List,
    /// Add a server: `add NAME [--env K=V]… [--cwd DIR] [--sandbox
    /// [--allow-dir DIR]… [--no-network]] [--max-memory-mb N]
    /// [--max-open-files N] [--max-cpu-seconds N] -- CMD ARGS…` for a local
    /// (stdio) server, or `add NAME --url URL [--header K=V]…
    /// [--bearer-stdin]` for a remote one (http(s):// or ws(s)://).
    /// Secret-looking values and the bearer token go to the system keyring.
    Add(AddArgs),
    /// Remove a server and its secrets.
    Remove {
        /// Server id or name.
        name: String,
    },
    /// Enable a server (started by the app, its tools offered to models).
    Enable {
        /// Server id or name.
        name: String,
    },
    /// Disable a server.
    Disable {
        /// Server id or name.
        name: String,
    },
    /// Import servers from another app's configuration file. Without FILE,
    /// list what the known files (Claude Desktop, Claude Code, Cursor,
    /// VS Code, Zed) would bring; with --yes, import them all. Servers are
    /// imported disabled; names already configured are skipped.
    /// `${VAR}` references to environment variables are kept as written
    /// unless --expand-env is given.
    Import {
        /// A JSON configuration file to import from.
        file: Option<PathBuf>,
        /// Import everything discovered instead of listing it.
        #[arg(long)]
        yes: bool,
        /// Fill in the `${VAR}` / `${env:VAR}` references from this
        /// environment (secrets among them go to the keyring).
        #[arg(long)]
        expand_env: bool,
    },
    /// List a server's tools: name, title, hints, description.
    Tools {
        /// Server id or name.
        name: String,
    },
    /// Call a tool and print its result; exits with 1 when the tool
    /// reports an error.
    Call {
        /// Server id or name.
        name: String,
        /// Tool name.
        tool: String,
        /// Arguments as a JSON object.
        #[arg(long, default_value = "{}")]
        args: String,
        /// Give up after this many milliseconds without an answer or progress.
        #[arg(long, default_value_t = 60_000)]
        timeout_ms: u64,
    },
    /// List a server's resources and resource templates.
    Resources {
        /// Server id or name.
        name: String,
    },
    /// Read a resource and print its contents.
    Read {
        /// Server id or name.
        name: String,
        /// Resource URI.
        uri: String,
    },
    /// List a server's prompts and their arguments.
    Prompts {
        /// Server id or name.
        name: String,
    },
    /// Show or change how far tools may go in one chat turn: the rounds of
    /// tool calls per turn and the characters of one tool result sent to
    /// the model (the app's Preferences → Tools). Without options, print
    /// them.
    Settings {
        /// Model requests per turn that may end in tool calls (1–100).
        #[arg(long, value_name = "N")]
        max_rounds: Option<u32>,
        /// Characters of one tool result sent to the model (1000–1000000).
        #[arg(long, value_name = "N")]
        max_result_chars: Option<usize>,
        /// Go back to the defaults (10 rounds, 32000 characters).
        #[arg(long, conflicts_with_all = ["max_rounds", "max_result_chars"])]
        reset: bool,
    },
    /// Serve ValeChat's providers as an MCP server (tools list_models,
    /// get_usage, generate, compare_models; resources stats://usage,
    /// config://providers) over stdio, or over streamable HTTP at /mcp
    /// with --http.
    Serve(serve::ServeArgs),
    /// Client for the MCP conformance suite: connects to URL (streamable
    /// HTTP), does what the scenario in MCP_CONFORMANCE_SCENARIO needs and
    /// exits within 25 s. Uses no database or keyring.
    #[command(hide = true)]
    ConformanceClient {
        /// Endpoint of the suite's test server.
        url: String,
    },
}

/// Arguments of `mcp add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// Display name; the id is derived from it.
    pub name: String,
    /// Environment variable for a local server (repeatable).
    #[arg(long, value_name = "K=V", conflicts_with = "url")]
    pub env: Vec<String>,
    /// Working directory of a local server.
    #[arg(long, value_name = "DIR", conflicts_with = "url")]
    pub cwd: Option<String>,
    /// Endpoint of a remote server: http(s):// (streamable HTTP) or ws(s)://.
    #[arg(long)]
    pub url: Option<String>,
    /// HTTP header for a remote server (repeatable).
    #[arg(long, value_name = "K=V", requires = "url")]
    pub header: Vec<String>,
    /// Read a bearer token from standard input (one line; not echoed on a terminal) into the keyring.
    #[arg(long, requires = "url")]
    pub bearer_stdin: bool,
    /// Sandbox and resource limits of a local server.
    #[command(flatten)]
    pub sandbox: SandboxArgs,
    /// The command and its arguments, after `--`.
    #[arg(last = true, value_name = "CMD ARGS")]
    pub command: Vec<String>,
}

/// `mcp add` options for a local server's sandbox (Linux, Bubblewrap) and
/// resource limits (prlimit; they apply with or without the sandbox).
/// A new local server runs sandboxed where Bubblewrap is installed.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Run the server in a Bubblewrap sandbox (the default where bwrap is
    /// installed): system folders read-only, an empty private home, its
    /// own package cache, only --allow-dir folders writable, and an
    /// environment of the locale, proxies and the server's --env only.
    #[arg(long, conflicts_with_all = ["url", "no_sandbox"])]
    pub sandbox: bool,
    /// Run the server without a sandbox, with the user's rights.
    #[arg(long, conflicts_with = "url")]
    pub no_sandbox: bool,
    /// A folder the sandboxed server may write (repeatable; not the home
    /// folder itself).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["url", "no_sandbox"])]
    pub allow_dir: Vec<std::path::PathBuf>,
    /// Cut the sandboxed server off the network.
    #[arg(long, conflicts_with_all = ["url", "no_sandbox"])]
    pub no_network: bool,
    /// Processes and threads the sandboxed server may run at once (0: no
    /// limit; default 512).
    #[arg(long, value_name = "N", conflicts_with_all = ["url", "no_sandbox"])]
    pub max_processes: Option<u64>,
    /// Address-space limit, MiB.
    #[arg(long, value_name = "N", conflicts_with = "url")]
    pub max_memory_mb: Option<u64>,
    /// Open-files limit.
    #[arg(long, value_name = "N", conflicts_with = "url")]
    pub max_open_files: Option<u64>,
    /// CPU-time limit, seconds.
    #[arg(long, value_name = "N", conflicts_with = "url")]
    pub max_cpu_seconds: Option<u64>,
}

/// Runs an MCP subcommand, once the stored servers' command lines and URLs
/// hold no secret ([`secure_stored_servers`]; a keyring failure is only
/// reported).
pub async fn run(engine: &Engine, command: McpCommand) -> anyhow::Result<ExitCode> {
    // Serving reads no MCP server configuration (and stdout is the protocol's).
    if let McpCommand::Serve(args) = command {
        return serve::run(engine, args).await;
    }
    if let Err(e) = secure_stored_servers(engine.store(), engine.keys().as_ref()).await {
        eprintln!("valechat: could not move secrets of stored servers to the keyring: {e}");
    }
    match command {
        McpCommand::List => manage::list(engine).await,
        McpCommand::Add(args) => manage::add(engine, args).await,
        McpCommand::Remove { name } => manage::remove(engine, &name).await,
        McpCommand::Enable { name } => manage::set_enabled(engine, &name, true).await,
        McpCommand::Disable { name } => manage::set_enabled(engine, &name, false).await,
        McpCommand::Import {
            file,
            yes,
            expand_env,
        } => import::run(engine, file, yes, expand_env).await,
        McpCommand::Tools { name } => inspect::tools(engine, &name).await,
        McpCommand::Call {
            name,
            tool,
            args,
            timeout_ms,
        } => inspect::call(engine, &name, &tool, &args, timeout_ms).await,
        McpCommand::Resources { name } => inspect::resources(engine, &name).await,
        McpCommand::Read { name, uri } => inspect::read(engine, &name, &uri).await,
        McpCommand::Prompts { name } => inspect::prompts(engine, &name).await,
        McpCommand::Settings {
            max_rounds,
            max_result_chars,
            reset,
        } => settings::run(engine, max_rounds, max_result_chars, reset).await,
        McpCommand::Serve(_) => unreachable!("served above"),
        McpCommand::ConformanceClient { url } => conformance::run(&url).await,
    }
}

/// The server called `name` (its id, or its display name ignoring case).
///
/// # Errors
/// When no server matches, or the database fails.
async fn find(engine: &Engine, name: &str) -> anyhow::Result<ServerConfig> {
    if let Some(config) = engine.store().get_mcp_server(name).await? {
        return Ok(config);
    }
    let servers = engine.store().list_mcp_servers().await?;
    servers
        .into_iter()
        .find(|s| s.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| anyhow::anyhow!("no MCP server named “{name}” (see `valechat mcp list`)"))
}
