//! Repository of `attachments`: the images of user messages, stored as
//! BLOBs next to their message (MCP resources share the table, see
//! `resource_attachments`) and deleted with it (`ON DELETE CASCADE`).
//!
//! A message and its images are written in one transaction
//! ([`Store::insert_message_with_attachments`]), so a failed write leaves
//! neither. The engine reads them back for the request history (see
//! `chat::history`), and the window for the message rows.

use std::collections::HashMap;

use bytes::Bytes;
use diesel::prelude::*;

use super::Store;
use super::error::StoreError;
use super::models::{Message, NewMessage};
use super::schema::{attachments, messages};
use crate::model::Attachment;

/// `attachments.kind` of an image.
pub(super) const IMAGE: &str = "image";

/// One stored image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAttachment {
    /// Row id.
    pub id: i64,
    /// The user message it belongs to.
    pub message_id: i64,
    /// Order among that message's images, from 0.
    pub position: i32,
    /// The image as it was attached.
    pub attachment: Attachment,
    /// Creation time, UTC unix milliseconds.
    pub created_at: i64,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = attachments)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite))]
struct Row {
    id: i64,
    message_id: i64,
    position: i32,
    name: String,
    mime_type: String,
    data: Vec<u8>,
    created_at: i64,
}

impl From<Row> for StoredAttachment {
    fn from(row: Row) -> Self {
        Self {
            id: row.id,
            message_id: row.message_id,
            position: row.position,
            attachment: Attachment {
                name: row.name,
                mime_type: row.mime_type,
                data: Bytes::from(row.data),
            },
            created_at: row.created_at,
        }
    }
}

impl Store {
    /// Appends a message with its images (in order) and touches the
    /// conversation, all in one transaction; returns the stored message.
    /// With no images this is [`Store::insert_message`].
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown conversation;
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    /// Nothing is stored when any step fails.
    pub async fn insert_message_with_attachments(
        &self,
        new: NewMessage,
        images: Vec<Attachment>,
    ) -> Result<Message, StoreError> {
        self.insert_message_with_resources(new, images, Vec::new())
            .await
    }

    /// The images of every message of a conversation, by message then
    /// position; empty for an unknown conversation.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn list_attachments(
        &self,
        conversation_id: i64,
    ) -> Result<Vec<StoredAttachment>, StoreError> {
        self.run(move |conn| load_images(conn, conversation_id, &super::ALL_MESSAGES))
            .await
    }

    /// The images of one message, in order; empty when it has none.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn message_attachments(
        &self,
        message_id: i64,
    ) -> Result<Vec<Attachment>, StoreError> {
        self.run(move |conn| {
            Ok(attachments::table
                .filter(attachments::message_id.eq(message_id))
                .filter(attachments::kind.eq(IMAGE))
                .order(attachments::position.asc())
                .select(Row::as_select())
                .load(conn)
                .map_err(StoreError::during("listing a message's attachments"))?
                .into_iter()
                .map(|row| StoredAttachment::from(row).attachment)
                .collect())
        })
        .await
    }
}

/// Groups [`Store::list_attachments`] by message id, images in order.
#[must_use]
pub fn by_message(stored: Vec<StoredAttachment>) -> HashMap<i64, Vec<Attachment>> {
    let mut grouped: HashMap<i64, Vec<Attachment>> = HashMap::new();
    for row in stored {
        grouped
            .entry(row.message_id)
            .or_default()
            .push(row.attachment);
    }
    grouped
}

/// The images of the messages of `conversation_id` whose ids lie in
/// `message_ids`, by message then position.
pub(super) fn load_images(
    conn: &mut SqliteConnection,
    conversation_id: i64,
    message_ids: &std::ops::RangeInclusive<i64>,
) -> Result<Vec<StoredAttachment>, StoreError> {
    Ok(attachments::table
        .inner_join(messages::table)
        .filter(messages::conversation_id.eq(conversation_id))
        .filter(attachments::message_id.between(*message_ids.start(), *message_ids.end()))
        .filter(attachments::kind.eq(IMAGE))
        .order((attachments::message_id.asc(), attachments::position.asc()))
        .select(Row::as_select())
        .load(conn)
        .map_err(StoreError::during("listing attachments"))?
        .into_iter()
        .map(StoredAttachment::from)
        .collect())
}
