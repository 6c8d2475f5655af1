//! Adding model files to the library and taking them out: import by copy
//! (into [`crate::paths::models_dir`]) or by reference (the file stays
//! where it is), and removal (a copied or downloaded file is deleted, a
//! referenced one never is).

use std::path::{Path, PathBuf};

use crate::store::{LocalModel, ModelOrigin, NewLocalModel, Store, StoreError};

use super::metadata::{self, MetadataError};

/// How [`import`] adds a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// Copy it into the models folder (the original can then go).
    Copy,
    /// Use it where it is (it must stay there).
    Reference,
}

/// Why the library could not do what was asked. Nothing is half done: a
/// failed import leaves no copy and no row.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    /// The file is not a GGUF model ValeChat can read.
    #[error(transparent)]
    Metadata(#[from] MetadataError),
    /// The file is already in the library.
    #[error("{} is already in the library (model {model_id})", path.display())]
    AlreadyThere {
        /// The file.
        path: PathBuf,
        /// Its model id in the library ([`LocalModel::model_id`]).
        model_id: String,
    },
    /// No model with this row id (removed meanwhile).
    #[error("no model with row id {0} in the library (see `valechat models list`)")]
    NoSuchModel(i64),
    /// A file operation failed.
    #[error("{action} {}: {error}", path.display())]
    Io {
        /// What was attempted, e.g. `"could not copy the model to"`.
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The OS error.
        error: std::io::Error,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// There is no data folder to copy into.
    #[error(transparent)]
    NoDataDir(#[from] crate::paths::NoDataDir),
}

impl LibraryError {
    pub(crate) fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.to_owned();
        move |error| Self::Io {
            action,
            path,
            error,
        }
    }
}

/// Imports the GGUF file at `path` into the library of `store`, copying it
/// into `models_dir` or referencing it where it is. Its header is read
/// first: a file that is not valid GGUF is refused before anything is
/// copied.
///
/// A copy keeps the file's name (with `-2`, `-3`… when taken), is written
/// as `NAME.part` and renamed when complete.
///
/// # Errors
/// [`LibraryError::Metadata`] for a file that is not a readable GGUF
/// model (missing, truncated, corrupt); [`LibraryError::AlreadyThere`];
/// [`LibraryError::Io`] when the copy fails (the partial copy is removed);
/// [`LibraryError::Store`].
pub async fn import(
    store: &Store,
    path: &Path,
    mode: ImportMode,
    models_dir: &Path,
) -> Result<LocalModel, LibraryError> {
    let source = std::path::absolute(path).map_err(LibraryError::io("could not resolve", path))?;
    let read_from = source.clone();
    let metadata = tokio::task::spawn_blocking(move || metadata::read(&read_from))
        .await
        .map_err(StoreError::from)??;
    let canonical = source
        .canonicalize()
        .map_err(LibraryError::io("could not resolve", &source))?;
    if let Some(existing) = store.local_model_by_path(&canonical).await? {
        return Err(LibraryError::AlreadyThere {
            path: canonical,
            model_id: existing.model_id,
        });
    }
    let (path, origin) = match mode {
        ImportMode::Reference => (canonical.clone(), ModelOrigin::Referenced),
        ImportMode::Copy => {
            let from = canonical.clone();
            let dir = models_dir.to_owned();
            let copy = tokio::task::spawn_blocking(move || copy_into(&from, &dir))
                .await
                .map_err(StoreError::from)??;
            (copy, ModelOrigin::Copied)
        }
    };
    let added = store
        .add_local_model(NewLocalModel {
            path: path.clone(),
            origin,
            source: Some(canonical.to_string_lossy().into_owned()),
            sha256: None,
            metadata,
        })
        .await;
    if added.is_err() && origin.owns_file() {
        let _ = std::fs::remove_file(&path);
    }
    Ok(added?)
}

/// Copies `from` into `dir` under a free name; the copy's path.
fn copy_into(from: &Path, dir: &Path) -> Result<PathBuf, LibraryError> {
    std::fs::create_dir_all(dir).map_err(LibraryError::io("could not create the folder", dir))?;
    let target = free_name(
        dir,
        from.file_name().unwrap_or_else(|| "model.gguf".as_ref()),
    );
    let part = part_path(&target);
    if let Err(e) = std::fs::copy(from, &part) {
        let _ = std::fs::remove_file(&part);
        return Err(LibraryError::io("could not copy the model to", &part)(e));
    }
    std::fs::rename(&part, &target).map_err(LibraryError::io("could not rename", &part))?;
    Ok(target)
}

/// `dir/name`, or `dir/stem-N.ext` with the first N from 2 that is free
/// (neither the file nor its `.part` exists).
pub(crate) fn free_name(dir: &Path, name: &std::ffi::OsStr) -> PathBuf {
    let first = dir.join(name);
    let taken = |p: &Path| p.exists() || part_path(p).exists();
    if !taken(&first) {
        return first;
    }
    let as_path = Path::new(name);
    let stem = as_path.file_stem().unwrap_or(name).to_string_lossy();
    let ext = as_path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    (2..=u32::MAX)
        .map(|n| dir.join(format!("{stem}-{n}{ext}")))
        .find(|p| !taken(p))
        .unwrap_or(first)
}

/// `FILE.part`: where a file being copied or downloaded is written.
#[must_use]
pub fn part_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".part");
    path.with_file_name(name)
}

/// Removes model `id` from the library: its row, and its file when the
/// library copied or downloaded it (a referenced file is left alone). A
/// file already gone is not an error.
///
/// # Errors
/// [`LibraryError::NoSuchModel`]; [`LibraryError::Io`] when the file
/// cannot be deleted (the row is then kept); [`LibraryError::Store`].
pub async fn remove(store: &Store, id: i64) -> Result<LocalModel, LibraryError> {
    let model = store
        .local_model(id)
        .await?
        .ok_or(LibraryError::NoSuchModel(id))?;
    if model.origin.owns_file() {
        match std::fs::remove_file(&model.path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(LibraryError::io("could not delete", &model.path)(e)),
        }
    }
    store.delete_local_model(id).await?;
    Ok(model)
}
