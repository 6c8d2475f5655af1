//! `valechat models download REPO FILE | URL`: progress on standard error
//! (a line redrawn on a terminal, a line per tenth otherwise), Ctrl+C
//! pauses (the partial file is kept; the same command resumes).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::bail;
use tokio_util::sync::CancellationToken;

use valechat_core::local::library::download::{self, DownloadError, HfFile, Progress, hub};
use valechat_core::paths;
use valechat_core::store::Store;

use super::show;

/// Exit status after a pause with Ctrl+C (128 + SIGINT), as `chat`.
const PAUSED: u8 = 130;

/// Downloads `repo_or_url` (with `file`) into the library.
pub async fn run(
    store: &Store,
    repo_or_url: &str,
    file: Option<&str>,
    revision: &str,
) -> anyhow::Result<ExitCode> {
    let hub_file = if repo_or_url.contains("://") {
        if file.is_some() {
            bail!("give either a URL, or a repository and a file, not both");
        }
        HfFile::from_url(repo_or_url)?
    } else {
        let Some(file) = file else {
            bail!(
                "which file of {repo_or_url}? `valechat models download REPO FILE` (e.g. a .gguf of the repository's Files)"
            );
        };
        let mut f = HfFile::new(&hub::endpoint(), repo_or_url, file)?;
        revision.clone_into(&mut f.revision);
        f
    };
    let cancel = CancellationToken::new();
    let on_interrupt = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_interrupt.cancel();
        }
    });
    eprintln!("Downloading {} from {}", hub_file.file, hub_file.repo);
    let mut printer = Printer::new(std::io::stderr().is_terminal());
    let result = download::download(
        store,
        &download::client()?,
        &hub_file,
        &paths::models_dir()?,
        &cancel,
        &mut |p| printer.show(p),
    )
    .await;
    printer.finish();
    match result {
        Ok(model) => {
            println!(
                "Downloaded model {} “{}” ({}, SHA-256 {} checked) as {}",
                model.model_id,
                model.display_name(),
                show::size(model.metadata.size_bytes),
                model.sha256.as_deref().unwrap_or_default(),
                model.path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ DownloadError::Paused { .. }) => {
            eprintln!("valechat: {e}");
            Ok(ExitCode::from(PAUSED))
        }
        Err(e) => Err(e.into()),
    }
}

/// Prints progress: redrawn at most every 200 ms on a terminal, else one
/// line per tenth of the file.
struct Printer {
    terminal: bool,
    last: Option<Instant>,
    last_tenth: Option<u64>,
    drawn: bool,
}

impl Printer {
    fn new(terminal: bool) -> Self {
        Self {
            terminal,
            last: None,
            last_tenth: None,
            drawn: false,
        }
    }

    fn show(&mut self, p: Progress) {
        let tenth = (p.downloaded * 10).checked_div(p.total).unwrap_or(10);
        let percent = (p.downloaded * 100).checked_div(p.total).unwrap_or(100);
        let mut err = std::io::stderr().lock();
        if self.last.is_none() && p.resumed_from > 0 {
            let _ = writeln!(
                err,
                "Resuming from {} ({} bytes on disk)",
                show::size(p.resumed_from),
                p.resumed_from
            );
        }
        let line = format!(
            "{percent:3}% {} of {}",
            show::size(p.downloaded),
            show::size(p.total)
        );
        if self.terminal {
            let due = self
                .last
                .is_none_or(|t| t.elapsed() >= Duration::from_millis(200));
            if due || p.downloaded == p.total {
                let _ = write!(err, "\r{line}   ");
                let _ = err.flush();
                self.last = Some(Instant::now());
                self.drawn = true;
            }
        } else if self.last_tenth != Some(tenth) {
            let _ = writeln!(err, "{line}");
            self.last_tenth = Some(tenth);
        }
        self.last.get_or_insert_with(Instant::now);
    }

    fn finish(&mut self) {
        if self.drawn {
            eprintln!();
        }
    }
}
