//! A document's row and its chunks: written together in one transaction
//! (so a killed indexer leaves each file either as it was or wholly
//! re-indexed), read back, and removed.

use std::path::PathBuf;

use diesel::prelude::*;

use super::path_text;
use crate::store::error::StoreError;
use crate::store::schema::{document_chunks, documents};
use crate::store::{Store, now_ms};

/// Chunks inserted per statement (8 parameters each, far below SQLite's
/// limit of 32,766).
const CHUNKS_PER_INSERT: usize = 500;

/// What became of a file when it was last indexed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", content = "reason", rename_all = "lowercase")]
pub enum DocumentState {
    /// Its chunks are in the index.
    Indexed,
    /// It could not be read: why, for the user.
    Failed(String),
    /// It is not a document (binary, too large, hidden): why.
    Skipped(String),
}

impl DocumentState {
    /// The stored `state` and `reason`.
    fn columns(&self) -> (&'static str, Option<&str>) {
        match self {
            Self::Indexed => ("indexed", None),
            Self::Failed(reason) => ("failed", Some(reason)),
            Self::Skipped(reason) => ("skipped", Some(reason)),
        }
    }

    fn from_columns(state: &str, reason: Option<String>) -> Self {
        match state {
            "indexed" => Self::Indexed,
            "skipped" => Self::Skipped(reason.unwrap_or_default()),
            _ => Self::Failed(reason.unwrap_or_default()),
        }
    }
}

/// A chunk to store (see `crate::documents::chunk::Chunk`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChunk {
    /// Its place in the document, from 0.
    pub ordinal: u32,
    /// Its text.
    pub text: String,
    /// The PDF page, from 1.
    pub page: Option<u32>,
    /// First line, from 1.
    pub first_line: u32,
    /// Last line, inclusive.
    pub last_line: u32,
    /// Size in `o200k_base` tokens.
    pub token_count: u32,
}

/// A file's new state and chunks ([`Store::write_document`]).
#[derive(Debug, Clone)]
pub struct NewDocument {
    /// `Library::id`.
    pub library_id: i64,
    /// `LibrarySource::id` it was found under.
    pub source_id: i64,
    /// Absolute path.
    pub path: PathBuf,
    /// `documents::Format::as_str`, when it was read.
    pub format: Option<String>,
    /// Bytes.
    pub size_bytes: u64,
    /// Modification time, UTC unix milliseconds.
    pub modified_at: i64,
    /// SHA-256 of the content, lower-case hex, when it was read.
    pub sha256: Option<String>,
    /// What became of it.
    pub state: DocumentState,
    /// Its chunks (none unless indexed).
    pub chunks: Vec<NewChunk>,
}

/// A file of a library as last indexed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DocumentRecord {
    /// Row id.
    pub id: i64,
    /// `Library::id`.
    pub library_id: i64,
    /// `LibrarySource::id`.
    pub source_id: i64,
    /// Absolute path.
    pub path: PathBuf,
    /// How it was read, when it was.
    pub format: Option<String>,
    /// Bytes when indexed.
    pub size_bytes: u64,
    /// Modification time when indexed, UTC unix milliseconds.
    pub modified_at: i64,
    /// SHA-256, lower-case hex, when read.
    pub sha256: Option<String>,
    /// What became of it.
    #[serde(flatten)]
    pub state: DocumentState,
    /// How many chunks it has.
    pub chunk_count: u32,
    /// When it was last indexed, UTC unix milliseconds.
    pub indexed_at: i64,
}

/// Row of `documents`.
#[derive(Queryable, Selectable)]
#[diesel(table_name = documents, check_for_backend(diesel::sqlite::Sqlite))]
struct Row {
    id: i64,
    library_id: i64,
    source_id: i64,
    path: String,
    format: Option<String>,
    size_bytes: i64,
    modified_at: i64,
    sha256: Option<String>,
    state: String,
    reason: Option<String>,
    chunk_count: i32,
    indexed_at: i64,
}

impl From<Row> for DocumentRecord {
    fn from(row: Row) -> Self {
        Self {
            id: row.id,
            library_id: row.library_id,
            source_id: row.source_id,
            path: PathBuf::from(row.path),
            format: row.format,
            size_bytes: u64::try_from(row.size_bytes).unwrap_or(0),
            modified_at: row.modified_at,
            sha256: row.sha256,
            state: DocumentState::from_columns(&row.state, row.reason),
            chunk_count: u32::try_from(row.chunk_count).unwrap_or(0),
            indexed_at: row.indexed_at,
        }
    }
}

/// `n` as a SQLite integer.
fn int(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl Store {
    /// Writes `document`'s row (inserted, or replacing the row of the
    /// same library and path) and replaces its chunks with
    /// `document.chunks`, in one transaction: a kill leaves the file as
    /// it was before or wholly written. Other documents' chunks are not
    /// touched. Returns the row id.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a path that is not UTF-8,
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn write_document(&self, document: NewDocument) -> Result<i64, StoreError> {
        let path = path_text(&document.path)?;
        self.run(move |conn| {
            conn.transaction(|conn| write(conn, &document, &path))
                .map_err(StoreError::during("writing a document's chunks"))
        })
        .await
    }

    /// The document at `path` in library `library_id`, or `None`.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a path that is not UTF-8,
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn document_at(
        &self,
        library_id: i64,
        path: &std::path::Path,
    ) -> Result<Option<DocumentRecord>, StoreError> {
        let path = path_text(path)?;
        self.run(move |conn| {
            Ok(documents::table
                .filter(documents::library_id.eq(library_id))
                .filter(documents::path.eq(&path))
                .select(Row::as_select())
                .first(conn)
                .optional()
                .map_err(StoreError::during("reading a document"))?
                .map(DocumentRecord::from))
        })
        .await
    }

    /// The documents of library `library_id` (of its source `source_id`
    /// only, when given), by path.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn library_documents(
        &self,
        library_id: i64,
        source_id: Option<i64>,
    ) -> Result<Vec<DocumentRecord>, StoreError> {
        self.run(move |conn| {
            let mut query = documents::table
                .filter(documents::library_id.eq(library_id))
                .into_boxed();
            if let Some(source_id) = source_id {
                query = query.filter(documents::source_id.eq(source_id));
            }
            Ok(query
                .order(documents::path.asc())
                .select(Row::as_select())
                .load(conn)
                .map_err(StoreError::during("listing a library's documents"))?
                .into_iter()
                .map(DocumentRecord::from)
                .collect())
        })
        .await
    }

    /// Records that document `id` was seen with modification time
    /// `modified_at` (UTC unix ms) and the same content: its chunks stay.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn touch_document(&self, id: i64, modified_at: i64) -> Result<(), StoreError> {
        self.run(move |conn| {
            diesel::update(documents::table.find(id))
                .set(documents::modified_at.eq(modified_at))
                .execute(conn)
                .map(drop)
                .map_err(StoreError::during("updating a document"))
        })
        .await
    }

    /// Deletes document `id` and its chunks (a file gone from its folder).
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn delete_document(&self, id: i64) -> Result<(), StoreError> {
        self.run(move |conn| {
            diesel::delete(documents::table.find(id))
                .execute(conn)
                .map(drop)
                .map_err(StoreError::during("deleting a document"))
        })
        .await
    }

    /// The chunk ids of document `id`, by ordinal (to check that
    /// re-indexing another file left them alone).
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn document_chunk_ids(&self, id: i64) -> Result<Vec<i64>, StoreError> {
        self.run(move |conn| {
            document_chunks::table
                .filter(document_chunks::document_id.eq(id))
                .order(document_chunks::ordinal.asc())
                .select(document_chunks::id)
                .load(conn)
                .map_err(StoreError::during("reading a document's chunks"))
        })
        .await
    }
}

/// Body of [`Store::write_document`], inside its transaction.
fn write(conn: &mut SqliteConnection, document: &NewDocument, path: &str) -> QueryResult<i64> {
    let (state, reason) = document.state.columns();
    let chunk_count = i32::try_from(document.chunks.len()).unwrap_or(i32::MAX);
    let size = i64::try_from(document.size_bytes).unwrap_or(i64::MAX);
    let existing: Option<i64> = documents::table
        .filter(documents::library_id.eq(document.library_id))
        .filter(documents::path.eq(path))
        .select(documents::id)
        .first(conn)
        .optional()?;
    let values = (
        documents::source_id.eq(document.source_id),
        documents::format.eq(document.format.as_deref()),
        documents::size_bytes.eq(size),
        documents::modified_at.eq(document.modified_at),
        documents::sha256.eq(document.sha256.as_deref()),
        documents::state.eq(state),
        documents::reason.eq(reason),
        documents::chunk_count.eq(chunk_count),
        documents::indexed_at.eq(now_ms()),
    );
    let id = if let Some(id) = existing {
        diesel::update(documents::table.find(id))
            .set(values)
            .execute(conn)?;
        diesel::delete(document_chunks::table.filter(document_chunks::document_id.eq(id)))
            .execute(conn)?;
        id
    } else {
        diesel::insert_into(documents::table)
            .values((
                documents::library_id.eq(document.library_id),
                documents::path.eq(path),
                values,
            ))
            .returning(documents::id)
            .get_result(conn)?
    };
    for batch in document.chunks.chunks(CHUNKS_PER_INSERT) {
        let rows: Vec<_> = batch
            .iter()
            .map(|c| {
                (
                    document_chunks::document_id.eq(id),
                    document_chunks::ordinal.eq(int(c.ordinal)),
                    document_chunks::text.eq(&c.text),
                    document_chunks::page.eq(c.page.map(int)),
                    document_chunks::first_line.eq(int(c.first_line)),
                    document_chunks::last_line.eq(int(c.last_line)),
                    document_chunks::token_count.eq(int(c.token_count)),
                )
            })
            .collect();
        diesel::insert_into(document_chunks::table)
            .values(rows)
            .execute(conn)?;
    }
    Ok(id)
}

/// Deletes library `library_id`'s documents at `path` or under it (as a
/// folder); returns how many.
pub(super) fn delete_under(
    conn: &mut SqliteConnection,
    library_id: i64,
    path: &str,
) -> QueryResult<usize> {
    let folder = format!("{}/", path.trim_end_matches('/'));
    // `substr` rather than LIKE: `_` and `%` in paths are plain.
    diesel::sql_query(
        "DELETE FROM documents WHERE library_id = ?1
           AND (path = ?2 OR substr(path, 1, length(?3)) = ?3)",
    )
    .bind::<diesel::sql_types::BigInt, _>(library_id)
    .bind::<diesel::sql_types::Text, _>(path)
    .bind::<diesel::sql_types::Text, _>(folder)
    .execute(conn)
}
