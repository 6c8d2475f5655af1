//! The page's work off the main loop (run as its commands): reading the
//! library with where each curated model stands, and importing a file.

use std::path::PathBuf;

use super::text;
use crate::ui::model_downloads as downloads;
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
/// downloaded model of the same file name) or a partial download in
/// `models_dir` (`None`: no data folder, so no partial download).
///
/// # Errors
/// The store's error, in words.
pub async fn load(
    store: &Store,
    catalog: &[CatalogModel],
    models_dir: Option<PathBuf>,
) -> Result<Library, String> {
    let models = store
        .local_models()
        .await
        .map_err(|e| EngineError::from(e).user_message())?;
    let dir = models_dir;
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

#[cfg(test)]
mod tests {
    use super::*;
    use valechat_core::local::library::{ModelMetadata, catalog};
    use valechat_core::store::NewLocalModel;

    fn metadata() -> ModelMetadata {
        ModelMetadata {
            architecture: "llama".into(),
            name: None,
            parameters: 1,
            quantization: "F32".into(),
            context_length: None,
            embedding_length: None,
            layers: None,
            attention_heads: None,
            kv_heads: None,
            key_length: None,
            value_length: None,
            chat_template: None,
            license: None,
            size_bytes: 1,
        }
    }

    #[tokio::test]
    async fn curated_models_stand_downloaded_partial_or_absent() {
        let dir = tempfile::tempdir().unwrap();
        let models = dir.path().join("models");
        std::fs::create_dir_all(&models).unwrap();
        let store = Store::open_in_memory().await.unwrap();
        let curated = catalog::models();
        std::fs::write(downloads::partial(&curated[0], &models), vec![0u8; 1234]).unwrap();
        for (model, origin) in [
            (&curated[1], ModelOrigin::Downloaded),
            // The same file name imported by hand is not the download.
            (&curated[2], ModelOrigin::Copied),
        ] {
            store
                .add_local_model(NewLocalModel {
                    path: models.join(&model.file),
                    origin,
                    source: None,
                    sha256: None,
                    metadata: metadata(),
                })
                .await
                .unwrap();
        }

        let library = load(&store, &curated, Some(models)).await.unwrap();
        assert_eq!(library.models.len(), 2);
        assert_eq!(library.catalog.len(), curated.len());
        assert_eq!(library.catalog[0], Stands::Partial(1234));
        assert_eq!(library.catalog[1], Stands::InLibrary);
        assert_eq!(library.catalog[2], Stands::Absent);
        assert_eq!(library.catalog[3], Stands::Absent);

        let none = load(&store, &curated, None).await.unwrap();
        assert_eq!(none.catalog[0], Stands::Absent);
    }
}
