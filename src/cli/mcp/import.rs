//! `mcp import [FILE] [--yes]`: servers from other apps' configuration files
//! ([`valechat_core::mcp::import`]).

use std::path::PathBuf;
use std::process::ExitCode;

use super::manage::describe;
use valechat_core::chat::Engine;
use valechat_core::mcp::import::{Imported, Source, discover, fill, parse_file, variables};
use valechat_core::mcp::{ServerConfig, Transport, sandbox};

/// The app's name as users know it.
fn label(source: Source) -> &'static str {
    match source {
        Source::ClaudeDesktop => "Claude Desktop",
        Source::ClaudeCode => "Claude Code",
        Source::Cursor => "Cursor",
        Source::VsCode => "VS Code",
        Source::Zed => "Zed",
    }
}

/// Says which servers refer to environment variables and what happens to
/// them.
fn note_variables(server: &ServerConfig, expand_env: bool) {
    let names = variables(server);
    if names.is_empty() {
        return;
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    if expand_env {
        println!(
            "  {}: filled in {} from the environment",
            server.name,
            names.join(", ")
        );
    } else {
        println!(
            "  {}: refers to {}, kept as written (pass --expand-env to fill them in from the environment)",
            server.name,
            names.join(", ")
        );
    }
}

/// With `file`: imports its servers. Without: lists what the known files
/// hold, or imports it all with `yes`. Variables are filled in only with
/// `expand_env`.
pub async fn run(
    engine: &Engine,
    file: Option<PathBuf>,
    yes: bool,
    expand_env: bool,
) -> anyhow::Result<ExitCode> {
    let mut batches: Vec<(String, Imported)> = Vec::new();
    if let Some(path) = file {
        let imported = parse_file(&path).map_err(|e| anyhow::anyhow!("cannot import {e}"))?;
        batches.push((path.display().to_string(), imported));
    } else {
        let home = dirs::home_dir()
            .ok_or_else(|| anyhow::anyhow!("cannot find the home folder to look for files"))?;
        let project = std::env::current_dir().ok();
        for found in discover(&home, project.as_deref()) {
            let title = format!("{} ({})", found.path.display(), label(found.source));
            match parse_file(&found.path) {
                Ok(imported) => batches.push((title, imported)),
                Err(error) => eprintln!("valechat: skipped {title}: {error}"),
            }
        }
        if batches.is_empty() {
            println!(
                "No configuration file of Claude Desktop, Claude Code, Cursor, VS Code or Zed was found."
            );
            return Ok(ExitCode::SUCCESS);
        }
        if !yes {
            for (title, imported) in &batches {
                println!("{title}:");
                for server in &imported.servers {
                    println!("  {}\t{}", server.name, describe(&server.transport));
                    note_variables(server, expand_env);
                }
                for note in &imported.notes {
                    println!("  note: {note}");
                }
            }
            println!("Run `valechat mcp import --yes` to import these servers.");
            return Ok(ExitCode::SUCCESS);
        }
    }
    let mut known = engine.store().list_mcp_servers().await?;
    for (title, imported) in batches {
        for note in &imported.notes {
            println!("{title}: note: {note}");
        }
        for mut server in imported.servers {
            note_variables(&server, expand_env);
            if expand_env {
                fill(&mut server, &|name| std::env::var(name).ok());
            }
            if known
                .iter()
                .any(|k| k.name.eq_ignore_ascii_case(&server.name) || k.id == server.id)
            {
                println!(
                    "skipped “{}”: a server with that name already exists",
                    server.name
                );
                continue;
            }
            let config = save(engine, server).await?;
            println!(
                "imported {} ({}), disabled: enable it with `valechat mcp enable {}`",
                config.id, config.name, config.id
            );
            known.push(config);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Moves the secrets to the keyring and stores the server; a local server
/// gets the sandbox of a new server (`mcp::sandbox::for_new_server`; where
/// Bubblewrap cannot be used, a note says why it runs without one).
async fn save(engine: &Engine, mut config: ServerConfig) -> anyhow::Result<ServerConfig> {
    if matches!(config.transport, Transport::Stdio { .. }) && config.sandbox.is_none() {
        match tokio::task::spawn_blocking(sandbox::for_new_server).await? {
            Ok(settings) => config.sandbox = Some(settings),
            Err(problem) => eprintln!(
                "valechat: note: {} runs without a sandbox: {problem}",
                config.id
            ),
        }
    }
    config.validate()?;
    config.store_secrets(engine.keys().as_ref()).await?;
    engine.store().add_mcp_server(&config).await?;
    Ok(config)
}
