//! Repository of `messages`, including the writes made while a reply
//! streams and the recovery of replies a crash left half-written.

use diesel::prelude::*;

use super::error::StoreError;
use super::models::{Message, MessageFinish, MessageRow, MessageStatus, NewMessage};
use super::schema::messages;
use super::{Store, now_ms};

impl Store {
    /// The messages of a conversation, oldest first (`id` ascending); empty
    /// for an unknown conversation.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::InvalidValue`]
    /// for a row with an unknown role or status.
    pub async fn list_messages(&self, conversation_id: i64) -> Result<Vec<Message>, StoreError> {
        self.run(move |conn| {
            messages::table
                .filter(messages::conversation_id.eq(conversation_id))
                .order(messages::id.asc())
                .select(MessageRow::as_select())
                .load(conn)
                .map_err(StoreError::during("listing messages"))?
                .into_iter()
                .map(Message::try_from)
                .collect()
        })
        .await
    }

    /// Appends a message under the conversation's active leaf (the first
    /// message of an empty conversation has no parent); it becomes the
    /// active leaf. Sets the conversation's `updated_at` to its creation
    /// time; one transaction.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown conversation;
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn insert_message(&self, new: NewMessage) -> Result<Message, StoreError> {
        self.insert_message_at(new, MessageParent::ActiveLeaf).await
    }

    /// Stores a message under `parent` (an edit or a regeneration is a
    /// sibling of the message it replaces: same parent); it becomes the
    /// conversation's active leaf. Sets the conversation's `updated_at`;
    /// one transaction.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown conversation or parent;
    /// [`StoreError::NotInConversation`] for a parent of another
    /// conversation; [`StoreError::Pool`], [`StoreError::Query`],
    /// [`StoreError::DiskFull`].
    pub async fn insert_message_at(
        &self,
        new: NewMessage,
        parent: MessageParent,
    ) -> Result<Message, StoreError> {
        self.run(move |conn| conn.immediate_transaction(|conn| insert(conn, &new, parent)))
            .await
    }

    /// One message by id; `None` when there is none.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::InvalidValue`]
    /// for a row with an unknown role or status.
    pub async fn message(&self, id: i64) -> Result<Option<Message>, StoreError> {
        self.run(move |conn| {
            messages::table
                .find(id)
                .select(MessageRow::as_select())
                .first(conn)
                .optional()
                .map_err(StoreError::during("reading a message"))?
                .map(Message::try_from)
                .transpose()
        })
        .await
    }

    /// Replaces the text of a message that is still arriving; one `UPDATE`
    /// by primary key (plus the search index trigger), meant to be called
    /// every few hundred milliseconds while streaming.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown `id`; [`StoreError::Pool`],
    /// [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn update_message_content(
        &self,
        id: i64,
        content: &str,
        reasoning: &str,
    ) -> Result<(), StoreError> {
        let content = content.to_owned();
        let reasoning = reasoning.to_owned();
        self.run(move |conn| {
            let changed = diesel::update(messages::table.find(id))
                .set((
                    messages::content.eq(&content),
                    messages::reasoning.eq(&reasoning),
                    messages::updated_at.eq(now_ms()),
                ))
                .execute(conn)
                .map_err(StoreError::during("saving a streaming message"))?;
            expect_one(changed, id)
        })
        .await
    }

    /// Writes the final state of a message: status, text, finish reason,
    /// error and provider-reported token counts; returns the stored message.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown `id`; [`StoreError::Pool`],
    /// [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn finish_message(
        &self,
        id: i64,
        finish: MessageFinish,
    ) -> Result<Message, StoreError> {
        self.run(move |conn| {
            let row = diesel::update(messages::table.find(id))
                .set((
                    messages::status.eq(finish.status.as_str()),
                    messages::content.eq(&finish.content),
                    messages::reasoning.eq(&finish.reasoning),
                    messages::finish_reason.eq(&finish.finish_reason),
                    messages::error.eq(&finish.error),
                    messages::input_tokens.eq(finish.input_tokens),
                    messages::output_tokens.eq(finish.output_tokens),
                    messages::updated_at.eq(now_ms()),
                ))
                .returning(MessageRow::as_returning())
                .get_result(conn)
                .optional()
                .map_err(StoreError::during("finishing a message"))?
                .ok_or_else(|| StoreError::not_found("message", id))?;
            Message::try_from(row)
        })
        .await
    }

    /// Deletes a message (the Retry action removes a failed empty reply)
    /// with its descendants, as [`Store::delete_branch`] does: when the
    /// active leaf goes, the branch shown moves to what remains.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown `id`; [`StoreError::Pool`],
    /// [`StoreError::Query`].
    pub async fn delete_message(&self, id: i64) -> Result<(), StoreError> {
        self.delete_branch(id).await.map(|_| ())
    }

    /// Marks every message still `streaming` as `incomplete` and returns how
    /// many there were. [`Store::open`] calls it: a reply can only be left
    /// streaming by a run that ended mid-stream.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn recover_interrupted(&self) -> Result<usize, StoreError> {
        self.run(recover).await
    }
}

/// Where [`Store::insert_message_at`] puts a new message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageParent {
    /// Under the conversation's active leaf: the next message of the
    /// branch shown (a new turn).
    ActiveLeaf,
    /// Without a parent: a first message of the conversation (an edit of
    /// the first user message is a second one).
    Root,
    /// Under message `id`, which must belong to the same conversation.
    Message(i64),
}

/// Inserts `new` under `parent`, makes it the active leaf and touches its
/// conversation; the caller holds the transaction (shared with
/// `attachments`).
pub(super) fn insert(
    conn: &mut SqliteConnection,
    new: &NewMessage,
    parent: MessageParent,
) -> Result<Message, StoreError> {
    let now = now_ms();
    super::conversations::touch(conn, new.conversation_id, now)?;
    let parent_id = match parent {
        MessageParent::ActiveLeaf => super::tree::active_leaf(conn, new.conversation_id)?,
        MessageParent::Root => None,
        MessageParent::Message(id) => {
            super::tree::check_in_conversation(conn, id, new.conversation_id)?;
            Some(id)
        }
    };
    let row = diesel::insert_into(messages::table)
        .values((
            messages::conversation_id.eq(new.conversation_id),
            messages::role.eq(new.role.as_str()),
            messages::content.eq(&new.content),
            messages::status.eq(new.status.as_str()),
            messages::provider_id.eq(&new.provider_id),
            messages::model.eq(&new.model),
            messages::created_at.eq(now),
            messages::updated_at.eq(now),
            messages::parent_id.eq(parent_id),
        ))
        .returning(MessageRow::as_returning())
        .get_result(conn)
        .map_err(StoreError::during("inserting a message"))?;
    let message = Message::try_from(row)?;
    super::tree::set_active_leaf(conn, new.conversation_id, Some(message.id))?;
    Ok(message)
}

/// Blocking body of [`Store::recover_interrupted`].
pub(super) fn recover(conn: &mut SqliteConnection) -> Result<usize, StoreError> {
    diesel::update(messages::table.filter(messages::status.eq(MessageStatus::Streaming.as_str())))
        .set((
            messages::status.eq(MessageStatus::Incomplete.as_str()),
            messages::updated_at.eq(now_ms()),
        ))
        .execute(conn)
        .map_err(StoreError::during(
            "marking interrupted messages incomplete",
        ))
}

/// `Ok` if a message row changed, else `NotFound`.
fn expect_one(changed: usize, id: i64) -> Result<(), StoreError> {
    if changed == 0 {
        Err(StoreError::not_found("message", id))
    } else {
        Ok(())
    }
}
