//! `valechat history list|show`.

use std::process::ExitCode;

use anyhow::anyhow;
use clap::Subcommand;

use valechat_core::chat::Engine;
use valechat_core::store::MessageStatus;

/// History subcommands.
#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// List conversations, newest first: id, last change (local time), model, title.
    List,
    /// Print a conversation's messages.
    Show {
        /// Conversation id (see `history list`).
        id: i64,
    },
}

/// Runs a history subcommand.
pub async fn run(engine: &Engine, command: HistoryCommand) -> anyhow::Result<ExitCode> {
    match command {
        HistoryCommand::List => {
            for c in engine.store().list_conversations().await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    c.id,
                    format_local(c.updated_at),
                    c.model.as_deref().unwrap_or("-"),
                    c.title
                );
            }
        }
        HistoryCommand::Show { id } => {
            let c = engine
                .store()
                .get_conversation(id)
                .await?
                .ok_or_else(|| anyhow!("conversation {id} does not exist"))?;
            println!("# {}", c.title);
            for m in engine.store().list_messages(id).await? {
                let who = match (&m.model, m.role.as_str()) {
                    (Some(model), "assistant") => format!("assistant ({model})"),
                    (_, role) => role.to_owned(),
                };
                let note = match m.status {
                    MessageStatus::Complete => String::new(),
                    other => format!(" [{}]", other.as_str()),
                };
                println!("\n## {who}{note}\n\n{}", m.content);
                if let Some(e) = &m.error {
                    let error = valechat_core::chat::UserError::from_stored(e).one_line();
                    println!("\n(error: {error})");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Formats unix milliseconds as `YYYY-MM-DD HH:MM` in the user's time zone.
fn format_local(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|| "-".to_owned())
}
