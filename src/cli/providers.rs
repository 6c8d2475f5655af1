//! `valechat providers add|list|remove|models`.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::core::chat::Engine;
use crate::core::provider::ProtocolKind;

/// Provider subcommands.
#[derive(Debug, Subcommand)]
pub enum ProvidersCommand {
    /// Add an OpenAI-compatible provider. The API key is read from the
    /// environment variable named by --api-key-env, or from stdin with
    /// --api-key-stdin, and stored in the system keyring.
    Add(AddArgs),
    /// List configured providers.
    List,
    /// Remove a provider and its API key.
    Remove {
        /// Provider id (see `providers list`).
        id: String,
    },
    /// List the models a provider offers.
    Models {
        /// Provider id.
        id: String,
    },
}

/// Arguments of `providers add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// Display name; the id is derived from it.
    #[arg(long)]
    pub name: String,
    /// Base URL of the OpenAI-compatible API, e.g. http://localhost:11434/v1.
    #[arg(long)]
    pub base_url: String,
    /// Read the API key from this environment variable.
    #[arg(long, conflicts_with = "api_key_stdin")]
    pub api_key_env: Option<String>,
    /// Read the API key from standard input (one line).
    #[arg(long)]
    pub api_key_stdin: bool,
}

/// Runs a provider subcommand.
pub async fn run(engine: &Engine, command: ProvidersCommand) -> anyhow::Result<ExitCode> {
    match command {
        ProvidersCommand::Add(args) => {
            let key = read_key(&args)?;
            let provider = engine
                .add_provider(
                    ProtocolKind::OpenAiCompatible,
                    &args.name,
                    &args.base_url,
                    key.as_deref(),
                )
                .await?;
            println!("{}", provider.id);
        }
        ProvidersCommand::List => {
            for p in engine.store().list_providers().await? {
                let key = if p.has_api_key {
                    "key in keyring"
                } else {
                    "no key"
                };
                let model = p.default_model.as_deref().unwrap_or("-");
                println!("{}\t{}\t{}\t{}\t{}", p.id, p.name, p.base_url, model, key);
            }
        }
        ProvidersCommand::Remove { id } => {
            engine.remove_provider(&id).await?;
        }
        ProvidersCommand::Models { id } => {
            for m in engine.list_models(&id).await? {
                println!("{}", m.id);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read_key(args: &AddArgs) -> anyhow::Result<Option<String>> {
    if let Some(var) = &args.api_key_env {
        let key =
            std::env::var(var).with_context(|| format!("environment variable {var} is not set"))?;
        return Ok(Some(key.trim().to_owned()).filter(|k| !k.is_empty()));
    }
    if args.api_key_stdin {
        let mut stdin = std::io::stdin();
        if stdin.is_terminal() {
            eprintln!("API key (input is read until end of line):");
        }
        let mut key = String::new();
        stdin
            .read_to_string(&mut key)
            .context("could not read the API key from stdin")?;
        let key = key.lines().next().unwrap_or_default().trim().to_owned();
        return Ok(Some(key).filter(|k| !k.is_empty()));
    }
    Ok(None)
}
