//! `valechat compare --model PROVIDER/MODEL --model … [--conversation ID]
//! "prompt"`: one prompt to 2–6 models at once ([`Engine::compare`]),
//! stored in the same database as the window (the prompt once, each reply
//! a sibling under it).
//!
//! `--format text` (the default) streams the replies line by line, each
//! line labelled `[provider/model]`, then prints a table: model, time to
//! first token, tokens per second, input and output tokens, cost. `--format
//! json` prints one JSON object at the end instead. A failed column is
//! reported on stderr (and in the JSON) and makes the exit status 1; the
//! other columns still finish. No MCP tools are offered: a comparison is of
//! the models' own answers.
//!
//! `--model` is split at the FIRST `/`: provider ids have none, model ids
//! (OpenRouter's `openai/gpt-4o`) may.

mod table;

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, ValueEnum};

use valechat_core::chat::{
    ColumnSummary, CompareEvent, CompareRequest, ConversationTarget, Engine, EngineError,
    MAX_COMPARE_MODELS, NewConversationRequest, SendOptions, TurnEvent, UserInput,
};

/// Arguments of `compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// A model to ask, as PROVIDER/MODEL (split at the first `/`, e.g.
    /// `openrouter/openai/gpt-4o`); give it 2 to 6 times.
    #[arg(long = "model", value_name = "PROVIDER/MODEL", required = true)]
    pub models: Vec<String>,
    /// Ask in this conversation, after its active branch (default: a new
    /// conversation with the first model).
    #[arg(long)]
    pub conversation: Option<i64>,
    /// Output: streamed text and a table, or one JSON object at the end.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Send even if a hard spending limit would be crossed.
    #[arg(long)]
    pub allow_over_limit: bool,
    /// The prompt; `-` reads it from stdin.
    pub prompt: String,
}

/// Output of `compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The replies as they stream, then a table.
    Text,
    /// One JSON object when every column is done.
    Json,
}

/// One column as it is printed: its figures and its whole text.
struct Column {
    label: String,
    text: String,
    /// Text received but not yet printed (the line is not complete).
    pending: String,
    summary: Option<ColumnSummary>,
}

/// Runs `compare`.
pub async fn run(engine: &Engine, args: CompareArgs) -> anyhow::Result<ExitCode> {
    if !(2..=MAX_COMPARE_MODELS).contains(&args.models.len()) {
        bail!(
            "give --model 2 to {MAX_COMPARE_MODELS} times, not {}",
            args.models.len()
        );
    }
    let mut models = Vec::with_capacity(args.models.len());
    for given in &args.models {
        models.push(split_model(engine, given).await?);
    }
    let prompt = match args.prompt.as_str() {
        "-" => std::io::read_to_string(std::io::stdin())?,
        prompt => prompt.to_owned(),
    };
    let conversation = match args.conversation {
        Some(id) => ConversationTarget::Existing(id),
        None => ConversationTarget::New(NewConversationRequest::default()),
    };
    let request = CompareRequest {
        conversation,
        input: UserInput::text(prompt),
        models,
        options: SendOptions {
            allow_over_limit: args.allow_over_limit,
        },
    };
    let mut comparison = match engine.compare(request).await {
        Ok(comparison) => comparison,
        Err(e @ (EngineError::LimitReached(_) | EngineError::UnpricedUnderLimit { .. })) => {
            bail!("{e} (no model was asked; use --allow-over-limit to send once anyway)")
        }
        Err(e) => return Err(e.into()),
    };
    let mut columns: Vec<Column> = comparison
        .models
        .iter()
        .map(|(provider, model)| Column {
            label: format!("{provider}/{model}"),
            text: String::new(),
            pending: String::new(),
            summary: None,
        })
        .collect();
    let text = args.format == Format::Text;
    let mut out = std::io::stdout().lock();
    let mut interrupted = false;
    loop {
        let event = tokio::select! {
            e = comparison.next() => e,
            _ = tokio::signal::ctrl_c(), if !interrupted => {
                interrupted = true;
                comparison.cancel();
                continue;
            }
        };
        let Some(event) = event else { break };
        match event {
            CompareEvent::Turn {
                column,
                event: TurnEvent::TextDelta(delta),
            } => {
                let c = &mut columns[column];
                c.text.push_str(&delta);
                c.pending.push_str(&delta);
                if text {
                    print_lines(&mut out, c, false)?;
                }
            }
            CompareEvent::Turn { .. } => {}
            CompareEvent::Done { column, summary } => {
                let c = &mut columns[column];
                if text {
                    print_lines(&mut out, c, true)?;
                }
                if let Some(error) = &summary.error {
                    eprintln!("valechat: {} failed: {error}", c.label);
                }
                c.summary = Some(*summary);
            }
        }
    }
    let failed = columns
        .iter()
        .any(|c| c.summary.as_ref().is_none_or(|s| s.error.is_some()));
    if text {
        writeln!(out)?;
        write!(out, "{}", table::render(&columns))?;
        eprintln!(
            "valechat: conversation {}, message {}",
            comparison.conversation.id, comparison.user.id
        );
    } else {
        let json = table::json(&comparison, &columns);
        writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
    }
    out.flush()?;
    if interrupted {
        eprintln!(
            "valechat: interrupted; the partial replies are stored in conversation {}",
            comparison.conversation.id
        );
        return Ok(ExitCode::from(130));
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Prints `column`'s complete lines, each labelled; with `end`, the rest
/// too.
fn print_lines(out: &mut impl Write, column: &mut Column, end: bool) -> std::io::Result<()> {
    while let Some(newline) = column.pending.find('\n') {
        let line: String = column.pending.drain(..=newline).collect();
        write!(out, "[{}] {line}", column.label)?;
    }
    if end && !column.pending.is_empty() {
        writeln!(out, "[{}] {}", column.label, column.pending)?;
        column.pending.clear();
    }
    out.flush()
}

/// `PROVIDER/MODEL` split at the first `/`, the provider checked.
async fn split_model(engine: &Engine, given: &str) -> anyhow::Result<(String, String)> {
    let Some((provider, model)) = given
        .split_once('/')
        .filter(|(p, m)| !p.trim().is_empty() && !m.trim().is_empty())
    else {
        bail!("“{given}” is not PROVIDER/MODEL (e.g. openai/gpt-4o-mini)");
    };
    if engine.store().get_provider(provider).await?.is_none() {
        bail!("provider “{provider}” is not configured (see `valechat providers list`)");
    }
    Ok((provider.to_owned(), model.to_owned()))
}
