//! The page's work off the main loop (run as its commands): reading the
//! library with where each curated model stands, and importing a file.

use std::path::PathBuf;

use super::{downloads, text};
use valechat_core::chat::EngineError;
use valechat_core::local::library::{self, ImportMode, catalog::CatalogModel};
use valechat_core::store::{LocalModel, ModelOrigin, Store};

/// Where a curated model stands on this computer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Stands {
    /// Neither downloaded nor partly downloaded.
    #[default]
    Absent,
    /// A partial download of this many bytes is kept (`NAME.part`).
    Partial(u64),
    /// Downloaded into the library.
    InLibrary,
}

/// The library, and where each curated model stands (same order as the
/// list).
#[derive(Debug)]
pub struct Library {
    /// The library's models, in the store's order.
    pub models: Vec<LocalModel>,
    /// Each curated model's standing.
    pub catalog: Vec<Stands>,
}

/// Reads the library and looks for each curated model's file in it (a
/// downloaded model of the same file name) or a partial download in the
/// models folder.
///
/// # Errors
/// The store's error, in words.
pub async fn load(store: &Store, catalog: &[CatalogModel]) -> Result<Library, String> {
    let models = store
        .local_models()
        .await
        .map_err(|e| EngineError::from(e).user_message())?;
    let dir = valechat_core::paths::models_dir().ok();
    let mut stands = Vec::with_capacity(catalog.len());
    for m in catalog {
        let downloaded = models.iter().any(|x| {
            x.origin == ModelOrigin::Downloaded
                && x.path.file_name().is_some_and(|n| n == m.file.as_str())
        });
        let partial = match (&dir, downloaded) {
            (Some(dir), false) => tokio::fs::metadata(downloads::partial(m, dir))
                .await
                .ok()
                .filter(std::fs::Metadata::is_file)
                .map(|meta| meta.len()),
            _ => None,
        };
        stands.push(match (downloaded, partial) {
            (true, _) => Stands::InLibrary,
            (false, Some(kept)) => Stands::Partial(kept),
            (false, None) => Stands::Absent,
        });
    }
    Ok(Library {
        models,
        catalog: stands,
    })
}

/// Imports `path` into the library.
///
/// # Errors
/// The file's name and why it was refused, in words (nothing was added).
pub async fn import(
    store: &Store,
    path: PathBuf,
    mode: ImportMode,
) -> Result<Box<LocalModel>, (String, String)> {
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let dir = valechat_core::paths::models_dir().map_err(|e| (file.clone(), e.to_string()))?;
    library::import(store, &path, mode, &dir)
        .await
        .map(Box::new)
        .map_err(|e| (file, text::import_failed(&e)))
}
