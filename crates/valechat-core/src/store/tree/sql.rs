//! The tree's queries: recursive CTEs walking `messages.parent_id` up (a
//! path) or down (a subtree, the latest leaf), and the active leaf's
//! reads and writes. Each runs inside the caller's transaction.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::super::error::StoreError;
use super::super::models::{Message, MessageRow};
use super::super::schema::{conversations, messages};
use super::{BranchDeleted, Siblings};

/// A single id selected `AS id`.
#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// A single count selected `AS n`.
#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The path ending at `end`, walking up from it: `WITH RECURSIVE … LIMIT`
/// stops the walk after `limit` rows (all of them for `None`).
const PATH_UP: &str = "WITH RECURSIVE path(id, parent_id, depth) AS (
        SELECT id, parent_id, 0 FROM messages WHERE id = ?1
        UNION ALL
        SELECT m.id, m.parent_id, path.depth + 1
        FROM messages AS m JOIN path ON m.id = path.parent_id
        LIMIT ?2
    )
    SELECT m.* FROM path JOIN messages AS m ON m.id = path.id
    ORDER BY path.depth DESC";

/// The message and every descendant.
const SUBTREE: &str = "WITH RECURSIVE subtree(id) AS (
        SELECT ?1
        UNION ALL
        SELECT m.id FROM messages AS m JOIN subtree ON m.parent_id = subtree.id
    )";

/// Walks down from `?1` taking the newest child each step; the deepest.
const LATEST_LEAF: &str = "WITH RECURSIVE down(id, depth) AS (
        SELECT ?1, 0
        UNION ALL
        SELECT (SELECT MAX(c.id) FROM messages AS c WHERE c.parent_id = down.id), down.depth + 1
        FROM down WHERE EXISTS (SELECT 1 FROM messages AS c WHERE c.parent_id = down.id)
    )
    SELECT id FROM down ORDER BY depth DESC LIMIT 1";

/// Up to `limit` messages of the path that ends at `end` (the last ones),
/// first message first; empty when `end` does not exist.
pub(in crate::store) fn path_ending_at(
    conn: &mut SqliteConnection,
    end: i64,
    limit: Option<usize>,
) -> Result<Vec<Message>, StoreError> {
    // SQLite reads a negative LIMIT as none.
    let limit = limit.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
    diesel::sql_query(PATH_UP)
        .bind::<BigInt, _>(end)
        .bind::<BigInt, _>(limit)
        .load::<MessageRow>(conn)
        .map_err(StoreError::during("reading a conversation's branch"))?
        .into_iter()
        .map(Message::try_from)
        .collect()
}

/// The conversation's active leaf (`None` for an empty one).
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown conversation.
pub(in crate::store) fn active_leaf(
    conn: &mut SqliteConnection,
    conversation_id: i64,
) -> Result<Option<i64>, StoreError> {
    conversations::table
        .find(conversation_id)
        .select(conversations::active_leaf_id)
        .first::<Option<i64>>(conn)
        .optional()
        .map_err(StoreError::during("reading a conversation's active leaf"))?
        .ok_or_else(|| StoreError::not_found("conversation", conversation_id))
}

/// As [`active_leaf`], with `None` for an unknown conversation.
pub(super) fn active_leaf_of(
    conn: &mut SqliteConnection,
    conversation_id: i64,
) -> Result<Option<i64>, StoreError> {
    match active_leaf(conn, conversation_id) {
        Err(StoreError::NotFound { .. }) => Ok(None),
        other => other,
    }
}

/// Points the conversation's active leaf at `leaf`.
pub(in crate::store) fn set_active_leaf(
    conn: &mut SqliteConnection,
    conversation_id: i64,
    leaf: Option<i64>,
) -> Result<(), StoreError> {
    diesel::update(conversations::table.find(conversation_id))
        .set(conversations::active_leaf_id.eq(leaf))
        .execute(conn)
        .map_err(StoreError::during("setting a conversation's active leaf"))?;
    Ok(())
}

/// `Ok` when `message_id` exists in `conversation_id`.
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown message,
/// [`StoreError::NotInConversation`] for one of another conversation.
pub(in crate::store) fn check_in_conversation(
    conn: &mut SqliteConnection,
    message_id: i64,
    conversation_id: i64,
) -> Result<(), StoreError> {
    let (owner, _) = placement(conn, message_id)?;
    if owner == conversation_id {
        Ok(())
    } else {
        Err(StoreError::NotInConversation {
            message_id,
            conversation_id,
        })
    }
}

/// The conversation and parent of `message_id`.
pub(super) fn placement(
    conn: &mut SqliteConnection,
    message_id: i64,
) -> Result<(i64, Option<i64>), StoreError> {
    messages::table
        .find(message_id)
        .select((messages::conversation_id, messages::parent_id))
        .first(conn)
        .optional()
        .map_err(StoreError::during("reading a message's place"))?
        .ok_or_else(|| StoreError::not_found("message", message_id))
}

/// The children of `parent_id` (the first messages for `None`), oldest
/// first.
pub(super) fn children(
    conn: &mut SqliteConnection,
    conversation_id: i64,
    parent_id: Option<i64>,
) -> Result<Vec<i64>, StoreError> {
    let query = messages::table
        .filter(messages::conversation_id.eq(conversation_id))
        .select(messages::id)
        .order(messages::id.asc())
        .into_boxed();
    let query = match parent_id {
        Some(parent) => query.filter(messages::parent_id.eq(parent)),
        None => query.filter(messages::parent_id.is_null()),
    };
    query
        .load(conn)
        .map_err(StoreError::during("listing a message's siblings"))
}

/// The deepest message under `from` following the newest child each step
/// (`from` itself when it has no child).
pub(super) fn latest_leaf_under(conn: &mut SqliteConnection, from: i64) -> Result<i64, StoreError> {
    Ok(diesel::sql_query(LATEST_LEAF)
        .bind::<BigInt, _>(from)
        .get_result::<IdRow>(conn)
        .optional()
        .map_err(StoreError::during("finding the latest leaf of a branch"))?
        .map_or(from, |row| row.id))
}

/// How many messages the subtree of `message_id` holds.
pub(super) fn subtree_size(
    conn: &mut SqliteConnection,
    message_id: i64,
) -> Result<usize, StoreError> {
    let row = diesel::sql_query(format!("{SUBTREE} SELECT COUNT(*) AS n FROM subtree"))
        .bind::<BigInt, _>(message_id)
        .get_result::<CountRow>(conn)
        .map_err(StoreError::during("counting a branch's messages"))?;
    Ok(usize::try_from(row.n).unwrap_or(0))
}

/// Body of [`Store::delete_branch`]; the caller holds the transaction.
pub(super) fn delete_subtree(
    conn: &mut SqliteConnection,
    message_id: i64,
) -> Result<BranchDeleted, StoreError> {
    let (conversation_id, parent_id) = placement(conn, message_id)?;
    let leaf = active_leaf(conn, conversation_id)?;
    let leaf_goes = match leaf {
        Some(leaf) => {
            diesel::sql_query(format!(
                "{SUBTREE} SELECT COUNT(*) AS n FROM subtree WHERE id = ?2"
            ))
            .bind::<BigInt, _>(message_id)
            .bind::<BigInt, _>(leaf)
            .get_result::<CountRow>(conn)
            .map_err(StoreError::during(
                "checking whether the branch shown is deleted",
            ))?
            .n > 0
        }
        None => false,
    };
    let deleted = diesel::sql_query(format!(
        "DELETE FROM messages WHERE id IN ({SUBTREE} SELECT id FROM subtree)"
    ))
    .bind::<BigInt, _>(message_id)
    .execute(conn)
    .map_err(StoreError::during("deleting a branch"))?;
    let active_leaf_id = if leaf_goes {
        let remaining = children(conn, conversation_id, parent_id)?;
        let next = match (remaining.last(), parent_id) {
            (Some(&newest), _) => Some(latest_leaf_under(conn, newest)?),
            (None, parent) => parent,
        };
        set_active_leaf(conn, conversation_id, next)?;
        next
    } else {
        leaf
    };
    Ok(BranchDeleted {
        conversation_id,
        messages: deleted,
        active_leaf_id,
    })
}

/// The siblings of each message in `page` that has any (`count() > 1`),
/// by message id: two small queries whatever the page's length.
pub(in crate::store) fn sibling_positions(
    conn: &mut SqliteConnection,
    conversation_id: i64,
    page: &[Message],
) -> Result<HashMap<i64, Siblings>, StoreError> {
    let parents: Vec<i64> = page.iter().filter_map(|m| m.parent_id).collect();
    let mut by_parent: HashMap<Option<i64>, Vec<i64>> = HashMap::new();
    let rows: Vec<(i64, Option<i64>)> = messages::table
        .filter(messages::parent_id.eq_any(&parents))
        .select((messages::id, messages::parent_id))
        .order(messages::id.asc())
        .load(conn)
        .map_err(StoreError::during("listing the siblings of a page"))?;
    for (id, parent) in rows {
        by_parent.entry(parent).or_default().push(id);
    }
    if page.iter().any(|m| m.parent_id.is_none()) {
        by_parent.insert(None, children(conn, conversation_id, None)?);
    }
    Ok(page
        .iter()
        .filter_map(|m| {
            let ids = by_parent.get(&m.parent_id)?;
            let index = ids.iter().position(|&id| id == m.id)?;
            (ids.len() > 1).then(|| {
                (
                    m.id,
                    Siblings {
                        ids: ids.clone(),
                        index,
                    },
                )
            })
        })
        .collect())
}
