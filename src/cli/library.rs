//! `valechat library create|add|list|search|remove` (issue 17): knowledge
//! libraries from the command line, over `valechat_core::documents` and
//! the store's library repository. `add` is in `library/add.rs`, `list`
//! in `library/list.rs`, `search` in `library/search.rs`.

mod add;
mod list;
mod search;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::anyhow;
use clap::Subcommand;
use gettextrs::gettext;

use valechat_core::chat::Engine;
use valechat_core::store::{Library, Store};

use crate::i18n::gettext_f;

/// Library subcommands; libraries are named by their name, ignoring case.
#[derive(Debug, Subcommand)]
pub enum LibraryCommand {
    /// Create an empty library.
    Create {
        /// Its name (unique, ignoring case).
        name: String,
    },
    /// Add files or folders to a library and index them (again: only
    /// what changed is read). Prints progress on stderr and one line per
    /// file: `indexed`, `unchanged`, `failed`, `skipped` or `removed`,
    /// the path, and the chunks or the reason.
    Add {
        /// The library's name.
        name: String,
        /// Files or folders (folders are walked; hidden ones are not).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// List libraries, or a library's files with their state and the
    /// index's size.
    List {
        /// A library's name, to list its files.
        name: Option<String>,
    },
    /// Search a library (BM25) and print the best passages.
    Search(search::SearchArgs),
    /// Delete a library, or remove a file or folder from it (the files
    /// themselves are never touched).
    Remove {
        /// The library's name.
        name: String,
        /// A file or folder to remove from it; without one, the library
        /// is deleted.
        path: Option<PathBuf>,
    },
}

/// Runs a library subcommand.
pub async fn run(engine: &Engine, command: LibraryCommand) -> anyhow::Result<ExitCode> {
    let store = engine.store();
    match command {
        LibraryCommand::Create { name } => {
            let library = store.create_library(&name).await?;
            println!(
                "{}",
                gettext_f("Created library “{name}”.", &[("name", &library.name)])
            );
        }
        LibraryCommand::Add { name, paths } => {
            let library = named(store, &name).await?;
            return add::run(store, &library, &paths).await;
        }
        LibraryCommand::List { name: None } => list::libraries(store).await?,
        LibraryCommand::List { name: Some(name) } => {
            let library = named(store, &name).await?;
            list::files(store, &library).await?;
        }
        LibraryCommand::Search(args) => {
            let library = named(store, &args.name).await?;
            search::run(store, &library, &args).await?;
        }
        LibraryCommand::Remove { name, path: None } => {
            let library = named(store, &name).await?;
            store.delete_library(library.id).await?;
            println!(
                "{}",
                gettext_f(
                    "Deleted library “{name}”; its files were left alone.",
                    &[("name", &library.name)]
                )
            );
        }
        LibraryCommand::Remove {
            name,
            path: Some(path),
        } => {
            let library = named(store, &name).await?;
            let path = absolute(&path)?;
            let sources = store.library_sources(library.id).await?;
            let removed = store.remove_library_path(library.id, &path).await?;
            if removed == 0 && !sources.iter().any(|s| s.path == path) {
                return Err(anyhow!(gettext_f(
                    "“{path}” is not in library “{name}” (see `valechat library list {name}`)",
                    &[
                        ("path", &path.display().to_string()),
                        ("name", &library.name)
                    ],
                )));
            }
            println!(
                "{}",
                gettext_f(
                    "Removed “{path}” from library “{name}” ({count} files).",
                    &[
                        ("path", &path.display().to_string()),
                        ("name", &library.name),
                        ("count", &removed.to_string()),
                    ],
                )
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The library named `name`, or an error that says how to list them.
async fn named(store: &Store, name: &str) -> anyhow::Result<Library> {
    store.library_named(name).await?.ok_or_else(|| {
        anyhow!(gettext_f(
            "there is no library named “{name}” (see `valechat library list`)",
            &[("name", name.trim())],
        ))
    })
}

/// `path` made absolute as the index stores it: resolved when it exists,
/// else joined to the current directory.
fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    match std::fs::canonicalize(path) {
        Ok(path) => Ok(path),
        Err(_) => std::path::absolute(path)
            .map_err(|e| anyhow!("{}: {e}", gettext("cannot make the path absolute"))),
    }
}
