//! `valechat history list|show|search|delete-branch|export|import|pin|unpin|archive|unarchive|move`.

mod organise;
mod search;
mod transfer;
mod tree;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, bail};
use clap::Subcommand;

use valechat_core::chat::Engine;
use valechat_core::store::MessageStatus;

/// History subcommands.
#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// List conversations, pinned first, then newest first: id, last
    /// change (local time), model, title, and where it is (`pinned`,
    /// `folder=NAME`, `archived`, comma-separated; `-` for none).
    /// Archived conversations are left out unless `--archived` is given.
    List {
        /// List the archived conversations instead.
        #[arg(long)]
        archived: bool,
    },
    /// Print a conversation's messages: the branch shown (the active path).
    Show {
        /// Conversation id (see `history list`).
        id: i64,
        /// Draw every branch as a tree instead: each message's id, role,
        /// model and first words; `*` marks the active branch. The ids are
        /// what `chat --edit` / `--regenerate` and `delete-branch` take.
        #[arg(long)]
        all_branches: bool,
    },
    /// Find messages (on every branch): each with a few words around the
    /// match, grouped by conversation, best match first.
    Search(search::SearchArgs),
    /// Delete a message and everything after it on its branches (its
    /// replies, their follow-ups, other versions below it). Usage records
    /// stay: what was spent stays counted.
    DeleteBranch {
        /// Message id (see `history show ID --all-branches`).
        message_id: i64,
        /// Delete without asking; without it, only say how many messages
        /// would go.
        #[arg(long)]
        yes: bool,
    },
    /// Export conversations: Markdown (one file per conversation, the
    /// branch shown, with model and cost per reply) or ValeChat JSON (one
    /// lossless file: every branch, tool calls, attachments, usage).
    Export {
        /// Conversation ids (see `history list`).
        ids: Vec<i64>,
        /// Export every conversation.
        #[arg(long)]
        all: bool,
        /// Export the conversations filed in this folder (see `folders list`).
        #[arg(long, value_name = "NAME")]
        folder: Option<String>,
        /// `md` or `json`.
        #[arg(long, value_enum)]
        format: transfer::ExportFormat,
        /// Where to write: for `json` a file; for `md` a folder (a file
        /// when one conversation is asked for and PATH is not a folder).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Pin a conversation: it is listed first.
    Pin {
        /// Conversation id (see `history list`).
        id: i64,
    },
    /// Unpin a conversation.
    Unpin {
        /// Conversation id (see `history list`).
        id: i64,
    },
    /// Archive a conversation: it is hidden from the lists until
    /// unarchived (`history list --archived` shows it).
    Archive {
        /// Conversation id (see `history list`).
        id: i64,
    },
    /// Unarchive a conversation.
    Unarchive {
        /// Conversation id (see `history list --archived`).
        id: i64,
    },
    /// Move a conversation into a folder (`--folder NAME`, see `folders
    /// list`) or out of any folder (`--none`).
    #[command(group(clap::ArgGroup::new("target").required(true).args(["folder", "none"])))]
    Move {
        /// Conversation id (see `history list`).
        id: i64,
        /// The folder's name (ignoring case).
        #[arg(long)]
        folder: Option<String>,
        /// Take it out of its folder.
        #[arg(long)]
        none: bool,
    },
    /// Import conversations from a ValeChat JSON export or the
    /// `conversations.json` of ChatGPT, Claude or Open WebUI (the format is
    /// detected). Conversations imported before are not duplicated; one
    /// that cannot be imported is skipped whole and listed (exit status 1).
    Import {
        /// The file.
        file: PathBuf,
    },
}

/// Runs a history subcommand.
pub async fn run(engine: &Engine, command: HistoryCommand) -> anyhow::Result<ExitCode> {
    match command {
        HistoryCommand::List { archived } => organise::list(engine, archived).await?,
        HistoryCommand::Pin { id } => organise::pin(engine, id, true).await?,
        HistoryCommand::Unpin { id } => organise::pin(engine, id, false).await?,
        HistoryCommand::Archive { id } => organise::archive(engine, id, true).await?,
        HistoryCommand::Unarchive { id } => organise::archive(engine, id, false).await?,
        HistoryCommand::Move { id, folder, none } => {
            organise::move_to(engine, id, if none { None } else { folder }).await?;
        }
        HistoryCommand::Show { id, all_branches } => {
            let c = engine
                .store()
                .get_conversation(id)
                .await?
                .ok_or_else(|| anyhow!("conversation {id} does not exist"))?;
            println!("# {}", c.title);
            if all_branches {
                let messages = engine.store().list_messages(id).await?;
                print!("\n{}", tree::draw(&messages, c.active_leaf_id));
                return Ok(ExitCode::SUCCESS);
            }
            for m in engine.store().active_path(id).await? {
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
        HistoryCommand::Export {
            ids,
            all,
            folder,
            format,
            output,
        } => {
            let selection = transfer::Selection { ids, all, folder };
            return transfer::export(engine.store(), selection, format, &output).await;
        }
        HistoryCommand::Import { file } => return transfer::import(engine.store(), file).await,
        HistoryCommand::Search(args) => return search::run(engine.store(), args).await,
        HistoryCommand::DeleteBranch { message_id, yes } => {
            delete_branch(engine, message_id, yes).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `history delete-branch MESSAGE_ID [--yes]`: says how many messages go,
/// and deletes them with `yes`.
async fn delete_branch(engine: &Engine, message_id: i64, yes: bool) -> anyhow::Result<()> {
    let store = engine.store();
    let Some(message) = store.message(message_id).await? else {
        bail!(
            "message {message_id} does not exist (see `valechat history show ID --all-branches`)"
        );
    };
    let count = store.branch_size(message_id).await?;
    let what = match count {
        1 => "1 message".to_owned(),
        n => format!("{n} messages"),
    };
    if !yes {
        println!(
            "Deleting message {message_id} of conversation {} deletes {what} (it and everything after it on its branches).",
            message.conversation_id
        );
        println!("Run `valechat history delete-branch {message_id} --yes` to delete.");
        return Ok(());
    }
    let deleted = store.delete_branch(message_id).await?;
    let what = match deleted.messages {
        1 => "1 message".to_owned(),
        n => format!("{n} messages"),
    };
    println!(
        "Deleted {what} from conversation {}.",
        deleted.conversation_id
    );
    Ok(())
}

/// Formats unix milliseconds as `YYYY-MM-DD HH:MM` in the user's time zone.
pub(super) fn format_local(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|| "-".to_owned())
}
