//! Writing conversations out: [`markdown`] (one readable file per
//! conversation) and [`json`] (ValeChat JSON, lossless), and the two
//! functions the CLI and the window call.

pub mod json;
pub mod markdown;

use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::TransferError;
use crate::store::{Store, StoreError};

/// Writes conversations `ids` to `path` as one ValeChat JSON file; returns
/// how many were written. The file is written as `<path>.part` and renamed
/// at the end, so a failed export leaves an existing `path` as it was.
///
/// # Errors
/// [`TransferError::NoConversation`] for an unknown id,
/// [`TransferError::Io`], [`TransferError::Store`].
pub async fn export_json(store: &Store, ids: &[i64], path: &Path) -> Result<usize, TransferError> {
    let mut part = path.as_os_str().to_owned();
    part.push(".part");
    let part = PathBuf::from(part);
    let result = write_json(store, ids, &part).await;
    if result.is_err() {
        let _ = std::fs::remove_file(&part);
        return result;
    }
    std::fs::rename(&part, path).map_err(|error| TransferError::Io {
        action: "write",
        path: path.to_owned(),
        error,
    })?;
    result
}

async fn write_json(store: &Store, ids: &[i64], path: &Path) -> Result<usize, TransferError> {
    let io = |action| {
        move |error| TransferError::Io {
            action,
            path: path.to_owned(),
            error,
        }
    };
    let file = std::fs::File::create(path).map_err(io("create"))?;
    let now = chrono::Utc::now().timestamp_millis();
    let mut writer = json::JsonExportWriter::new(BufWriter::new(file), now).map_err(io("write"))?;
    for &id in ids {
        let c = archive(store, id).await?;
        writer.write(id, c).map_err(io("write"))?;
    }
    writer.finish().map_err(io("write"))?;
    Ok(ids.len())
}

/// Writes each of conversations `ids` as Markdown: into the folder `path`
/// (created if missing) as `<id>-<title>.md` when `path` is a folder or
/// several are asked for, else into the file `path`. Returns the files
/// written.
///
/// # Errors
/// [`TransferError::NoConversation`], [`TransferError::Io`],
/// [`TransferError::Store`].
pub async fn export_markdown(
    store: &Store,
    ids: &[i64],
    path: &Path,
) -> Result<Vec<PathBuf>, TransferError> {
    let into_folder = ids.len() != 1 || path.is_dir();
    if into_folder {
        std::fs::create_dir_all(path).map_err(|error| TransferError::Io {
            action: "create",
            path: path.to_owned(),
            error,
        })?;
    }
    let mut written = Vec::with_capacity(ids.len());
    for &id in ids {
        let c = archive(store, id).await?;
        let file = if into_folder {
            path.join(markdown::file_name(id, &c.title))
        } else {
            path.to_owned()
        };
        std::fs::write(&file, markdown::markdown(&c)).map_err(|error| TransferError::Io {
            action: "write",
            path: file.clone(),
            error,
        })?;
        written.push(file);
    }
    Ok(written)
}

/// The store's archive of `id`, with an unknown id named.
async fn archive(
    store: &Store,
    id: i64,
) -> Result<crate::model::archive::ArchivedConversation, TransferError> {
    match store.archive_conversation(id).await {
        Err(StoreError::NotFound { .. }) => Err(TransferError::NoConversation { id }),
        other => Ok(other?),
    }
}
