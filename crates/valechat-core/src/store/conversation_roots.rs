//! Repository of `conversation_roots`: a conversation's workspace folders,
//! offered to MCP servers as roots (spec 2025-11-25, Client Features →
//! Roots; see [`crate::mcp::roots`]). One row per (conversation,
//! path), ordered by `position` (0, 1, 2… without gaps); rows go with their
//! conversation (`ON DELETE CASCADE`).

use diesel::prelude::*;

use super::error::StoreError;
use super::schema::{conversation_roots, conversations};
use super::{Store, now_ms};

/// A workspace folder of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = conversation_roots)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite))]
pub struct ConversationRoot {
    /// Row id.
    pub id: i64,
    /// The conversation (`conversations.id`).
    pub conversation_id: i64,
    /// Absolute local path of the folder, e.g. `/home/me/project`.
    pub path: String,
    /// Name shown to the user and sent to servers, e.g. `project`.
    pub name: String,
    /// Order among the conversation's folders, from 0.
    pub position: i32,
    /// When it was added, UTC unix milliseconds.
    pub created_at: i64,
}

/// The folders of `conversation_id` in order, inside the caller's connection.
fn load(
    conn: &mut SqliteConnection,
    conversation_id: i64,
) -> Result<Vec<ConversationRoot>, StoreError> {
    conversation_roots::table
        .filter(conversation_roots::conversation_id.eq(conversation_id))
        .order((
            conversation_roots::position.asc(),
            conversation_roots::id.asc(),
        ))
        .select(ConversationRoot::as_select())
        .load(conn)
        .map_err(StoreError::during(
            "listing a conversation's workspace folders",
        ))
}

/// Writes positions 0, 1, 2… for the row ids in `order`.
fn renumber(conn: &mut SqliteConnection, order: &[i64]) -> Result<(), StoreError> {
    for (position, id) in order.iter().enumerate() {
        let position = i32::try_from(position).unwrap_or(i32::MAX);
        diesel::update(conversation_roots::table.find(id))
            .set(conversation_roots::position.eq(position))
            .execute(conn)
            .map_err(StoreError::during(
                "ordering a conversation's workspace folders",
            ))?;
    }
    Ok(())
}

/// Fails with [`StoreError::NotFound`] unless conversation `id` exists.
fn require_conversation(conn: &mut SqliteConnection, id: i64) -> Result<(), StoreError> {
    let found: i64 = conversations::table
        .filter(conversations::id.eq(id))
        .count()
        .get_result(conn)
        .map_err(StoreError::during("looking up a conversation"))?;
    if found == 0 {
        return Err(StoreError::NotFound {
            what: "conversation",
            id: id.to_string(),
        });
    }
    Ok(())
}

impl Store {
    /// The workspace folders of `conversation_id`, in order (empty for an
    /// unknown conversation).
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn list_conversation_roots(
        &self,
        conversation_id: i64,
    ) -> Result<Vec<ConversationRoot>, StoreError> {
        self.run(move |conn| load(conn, conversation_id)).await
    }

    /// Adds folder `path` named `name` at the end of `conversation_id`'s
    /// folders and returns its row. Adding a path the conversation already
    /// has changes nothing and returns the existing row.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown conversation;
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn add_conversation_root(
        &self,
        conversation_id: i64,
        path: &str,
        name: &str,
    ) -> Result<ConversationRoot, StoreError> {
        let (path, name) = (path.to_owned(), name.to_owned());
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                require_conversation(conn, conversation_id)?;
                let existing = load(conn, conversation_id)?;
                if let Some(found) = existing.iter().find(|r| r.path == path) {
                    return Ok(found.clone());
                }
                let position = i32::try_from(existing.len()).unwrap_or(i32::MAX);
                diesel::insert_into(conversation_roots::table)
                    .values((
                        conversation_roots::conversation_id.eq(conversation_id),
                        conversation_roots::path.eq(&path),
                        conversation_roots::name.eq(&name),
                        conversation_roots::position.eq(position),
                        conversation_roots::created_at.eq(now_ms()),
                    ))
                    .returning(ConversationRoot::as_returning())
                    .get_result(conn)
                    .map_err(StoreError::during("adding a workspace folder"))
            })
        })
        .await
    }

    /// Removes folder `path` from `conversation_id` (the others close the
    /// gap). Returns whether a folder was removed.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn remove_conversation_root(
        &self,
        conversation_id: i64,
        path: &str,
    ) -> Result<bool, StoreError> {
        let path = path.to_owned();
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                let removed = diesel::delete(
                    conversation_roots::table
                        .filter(conversation_roots::conversation_id.eq(conversation_id))
                        .filter(conversation_roots::path.eq(&path)),
                )
                .execute(conn)
                .map_err(StoreError::during("removing a workspace folder"))?;
                let rest: Vec<i64> = load(conn, conversation_id)?.iter().map(|r| r.id).collect();
                renumber(conn, &rest)?;
                Ok(removed > 0)
            })
        })
        .await
    }

    /// Puts `conversation_id`'s folders in the order of `paths`: the paths
    /// listed come first in that order, folders not listed follow in their
    /// current order, unknown paths are ignored. Returns the new list.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn reorder_conversation_roots(
        &self,
        conversation_id: i64,
        paths: &[String],
    ) -> Result<Vec<ConversationRoot>, StoreError> {
        let paths = paths.to_vec();
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                let current = load(conn, conversation_id)?;
                let listed = paths
                    .iter()
                    .filter_map(|p| current.iter().find(|r| &r.path == p));
                let mut order: Vec<i64> = Vec::with_capacity(current.len());
                for row in listed.chain(current.iter()) {
                    if !order.contains(&row.id) {
                        order.push(row.id);
                    }
                }
                renumber(conn, &order)?;
                load(conn, conversation_id)
            })
        })
        .await
    }
}
