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

/// `history export [ID…|--all] --format md|json -o PATH`.
pub async fn export(
    store: &Store,
    ids: Vec<i64>,
    all: bool,
    format: ExportFormat,
    output: &Path,
) -> anyhow::Result<ExitCode> {
    let ids = match (all, ids.is_empty()) {
        (true, true) => store.conversation_ids().await?,
        (false, false) => ids,
        (true, false) => bail!("give conversation ids or --all, not both"),
        (false, true) => bail!("give conversation ids (see `valechat history list`) or --all"),
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
