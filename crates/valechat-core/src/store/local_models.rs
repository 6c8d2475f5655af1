//! Repository of `local_models`: the model library's rows (issue 16). The
//! files themselves are handled by `local::library::files`; a row keeps
//! the GGUF metadata read when the model was added, as JSON.

use std::path::PathBuf;

use diesel::prelude::*;

use super::error::StoreError;
use super::schema::local_models;
use super::{Store, now_ms};
use crate::model::local_model::ModelMetadata;

/// How a model came into the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelOrigin {
    /// Copied into the models folder: removing it deletes the copy.
    Copied,
    /// Used where it is: removing it leaves the file alone.
    Referenced,
    /// Downloaded into the models folder: removing it deletes the file.
    Downloaded,
}

impl ModelOrigin {
    /// The stored name: `copied`, `referenced`, `downloaded`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Copied => "copied",
            Self::Referenced => "referenced",
            Self::Downloaded => "downloaded",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "copied" => Self::Copied,
            "downloaded" => Self::Downloaded,
            _ => Self::Referenced,
        }
    }

    /// Whether the library owns the file (it deletes it on removal).
    #[must_use]
    pub fn owns_file(self) -> bool {
        self != Self::Referenced
    }
}

/// A model to add to the library.
#[derive(Debug, Clone)]
pub struct NewLocalModel {
    /// Absolute path of the file.
    pub path: PathBuf,
    /// How it came.
    pub origin: ModelOrigin,
    /// The imported path, or `hf:REPO/FILE@REVISION`.
    pub source: Option<String>,
    /// SHA-256 of the file, lower-case hex, when known.
    pub sha256: Option<String>,
    /// Its metadata (the size on disk is `metadata.size_bytes`).
    pub metadata: ModelMetadata,
}

/// A model of the library.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LocalModel {
    /// Its row id (the preferences page's handle; never shown).
    pub id: i64,
    /// The id it is known by: its file's name without `.gguf`
    /// (`qwen2.5-0.5b-instruct-q4_k_m`), with `-2`, `-3`… when another
    /// model of the library had that name first. It is the model of
    /// "On this computer" in conversations, usage records and
    /// `valechat chat --model`, and the `ID` of `valechat models info ID`.
    pub model_id: String,
    /// Absolute path of the file.
    pub path: PathBuf,
    /// How it came.
    pub origin: ModelOrigin,
    /// The imported path, or `hf:REPO/FILE@REVISION`.
    pub source: Option<String>,
    /// SHA-256 of the file, lower-case hex, when known.
    pub sha256: Option<String>,
    /// Its metadata, as read when it was added.
    pub metadata: ModelMetadata,
    /// When it was added, UTC unix milliseconds.
    pub added_at: i64,
}

impl LocalModel {
    /// The name to show: the GGUF's `general.name`, else the file name.
    #[must_use]
    pub fn display_name(&self) -> String {
        self.metadata.name.clone().unwrap_or_else(|| {
            self.path
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
        })
    }
}

/// The model id for the file at `path`: its name without `.gguf`, with
/// `-2`, `-3`… appended while that id is in `taken`; `model` for a file
/// with no name.
fn unique_model_id(path: &std::path::Path, taken: &[String]) -> String {
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let stem = match name.len().checked_sub(5) {
        Some(cut) if name.is_char_boundary(cut) && name[cut..].eq_ignore_ascii_case(".gguf") => {
            &name[..cut]
        }
        _ => &name[..],
    };
    let stem = if stem.trim().is_empty() {
        "model"
    } else {
        stem
    };
    let free = |id: &str| !taken.iter().any(|t| t == id);
    if free(stem) {
        return stem.to_owned();
    }
    // Of `taken.len() + 1` candidates, one at least is free.
    (2..=taken.len() + 2)
        .map(|n| format!("{stem}-{n}"))
        .find(|id| free(id))
        .unwrap_or_else(|| stem.to_owned())
}

type Row = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    String,
    i64,
    String,
);

fn from_row(row: Row) -> Result<LocalModel, StoreError> {
    let (id, path, origin, source, sha256, _size, metadata, added_at, model_id) = row;
    let metadata = serde_json::from_str(&metadata).map_err(|e| StoreError::InvalidValue {
        column: "local_models.metadata",
        value: e.to_string(),
    })?;
    Ok(LocalModel {
        id,
        model_id,
        path: PathBuf::from(path),
        origin: ModelOrigin::parse(&origin),
        source,
        sha256,
        metadata,
        added_at,
    })
}

impl Store {
    /// Adds `model` to the library and returns it with its row id and its
    /// model id (the file's name without `.gguf`, made unique; see
    /// [`LocalModel::model_id`]).
    ///
    /// # Errors
    /// [`StoreError::Query`] also when that path is already in the library
    /// (see [`Store::local_model_by_path`]); [`StoreError::Pool`],
    /// [`StoreError::DiskFull`].
    pub async fn add_local_model(&self, model: NewLocalModel) -> Result<LocalModel, StoreError> {
        self.run(move |conn| {
            let path = model.path.to_string_lossy().into_owned();
            let metadata =
                serde_json::to_string(&model.metadata).map_err(|e| StoreError::InvalidValue {
                    column: "local_models.metadata",
                    value: e.to_string(),
                })?;
            let size = i64::try_from(model.metadata.size_bytes).unwrap_or(i64::MAX);
            let taken: Vec<String> = local_models::table
                .select(local_models::model_id)
                .load(conn)
                .map_err(StoreError::during("adding a local model"))?;
            let model_id = unique_model_id(&model.path, &taken);
            let row: Row = diesel::insert_into(local_models::table)
                .values((
                    local_models::model_id.eq(&model_id),
                    local_models::path.eq(&path),
                    local_models::origin.eq(model.origin.as_str()),
                    local_models::source.eq(&model.source),
                    local_models::sha256.eq(&model.sha256),
                    local_models::size_bytes.eq(size),
                    local_models::metadata.eq(&metadata),
                    local_models::added_at.eq(now_ms()),
                ))
                .returning(local_models::all_columns)
                .get_result(conn)
                .map_err(StoreError::during("adding a local model"))?;
            from_row(row)
        })
        .await
    }

    /// Every model of the library, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::InvalidValue`].
    pub async fn local_models(&self) -> Result<Vec<LocalModel>, StoreError> {
        self.run(|conn| {
            let rows: Vec<Row> = local_models::table
                .order(local_models::id.asc())
                .load(conn)
                .map_err(StoreError::during("listing local models"))?;
            rows.into_iter().map(from_row).collect()
        })
        .await
    }

    /// The model `id`, if it is in the library.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::InvalidValue`].
    pub async fn local_model(&self, id: i64) -> Result<Option<LocalModel>, StoreError> {
        self.run(move |conn| {
            let row: Option<Row> = local_models::table
                .find(id)
                .first(conn)
                .optional()
                .map_err(StoreError::during("reading a local model"))?;
            row.map(from_row).transpose()
        })
        .await
    }

    /// The model whose id is `model_id` ([`LocalModel::model_id`]), if it
    /// is in the library.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::InvalidValue`].
    pub async fn local_model_by_model_id(
        &self,
        model_id: &str,
    ) -> Result<Option<LocalModel>, StoreError> {
        let model_id = model_id.to_owned();
        self.run(move |conn| {
            let row: Option<Row> = local_models::table
                .filter(local_models::model_id.eq(model_id))
                .first(conn)
                .optional()
                .map_err(StoreError::during("reading a local model"))?;
            row.map(from_row).transpose()
        })
        .await
    }

    /// The model whose file is `path`, if it is in the library.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::InvalidValue`].
    pub async fn local_model_by_path(
        &self,
        path: &std::path::Path,
    ) -> Result<Option<LocalModel>, StoreError> {
        let path = path.to_string_lossy().into_owned();
        self.run(move |conn| {
            let row: Option<Row> = local_models::table
                .filter(local_models::path.eq(path))
                .first(conn)
                .optional()
                .map_err(StoreError::during("reading a local model"))?;
            row.map(from_row).transpose()
        })
        .await
    }

    /// Removes the row of model `id`; whether there was one.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn delete_local_model(&self, id: i64) -> Result<bool, StoreError> {
        self.run(move |conn| {
            diesel::delete(local_models::table.find(id))
                .execute(conn)
                .map(|n| n > 0)
                .map_err(StoreError::during("removing a local model"))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::unique_model_id;

    #[test]
    fn a_model_is_named_by_its_file_and_made_unique() {
        let taken = |ids: &[&str]| ids.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let path = Path::new("/m/Qwen2.5-0.5B-Instruct-Q4_K_M.gguf");
        assert_eq!(unique_model_id(path, &[]), "Qwen2.5-0.5B-Instruct-Q4_K_M");
        assert_eq!(
            unique_model_id(path, &taken(&["Qwen2.5-0.5B-Instruct-Q4_K_M"])),
            "Qwen2.5-0.5B-Instruct-Q4_K_M-2"
        );
        assert_eq!(
            unique_model_id(Path::new("/m/tiny.GGUF"), &taken(&["tiny", "tiny-2"])),
            "tiny-3"
        );
        assert_eq!(
            unique_model_id(Path::new("/m/weights.bin"), &[]),
            "weights.bin"
        );
        assert_eq!(unique_model_id(Path::new("/m/.gguf"), &[]), "model");
        assert_eq!(unique_model_id(Path::new("/m/é.gguf"), &[]), "é");
    }
}
