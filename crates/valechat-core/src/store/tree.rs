//! Messages as a tree (issue 14, part 1): each message has a parent (the
//! message it answers or follows; none for a conversation's first
//! messages), an edit or a regeneration is a sibling of the message it
//! replaces, and a conversation shows one branch, the *active path*: from
//! a first message down to the conversation's active leaf.
//!
//! The paths and subtrees are read with recursive queries
//! (<https://sqlite.org/lang_with.html#recursive_common_table_expressions>)
//! that follow `messages.parent_id` (indexed with `messages_parent`), so a
//! page of a long path costs what the page holds, not the conversation.
//! New messages get their parent in `messages::insert`. The queries are
//! in `tree/sql`.

mod sql;

use diesel::prelude::*;

use super::Store;
use super::error::StoreError;
use super::models::Message;
pub(super) use sql::{
    active_leaf, check_in_conversation, path_ending_at, set_active_leaf, sibling_positions,
};
use sql::{active_leaf_of, children, delete_subtree, latest_leaf_under, placement, subtree_size};

/// The messages that share a parent (the versions of one turn: the
/// original, its edits or regenerations), in creation order, and where
/// one of them stands: what a `‹ 2/3 ›` switcher shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Siblings {
    /// Ids of the messages with the same parent, in creation order
    /// (ascending); always holds the message itself.
    pub ids: Vec<i64>,
    /// The message's index in `ids`, from 0 (shown as `index + 1`).
    pub index: usize,
}

impl Siblings {
    /// How many versions there are (1 when the message has no sibling).
    #[must_use]
    pub fn count(&self) -> usize {
        self.ids.len()
    }

    /// The sibling before this one (`‹`), if any.
    #[must_use]
    pub fn previous(&self) -> Option<i64> {
        self.index
            .checked_sub(1)
            .and_then(|i| self.ids.get(i).copied())
    }

    /// The sibling after this one (`›`), if any.
    #[must_use]
    pub fn next(&self) -> Option<i64> {
        self.ids.get(self.index + 1).copied()
    }
}

/// What [`Store::delete_branch`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BranchDeleted {
    /// The conversation the branch belonged to.
    pub conversation_id: i64,
    /// How many messages went (the message and its descendants).
    pub messages: usize,
    /// The conversation's active leaf afterwards (moved to what remains
    /// when the branch shown was deleted; `None` when no message is left).
    pub active_leaf_id: Option<i64>,
}

impl Store {
    /// The branch shown: the messages from the first one down to the
    /// conversation's active leaf, in order. Empty for a conversation
    /// without messages or an unknown one. Long conversations are better
    /// read a page at a time ([`Store::conversation_page`]).
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`],
    /// [`StoreError::InvalidValue`] for a row with an unknown role or status.
    pub async fn active_path(&self, conversation_id: i64) -> Result<Vec<Message>, StoreError> {
        self.run(move |conn| {
            conn.transaction(|conn| match active_leaf_of(conn, conversation_id)? {
                Some(leaf) => path_ending_at(conn, leaf, None),
                None => Ok(Vec::new()),
            })
        })
        .await
    }

    /// The messages from the first one down to `message_id` (inclusive), in
    /// order: the history a reply to that message is given.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown message; [`StoreError::Pool`],
    /// [`StoreError::Query`], [`StoreError::InvalidValue`].
    pub async fn path_to(&self, message_id: i64) -> Result<Vec<Message>, StoreError> {
        self.run(move |conn| {
            let path = path_ending_at(conn, message_id, None)?;
            if path.is_empty() {
                return Err(StoreError::not_found("message", message_id));
            }
            Ok(path)
        })
        .await
    }

    /// The siblings of `message_id` (itself included) and its place among
    /// them.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown message; [`StoreError::Pool`],
    /// [`StoreError::Query`].
    pub async fn siblings(&self, message_id: i64) -> Result<Siblings, StoreError> {
        self.run(move |conn| {
            let (conversation_id, parent_id) = placement(conn, message_id)?;
            let ids = children(conn, conversation_id, parent_id)?;
            let index = ids.iter().position(|&id| id == message_id).unwrap_or(0);
            Ok(Siblings { ids, index })
        })
        .await
    }

    /// Shows the branch through `message_id` (e.g. a sibling chosen with
    /// `‹`/`›`): the active leaf becomes the deepest descendant of that
    /// message, following the most recently created child at each step.
    /// Returns the new active leaf's id. One transaction.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown message; [`StoreError::Pool`],
    /// [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn switch_branch(&self, message_id: i64) -> Result<i64, StoreError> {
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                let (conversation_id, _) = placement(conn, message_id)?;
                let leaf = latest_leaf_under(conn, message_id)?;
                set_active_leaf(conn, conversation_id, Some(leaf))?;
                Ok(leaf)
            })
        })
        .await
    }

    /// How many messages [`Store::delete_branch`] would delete for
    /// `message_id`: the message and all its descendants (for the
    /// confirmation "Delete 5 messages?").
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown message; [`StoreError::Pool`],
    /// [`StoreError::Query`].
    pub async fn branch_size(&self, message_id: i64) -> Result<usize, StoreError> {
        self.run(move |conn| {
            placement(conn, message_id)?;
            subtree_size(conn, message_id)
        })
        .await
    }

    /// Deletes `message_id` and all its descendants in one statement; their
    /// tool calls, images, resources and search-index rows go with them.
    /// Usage records stay (money spent stays spent, and the conversation's
    /// total still counts them), their message reference cleared. When the
    /// active leaf was in the branch, the conversation shows the most
    /// recent remaining branch at the same place: the latest leaf under
    /// the deleted message's parent (its newest remaining sibling's, or the
    /// parent itself). One transaction.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown message; [`StoreError::Pool`],
    /// [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn delete_branch(&self, message_id: i64) -> Result<BranchDeleted, StoreError> {
        self.run(move |conn| conn.immediate_transaction(|conn| delete_subtree(conn, message_id)))
            .await
    }
}
