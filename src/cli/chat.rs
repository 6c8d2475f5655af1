//! `valechat chat --provider ID --model M "prompt"`: streams the reply to
//! stdout and stores the exchange in the same database as the window.
//! Enabled MCP servers offer their tools (approved on the terminal, or by
//! `--yes` / `--deny-tools`) and see the conversation's workspace folders
//! (`--root DIR` adds one) as roots; tool calls, the reply's tokens and
//! cost, and spending alerts are reported on stderr.

mod tools;

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use clap::Args;

use valechat_core::chat::{Engine, EngineError, SendOptions, TurnEvent};
use valechat_core::ledger::UsageRecord;
use valechat_core::store::ConversationSettings;
use valechat_core::store::{ToolCallRecord, ToolCallStatus};

/// Arguments of `chat`.
#[derive(Debug, Args)]
pub struct ChatArgs {
    /// Provider id (see `providers list`).
    #[arg(long)]
    pub provider: Option<String>,
    /// Model id as the server names it.
    #[arg(long)]
    pub model: Option<String>,
    /// Continue this conversation (its provider and model unless given).
    #[arg(long)]
    pub conversation: Option<i64>,
    /// System prompt for the conversation (kept for later messages).
    #[arg(long)]
    pub system: Option<String>,
    /// Sampling temperature, 0.0–2.0 (kept for later messages).
    #[arg(long)]
    pub temperature: Option<f32>,
    /// Upper bound on output tokens (kept for later messages).
    #[arg(long)]
    pub max_tokens: Option<i64>,
    /// Allow every tool call without asking.
    #[arg(long, conflicts_with = "deny_tools")]
    pub yes: bool,
    /// Deny every tool call (the model is told).
    #[arg(long)]
    pub deny_tools: bool,
    /// Offer no MCP tools at all.
    #[arg(long)]
    pub no_tools: bool,
    /// Add DIR to the conversation's workspace folders (repeatable; kept
    /// for later messages). MCP servers see the conversation's folders as
    /// roots.
    #[arg(long = "root", value_name = "DIR")]
    pub roots: Vec<std::path::PathBuf>,
    /// Send even if a hard spending limit would be crossed.
    #[arg(long)]
    pub allow_over_limit: bool,
    /// The prompt; `-` reads it from stdin.
    pub prompt: String,
}

/// Runs `chat`.
pub async fn run(engine: &Engine, args: ChatArgs) -> anyhow::Result<ExitCode> {
    let prompt = if args.prompt == "-" {
        std::io::read_to_string(std::io::stdin())?
    } else {
        args.prompt.clone()
    };
    let new_roots = tools::resolve_roots(&args.roots)?;
    let conversation_id = match args.conversation {
        Some(id) => {
            if args.provider.is_some() || args.model.is_some() {
                let c = engine
                    .store()
                    .get_conversation(id)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("conversation {id} does not exist"))?;
                let provider = args.provider.clone().or(c.provider_id);
                let model = args.model.clone().or(c.model);
                engine
                    .store()
                    .set_conversation_model(id, provider.as_deref(), model.as_deref())
                    .await?;
            }
            id
        }
        None => {
            let (Some(provider), Some(model)) = (&args.provider, &args.model) else {
                bail!("give --provider and --model (or --conversation)");
            };
            if engine.store().get_provider(provider).await?.is_none() {
                bail!("provider “{provider}” is not configured (see `valechat providers list`)");
            }
            engine
                .new_conversation(Some(provider), Some(model))
                .await?
                .id
        }
    };
    if args.system.is_some() || args.temperature.is_some() || args.max_tokens.is_some() {
        let c = engine
            .store()
            .get_conversation(conversation_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("conversation {conversation_id} does not exist"))?;
        let mut settings = ConversationSettings::of(&c);
        if let Some(system) = args.system {
            settings.system_prompt = Some(system);
        }
        if let Some(t) = args.temperature {
            settings.temperature = Some(t);
        }
        if let Some(n) = args.max_tokens {
            settings.max_output_tokens = Some(n);
        }
        engine
            .store()
            .set_conversation_settings(conversation_id, settings)
            .await?;
    }
    let policy = if args.yes {
        tools::ToolPolicy::AllowAll
    } else if args.deny_tools {
        tools::ToolPolicy::DenyAll
    } else {
        tools::ToolPolicy::Ask
    };
    let roots = tools::workspace_roots(engine, conversation_id, &new_roots).await?;
    let (engine, servers) = if args.no_tools {
        (engine.clone(), None)
    } else {
        tools::with_tools(engine, policy, roots).await?
    };
    let options = SendOptions {
        allow_over_limit: args.allow_over_limit,
    };
    let result = stream(&engine, conversation_id, &prompt, options).await;
    if let Some(servers) = servers {
        servers.shutdown_all().await;
    }
    result
}

/// Sends `prompt` and prints the turn until it ends.
async fn stream(
    engine: &Engine,
    conversation_id: i64,
    prompt: &str,
    options: SendOptions,
) -> anyhow::Result<ExitCode> {
    let mut turn = match engine
        .send_with_options(conversation_id, prompt, Vec::new(), options)
        .await
    {
        Ok(turn) => turn,
        Err(e @ EngineError::LimitReached(_)) => {
            bail!("{e} (use --allow-over-limit to send once anyway)")
        }
        Err(e) => return Err(e.into()),
    };
    let mut usage: Vec<UsageRecord> = Vec::new();
    let mut out = std::io::stdout().lock();
    let mut interrupted = false;
    // Whether reply text is on stdout, so a failure must end its line first.
    let mut wrote_text = false;
    loop {
        let event = tokio::select! {
            e = turn.next() => e,
            _ = tokio::signal::ctrl_c(), if !interrupted => {
                interrupted = true;
                turn.cancel();
                continue;
            }
        };
        match event {
            Some(TurnEvent::TextDelta(t)) => {
                out.write_all(t.as_bytes())?;
                out.flush()?;
                wrote_text = true;
            }
            Some(TurnEvent::ToolCallFinished(call)) => {
                if wrote_text {
                    writeln!(out)?;
                    wrote_text = false;
                }
                eprintln!("{}", describe_call(&call));
            }
            Some(TurnEvent::UsageRecorded(record)) => usage.push(record),
            Some(TurnEvent::Queued { wait_ms }) => {
                eprintln!(
                    "valechat: waiting {} s for the provider's rate limit…",
                    wait_ms.div_ceil(1000)
                );
            }
            Some(TurnEvent::LimitAlerts(alerts)) => {
                crate::cli::notify::notify_alerts_cli(&alerts).await;
                for alert in alerts {
                    eprintln!(
                        "valechat: spending limit {} is at {} % ({} of {} USD)",
                        alert.limit.describe(),
                        alert.threshold,
                        alert.spent,
                        alert.limit.amount_usd
                    );
                }
            }
            Some(TurnEvent::SoftLimitWarnings(warnings)) => {
                for w in warnings {
                    eprintln!(
                        "valechat: this reply may go over the soft limit {} ({} of {} USD spent)",
                        w.limit.describe(),
                        w.spent,
                        w.limit.amount_usd
                    );
                }
            }
            Some(TurnEvent::Finished(message)) => {
                writeln!(out)?;
                if !usage.is_empty() {
                    let (line, _) = crate::usage_text::describe(&usage);
                    eprintln!("valechat: {line}");
                }
                if interrupted {
                    eprintln!(
                        "valechat: interrupted; the partial reply is stored in conversation {conversation_id}"
                    );
                    return Ok(ExitCode::from(130));
                }
                tracing::info!(message = message.id, "reply stored");
                return Ok(ExitCode::SUCCESS);
            }
            Some(TurnEvent::Failed { error, .. }) => {
                if wrote_text {
                    writeln!(out)?;
                }
                bail!("{error} (conversation {conversation_id})");
            }
            Some(_) => {}
            None => bail!("the reply ended without a result"),
        }
    }
}

/// One line about a finished tool call, for stderr.
fn describe_call(call: &ToolCallRecord) -> String {
    let name = call.tool_name.as_deref().unwrap_or(&call.name);
    let server = call.server_id.as_deref().unwrap_or("?");
    let status = match call.status {
        ToolCallStatus::Succeeded if call.is_error => "the tool reported an error",
        ToolCallStatus::Succeeded => "done",
        ToolCallStatus::Denied => "denied",
        ToolCallStatus::Failed => "failed",
        ToolCallStatus::Cancelled => "stopped",
        ToolCallStatus::Pending | ToolCallStatus::Running => "unfinished",
    };
    match call.duration_ms {
        Some(ms) => format!("valechat: tool {server} · {name}: {status} ({ms} ms)"),
        None => format!("valechat: tool {server} · {name}: {status}"),
    }
}
