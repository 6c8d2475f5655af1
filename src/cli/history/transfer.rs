//! `valechat history export|import`: conversations to Markdown or ValeChat
//! JSON, and imports from ValeChat, ChatGPT, Claude and Open WebUI files
//! (`valechat_core::transfer`).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::bail;
use clap::ValueEnum;

use valechat_core::store::Store;
use valechat_core::transfer::{ImportProgress, export, import_file};

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Markdown: one readable file per conversation (the branch shown).
    Md,
    /// ValeChat JSON: one lossless file holding every conversation asked for.
    Json,
}

/// Files at least this large get a progress line (when stderr is a terminal).
const PROGRESS_FROM_BYTES: u64 = 1 << 20;

/// Which conversations `history export` writes: ids, `--all` or
/// `--folder NAME` (exactly one of them).
#[derive(Debug)]
pub struct Selection {
    /// Conversation ids.
    pub ids: Vec<i64>,
    /// Every conversation.
    pub all: bool,
    /// The conversations filed in this folder.
    pub folder: Option<String>,
}

/// `history export [ID…|--all|--folder NAME] --format md|json -o PATH`.
pub async fn export(
    store: &Store,
    selection: Selection,
    format: ExportFormat,
    output: &Path,
) -> anyhow::Result<ExitCode> {
    let Selection { ids, all, folder } = selection;
    let ids = match (all, ids.is_empty(), folder) {
        (true, true, None) => store.conversation_ids().await?,
        (false, false, None) => ids,
        (false, true, Some(name)) => {
            let Some(folder) = store.folder_named(&name).await? else {
                bail!("no folder is named “{name}” (see `valechat folders list`)");
            };
            let ids = store.folder_conversation_ids(folder.id).await?;
            if ids.is_empty() {
                bail!("the folder “{name}” holds no conversation");
            }
            ids
        }
        (false, true, None) => {
            bail!("give conversation ids (see `valechat history list`), --all or --folder NAME")
        }
        _ => bail!("give conversation ids, --all or --folder NAME, only one of them"),
    };
    match format {
        ExportFormat::Json => {
            let n = export::export_json(store, &ids, output).await?;
            println!(
                "Exported {} to {}.",
                plural(n, "conversation"),
                output.display()
            );
        }
        ExportFormat::Md => {
            let files = export::export_markdown(store, &ids, output).await?;
            println!(
                "Exported {} to {}.",
                plural(files.len(), "conversation"),
                output.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `history import FILE`: prints the summary; exit status 1 when some
/// conversations were skipped.
pub async fn import(store: &Store, file: PathBuf) -> anyhow::Result<ExitCode> {
    let size = std::fs::metadata(&file).map_or(0, |m| m.len());
    let show = size >= PROGRESS_FROM_BYTES && std::io::stderr().is_terminal();
    let mut last_percent = None;
    let summary = import_file(store, &file, |p: ImportProgress| {
        if !show {
            return;
        }
        let percent = p.bytes_read * 100 / p.total_bytes.max(1);
        if last_percent != Some(percent) {
            last_percent = Some(percent);
            let mut err = std::io::stderr();
            let _ = write!(
                err,
                "\r{} conversations, {} of {} MiB read ({percent} %)",
                p.conversations,
                p.bytes_read >> 20,
                p.total_bytes >> 20
            );
            let _ = err.flush();
        }
    })
    .await;
    if show {
        eprintln!();
    }
    let summary = summary?;
    println!("{summary}");
    Ok(if summary.skipped.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `1 conversation`, `3 conversations`.
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
