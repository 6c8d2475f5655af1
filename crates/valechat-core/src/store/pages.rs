//! A conversation read a page at a time: the last messages before a
//! point, with their tool calls, images, MCP resources and usage, read in
//! one go. The conversation view opens a long conversation with its last
//! page and reads earlier pages as the user scrolls up, so opening does
//! not read, nor keep, every message (issue 12: 10,000 messages open in
//! under 100 ms, with memory that does not grow with the length).

use std::collections::HashMap;
use std::ops::RangeInclusive;

use diesel::prelude::*;
use rust_decimal::Decimal;

use super::Store;
use super::attachments::{StoredAttachment, load_images};
use super::error::StoreError;
use super::models::{Message, MessageRow};
use super::resource_attachments::load_resources;
use super::schema::messages;
use super::tool_calls::ToolCallRecord;
use super::tool_calls::load_calls;
use super::usage::{load_conversation_cost, load_message_usage};
use crate::model::{ResourceAttachment, UsageRecord};

/// Every message id: the range the whole-conversation reads use.
pub(super) const ALL_MESSAGES: RangeInclusive<i64> = i64::MIN..=i64::MAX;

/// Where a page ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageEnd {
    /// The conversation's last message: the page the conversation opens
    /// with, which also carries the conversation's cost.
    Last,
    /// Just before message `id` (the first message already read).
    Before(i64),
}

/// Messages of one conversation, in order, and what belongs to them.
#[derive(Debug, Clone, Default)]
pub struct ConversationPage {
    /// The messages, oldest first (`id` ascending).
    pub messages: Vec<Message>,
    /// Their tool calls, by message then position.
    pub tool_calls: Vec<ToolCallRecord>,
    /// Their images, by message then position.
    pub images: Vec<StoredAttachment>,
    /// Their MCP resources, by message id, in order.
    pub resources: HashMap<i64, Vec<ResourceAttachment>>,
    /// The usage records of their requests, oldest first.
    pub usage: Vec<UsageRecord>,
    /// Whether older messages come before the page's first one.
    pub has_earlier: bool,
    /// For [`PageEnd::Last`]: what every request of the conversation cost,
    /// USD (`None`: nothing billed). `None` for other pages.
    pub conversation_cost: Option<Decimal>,
}

impl Store {
    /// Up to `limit` messages of `conversation_id` ending at `end`, with
    /// what belongs to them, read in one go (one connection, one
    /// snapshot). Empty for an unknown conversation.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`],
    /// [`StoreError::InvalidValue`] for a row with an unknown role, status
    /// or cost.
    pub async fn conversation_page(
        &self,
        conversation_id: i64,
        end: PageEnd,
        limit: usize,
    ) -> Result<ConversationPage, StoreError> {
        self.run(move |conn| conn.transaction(|conn| read_page(conn, conversation_id, end, limit)))
            .await
    }
}

fn read_page(
    conn: &mut SqliteConnection,
    conversation_id: i64,
    end: PageEnd,
    limit: usize,
) -> Result<ConversationPage, StoreError> {
    let mut query = messages::table
        .filter(messages::conversation_id.eq(conversation_id))
        .into_boxed();
    if let PageEnd::Before(id) = end {
        query = query.filter(messages::id.lt(id));
    }
    // One more than asked tells whether earlier messages remain.
    let mut rows: Vec<MessageRow> = query
        .order(messages::id.desc())
        .limit(i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1))
        .select(MessageRow::as_select())
        .load(conn)
        .map_err(StoreError::during("listing messages"))?;
    let has_earlier = rows.len() > limit;
    rows.truncate(limit);
    rows.reverse();
    let messages: Vec<Message> = rows
        .into_iter()
        .map(Message::try_from)
        .collect::<Result<_, _>>()?;
    let conversation_cost = match end {
        PageEnd::Last => load_conversation_cost(conn, conversation_id)?,
        PageEnd::Before(_) => None,
    };
    let (Some(first), Some(last)) = (messages.first(), messages.last()) else {
        return Ok(ConversationPage {
            conversation_cost,
            ..ConversationPage::default()
        });
    };
    let ids = first.id..=last.id;
    Ok(ConversationPage {
        tool_calls: load_calls(conn, conversation_id, &ids)?,
        images: load_images(conn, conversation_id, &ids)?,
        resources: load_resources(conn, conversation_id, &ids)?,
        usage: load_message_usage(conn, conversation_id, &ids)?,
        has_earlier,
        conversation_cost,
        messages,
    })
}
