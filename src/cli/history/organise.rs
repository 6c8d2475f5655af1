//! `history list [--archived]`, `history pin|unpin|archive|unarchive ID`
//! and `history move ID --folder NAME|--none` (issue 14, part 3).

use std::collections::HashMap;

use anyhow::{anyhow, bail};

use valechat_core::chat::Engine;
use valechat_core::store::{Listing, StoreError};

/// Prints the conversations not archived (or only the archived ones):
/// id, last change, model, title, and where it is.
pub(super) async fn list(engine: &Engine, archived: bool) -> anyhow::Result<()> {
    let store = engine.store();
    let listing = if archived {
        Listing::Archived
    } else {
        Listing::Active
    };
    let folders: HashMap<i64, String> = store
        .list_folders()
        .await?
        .into_iter()
        .map(|f| (f.id, f.name))
        .collect();
    for c in store.list_conversations_for(listing).await? {
        let mut place = Vec::new();
        if c.pinned {
            place.push("pinned".to_owned());
        }
        if let Some(name) = c.folder_id.and_then(|id| folders.get(&id)) {
            place.push(format!("folder={name}"));
        }
        if c.archived {
            place.push("archived".to_owned());
        }
        let place = if place.is_empty() {
            "-".to_owned()
        } else {
            place.join(",")
        };
        println!(
            "{}\t{}\t{}\t{}\t{place}",
            c.id,
            super::format_local(c.updated_at),
            c.model.as_deref().unwrap_or("-"),
            c.title
        );
    }
    Ok(())
}

/// Pins or unpins conversation `id`.
pub(super) async fn pin(engine: &Engine, id: i64, pinned: bool) -> anyhow::Result<()> {
    known(engine.store().set_pinned(id, pinned).await, id)?;
    println!(
        "{} conversation {id}.",
        if pinned { "Pinned" } else { "Unpinned" }
    );
    Ok(())
}

/// Archives or unarchives conversation `id`.
pub(super) async fn archive(engine: &Engine, id: i64, archived: bool) -> anyhow::Result<()> {
    known(engine.store().set_archived(id, archived).await, id)?;
    if archived {
        println!(
            "Archived conversation {id} (`valechat history list --archived` lists it, `valechat history unarchive {id}` brings it back)."
        );
    } else {
        println!("Unarchived conversation {id}.");
    }
    Ok(())
}

/// Moves conversation `id` into the folder named `folder`, or out of any.
pub(super) async fn move_to(
    engine: &Engine,
    id: i64,
    folder: Option<String>,
) -> anyhow::Result<()> {
    let store = engine.store();
    let target = match &folder {
        Some(name) => Some(store.folder_named(name).await?.ok_or_else(|| {
            anyhow!(
                "there is no folder named “{}” (see `valechat folders list`; `valechat folders create NAME` makes one)",
                name.trim()
            )
        })?),
        None => None,
    };
    known(
        store
            .move_to_folder(id, target.as_ref().map(|f| f.id))
            .await,
        id,
    )?;
    match target {
        Some(f) => println!("Moved conversation {id} to folder “{}”.", f.name),
        None => println!("Moved conversation {id} out of its folder."),
    }
    Ok(())
}

/// A store result, with an unknown conversation said plainly.
fn known(result: Result<(), StoreError>, id: i64) -> anyhow::Result<()> {
    match result {
        Err(StoreError::NotFound {
            what: "conversation",
            ..
        }) => bail!("conversation {id} does not exist (see `valechat history list`)"),
        other => Ok(other?),
    }
}
