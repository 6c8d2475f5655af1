//! ValeChat: a native GNOME chat app for many AI models.
//!
//! Layers (DESIGN.md):
//!
//! ```text
//!  ui/            Relm4 components: the only code that touches gtk/adw/relm4/glib
//!    │            commands on relm4's tokio runtime
//!  valechat_core  the engine, its own crate (crates/valechat-core), no GTK:
//!    │            chat, provider, mcp, billing, ledger, store, secrets, paths
//!  cli/           `valechat providers|chat|history …`, thin, over the engine
//!  serve/         the engine served to other programs: the local API server
//!                 (`valechat serve`: OpenAI-compatible HTTP, `/mcp`, behind a
//!                 bearer token) and the MCP server mode (`valechat mcp serve`)
//!  local_dbus/    the window's loaded local models on D-Bus (gio), exported
//!                 by the window and called by `valechat models loaded|unload`
//! ```
//!
//! `valechat` with no arguments opens the window; with a subcommand it runs
//! the CLI over the same database and keyring.

pub mod cli;
pub mod config;
pub mod i18n;
pub mod local_dbus;
pub mod reports;
pub mod serve;
pub mod ui;
pub mod usage_text;

/// Runs ValeChat: the CLI when a subcommand is given, the window otherwise.
pub fn run() -> std::process::ExitCode {
    // `valechat local-runner`: the child process that runs llama.cpp for the
    // "On this computer" provider (valechat_core::local); it speaks JSON
    // lines on stdin/stdout and installs its own log, so it goes first.
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == "local-runner")
    {
        return local_runner();
    }
    init_logging();
    i18n::init();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if cli::wants_cli(&args) {
        cli::run(args)
    } else {
        ui::run()
    }
}

/// Runs the local model runner until its stdin closes.
#[cfg(feature = "local-models")]
fn local_runner() -> std::process::ExitCode {
    let status = valechat_core::local::runtime::serve_stdio(
        config::VERSION,
        config::installed_llama_backends().as_deref(),
    );
    std::process::ExitCode::from(u8::try_from(status).unwrap_or(1))
}

/// This build has no llama.cpp (built without the `local-models` feature).
#[cfg(not(feature = "local-models"))]
fn local_runner() -> std::process::ExitCode {
    eprintln!(
        "valechat local-runner: this ValeChat was built without models on this computer (cargo feature local-models)"
    );
    std::process::ExitCode::FAILURE
}

/// `engine` offering "On this computer" (the model library's models, run by
/// this executable's `local-runner`) when this build has llama.cpp (cargo
/// feature `local-models`); `engine` as it is otherwise, or when the running
/// executable cannot be found (logged: the provider is then missing, the rest
/// works).
///
/// # Errors
/// When the provider's database row cannot be written.
pub async fn offer_local_models(
    engine: valechat_core::chat::Engine,
) -> Result<valechat_core::chat::Engine, valechat_core::chat::EngineError> {
    #[cfg(feature = "local-models")]
    {
        use valechat_core::local::client::RunnerCommand;
        match RunnerCommand::this_executable() {
            Ok(command) => {
                let options = valechat_core::local::provider::LocalOptions {
                    idle_unload_after: Some(valechat_core::local::idle::DEFAULT_IDLE_UNLOAD),
                    ..Default::default()
                };
                engine.with_local_models(command, options).await
            }
            Err(e) => {
                tracing::warn!("models on this computer are off: no path to this executable: {e}");
                Ok(engine)
            }
        }
    }
    #[cfg(not(feature = "local-models"))]
    {
        Ok(engine)
    }
}

/// Logs to stderr through `tracing`, filtered by `RUST_LOG` (default
/// `valechat=info,warn`). Message bodies and keys are never logged at info.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("valechat=info,warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
