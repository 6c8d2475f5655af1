//! Repository of `drafts`: the text a person typed in the composer and has
//! not sent, kept per conversation so that switching conversations or
//! quitting loses nothing (issue 18, bug 7). `None` stands for the new
//! conversation not yet sent. An empty draft is no row; rows go with their
//! conversation (`ON DELETE CASCADE`).

use diesel::prelude::*;

use super::error::StoreError;
use super::schema::{conversations, drafts};
use super::{Store, now_ms};

impl Store {
    /// The draft kept for `conversation_id` (`None`: the new conversation),
    /// if any.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn draft(&self, conversation_id: Option<i64>) -> Result<Option<String>, StoreError> {
        self.run(move |conn| {
            let query = drafts::table.select(drafts::text).into_boxed();
            let query = match conversation_id {
                Some(id) => query.filter(drafts::conversation_id.eq(id)),
                None => query.filter(drafts::conversation_id.is_null()),
            };
            query
                .first(conn)
                .optional()
                .map_err(StoreError::during("reading a draft"))
        })
        .await
    }

    /// Keeps each `(conversation, text)` of `drafts` as that conversation's
    /// draft, in order and in one transaction: an empty text removes the
    /// draft, and a conversation deleted in the meantime is skipped.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn save_drafts(&self, drafts: Vec<(Option<i64>, String)>) -> Result<(), StoreError> {
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                for (conversation_id, text) in &drafts {
                    save(conn, *conversation_id, text)?;
                }
                Ok(())
            })
        })
        .await
    }
}

/// Replaces the draft of `conversation_id` with `text` (none if empty).
fn save(
    conn: &mut SqliteConnection,
    conversation_id: Option<i64>,
    text: &str,
) -> Result<(), StoreError> {
    match conversation_id {
        Some(id) => {
            diesel::delete(drafts::table.filter(drafts::conversation_id.eq(id))).execute(conn)
        }
        None => {
            diesel::delete(drafts::table.filter(drafts::conversation_id.is_null())).execute(conn)
        }
    }
    .map_err(StoreError::during("removing a draft"))?;
    if text.is_empty() {
        return Ok(());
    }
    if let Some(id) = conversation_id {
        let exists: i64 = conversations::table
            .filter(conversations::id.eq(id))
            .count()
            .get_result(conn)
            .map_err(StoreError::during("looking up a conversation"))?;
        if exists == 0 {
            return Ok(());
        }
    }
    diesel::insert_into(drafts::table)
        .values((
            drafts::conversation_id.eq(conversation_id),
            drafts::text.eq(text),
            drafts::updated_at.eq(now_ms()),
        ))
        .execute(conn)
        .map_err(StoreError::during("keeping a draft"))?;
    Ok(())
}
