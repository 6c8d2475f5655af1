//! Search results as the window and `valechat history search` show them:
//! matching messages with a snippet of each (`snippet`), a page at a time,
//! grouped by conversation, narrowed by a [`SearchFilter`]. The order:
//! the newest [`RANKED_MATCHES`] matches best first (bm25,
//! <https://sqlite.org/fts5.html#the_bm25_function>), then every older
//! match, newest first, so that paging reaches every match.

use super::super::Store;
use super::super::error::StoreError;
use super::SNIPPET_TOKENS;
use super::SearchFilter;
use super::expand;
use super::query::{self, Detail};
use super::rank;
use super::snippet::{Terms, snippet};
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
    /// [`SNIPPET_MATCH_START`](crate::store::SNIPPET_MATCH_START) and
    /// [`SNIPPET_MATCH_END`](crate::store::SNIPPET_MATCH_END); `…` marks cuts.
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
    /// Whether more messages match after this page.
    pub more: bool,
    /// Where the next page starts, when `more`: pass it to
    /// [`Store::search`] (past the ranked matches it carries the last
    /// message's id, so the next page seeks there instead of skipping).
    pub next: Option<SearchPage>,
}

/// Where a page of [`Store::search`] results starts: [`SearchPage::FIRST`],
/// an offset ([`SearchPage::at`]) or a result's [`SearchResults::next`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SearchPage {
    /// Messages skipped (from the first, or from `older_than`).
    offset: u32,
    /// Past the ranked matches: the page starts among the matches older
    /// (lower id) than this message.
    older_than: Option<i64>,
}

impl SearchPage {
    /// The first page.
    pub const FIRST: Self = Self {
        offset: 0,
        older_than: None,
    };

    /// The page after the first `offset` messages of the results' order.
    /// Any offset reaches its messages; past [`RANKED_MATCHES`] each page
    /// skips the older matches one by one, where [`SearchResults::next`]
    /// seeks.
    #[must_use]
    pub const fn at(offset: u32) -> Self {
        Self {
            offset,
            older_than: None,
        }
    }
}

/// Matches ranked per search by bm25: the newest this many that pass the
/// filter. FTS5 walks a term's matches in rowid order and stops here, so a
/// word found in most messages costs no more than a rare one; ranking
/// every match by bm25 (`ORDER BY rank` over the whole index) took
/// 0.4–2 s for common words over 1,000,000 messages (`cargo bench -p
/// valechat-core --bench search`). Older matches follow, newest first.
pub const RANKED_MATCHES: u32 = 2_000;

impl Store {
    /// Messages whose text holds every word of `query` (the last word also
    /// as a prefix; with 4 ASCII letters or digits or more, it stands for
    /// itself and the [`EXPANDED_WORDS`](super::EXPANDED_WORDS) − 1 longer
    /// words it starts found in the most messages; FTS5 operators in `query` are plain text, so it never
    /// fails to parse), narrowed by `filter`: the page of at most `limit`
    /// messages starting at `page`, grouped by conversation. The order is
    /// the newest [`RANKED_MATCHES`] matches best first (bm25), then every
    /// older match, newest first; paging with [`SearchResults::next`]
    /// reaches every match. Messages of every branch are searched, not
    /// only the branch shown. A blank query finds nothing.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`];
    /// [`StoreError::InvalidValue`] for a stored role this build does not know.
    pub async fn search(
        &self,
        query: &str,
        filter: &SearchFilter,
        page: SearchPage,
        limit: u32,
    ) -> Result<SearchResults, StoreError> {
        if query.split_whitespace().next().is_none() {
            return Ok(SearchResults::default());
        }
        let filter = filter.clone();
        let terms = Terms::new(query);
        let ranking = terms.clone();
        let query = query.to_owned();
        let (ids, next, rows) = self
            .run(move |conn| {
                use diesel::Connection;
                // One read transaction: the pages' steps see one snapshot.
                conn.transaction(|conn| {
                    let Some(expression) = expand::expression(conn, &query)? else {
                        return Ok((Vec::new(), None, Vec::new()));
                    };
                    let (ids, next) = page_ids(conn, &expression, &ranking, &filter, page, limit)?;
                    let rows = query::details(conn, &ids)?;
                    Ok((ids, next, rows))
                })
                .map_err(StoreError::during("searching messages"))
            })
            .await?;
        group(&ids, rows, next, &terms)
    }
}

/// The ids of the page starting at `page` (at most `limit`, in the
/// results' order) and where the next page starts, if more match.
fn page_ids(
    conn: &mut diesel::SqliteConnection,
    expression: &str,
    terms: &Terms,
    filter: &SearchFilter,
    page: SearchPage,
    limit: u32,
) -> diesel::QueryResult<(Vec<i64>, Option<SearchPage>)> {
    // One more than asked, to know whether more follow.
    let wanted = limit.saturating_add(1);
    let mut ids: Vec<i64> = Vec::new();
    // How many of `ids` come from the ranked matches.
    let mut from_ranked = 0;
    let (below, skip) = if let Some(id) = page.older_than {
        (Some(id), page.offset)
    } else {
        let ranked = query::ranked(conn, expression, filter, RANKED_MATCHES)?;
        // All the matches were ranked: none older.
        let boundary = (ranked.len() >= RANKED_MATCHES as usize)
            .then(|| ranked.iter().map(|r| r.id).min())
            .flatten();
        if page.offset < RANKED_MATCHES {
            let idf = rank::idf(conn, terms)?;
            ids.extend(
                rank::order(&ranked, terms, &idf)
                    .into_iter()
                    .skip(page.offset as usize)
                    .take(wanted as usize),
            );
            from_ranked = ids.len();
        }
        (boundary, page.offset.saturating_sub(RANKED_MATCHES))
    };
    let missing = (wanted as usize).saturating_sub(ids.len());
    if missing > 0
        && let Some(below) = below
    {
        let missing = u32::try_from(missing).unwrap_or(u32::MAX);
        ids.extend(query::older(
            conn, expression, filter, below, skip, missing,
        )?);
    }
    let limit = limit as usize;
    if ids.len() <= limit {
        return Ok((ids, None));
    }
    ids.truncate(limit);
    let next = if page.older_than.is_none() && limit <= from_ranked {
        // The page ended among the ranked matches (or at their end).
        SearchPage::at(
            page.offset
                .saturating_add(u32::try_from(limit).unwrap_or(u32::MAX)),
        )
    } else {
        SearchPage {
            offset: 0,
            older_than: ids.last().copied(),
        }
    };
    Ok((ids, Some(next)))
}

/// The page's rows in the order of `ids`, grouped by conversation.
fn group(
    ids: &[i64],
    rows: Vec<Detail>,
    next: Option<SearchPage>,
    terms: &Terms,
) -> Result<SearchResults, StoreError> {
    let window = usize::try_from(SNIPPET_TOKENS).unwrap_or(12);
    let mut rows: std::collections::HashMap<i64, Detail> =
        rows.into_iter().map(|r| (r.message_id, r)).collect();
    let mut results = SearchResults {
        more: next.is_some(),
        next,
        ..SearchResults::default()
    };
    // A message deleted between the steps is left out.
    for row in ids.iter().filter_map(|id| rows.remove(id)) {
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
            snippet: snippet(&row.content, terms, window),
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
