//! `valechat providers add|edit|list|remove|models`.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Subcommand};

use valechat_core::chat::{Engine, ProviderUpdate};
use valechat_core::provider::timeouts::ProviderTimeouts;
use valechat_core::provider::{ProtocolKind, presets};

/// Provider subcommands.
#[derive(Debug, Subcommand)]
pub enum ProvidersCommand {
    /// Add a provider: a preset (`--preset anthropic`) or any endpoint
    /// (`--name … --base-url … [--kind …]`). The API key is read from the
    /// environment variable named by --api-key-env, or from stdin with
    /// --api-key-stdin, and stored in the system keyring.
    Add(AddArgs),
    /// Change a provider's name, base URL, enabled flag or timeouts; options
    /// not given keep their value.
    Edit(EditArgs),
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
    /// Set the requests and tokens per minute a provider accepts: requests
    /// over them wait instead of failing. Without --rpm and --tpm the limit
    /// is removed.
    RateLimit {
        /// Provider id.
        id: String,
        /// Requests per minute.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        rpm: Option<u32>,
        /// Input plus output tokens per minute.
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        tpm: Option<u64>,
    },
}

/// Arguments of `providers add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// A known server: openai, anthropic, gemini, mistral, openrouter, groq,
    /// deepseek, xai, ollama, lmstudio, llamacpp, vllm.
    #[arg(long)]
    pub preset: Option<String>,
    /// Display name; the id is derived from it (default: the preset's name).
    #[arg(long, required_unless_present = "preset")]
    pub name: Option<String>,
    /// Base URL of the API, e.g. http://localhost:1234/v1 (default: the preset's).
    #[arg(long, required_unless_present = "preset")]
    pub base_url: Option<String>,
    /// Wire protocol (default: the preset's, else openai).
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// Read the API key from this environment variable.
    #[arg(long, conflicts_with = "api_key_stdin")]
    pub api_key_env: Option<String>,
    /// Read the API key from standard input (one line; not echoed on a terminal).
    #[arg(long)]
    pub api_key_stdin: bool,
    #[command(flatten)]
    pub timeouts: TimeoutArgs,
}

/// Arguments of `providers edit`.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// Provider id (see `providers list`).
    pub id: String,
    /// New display name (the id stays).
    #[arg(long)]
    pub name: Option<String>,
    /// New base URL of the API.
    #[arg(long)]
    pub base_url: Option<String>,
    /// Offer (true) or hide (false) the provider in the model picker.
    #[arg(long)]
    pub enabled: Option<bool>,
    #[command(flatten)]
    pub timeouts: TimeoutArgs,
}

/// The timeout options of `providers add` and `providers edit`, in seconds
/// (1–3600, fractions allowed); one not given keeps its current value
/// (for `add`, the default).
#[derive(Debug, Args)]
pub struct TimeoutArgs {
    /// Seconds allowed to open the connection (default 10).
    #[arg(long, value_name = "SECONDS")]
    pub connect_timeout: Option<f64>,
    /// Seconds allowed until the reply's first byte; reasoning models may
    /// think for long (default 60).
    #[arg(long, value_name = "SECONDS")]
    pub first_byte_timeout: Option<f64>,
    /// Seconds of silence allowed between two pieces of a streamed reply (default 30).
    #[arg(long, value_name = "SECONDS")]
    pub idle_timeout: Option<f64>,
}

impl TimeoutArgs {
    /// Whether any timeout option was given.
    fn any(&self) -> bool {
        self.connect_timeout.is_some()
            || self.first_byte_timeout.is_some()
            || self.idle_timeout.is_some()
    }

    /// `current` with the given options applied.
    fn apply(&self, current: ProviderTimeouts) -> anyhow::Result<ProviderTimeouts> {
        let secs = |value: Option<f64>, current: Duration, option: &str| match value {
            None => Ok(current),
            Some(s) => Duration::try_from_secs_f64(s)
                .map_err(|_| anyhow::anyhow!("--{option} must be a number of seconds, not {s}")),
        };
        Ok(ProviderTimeouts {
            connect: secs(self.connect_timeout, current.connect, "connect-timeout")?,
            first_byte: secs(
                self.first_byte_timeout,
                current.first_byte,
                "first-byte-timeout",
            )?,
            idle: secs(self.idle_timeout, current.idle, "idle-timeout")?,
        })
    }
}

/// The `--kind` values.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum KindArg {
    /// OpenAI Chat Completions and compatible servers.
    Openai,
    /// Anthropic Messages.
    Anthropic,
    /// Google Gemini.
    Gemini,
    /// Ollama's native API (`/api/chat`, `/api/tags`).
    Ollama,
}

impl From<KindArg> for ProtocolKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Openai => Self::OpenAiCompatible,
            KindArg::Anthropic => Self::Anthropic,
            KindArg::Gemini => Self::Gemini,
            KindArg::Ollama => Self::Ollama,
        }
    }
}

/// Runs a provider subcommand.
pub async fn run(engine: &Engine, command: ProvidersCommand) -> anyhow::Result<ExitCode> {
    match command {
        ProvidersCommand::RateLimit { id, rpm, tpm } => {
            if engine.store().get_provider(&id).await?.is_none() {
                anyhow::bail!("provider “{id}” is not configured (see `valechat providers list`)");
            }
            let limit = valechat_core::chat::RateLimit {
                requests_per_minute: rpm,
                tokens_per_minute: tpm,
            };
            engine.store().set_rate_limit(&id, limit).await?;
            let show = |n: Option<String>| n.unwrap_or_else(|| "unlimited".into());
            println!(
                "{id}: {} requests/min, {} tokens/min",
                show(rpm.map(|n| n.to_string())),
                show(tpm.map(|n| n.to_string()))
            );
        }
        ProvidersCommand::Add(args) => {
            let preset = match &args.preset {
                Some(id) => Some(presets::find(id).ok_or_else(|| {
                    anyhow::anyhow!("unknown preset “{id}” (see `valechat providers add --help`)")
                })?),
                None => None,
            };
            let name = args
                .name
                .as_deref()
                .or(preset.map(|p| p.name))
                .unwrap_or_default();
            let base_url = args
                .base_url
                .as_deref()
                .or(preset.map(|p| p.base_url))
                .unwrap_or_default();
            let kind = args
                .kind
                .map(ProtocolKind::from)
                .or(preset.map(|p| p.kind))
                .unwrap_or(ProtocolKind::OpenAiCompatible);
            let key = read_key(&args)?;
            let timeouts = args.timeouts.apply(ProviderTimeouts::default())?;
            // Checked before anything is stored, so a bad value adds nothing.
            timeouts.validate()?;
            let provider = engine
                .providers()
                .add(kind, name, base_url, key.as_deref())
                .await?;
            if args.timeouts.any() {
                engine
                    .providers()
                    .update(
                        &provider.id,
                        ProviderUpdate {
                            timeouts: Some(timeouts),
                            ..ProviderUpdate::default()
                        },
                    )
                    .await?;
            }
            println!("{}", provider.id);
        }
        ProvidersCommand::Edit(args) => {
            let timeouts = if args.timeouts.any() {
                let current = engine.providers().timeouts(&args.id).await?;
                Some(args.timeouts.apply(current)?)
            } else {
                None
            };
            let update = ProviderUpdate {
                name: args.name,
                base_url: args.base_url,
                enabled: args.enabled,
                timeouts,
            };
            engine.providers().update(&args.id, update).await?;
            let t = engine.providers().timeouts(&args.id).await?;
            println!(
                "{}\tconnect {} s\tfirst byte {} s\tidle {} s",
                args.id,
                t.connect.as_secs_f64(),
                t.first_byte.as_secs_f64(),
                t.idle.as_secs_f64()
            );
        }
        ProvidersCommand::List => {
            for p in engine.store().list_providers().await? {
                let key = if p.has_api_key {
                    "key in keyring"
                } else {
                    "no key"
                };
                let model = p.default_model.as_deref().unwrap_or("-");
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    p.id, p.name, p.kind, p.base_url, model, key
                );
            }
        }
        ProvidersCommand::Remove { id } => {
            engine.providers().remove(&id).await?;
        }
        ProvidersCommand::Models { id } => {
            for m in engine.providers().list_models(&id).await? {
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
        return super::secret_input::read_secret("API key (not shown as you type): ")
            .context("could not read the API key from stdin");
    }
    Ok(None)
}
