//! BM25 over `document_chunks_fts`: a library's chunks that match an FTS5
//! expression, best first.

use std::path::PathBuf;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Integer, Nullable, Text};

use crate::store::Store;
use crate::store::error::StoreError;

/// A chunk that matches, with its document's path and its BM25 score.
#[derive(Debug, Clone, PartialEq, QueryableByName, serde::Serialize)]
pub struct ChunkMatch {
    /// `document_chunks.id`.
    #[diesel(sql_type = BigInt)]
    pub chunk_id: i64,
    /// `documents.id`.
    #[diesel(sql_type = BigInt)]
    pub document_id: i64,
    /// The document's absolute path.
    #[diesel(sql_type = Text)]
    #[serde(skip)]
    pub path: String,
    /// The chunk's place in its document, from 0.
    #[diesel(sql_type = Integer)]
    pub ordinal: i32,
    /// The PDF page, from 1.
    #[diesel(sql_type = Nullable<Integer>)]
    pub page: Option<i32>,
    /// First line, from 1.
    #[diesel(sql_type = Integer)]
    pub first_line: i32,
    /// Last line, inclusive.
    #[diesel(sql_type = Integer)]
    pub last_line: i32,
    /// The chunk's text.
    #[diesel(sql_type = Text)]
    pub text: String,
    /// Its size in `o200k_base` tokens.
    #[diesel(sql_type = Integer)]
    pub token_count: i32,
    /// SQLite's `bm25()` negated: higher is better, always > 0 for a
    /// match (<https://sqlite.org/fts5.html#the_bm25_function>).
    #[diesel(sql_type = Double)]
    pub score: f64,
}

impl ChunkMatch {
    /// The document's path.
    #[must_use]
    pub fn path(&self) -> PathBuf {
        PathBuf::from(&self.path)
    }
}

impl Store {
    /// The at most `limit` chunks of library `library_id` that match the
    /// FTS5 `expression`, best BM25 score first (ties by chunk id). The
    /// expression must be valid FTS5 syntax: build it from typed text
    /// with `documents::retrieve::fts_expression`. Term statistics (IDF)
    /// are those of every library's chunks together.
    ///
    /// # Errors
    /// [`StoreError::Query`] (including an invalid expression),
    /// [`StoreError::Pool`].
    pub async fn match_chunks(
        &self,
        library_id: i64,
        expression: &str,
        limit: u32,
    ) -> Result<Vec<ChunkMatch>, StoreError> {
        let expression = expression.to_owned();
        self.run(move |conn| {
            diesel::sql_query(
                "SELECT c.id AS chunk_id, c.document_id, d.path, c.ordinal, c.page,
                        c.first_line, c.last_line, c.text, c.token_count,
                        -bm25(document_chunks_fts) AS score
                   FROM document_chunks_fts
                   JOIN document_chunks c ON c.id = document_chunks_fts.rowid
                   JOIN documents d ON d.id = c.document_id
                  WHERE document_chunks_fts MATCH ?1 AND d.library_id = ?2
                  ORDER BY bm25(document_chunks_fts), c.id
                  LIMIT ?3",
            )
            .bind::<Text, _>(expression)
            .bind::<BigInt, _>(library_id)
            .bind::<BigInt, _>(i64::from(limit))
            .load(conn)
            .map_err(StoreError::during("searching a library"))
        })
        .await
    }
}
