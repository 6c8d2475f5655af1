//! `valechat folders list|create|rename|delete` (issue 14, part 3):
//! folders (projects) conversations are filed in with `history move`.

use std::collections::HashMap;

use anyhow::anyhow;
use clap::Subcommand;

use valechat_core::chat::Engine;
use valechat_core::store::{Folder, Listing, Store};

/// Folder subcommands; folders are named by their name, ignoring case.
#[derive(Debug, Subcommand)]
pub enum FoldersCommand {
    /// List folders by name: id, name, how many conversations (archived
    /// ones included).
    List,
    /// Create a folder.
    Create {
        /// Its name (unique, ignoring case).
        name: String,
    },
    /// Rename a folder.
    Rename {
        /// Its current name.
        name: String,
        /// The new name.
        new_name: String,
    },
    /// Delete a folder; its conversations are kept, in no folder.
    Delete {
        /// Its name.
        name: String,
    },
}

/// Runs a folders subcommand.
pub async fn run(
    engine: &Engine,
    command: FoldersCommand,
) -> anyhow::Result<std::process::ExitCode> {
    let store = engine.store();
    match command {
        FoldersCommand::List => {
            let mut counts: HashMap<i64, usize> = HashMap::new();
            for c in store.list_conversations_for(Listing::All).await? {
                if let Some(f) = c.folder_id {
                    *counts.entry(f).or_default() += 1;
                }
            }
            for f in store.list_folders().await? {
                let n = counts.get(&f.id).copied().unwrap_or(0);
                println!("{}\t{}\t{n}", f.id, f.name);
            }
        }
        FoldersCommand::Create { name } => {
            let f = store.create_folder(&name).await?;
            println!("Created folder “{}”.", f.name);
        }
        FoldersCommand::Rename { name, new_name } => {
            let f = named(store, &name).await?;
            store.rename_folder(f.id, &new_name).await?;
            println!("Renamed folder “{}” to “{}”.", f.name, new_name.trim());
        }
        FoldersCommand::Delete { name } => {
            let f = named(store, &name).await?;
            let deleted = store.delete_folder(f.id).await?;
            let kept = match deleted.conversations_kept {
                1 => "its conversation is kept".to_owned(),
                n => format!("its {n} conversations are kept"),
            };
            println!("Deleted folder “{}”; {kept}, in no folder.", f.name);
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// The folder named `name`, or an error that says how to list them.
async fn named(store: &Store, name: &str) -> anyhow::Result<Folder> {
    store.folder_named(name).await?.ok_or_else(|| {
        anyhow!(
            "there is no folder named “{}” (see `valechat folders list`)",
            name.trim()
        )
    })
}
