//! The SQL of [`Store::search`](super::super::Store::search), one statement
//! per step, so that each does only what its step needs:
//!
//! 1. [`ranked`]: the newest [`RANKED_MATCHES`](super::RANKED_MATCHES)
//!    matches that pass the filter, each with its bm25 `rank`. FTS5 walks
//!    the term's doclist newest first and stops at the limit, so a word
//!    found in most messages costs no more than a rare one.
//! 2. [`older`]: matches older than a message id, newest first (keyset
//!    pagination past the ranked ones: FTS5 seeks to the id).
//! 3. [`details`]: the page's rows only get their text, role, model,
//!    time and conversation title (the snippet is cut from the text by
//!    `snippet`, without setting the `MATCH` up again).

use diesel::prelude::*;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Text};
use diesel::sqlite::Sqlite;

use super::SearchFilter;

/// The filter's conditions on `m` (the message) and `c` (its
/// conversation), with parameters ?2 to ?8 (bound by [`with_filter`]).
const FILTER_SQL: &str = "
      AND (?2 IS NULL OR COALESCE(m.provider_id, c.provider_id) = ?2)
      AND (?3 IS NULL OR COALESCE(m.model, c.model) = ?3)
      AND (?4 IS NULL OR m.created_at >= ?4)
      AND (?5 IS NULL OR m.created_at < ?5)
      AND (?6 = 0 OR (?6 = 1 AND c.folder_id = ?7) OR (?6 = 2 AND c.folder_id IS NULL))
      AND (?8 IS NULL OR c.archived = ?8)";

/// Row of [`ranked`]: a match and its text (ranked by `rank`).
#[derive(QueryableByName, Debug, Clone)]
pub(super) struct Candidate {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub content: String,
}

/// Row of a count.
#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Row of [`older`].
#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Row of [`details`].
#[derive(QueryableByName)]
pub(super) struct Detail {
    #[diesel(sql_type = BigInt)]
    pub message_id: i64,
    #[diesel(sql_type = BigInt)]
    pub conversation_id: i64,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub role: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub provider_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub model: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub created_at: i64,
    #[diesel(sql_type = Text)]
    pub content: String,
}

/// `sql` with the match expression as ?1 and the filter as ?2–?8.
fn with_filter<'a>(
    sql: String,
    expression: &'a str,
    filter: &'a SearchFilter,
) -> BoxedSqlQuery<'a, Sqlite, diesel::query_builder::SqlQuery> {
    let (folder_mode, folder_id) = filter.folder.sql();
    diesel::sql_query(sql)
        .into_boxed()
        .bind::<Text, _>(expression)
        .bind::<Nullable<Text>, _>(filter.provider_id.as_deref())
        .bind::<Nullable<Text>, _>(filter.model.as_deref())
        .bind::<Nullable<BigInt>, _>(filter.since)
        .bind::<Nullable<BigInt>, _>(filter.until)
        .bind::<Integer, _>(folder_mode)
        .bind::<Nullable<BigInt>, _>(folder_id)
        .bind::<Nullable<Bool>, _>(filter.archived.sql())
}

/// The joins the filter needs (none when it narrows nothing, so that an
/// unfiltered search reads the index alone).
fn joins(filter: &SearchFilter) -> (&'static str, &'static str) {
    if *filter == SearchFilter::default() {
        ("", "")
    } else {
        (
            " JOIN messages m ON m.id = f.rowid JOIN conversations c ON c.id = m.conversation_id",
            FILTER_SQL,
        )
    }
}

/// The newest `limit` matches of `expression` passing `filter`, newest
/// first, with their text. Not FTS5's `rank`: its bm25 counts the
/// messages holding each word over the whole index first (25–35 ms for
/// a word in most of 1,000,000 messages); `rank` estimates that count.
pub(super) fn ranked(
    conn: &mut SqliteConnection,
    expression: &str,
    filter: &SearchFilter,
    limit: u32,
) -> QueryResult<Vec<Candidate>> {
    let (join, conditions) = joins(filter);
    let sql = format!(
        "SELECT f.rowid AS id, f.content AS content FROM messages_fts f{join}
         WHERE messages_fts MATCH ?1{conditions}
         ORDER BY f.rowid DESC LIMIT ?9"
    );
    with_filter(sql, expression, filter)
        .bind::<BigInt, _>(i64::from(limit))
        .load(conn)
}

/// Ids of the matches of `expression` passing `filter` with an id below
/// `below`, newest first: `limit` of them after skipping `skip`.
pub(super) fn older(
    conn: &mut SqliteConnection,
    expression: &str,
    filter: &SearchFilter,
    below: i64,
    skip: u32,
    limit: u32,
) -> QueryResult<Vec<i64>> {
    let (join, conditions) = joins(filter);
    let sql = format!(
        "SELECT f.rowid AS id FROM messages_fts f{join}
         WHERE messages_fts MATCH ?1 AND f.rowid < ?9{conditions}
         ORDER BY f.rowid DESC LIMIT ?10 OFFSET ?11"
    );
    let rows: Vec<Id> = with_filter(sql, expression, filter)
        .bind::<BigInt, _>(below)
        .bind::<BigInt, _>(i64::from(limit))
        .bind::<BigInt, _>(i64::from(skip))
        .load(conn)?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// The highest message id (0 with none): the number of messages,
/// deleted ones included, for bm25's estimates.
pub(super) fn newest_id(conn: &mut SqliteConnection) -> QueryResult<i64> {
    let row: Count =
        diesel::sql_query("SELECT IFNULL(MAX(id), 0) AS n FROM messages").get_result(conn)?;
    Ok(row.n)
}

/// How many of the messages with an id above `above` hold the word
/// `word` (a token, letters and digits only): FTS5 seeks to the id, so
/// this reads only that stretch of the word's doclist.
pub(super) fn holding(conn: &mut SqliteConnection, word: &str, above: i64) -> QueryResult<i64> {
    let row: Count = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM messages_fts WHERE messages_fts MATCH ?1 AND rowid > ?2",
    )
    .bind::<Text, _>(format!("\"{}\"", word.replace('"', "\"\"")))
    .bind::<BigInt, _>(above)
    .get_result(conn)?;
    Ok(row.n)
}

/// Details and text of messages `ids`, in no particular order (their
/// snippets are cut from the text: `snippet`).
pub(super) fn details(conn: &mut SqliteConnection, ids: &[i64]) -> QueryResult<Vec<Detail>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Integers written into the statement: nothing typed reaches it.
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT m.id AS message_id, m.conversation_id AS conversation_id, c.title AS title,
                m.role AS role,
                COALESCE(m.provider_id, c.provider_id) AS provider_id,
                COALESCE(m.model, c.model) AS model,
                m.created_at AS created_at,
                m.content AS content
         FROM messages m
         JOIN conversations c ON c.id = m.conversation_id
         WHERE m.id IN ({list})"
    );
    diesel::sql_query(sql).load(conn)
}
