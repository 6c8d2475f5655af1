//! `valechat chat --provider ID --model M "prompt"`: streams the reply to
//! stdout and stores the exchange in the same database as the window.
//! Enabled MCP servers offer their tools (approved on the terminal, or by
//! `--yes` / `--deny-tools`) and see the conversation's workspace folders
//! (`--root DIR` adds one) as roots; tool calls, the reply's tokens and
//! cost, and spending alerts are reported on stderr.
//!
//! `--assistant NAME` starts the new conversation from an assistant
//! (`chat/assistant.rs`), as does the default assistant when no model is
//! named.
//!
//! `--conversation ID --edit MESSAGE_ID "new text"` sends a new version of
//! one of the user's messages (a sibling; the reply to it streams), and
//! `--conversation ID --regenerate MESSAGE_ID` a new version of a reply,
//! with the conversation's model or the one `--provider`/`--model` name
//! (for that reply only; `--model PROVIDER/MODEL` also works).

mod assistant;
mod sampling;
pub(crate) mod tools;

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use clap::Args;

use valechat_core::chat::{
    BranchPoint, ConversationTarget, Engine, EngineError, NewConversationRequest, SendOptions,
    SendRequest, TurnEvent, UserInput,
};
use valechat_core::ledger::UsageRecord;
use valechat_core::mcp::RootsSource;
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
    /// Start the new conversation from this assistant (its model, system
    /// prompt, parameters and MCP servers; the options given here win).
    /// Without it, a new conversation with neither --provider nor --model
    /// starts from the default assistant, if one is set.
    #[arg(long, value_name = "NAME", conflicts_with = "conversation")]
    pub assistant: Option<String>,
    /// System prompt for the conversation (kept for later messages).
    #[arg(long)]
    pub system: Option<String>,
    /// Sampling temperature, 0.0–2.0 (kept for later messages).
    #[arg(long)]
    pub temperature: Option<f32>,
    /// Upper bound on output tokens (kept for later messages).
    #[arg(long)]
    pub max_tokens: Option<i64>,
    /// Top-p, top-k, min-p, repeat penalty, seed (kept for later messages).
    #[command(flatten)]
    pub sampling: sampling::SamplingArgs,
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
    /// Edit this user message of `--conversation` (ids: `history show ID
    /// --all-branches`): the prompt becomes a new version of it, with the
    /// same attachments, and is answered.
    #[arg(long, value_name = "MESSAGE_ID", requires = "conversation")]
    pub edit: Option<i64>,
    /// Answer again in place of this reply of `--conversation`: a new
    /// version of it, from the conversation's model or the one given with
    /// `--provider`/`--model` (this reply only). Takes no prompt.
    #[arg(
        long,
        value_name = "MESSAGE_ID",
        requires = "conversation",
        conflicts_with_all = ["edit", "prompt"]
    )]
    pub regenerate: Option<i64>,
    /// The prompt; `-` reads it from stdin.
    #[arg(required_unless_present = "regenerate")]
    pub prompt: Option<String>,
}

/// Runs `chat`.
pub async fn run(engine: &Engine, args: ChatArgs) -> anyhow::Result<ExitCode> {
    let prompt = match args.prompt.as_deref() {
        Some("-") => std::io::read_to_string(std::io::stdin())?,
        Some(prompt) => prompt.to_owned(),
        None => String::new(),
    };
    let new_roots = tools::resolve_roots(&args.roots)?;
    let (target, roots) = match args.conversation {
        Some(id) => {
            update_conversation(engine, id, &args).await?;
            let roots = tools::workspace_roots(engine, id, &new_roots).await?;
            (ConversationTarget::Existing(id), roots)
        }
        None => {
            let folders = tools::new_roots(&new_roots);
            let roots = RootsSource::new(folders.clone());
            let new = NewConversationRequest {
                folders,
                ..assistant::new_conversation(engine, &args).await?
            };
            (ConversationTarget::New(new), roots)
        }
    };
    let branch = branch_point(engine, &args).await?;
    let policy = if args.yes {
        tools::ToolPolicy::AllowAll
    } else if args.deny_tools {
        tools::ToolPolicy::DenyAll
    } else {
        tools::ToolPolicy::Ask
    };
    let (engine, servers) = if args.no_tools {
        (engine.clone(), None)
    } else {
        tools::with_tools(engine, policy, roots).await?
    };
    let options = SendOptions {
        allow_over_limit: args.allow_over_limit,
    };
    let input = match branch {
        BranchPoint::Regenerate { .. } => UserInput::default(),
        _ => UserInput::text(prompt),
    };
    let request = SendRequest::new(target, input)
        .at(branch)
        .with_options(options);
    let result = stream(&engine, request).await;
    if let Some(servers) = servers {
        servers.shutdown_all().await;
    }
    result
}

/// For `--conversation ID`: applies `--provider`/`--model` and the
/// settings given (system prompt, temperature, output limit), which are kept
/// for later messages.
///
/// # Errors
/// An unknown conversation; store errors.
async fn update_conversation(engine: &Engine, id: i64, args: &ChatArgs) -> anyhow::Result<()> {
    let c = engine
        .store()
        .get_conversation(id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("conversation {id} does not exist"))?;
    // A regeneration's model is for that reply only.
    if args.regenerate.is_none() && (args.provider.is_some() || args.model.is_some()) {
        let provider = args.provider.clone().or_else(|| c.provider_id.clone());
        let model = args.model.clone().or_else(|| c.model.clone());
        engine
            .store()
            .set_conversation_model(id, provider.as_deref(), model.as_deref())
            .await?;
    }
    if args.system.is_some()
        || args.temperature.is_some()
        || args.max_tokens.is_some()
        || args.sampling.any()
    {
        let mut settings = ConversationSettings::of(&c);
        if let Some(system) = &args.system {
            settings.system_prompt = Some(system.clone());
        }
        if let Some(t) = args.temperature {
            settings.temperature = Some(t);
        }
        if let Some(n) = args.max_tokens {
            settings.max_output_tokens = Some(n);
        }
        settings.sampling = Some(args.sampling.apply(c.sampling()));
        engine
            .store()
            .set_conversation_settings(id, settings)
            .await?;
    }
    Ok(())
}

/// Where the turn goes: `--edit`, `--regenerate` (with the model given, if
/// any), else after the active leaf.
///
/// # Errors
/// Store errors while looking up `--model PROVIDER/MODEL`.
async fn branch_point(engine: &Engine, args: &ChatArgs) -> anyhow::Result<BranchPoint> {
    if let Some(message_id) = args.edit {
        return Ok(BranchPoint::Edit {
            message_id,
            keep_attachments: true,
        });
    }
    let Some(message_id) = args.regenerate else {
        return Ok(BranchPoint::ActiveLeaf);
    };
    let model = match (&args.provider, &args.model) {
        (Some(provider), Some(model)) => Some((provider.clone(), model.clone())),
        (provider, model) => {
            let conversation = match args.conversation {
                Some(id) => engine.store().get_conversation(id).await?,
                None => None,
            };
            let current = conversation.as_ref().and_then(|c| c.provider_id.clone());
            match (provider, model) {
                (Some(provider), None) => {
                    let model = conversation.and_then(|c| c.model);
                    model.map(|m| (provider.clone(), m))
                }
                (None, Some(model)) => Some(split_model(engine, model, current).await?),
                _ => None,
            }
        }
    };
    Ok(BranchPoint::Regenerate { message_id, model })
}

/// `--model` without `--provider`: `PROVIDER/MODEL` when the part before
/// the first `/` is a configured provider (provider ids have no `/`;
/// model ids such as OpenRouter's may), else a model of `current`.
async fn split_model(
    engine: &Engine,
    model: &str,
    current: Option<String>,
) -> anyhow::Result<(String, String)> {
    if let Some((provider, rest)) = model.split_once('/')
        && engine.store().get_provider(provider).await?.is_some()
    {
        return Ok((provider.to_owned(), rest.to_owned()));
    }
    match current {
        Some(provider) => Ok((provider, model.to_owned())),
        None => bail!("the conversation has no provider: give --provider with --model"),
    }
}

/// Sends `request` and prints the turn until it ends.
async fn stream(engine: &Engine, request: SendRequest) -> anyhow::Result<ExitCode> {
    // Known now for an existing conversation, from the first event for a new one.
    let mut conversation_id = match &request.conversation {
        ConversationTarget::Existing(id) => Some(*id),
        ConversationTarget::New(_) => None,
    };
    let mut turn = match engine.send(request).await {
        Ok(turn) => turn,
        Err(e @ (EngineError::LimitReached(_) | EngineError::UnpricedUnderLimit { .. })) => {
            bail!("{e} (use --allow-over-limit to send once anyway)")
        }
        Err(e @ EngineError::MessageNotInConversation(_)) => match conversation_id {
            Some(id) => {
                bail!("{e} (conversation {id}; see `valechat history show {id} --all-branches`)")
            }
            None => bail!("{e}"),
        },
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
            Some(TurnEvent::ConversationCreated(c)) => conversation_id = Some(c.id),
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
                    // The notification's own words, amounts in the locale.
                    let (title, body) = crate::reports::format::alert_text(&alert);
                    eprintln!("valechat: {title}: {body}");
                }
            }
            Some(TurnEvent::SoftLimitWarnings(warnings)) => {
                for w in warnings {
                    eprintln!(
                        "valechat: this reply may go over the soft limit {} ({} of {} spent)",
                        w.limit.describe(),
                        valechat_core::format::format_usd(w.spent),
                        valechat_core::format::format_usd(w.limit.amount_usd)
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
                        "valechat: interrupted; the partial reply is stored in conversation {}",
                        message.conversation_id
                    );
                    return Ok(ExitCode::from(130));
                }
                tracing::info!(message = message.id, "reply stored");
                return Ok(ExitCode::SUCCESS);
            }
            Some(TurnEvent::Failed { error, message }) => {
                if wrote_text {
                    writeln!(out)?;
                }
                match message.map(|m| m.conversation_id).or(conversation_id) {
                    Some(id) => bail!("{error} (conversation {id})"),
                    None => bail!("{error}"),
                }
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
