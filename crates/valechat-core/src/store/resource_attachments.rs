//! MCP resources attached to user messages, stored in `attachments` with
//! kind `resource` (migration `2026-12-04-000000_resource_attachments`):
//! the URI, the server, the MIME type (`''` when the server gave none), the
//! text in `text` or a blob's bytes in `data`.
//!
//! A message, its images and its resources are written in one transaction
//! ([`Store::insert_message_with_resources`]); images take positions
//! `0..images`, resources the positions after them.

use std::collections::HashMap;

use bytes::Bytes;
use diesel::prelude::*;

use super::attachments::IMAGE;
use super::error::StoreError;
use super::messages::MessageParent;
use super::models::{Message, NewMessage};
use super::schema::{attachments, messages};
use super::{Store, now_ms};
use crate::model::{Attachment, ResourceAttachment, ResourceBody};

/// `attachments.kind` of an MCP resource.
const RESOURCE: &str = "resource";

#[derive(Queryable, Selectable)]
#[diesel(table_name = attachments)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite))]
struct Row {
    message_id: i64,
    name: String,
    mime_type: String,
    data: Vec<u8>,
    uri: Option<String>,
    server_id: Option<String>,
    text: Option<String>,
}

impl From<Row> for ResourceAttachment {
    fn from(row: Row) -> Self {
        let body = match row.text {
            Some(text) => ResourceBody::Text(text),
            None => ResourceBody::Blob(Bytes::from(row.data)),
        };
        Self {
            server_id: row.server_id.unwrap_or_default(),
            uri: row.uri.unwrap_or_default(),
            name: row.name,
            mime_type: Some(row.mime_type).filter(|m| !m.is_empty()),
            body,
        }
    }
}

impl Store {
    /// Appends a message with its images and resources (each in order)
    /// under the active leaf, as [`Store::insert_message`] does, all in one
    /// transaction.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown conversation;
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    /// Nothing is stored when any step fails.
    pub async fn insert_message_with_resources(
        &self,
        new: NewMessage,
        images: Vec<Attachment>,
        resources: Vec<ResourceAttachment>,
    ) -> Result<Message, StoreError> {
        self.insert_message_with_resources_at(new, MessageParent::ActiveLeaf, images, resources)
            .await
    }

    /// A message with its images and resources stored under `parent`, as
    /// [`Store::insert_message_at`] does (it becomes the active leaf), all
    /// in one transaction.
    ///
    /// # Errors
    /// As [`Store::insert_message_at`]. Nothing is stored when any step
    /// fails.
    pub async fn insert_message_with_resources_at(
        &self,
        new: NewMessage,
        parent: MessageParent,
        images: Vec<Attachment>,
        resources: Vec<ResourceAttachment>,
    ) -> Result<Message, StoreError> {
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                let message = super::messages::insert(conn, &new, parent)?;
                let now = now_ms();
                let mut position = 0_i32;
                for image in &images {
                    diesel::insert_into(attachments::table)
                        .values((
                            attachments::message_id.eq(message.id),
                            attachments::position.eq(position),
                            attachments::name.eq(&image.name),
                            attachments::mime_type.eq(&image.mime_type),
                            attachments::data.eq(image.data.as_ref()),
                            attachments::created_at.eq(now),
                            attachments::kind.eq(IMAGE),
                        ))
                        .execute(conn)
                        .map_err(StoreError::during("inserting an attachment"))?;
                    position += 1;
                }
                for resource in &resources {
                    let (data, text): (&[u8], Option<&str>) = match &resource.body {
                        ResourceBody::Text(text) => (&[], Some(text)),
                        ResourceBody::Blob(data) => (data.as_ref(), None),
                    };
                    diesel::insert_into(attachments::table)
                        .values((
                            attachments::message_id.eq(message.id),
                            attachments::position.eq(position),
                            attachments::name.eq(&resource.name),
                            attachments::mime_type.eq(resource.mime_type.as_deref().unwrap_or("")),
                            attachments::data.eq(data),
                            attachments::created_at.eq(now),
                            attachments::kind.eq(RESOURCE),
                            attachments::uri.eq(&resource.uri),
                            attachments::server_id.eq(&resource.server_id),
                            attachments::text.eq(text),
                        ))
                        .execute(conn)
                        .map_err(StoreError::during("inserting a resource attachment"))?;
                    position += 1;
                }
                Ok(message)
            })
        })
        .await
    }

    /// The resources of every message of a conversation, by message id, in
    /// order; empty for an unknown conversation.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn list_resource_attachments(
        &self,
        conversation_id: i64,
    ) -> Result<HashMap<i64, Vec<ResourceAttachment>>, StoreError> {
        self.run(move |conn| load_resources(conn, conversation_id, &super::ALL_MESSAGES))
            .await
    }
}

/// The resources of the messages of `conversation_id` whose ids lie in
/// `message_ids`, by message id, in order.
pub(super) fn load_resources(
    conn: &mut SqliteConnection,
    conversation_id: i64,
    message_ids: &std::ops::RangeInclusive<i64>,
) -> Result<HashMap<i64, Vec<ResourceAttachment>>, StoreError> {
    let rows = attachments::table
        .inner_join(messages::table)
        .filter(messages::conversation_id.eq(conversation_id))
        .filter(attachments::message_id.between(*message_ids.start(), *message_ids.end()))
        .filter(attachments::kind.eq(RESOURCE))
        .order((attachments::message_id.asc(), attachments::position.asc()))
        .select(Row::as_select())
        .load(conn)
        .map_err(StoreError::during("listing resource attachments"))?;
    let mut grouped: HashMap<i64, Vec<ResourceAttachment>> = HashMap::new();
    for row in rows {
        grouped
            .entry(row.message_id)
            .or_default()
            .push(ResourceAttachment::from(row));
    }
    Ok(grouped)
}
