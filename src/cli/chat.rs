//! `valechat chat --provider ID --model M "prompt"`: streams the reply to
//! stdout and stores the exchange in the same database as the window.

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use clap::Args;

use crate::core::chat::{Engine, TurnEvent};
use crate::core::store::ConversationSettings;

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
    let mut turn = engine.send(conversation_id, &prompt).await?;
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
            Some(TurnEvent::Finished(message)) => {
                writeln!(out)?;
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
