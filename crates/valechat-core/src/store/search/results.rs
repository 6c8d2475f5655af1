//! Search results as the window and `valechat history search` show them:
//! matching messages with their FTS5 `snippet()`, best match first (bm25,
//! <https://sqlite.org/fts5.html#the_bm25_function>), a page at a time,
//! grouped by conversation, narrowed by a [`SearchFilter`].

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Text};

use super::super::Store;
use super::super::error::StoreError;
use super::super::models::{SNIPPET_MATCH_END, SNIPPET_MATCH_START};
use super::SearchFilter;
use super::{SNIPPET_TOKENS, match_expression};
use crate::model::Role;

/// One message found by [`Store::search`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageMatch {
    /// The message (on any branch, shown or not).
    pub message_id: i64,
    /// Author.
    pub role: Role,
    /// Provider that wrote it, or the conversation's for the user's messages.
    pub provider_id: Option<String>,
    /// Model that wrote it, or the conversation's for the user's messages.
    pub model: Option<String>,
    /// When it was written, UTC unix milliseconds.
    pub created_at: i64,
    /// A few words around the match, plain text, each matched term wrapped in
    /// [`SNIPPET_MATCH_START`] and [`SNIPPET_MATCH_END`]; `…` marks cuts.
    pub snippet: String,
}

/// The messages of one conversation found by [`Store::search`], best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationMatches {
    /// The conversation.
    pub conversation_id: i64,
    /// Its title.
    pub title: String,
    /// Its messages in this page, best match first (never empty).
    pub messages: Vec<MessageMatch>,
}

/// A page of [`Store::search`] results.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchResults {
    /// Conversations in the order of their best match in this page.
    pub conversations: Vec<ConversationMatches>,
    /// Messages this page holds (the sum over `conversations`).
    pub count: usize,
    /// Whether more messages match after this page (ask again with
    /// `offset + count`).
    pub more: bool,
}

/// Row of the search query.
#[derive(QueryableByName)]
struct MatchRow {
    #[diesel(sql_type = BigInt)]
    message_id: i64,
    #[diesel(sql_type = BigInt)]
    conversation_id: i64,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    role: String,
    #[diesel(sql_type = Nullable<Text>)]
    provider_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    model: Option<String>,
    #[diesel(sql_type = BigInt)]
    created_at: i64,
    #[diesel(sql_type = Text)]
    snippet: String,
}

/// Matches ranked per search: the newest this many that pass the filter.
/// FTS5 walks a term's matches in rowid order and stops here, so a word
/// found in most messages costs no more than a rare one; ranking every
/// match by bm25 first (`ORDER BY rank` over the whole index) took
/// 0.4–2 s for common words over 1,000,000 messages (`cargo bench -p
/// valechat-core --bench search`).
pub const RANKED_MATCHES: u32 = 2_000;

/// The query: the newest [`RANKED_MATCHES`] matching rows are taken from
/// the index (newest first, so it stops early), the page is chosen among
/// them by bm25, and only its rows get their snippet and details. The
/// snippets come from one more pass over the index, limited to the
/// candidates' rowid range: looking each page row up with its own `MATCH`
/// set the query up once per row, which for a prefix means merging every
/// matching term's list again (0.2–0.7 s over 1,000,000 messages).
const SEARCH_SQL: &str = "\
WITH candidates AS (
    SELECT f.rowid AS id, f.rank AS rank
    FROM messages_fts f
    JOIN messages m ON m.id = f.rowid
    JOIN conversations c ON c.id = m.conversation_id
    WHERE messages_fts MATCH ?1
      AND (?2 IS NULL OR COALESCE(m.provider_id, c.provider_id) = ?2)
      AND (?3 IS NULL OR COALESCE(m.model, c.model) = ?3)
      AND (?4 IS NULL OR m.created_at >= ?4)
      AND (?5 IS NULL OR m.created_at < ?5)
      AND (?12 = 0 OR (?12 = 1 AND c.folder_id = ?13) OR (?12 = 2 AND c.folder_id IS NULL))
      AND (?14 IS NULL OR c.archived = ?14)
    ORDER BY f.rowid DESC
    LIMIT ?11
),
best AS (
    SELECT id, rank FROM candidates ORDER BY rank, id LIMIT ?6 OFFSET ?7
),
found AS MATERIALIZED (
    SELECT f.rowid AS id, snippet(messages_fts, 0, ?8, ?9, '…', ?10) AS snippet
    FROM messages_fts f
    WHERE messages_fts MATCH ?1
      AND f.rowid >= (SELECT MIN(id) FROM best)
      AND +f.rowid IN (SELECT id FROM best)
)
SELECT m.id AS message_id, m.conversation_id AS conversation_id, c.title AS title,
       m.role AS role,
       COALESCE(m.provider_id, c.provider_id) AS provider_id,
       COALESCE(m.model, c.model) AS model,
       m.created_at AS created_at,
       found.snippet AS snippet
FROM best
JOIN found ON found.id = best.id
JOIN messages m ON m.id = best.id
JOIN conversations c ON c.id = m.conversation_id
ORDER BY best.rank, best.id";

impl Store {
    /// Messages whose text holds every word of `query` (the last word also
    /// as a prefix; FTS5 operators in `query` are plain text, so it never
    /// fails to parse), narrowed by `filter`, best match first (bm25 among
    /// the newest [`RANKED_MATCHES`] matches): the page of at most `limit`
    /// messages after the first `offset`, grouped by conversation. Messages of every branch are searched, not only the
    /// branch shown. A blank query finds nothing.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`];
    /// [`StoreError::InvalidValue`] for a stored role this build does not know.
    pub async fn search(
        &self,
        query: &str,
        filter: &SearchFilter,
        offset: u32,
        limit: u32,
    ) -> Result<SearchResults, StoreError> {
        let Some(expression) = match_expression(query) else {
            return Ok(SearchResults::default());
        };
        let filter = filter.clone();
        let (folder_mode, folder_id) = filter.folder.sql();
        let rows: Vec<MatchRow> = self
            .run(move |conn| {
                diesel::sql_query(SEARCH_SQL)
                    .bind::<Text, _>(&expression)
                    .bind::<Nullable<Text>, _>(&filter.provider_id)
                    .bind::<Nullable<Text>, _>(&filter.model)
                    .bind::<Nullable<BigInt>, _>(filter.since)
                    .bind::<Nullable<BigInt>, _>(filter.until)
                    // One more than asked, to know whether more follow.
                    .bind::<BigInt, _>(i64::from(limit) + 1)
                    .bind::<BigInt, _>(i64::from(offset))
                    .bind::<Text, _>(SNIPPET_MATCH_START)
                    .bind::<Text, _>(SNIPPET_MATCH_END)
                    .bind::<BigInt, _>(SNIPPET_TOKENS)
                    .bind::<BigInt, _>(i64::from(RANKED_MATCHES))
                    .bind::<Integer, _>(folder_mode)
                    .bind::<Nullable<BigInt>, _>(folder_id)
                    .bind::<Nullable<Bool>, _>(filter.archived.sql())
                    .load(conn)
                    .map_err(StoreError::during("searching messages"))
            })
            .await?;
        group(rows, limit)
    }
}

/// Groups the rows (best first) by conversation, keeping at most `limit`.
fn group(rows: Vec<MatchRow>, limit: u32) -> Result<SearchResults, StoreError> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let more = rows.len() > limit;
    let mut results = SearchResults {
        more,
        ..SearchResults::default()
    };
    for row in rows.into_iter().take(limit) {
        let role = Role::parse(&row.role).ok_or_else(|| StoreError::InvalidValue {
            column: "messages.role",
            value: row.role.clone(),
        })?;
        let found = MessageMatch {
            message_id: row.message_id,
            role,
            provider_id: row.provider_id,
            model: row.model,
            created_at: row.created_at,
            snippet: row.snippet,
        };
        results.count += 1;
        match results
            .conversations
            .iter_mut()
            .find(|c| c.conversation_id == row.conversation_id)
        {
            Some(group) => group.messages.push(found),
            None => results.conversations.push(ConversationMatches {
                conversation_id: row.conversation_id,
                title: row.title,
                messages: vec![found],
            }),
        }
    }
    Ok(results)
}
