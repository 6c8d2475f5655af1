//! `valechat library add NAME PATH…`: indexes each path, with progress on
//! stderr and one line per file on stdout (`STATE\tPATH\tDETAIL`; the
//! state words are fixed, the detail is translated), then a total.

use std::io::{IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::anyhow;

use valechat_core::documents::index::{FileOutcome, IndexSummary, index_path};
use valechat_core::store::{Library, Store};

use crate::i18n::{gettext_f, ngettext_f};

/// Indexes `paths` into `library`; every path is checked before any is
/// indexed, so a typo changes nothing.
pub async fn run(store: &Store, library: &Library, paths: &[PathBuf]) -> anyhow::Result<ExitCode> {
    for path in paths {
        if !path.exists() {
            return Err(anyhow!(gettext_f(
                "“{path}” does not exist; nothing was added",
                &[("path", &path.display().to_string())],
            )));
        }
    }
    let terminal = std::io::stderr().is_terminal();
    let mut total = IndexSummary::default();
    for path in paths {
        let summary = index_path(store, library, path, |p| {
            let line = gettext_f(
                "Indexing {done}/{total}: {path}",
                &[
                    ("done", &p.done.to_string()),
                    ("total", &p.total.to_string()),
                    ("path", &p.path.display().to_string()),
                ],
            );
            let mut err = std::io::stderr().lock();
            let _ = if terminal {
                write!(err, "\r\x1b[2K{line}")
            } else {
                writeln!(err, "{line}")
            };
            ControlFlow::Continue(())
        })
        .await?;
        if terminal {
            eprintln!();
        }
        for (file, outcome) in &summary.files {
            println!("{}", line(file, outcome));
        }
        total.files.extend(summary.files);
    }
    let count = |test: fn(&FileOutcome) -> bool| total.count(test);
    let indexed = count(|o| matches!(o, FileOutcome::Indexed { .. }));
    println!(
        "{}",
        ngettext_f(
            "{indexed} file indexed, {unchanged} unchanged, {failed} failed, {skipped} skipped.",
            "{indexed} files indexed, {unchanged} unchanged, {failed} failed, {skipped} skipped.",
            u32::try_from(indexed).unwrap_or(u32::MAX),
            &[
                ("indexed", &indexed.to_string()),
                (
                    "unchanged",
                    &count(|o| *o == FileOutcome::Unchanged).to_string()
                ),
                (
                    "failed",
                    &count(|o| matches!(o, FileOutcome::Failed { .. })).to_string()
                ),
                (
                    "skipped",
                    &count(|o| matches!(o, FileOutcome::Skipped { .. })).to_string()
                ),
            ],
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// One file's line: `STATE\tPATH\tDETAIL`.
fn line(path: &std::path::Path, outcome: &FileOutcome) -> String {
    let path = path.display();
    match outcome {
        FileOutcome::Indexed { chunks } => {
            let detail = ngettext_f(
                "{count} chunk",
                "{count} chunks",
                *chunks,
                &[("count", &chunks.to_string())],
            );
            format!("indexed\t{path}\t{detail}")
        }
        FileOutcome::Unchanged => format!("unchanged\t{path}"),
        FileOutcome::Failed { reason } => format!("failed\t{path}\t{reason}"),
        FileOutcome::Skipped { reason } => format!("skipped\t{path}\t{reason}"),
        FileOutcome::Removed => format!("removed\t{path}"),
    }
}
