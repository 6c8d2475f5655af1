//! `valechat assistants list|add|edit|remove`: saved assistants (a name,
//! an emoji, a system prompt, a model, parameters and the MCP servers they
//! enable), shared with the window (Preferences → Assistants). `valechat
//! chat --assistant NAME` starts a conversation from one
//! (`chat/assistant.rs`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use valechat_core::chat::Engine;
use valechat_core::store::{Assistant, AssistantDraft, Store, StoreError};

/// Assistants subcommands.
#[derive(Debug, Subcommand)]
pub enum AssistantsCommand {
    /// List the assistants (tab-separated: name, icon, model, temperature,
    /// max tokens, MCP servers, default).
    List,
    /// Save a new assistant.
    Add {
        /// The assistant's name, unique.
        #[arg(long)]
        name: String,
        /// What to save.
        #[command(flatten)]
        fields: Fields,
    },
    /// Change an assistant: only the options given change.
    Edit {
        /// The assistant's current name.
        assistant: String,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        /// What to change.
        #[command(flatten)]
        fields: Fields,
        /// Enable no MCP server.
        #[arg(long, conflicts_with = "mcp_servers")]
        no_mcp_servers: bool,
        /// Stop being the default assistant.
        #[arg(long, conflicts_with = "default")]
        no_default: bool,
    },
    /// Remove an assistant; its conversations stay.
    Remove {
        /// The assistant's name.
        assistant: String,
    },
}

/// The fields `add` and `edit` share.
#[derive(Debug, Args)]
pub struct Fields {
    /// An emoji shown beside the name.
    #[arg(long)]
    icon: Option<String>,
    /// The system prompt ("" for none).
    #[arg(long, conflicts_with = "system_prompt_file")]
    system_prompt: Option<String>,
    /// Read the system prompt from FILE.
    #[arg(long, value_name = "FILE")]
    system_prompt_file: Option<PathBuf>,
    /// The model, as PROVIDER/MODEL (split at the first `/`: provider ids
    /// have none, model ids may).
    #[arg(long, value_name = "PROVIDER/MODEL")]
    model: Option<String>,
    /// Sampling temperature, 0.0–2.0.
    #[arg(long)]
    temperature: Option<f32>,
    /// Upper bound on output tokens.
    #[arg(long)]
    max_tokens: Option<i64>,
    /// Enable this MCP server (an id from `mcp list`; repeatable; replaces
    /// the list when editing).
    #[arg(long = "mcp-server", value_name = "ID")]
    mcp_servers: Vec<String>,
    /// Make it the default assistant (`chat` without a model uses it).
    #[arg(long)]
    default: bool,
}

/// Runs an assistants subcommand.
pub async fn run(engine: &Engine, command: AssistantsCommand) -> anyhow::Result<ExitCode> {
    let store = engine.store();
    match command {
        AssistantsCommand::List => {
            println!("NAME\tICON\tMODEL\tTEMPERATURE\tMAX TOKENS\tMCP SERVERS\tDEFAULT");
            for a in store.list_assistants().await? {
                println!("{}", row(&a));
            }
        }
        AssistantsCommand::Add { name, fields } => {
            let mut draft = AssistantDraft {
                name,
                ..AssistantDraft::default()
            };
            apply(store, &fields, &mut draft).await?;
            let added = store.add_assistant(draft).await.map_err(explain)?;
            if fields.default {
                store.set_default_assistant(Some(added.id)).await?;
            }
            println!("added assistant “{}”", added.name);
        }
        AssistantsCommand::Edit {
            assistant,
            name,
            fields,
            no_mcp_servers,
            no_default,
        } => {
            let current = named(store, &assistant).await?;
            let mut draft = current.to_draft();
            if let Some(name) = name {
                draft.name = name;
            }
            apply(store, &fields, &mut draft).await?;
            if no_mcp_servers {
                draft.mcp_servers.clear();
            }
            let edited = store
                .edit_assistant(current.id, draft)
                .await
                .map_err(explain)?;
            if fields.default {
                store.set_default_assistant(Some(edited.id)).await?;
            } else if no_default && edited.is_default {
                store.set_default_assistant(None).await?;
            }
            println!("saved assistant “{}”", edited.name);
        }
        AssistantsCommand::Remove { assistant } => {
            let current = named(store, &assistant).await?;
            store.remove_assistant(current.id).await?;
            println!("removed assistant “{}”", current.name);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The assistant named `name`.
///
/// # Errors
/// When none has that name, naming `assistants list`.
pub async fn named(store: &Store, name: &str) -> anyhow::Result<Assistant> {
    store
        .assistant_named(name)
        .await?
        .with_context(|| format!("no assistant named “{name}” (see `valechat assistants list`)"))
}

/// One line of `list`.
fn row(a: &Assistant) -> String {
    let model = match (&a.provider_id, &a.model) {
        (Some(provider), Some(model)) => format!("{provider}/{model}"),
        _ => "-".to_owned(),
    };
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
    let servers = if a.mcp_servers.is_empty() {
        "-".to_owned()
    } else {
        a.mcp_servers.join(",")
    };
    format!(
        "{}\t{}\t{model}\t{}\t{}\t{servers}\t{}",
        a.name,
        if a.icon.is_empty() { "-" } else { &a.icon },
        or_dash(a.temperature.map(|t| t.to_string())),
        or_dash(a.max_output_tokens.map(|n| n.to_string())),
        if a.is_default { "default" } else { "-" },
    )
}

/// Writes the options given into `draft`.
///
/// # Errors
/// An unreadable system prompt file, a `--model` without `/` or naming an
/// unknown provider, a temperature outside 0.0–2.0, a max tokens below 1.
async fn apply(store: &Store, fields: &Fields, draft: &mut AssistantDraft) -> anyhow::Result<()> {
    if let Some(icon) = &fields.icon {
        draft.icon.clone_from(icon);
    }
    if let Some(prompt) = &fields.system_prompt {
        draft.system_prompt = Some(prompt.clone());
    }
    if let Some(path) = &fields.system_prompt_file {
        let prompt = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the system prompt from {}", path.display()))?;
        draft.system_prompt = Some(prompt);
    }
    if let Some(model) = &fields.model {
        let (provider, model) = split_model(store, model).await?;
        draft.provider_id = Some(provider);
        draft.model = Some(model);
    }
    if let Some(t) = fields.temperature {
        if !(0.0..=2.0).contains(&t) {
            bail!("--temperature must be between 0 and 2 (got {t})");
        }
        draft.temperature = Some(t);
    }
    if let Some(n) = fields.max_tokens {
        if n < 1 {
            bail!("--max-tokens must be at least 1 (got {n})");
        }
        draft.max_output_tokens = Some(n);
    }
    if !fields.mcp_servers.is_empty() {
        draft.mcp_servers.clone_from(&fields.mcp_servers);
    }
    Ok(())
}

/// `PROVIDER/MODEL`, split at the first `/`, with a configured provider.
///
/// # Errors
/// No `/`, an empty part, or a provider that is not configured.
pub async fn split_model(store: &Store, model: &str) -> anyhow::Result<(String, String)> {
    let Some((provider, model)) = model
        .split_once('/')
        .filter(|(p, m)| !p.is_empty() && !m.is_empty())
    else {
        bail!("give --model as PROVIDER/MODEL, e.g. openai/gpt-4o-mini (got “{model}”)");
    };
    if store.get_provider(provider).await?.is_none() {
        bail!("provider “{provider}” is not configured (see `valechat providers list`)");
    }
    Ok((provider.to_owned(), model.to_owned()))
}

/// The store's refusals in the CLI's words.
fn explain(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::NotFound {
            what: "MCP server",
            id,
        } => anyhow::anyhow!("MCP server “{id}” is not configured (see `valechat mcp list`)"),
        StoreError::NotFound {
            what: "provider",
            id,
        } => anyhow::anyhow!("provider “{id}” is not configured (see `valechat providers list`)"),
        StoreError::AlreadyExists { name, .. } => {
            anyhow::anyhow!("an assistant named “{name}” already exists")
        }
        other => other.into(),
    }
}
