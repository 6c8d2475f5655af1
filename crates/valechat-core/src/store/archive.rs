//! Whole conversations in and out (issue 14, part 4): reads a conversation
//! with its tree, tool calls, attachments, workspace folders and usage
//! records as an [`ArchivedConversation`], and writes one back in a single
//! transaction. The formats around it (Markdown, ValeChat JSON, the
//! importers) are in `crate::transfer`. Files: `archive/read` (export),
//! `archive/write` (import), `archive/settings` (the sampling parameters
//! and MCP servers, both ways).

mod read;
mod settings;
mod write;

use diesel::prelude::*;

use super::Store;
use super::error::StoreError;
use super::schema::conversations;
use crate::model::archive::ArchivedConversation;

/// What [`Store::import_conversation`] did with one conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    /// Written as a new conversation.
    Imported {
        /// The new conversation's id.
        conversation_id: i64,
        /// Messages written (every branch).
        messages: usize,
        /// Usage records written (those whose request id was new).
        usage_records: usize,
    },
    /// A conversation with the same `source` and `source_id` is already
    /// stored (an earlier import of the same file); nothing was written.
    AlreadyImported {
        /// The conversation already there.
        conversation_id: i64,
    },
    /// The conversation was exported from this very database (ValeChat
    /// JSON, `source_id` `<created_at>-<id>` naming a conversation made
    /// here that still exists); nothing was written.
    AlreadyHere {
        /// The conversation it was exported from.
        conversation_id: i64,
    },
}

impl Store {
    /// The ids of every conversation, oldest first (what "export all" writes).
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn conversation_ids(&self) -> Result<Vec<i64>, StoreError> {
        self.run(|conn| {
            conversations::table
                .order((conversations::created_at.asc(), conversations::id.asc()))
                .select(conversations::id)
                .load(conn)
                .map_err(StoreError::during("listing conversation ids"))
        })
        .await
    }

    /// The ids of the conversations filed in folder `folder_id`, oldest
    /// first (what exporting a folder writes); empty for an unknown or
    /// empty folder.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn folder_conversation_ids(&self, folder_id: i64) -> Result<Vec<i64>, StoreError> {
        self.run(move |conn| {
            conversations::table
                .filter(conversations::folder_id.eq(folder_id))
                .order((conversations::created_at.asc(), conversations::id.asc()))
                .select(conversations::id)
                .load(conn)
                .map_err(StoreError::during("listing a folder's conversations"))
        })
        .await
    }

    /// Conversation `id` whole: settings, every message of its tree (parents
    /// before children, keyed by row id), tool calls, attachments, folders
    /// and usage records; one read transaction, so it is consistent.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown conversation;
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn archive_conversation(&self, id: i64) -> Result<ArchivedConversation, StoreError> {
        self.run(move |conn| conn.transaction(|conn| read::conversation(conn, id)))
            .await
    }

    /// Writes `conversation` as a new conversation in one transaction:
    /// all of it, or nothing when any part fails. When `source` and
    /// `source_id` are set and already stored, writes nothing and says so.
    /// Its provider is kept when configured here (otherwise `None`: the
    /// messages keep their provider and model); its MCP servers are matched
    /// by name to those configured here, one that matches none left out
    /// ([`ArchivedServer`](crate::model::archive::ArchivedServer)); usage
    /// records whose request id exists already are skipped.
    ///
    /// # Errors
    /// [`StoreError::InvalidValue`] for a message whose parent is not
    /// before it, an unknown active leaf or usage message, attachment
    /// data that is not base64, or a sampling parameter out of its range; [`StoreError::Pool`], [`StoreError::Query`]
    /// (e.g. a role or status the schema refuses), [`StoreError::DiskFull`].
    pub async fn import_conversation(
        &self,
        conversation: ArchivedConversation,
    ) -> Result<ImportOutcome, StoreError> {
        self.run(move |conn| {
            conn.immediate_transaction(|conn| write::conversation(conn, &conversation))
        })
        .await
    }
}
