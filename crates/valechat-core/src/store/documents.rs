//! Repository of the knowledge libraries (issue 17): `libraries`,
//! `library_sources` (the files and folders added to one), `documents`
//! (each file's state as last indexed) and `document_chunks` with their
//! FTS5 index `document_chunks_fts`, kept in step by triggers (migration
//! `2026-12-22-000000_documents`).
//!
//! What to index and how is `crate::documents`; this module only reads
//! and writes rows. Files: `write` (a document and its chunks in one
//! transaction), `matches` (BM25 over the FTS5 index), `stats`.

mod matches;
mod stats;
mod write;

use std::path::{Path, PathBuf};

use diesel::prelude::*;

use super::error::StoreError;
use super::schema::{libraries, library_sources};
use super::{Store, now_ms};

pub use matches::ChunkMatch;
pub use stats::LibraryStats;
pub use write::{DocumentRecord, DocumentState, NewChunk, NewDocument};

/// A knowledge library.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = libraries, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Library {
    /// Row id.
    pub id: i64,
    /// Its name, unique ignoring case, never blank.
    pub name: String,
    /// `provider_id/model` of its embeddings; `None` while it is searched
    /// by words only (BM25).
    pub embedding_model: Option<String>,
    /// Creation time, UTC unix milliseconds.
    pub created_at: i64,
}

/// A file or folder added to a library.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LibrarySource {
    /// Row id.
    pub id: i64,
    /// `Library::id`.
    pub library_id: i64,
    /// Absolute path.
    pub path: PathBuf,
    /// When it was added, UTC unix milliseconds.
    pub added_at: i64,
}

/// Row of `library_sources`.
#[derive(Queryable, Selectable)]
#[diesel(table_name = library_sources, check_for_backend(diesel::sqlite::Sqlite))]
struct SourceRow {
    id: i64,
    library_id: i64,
    path: String,
    added_at: i64,
}

impl From<SourceRow> for LibrarySource {
    fn from(row: SourceRow) -> Self {
        Self {
            id: row.id,
            library_id: row.library_id,
            path: PathBuf::from(row.path),
            added_at: row.added_at,
        }
    }
}

/// `path` as stored (UTF-8), or [`StoreError::Invalid`].
fn path_text(path: &Path) -> Result<String, StoreError> {
    path.to_str().map(str::to_owned).ok_or(StoreError::Invalid {
        what: "document path",
        reason: "it is not valid UTF-8",
    })
}

impl Store {
    /// Creates a library named `name` (trimmed), with no embedding model.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a blank name, [`StoreError::AlreadyExists`]
    /// when a library has it (ignoring case), [`StoreError::Pool`],
    /// [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn create_library(&self, name: &str) -> Result<Library, StoreError> {
        let name = name.trim().to_owned();
        if name.is_empty() {
            return Err(StoreError::Invalid {
                what: "library name",
                reason: "it is blank",
            });
        }
        self.run(move |conn| {
            if library_by_name(conn, &name)?.is_some() {
                return Err(StoreError::AlreadyExists {
                    what: "library",
                    name,
                });
            }
            diesel::insert_into(libraries::table)
                .values((
                    libraries::name.eq(&name),
                    libraries::created_at.eq(now_ms()),
                ))
                .returning(Library::as_returning())
                .get_result(conn)
                .map_err(StoreError::during("creating a library"))
        })
        .await
    }

    /// The library named `name` (ignoring case and surrounding white
    /// space), or `None`.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn library_named(&self, name: &str) -> Result<Option<Library>, StoreError> {
        let name = name.trim().to_owned();
        self.run(move |conn| library_by_name(conn, &name)).await
    }

    /// Every library, by name.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn list_libraries(&self) -> Result<Vec<Library>, StoreError> {
        self.run(|conn| {
            libraries::table
                .order((libraries::name.asc(), libraries::id.asc()))
                .select(Library::as_select())
                .load(conn)
                .map_err(StoreError::during("listing libraries"))
        })
        .await
    }

    /// Deletes library `id` with its sources, documents and chunks (the
    /// files themselves are left alone).
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn delete_library(&self, id: i64) -> Result<(), StoreError> {
        self.run(move |conn| {
            let n = diesel::delete(libraries::table.find(id))
                .execute(conn)
                .map_err(StoreError::during("deleting a library"))?;
            if n == 0 {
                return Err(StoreError::not_found("library", id));
            }
            Ok(())
        })
        .await
    }

    /// Adds the file or folder `path` (absolute) to library `library_id`,
    /// or returns it if it is there already.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a path that is not UTF-8,
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn add_library_source(
        &self,
        library_id: i64,
        path: &Path,
    ) -> Result<LibrarySource, StoreError> {
        let path = path_text(path)?;
        self.run(move |conn| {
            diesel::insert_into(library_sources::table)
                .values((
                    library_sources::library_id.eq(library_id),
                    library_sources::path.eq(&path),
                    library_sources::added_at.eq(now_ms()),
                ))
                .on_conflict((library_sources::library_id, library_sources::path))
                .do_nothing()
                .execute(conn)
                .map_err(StoreError::during("adding a file to a library"))?;
            library_sources::table
                .filter(library_sources::library_id.eq(library_id))
                .filter(library_sources::path.eq(&path))
                .select(SourceRow::as_select())
                .first(conn)
                .map(LibrarySource::from)
                .map_err(StoreError::during("reading a library's files"))
        })
        .await
    }

    /// The files and folders added to library `library_id`, by path.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn library_sources(&self, library_id: i64) -> Result<Vec<LibrarySource>, StoreError> {
        self.run(move |conn| {
            Ok(library_sources::table
                .filter(library_sources::library_id.eq(library_id))
                .order(library_sources::path.asc())
                .select(SourceRow::as_select())
                .load(conn)
                .map_err(StoreError::during("reading a library's files"))?
                .into_iter()
                .map(LibrarySource::from)
                .collect())
        })
        .await
    }

    /// Removes `path` from library `library_id`: the source of that path
    /// if it is one, and every document at or under it, with their
    /// chunks. Returns how many documents went.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a path that is not UTF-8,
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn remove_library_path(
        &self,
        library_id: i64,
        path: &Path,
    ) -> Result<usize, StoreError> {
        let path = path_text(path)?;
        self.run(move |conn| {
            conn.transaction(|conn| {
                let documents = write::delete_under(conn, library_id, &path)?;
                diesel::delete(
                    library_sources::table
                        .filter(library_sources::library_id.eq(library_id))
                        .filter(library_sources::path.eq(&path)),
                )
                .execute(conn)?;
                Ok(documents)
            })
            .map_err(StoreError::during("removing a path from a library"))
        })
        .await
    }
}

/// The library named `name`, ignoring case (the column's collation).
fn library_by_name(conn: &mut SqliteConnection, name: &str) -> Result<Option<Library>, StoreError> {
    libraries::table
        .filter(libraries::name.eq(name))
        .select(Library::as_select())
        .first(conn)
        .optional()
        .map_err(StoreError::during("reading a library"))
}
