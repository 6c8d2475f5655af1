//! `mcp list|add|remove|enable|disable`: the configured servers.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::Context;

use super::{AddArgs, SandboxArgs, find};
use valechat_core::chat::Engine;
use valechat_core::mcp::config::{BEARER_KEY, secret_slot};
use valechat_core::mcp::{Era, SandboxSettings, ServerConfig, Transport, sandbox};
use valechat_core::model::sandbox_settings::DEFAULT_MAX_PROCESSES;
use valechat_core::store::slugify;

/// `mcp list`: one tab-separated line per server (id, name, transport with
/// " (sandboxed)" for a sandboxed stdio server, enabled, era).
pub async fn list(engine: &Engine) -> anyhow::Result<ExitCode> {
    for server in engine.store().list_mcp_servers().await? {
        let enabled = if server.enabled {
            "enabled"
        } else {
            "disabled"
        };
        let era = server
            .era
            .as_ref()
            .map_or_else(|| "-".to_owned(), Era::to_db);
        let mut transport = describe(&server.transport);
        if server.is_sandboxed() {
            transport.push_str(" (sandboxed)");
        }
        println!(
            "{}\t{}\t{}\t{}\t{}",
            server.id, server.name, transport, enabled, era
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `stdio: cmd args…`, `http: url` or `websocket: url`.
pub fn describe(transport: &Transport) -> String {
    match transport {
        Transport::Stdio { command, args, .. } => {
            let mut line = format!("stdio: {command}");
            for arg in args {
                line.push(' ');
                line.push_str(arg);
            }
            line
        }
        Transport::Http { url, .. } => format!("http: {url}"),
        Transport::WebSocket { url } => format!("websocket: {url}"),
    }
}

/// Parses repeated `K=V` options.
fn pairs(option: &str, values: &[String]) -> anyhow::Result<BTreeMap<String, String>> {
    values
        .iter()
        .map(|value| {
            value
                .split_once('=')
                .filter(|(k, _)| !k.is_empty())
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .ok_or_else(|| anyhow::anyhow!("{option} “{value}” is not of the form K=V"))
        })
        .collect()
}

/// `mcp add`: stores the server (enabled) and prints its id.
pub async fn add(engine: &Engine, args: AddArgs) -> anyhow::Result<ExitCode> {
    let id = slugify(&args.name);
    anyhow::ensure!(
        !id.is_empty(),
        "the name “{}” needs at least one letter or digit",
        args.name
    );
    let transport = match (&args.url, args.command.split_first()) {
        (Some(_), Some(_)) => {
            anyhow::bail!("give either --url or a command after --, not both")
        }
        (None, None) => {
            anyhow::bail!("give a command after -- (a local server) or --url (a remote server)")
        }
        (None, Some((command, rest))) => Transport::Stdio {
            command: command.clone(),
            args: rest.to_vec(),
            env: pairs("--env", &args.env)?,
            cwd: args.cwd.clone(),
        },
        (Some(url), None) if url.starts_with("ws://") || url.starts_with("wss://") => {
            anyhow::ensure!(
                args.header.is_empty() && !args.bearer_stdin,
                "headers and bearer tokens are not supported for WebSocket servers"
            );
            Transport::WebSocket { url: url.clone() }
        }
        (Some(url), None) => Transport::Http {
            url: url.clone(),
            headers: pairs("--header", &args.header)?,
        },
    };
    let store = engine.store();
    let existing = store.list_mcp_servers().await?;
    if let Some(other) = existing
        .iter()
        .find(|s| s.id == id || s.name.eq_ignore_ascii_case(&args.name))
    {
        anyhow::bail!(
            "an MCP server “{}” (id {}) already exists; remove it first",
            other.name,
            other.id
        );
    }
    let mut config = ServerConfig {
        id: id.clone(),
        name: args.name.clone(),
        transport,
        enabled: true,
        era: None,
        sandbox: None,
    };
    if matches!(config.transport, Transport::Stdio { .. }) {
        config.sandbox = sandbox_settings(&args.sandbox)?;
    }
    config.validate()?;
    let bearer = if args.bearer_stdin {
        Some(read_bearer()?)
    } else {
        None
    };
    config.store_secrets(engine.keys().as_ref()).await?;
    if let Some(token) = bearer {
        engine
            .keys()
            .set_api_key(&secret_slot(&id, BEARER_KEY), &token)
            .await
            .with_context(|| format!("could not store the bearer token of MCP server {id}"))?;
    }
    store.add_mcp_server(&config).await?;
    println!("{id}");
    Ok(ExitCode::SUCCESS)
}

/// The sandbox settings of `add`'s options (`None`: all defaults, off);
/// relative `--allow-dir` folders are made absolute. Without `--sandbox`
/// or `--no-sandbox` the server is sandboxed where Bubblewrap can be used
/// (`mcp::sandbox::for_new_server`); where it cannot, a note on stderr
/// says why the server runs without one.
fn sandbox_settings(args: &SandboxArgs) -> anyhow::Result<Option<SandboxSettings>> {
    let writable_folders = args
        .allow_dir
        .iter()
        .map(|dir| {
            std::path::absolute(dir)
                .with_context(|| format!("--allow-dir “{}” is not a usable path", dir.display()))
        })
        .collect::<anyhow::Result<_>>()?;
    let enabled = if args.sandbox {
        true
    } else if args.no_sandbox {
        false
    } else {
        match sandbox::for_new_server() {
            Ok(_) => true,
            Err(problem) => {
                eprintln!("valechat: note: the server runs without a sandbox: {problem}");
                false
            }
        }
    };
    let max_processes = match args.max_processes {
        Some(0) => None,
        Some(n) => Some(n),
        None => enabled.then_some(DEFAULT_MAX_PROCESSES),
    };
    let settings = SandboxSettings {
        enabled,
        writable_folders,
        network: !args.no_network,
        max_memory_mb: args.max_memory_mb.filter(|n| *n > 0),
        max_open_files: args.max_open_files.filter(|n| *n > 0),
        max_cpu_seconds: args.max_cpu_seconds.filter(|n| *n > 0),
        max_processes,
    };
    Ok((!settings.is_default()).then_some(settings))
}

fn read_bearer() -> anyhow::Result<String> {
    let token = crate::cli::secret_input::read_secret("Bearer token (not shown as you type): ")
        .context("could not read the bearer token from stdin")?;
    token.ok_or_else(|| anyhow::anyhow!("the bearer token read from stdin is empty"))
}

/// `mcp remove`: deletes the server, then its keyring secrets (a keyring
/// failure is reported as a warning; the server is gone either way).
pub async fn remove(engine: &Engine, name: &str) -> anyhow::Result<ExitCode> {
    let config = find(engine, name).await?;
    engine.store().remove_mcp_server(&config.id).await?;
    let remote = !matches!(config.transport, Transport::Stdio { .. });
    for key in config.secret_keys() {
        if key == BEARER_KEY && !remote {
            continue;
        }
        if let Err(error) = engine
            .keys()
            .delete_api_key(&secret_slot(&config.id, &key))
            .await
        {
            eprintln!(
                "valechat: warning: could not delete secret {key} of MCP server {}: {error}",
                config.id
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `mcp enable` / `mcp disable`.
pub async fn set_enabled(engine: &Engine, name: &str, enabled: bool) -> anyhow::Result<ExitCode> {
    let mut config = find(engine, name).await?;
    config.enabled = enabled;
    engine.store().update_mcp_server(&config).await?;
    Ok(ExitCode::SUCCESS)
}
