//! Full-text search over message text through the FTS5 table
//! `messages_fts` (<https://sqlite.org/fts5.html>), which triggers keep in
//! step with `messages`. `results` is the search the window and the CLI
//! show: snippets grouped by conversation, filtered and paged.

mod expand;
mod filter;
mod query;
mod rank;
mod results;
mod snippet;

pub use expand::EXPANDED_WORDS;
pub use filter::{ArchivedScope, FolderScope, SearchFilter};
pub use results::{ConversationMatches, MessageMatch, RANKED_MATCHES, SearchPage, SearchResults};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::Store;
use super::error::StoreError;
use super::models::{SNIPPET_MATCH_END, SNIPPET_MATCH_START, SearchHit};

/// Tokens of context `snippet()` keeps around a match (FTS5 allows 1–64).
const SNIPPET_TOKENS: i64 = 12;

/// Row of the search query.
#[derive(QueryableByName)]
struct HitRow {
    #[diesel(sql_type = BigInt)]
    message_id: i64,
    #[diesel(sql_type = BigInt)]
    conversation_id: i64,
    #[diesel(sql_type = Text)]
    snippet: String,
}

impl Store {
    /// Messages whose text contains every word of `query` (the last word
    /// also as a prefix, for search-as-you-type: with 4 ASCII letters or
    /// digits or more, the [`EXPANDED_WORDS`] commonest words it starts
    /// and itself), best match first, at most
    /// `limit`. Words are matched case- and accent-insensitively; FTS5
    /// operators in `query` are taken literally. A blank query finds nothing.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn search_messages(
        &self,
        query: &str,
        limit: u32,
    ) -> Result<Vec<SearchHit>, StoreError> {
        let query = query.to_owned();
        self.run(move |conn| {
            let Some(expression) = expand::expression(conn, &query)
                .map_err(StoreError::during("searching messages"))?
            else {
                return Ok(Vec::new());
            };
            let rows: Vec<HitRow> = diesel::sql_query(
                "SELECT m.id AS message_id, m.conversation_id AS conversation_id, \
                 snippet(messages_fts, 0, ?, ?, '…', ?) AS snippet \
                 FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid \
                 WHERE messages_fts MATCH ? ORDER BY rank, m.id LIMIT ?",
            )
            .bind::<Text, _>(SNIPPET_MATCH_START)
            .bind::<Text, _>(SNIPPET_MATCH_END)
            .bind::<BigInt, _>(SNIPPET_TOKENS)
            .bind::<Text, _>(&expression)
            .bind::<BigInt, _>(i64::from(limit))
            .load(conn)
            .map_err(StoreError::during("searching messages"))?;
            Ok(rows
                .into_iter()
                .map(|r| SearchHit {
                    message_id: r.message_id,
                    conversation_id: r.conversation_id,
                    snippet: r.snippet,
                })
                .collect())
        })
        .await
    }
}
