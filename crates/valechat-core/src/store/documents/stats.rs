//! A library's figures: documents by state, chunks, tokens and the size
//! of its text, for `valechat library list` and the library page.

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::store::Store;
use crate::store::error::StoreError;

/// How much a library holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, QueryableByName, serde::Serialize)]
pub struct LibraryStats {
    /// Documents (files) of any state.
    #[diesel(sql_type = BigInt)]
    pub documents: i64,
    /// Documents indexed.
    #[diesel(sql_type = BigInt)]
    pub indexed: i64,
    /// Documents that failed.
    #[diesel(sql_type = BigInt)]
    pub failed: i64,
    /// Documents skipped.
    #[diesel(sql_type = BigInt)]
    pub skipped: i64,
    /// Chunks in the index.
    #[diesel(sql_type = BigInt)]
    pub chunks: i64,
    /// Their size, `o200k_base` tokens.
    #[diesel(sql_type = BigInt)]
    pub tokens: i64,
    /// Their text, bytes (UTF-8).
    #[diesel(sql_type = BigInt)]
    pub text_bytes: i64,
}

impl Store {
    /// The figures of library `library_id`.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn library_stats(&self, library_id: i64) -> Result<LibraryStats, StoreError> {
        self.run(move |conn| {
            diesel::sql_query(
                "SELECT
                   (SELECT count(*) FROM documents WHERE library_id = ?1) AS documents,
                   (SELECT count(*) FROM documents WHERE library_id = ?1 AND state = 'indexed') AS indexed,
                   (SELECT count(*) FROM documents WHERE library_id = ?1 AND state = 'failed') AS failed,
                   (SELECT count(*) FROM documents WHERE library_id = ?1 AND state = 'skipped') AS skipped,
                   count(c.id) AS chunks,
                   COALESCE(sum(c.token_count), 0) AS tokens,
                   COALESCE(sum(length(CAST(c.text AS BLOB))), 0) AS text_bytes
                 FROM document_chunks c JOIN documents d ON d.id = c.document_id
                WHERE d.library_id = ?1",
            )
            .bind::<BigInt, _>(library_id)
            .get_result(conn)
            .map_err(StoreError::during("reading a library's figures"))
        })
        .await
    }
}
