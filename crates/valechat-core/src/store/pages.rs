//! A conversation read a page at a time: the last messages of its active
//! path (the branch shown, `store::tree`) before a point, with their tool
//! calls, images, MCP resources, usage and siblings, read in one go. The conversation view opens a long conversation with its last
//! page and reads earlier pages as the user scrolls up, so opening does
//! not read, nor keep, every message (issue 12: 10,000 messages open in
//! under 100 ms, with memory that does not grow with the length).

use std::collections::{HashMap, HashSet};
use std::ops::RangeInclusive;

use diesel::prelude::*;
use rust_decimal::Decimal;

use super::Store;
use super::attachments::{StoredAttachment, load_images};
use super::error::StoreError;
use super::models::Message;
use super::resource_attachments::load_resources;
use super::schema::messages;
use super::tool_calls::ToolCallRecord;
use super::tool_calls::load_calls;
use super::tree::{Siblings, active_leaf, path_ending_at, sibling_positions};
use super::usage::{load_conversation_cost, load_message_usage};
use crate::model::{ResourceAttachment, UsageRecord};

/// Every message id: the range the whole-conversation reads use.
pub(super) const ALL_MESSAGES: RangeInclusive<i64> = i64::MIN..=i64::MAX;

/// Where a page ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageEnd {
    /// The conversation's active leaf (the last message of the branch
    /// shown): the page the conversation opens with, which also carries
    /// the conversation's cost.
    Last,
    /// Just before message `id` on its path (the first message already
    /// read): its parent and up.
    Before(i64),
}

/// Messages of one branch of a conversation, in order, and what belongs
/// to them.
#[derive(Debug, Clone, Default)]
pub struct ConversationPage {
    /// The messages, first message first (each the parent of the next).
    pub messages: Vec<Message>,
    /// Their tool calls, by message then position.
    pub tool_calls: Vec<ToolCallRecord>,
    /// Their images, by message then position.
    pub images: Vec<StoredAttachment>,
    /// Their MCP resources, by message id, in order.
    pub resources: HashMap<i64, Vec<ResourceAttachment>>,
    /// The usage records of their requests, oldest first.
    pub usage: Vec<UsageRecord>,
    /// The siblings of the page's messages that have any (edits,
    /// regenerations: what `‹ 2/3 ›` shows), by message id; a message
    /// without siblings is absent.
    pub siblings: HashMap<i64, Siblings>,
    /// Whether older messages come before the page's first one.
    pub has_earlier: bool,
    /// For [`PageEnd::Last`]: what every request of the conversation cost,
    /// USD, over all its branches, deleted ones included (`None`: nothing
    /// billed). `None` for other pages.
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
    let start = match end {
        PageEnd::Last => active_leaf(conn, conversation_id).or_else(|e| match e {
            StoreError::NotFound { .. } => Ok(None),
            e => Err(e),
        })?,
        PageEnd::Before(id) => messages::table
            .find(id)
            .filter(messages::conversation_id.eq(conversation_id))
            .select(messages::parent_id)
            .first::<Option<i64>>(conn)
            .optional()
            .map_err(StoreError::during("reading a message's parent"))?
            .flatten(),
    };
    let conversation_cost = match end {
        PageEnd::Last => load_conversation_cost(conn, conversation_id)?,
        PageEnd::Before(_) => None,
    };
    let Some(start) = start else {
        return Ok(ConversationPage {
            conversation_cost,
            ..ConversationPage::default()
        });
    };
    // One more than asked tells whether earlier messages remain.
    let mut messages = path_ending_at(conn, start, Some(limit.saturating_add(1)))?;
    let has_earlier = messages.len() > limit;
    if has_earlier {
        messages.remove(0);
    }
    let (Some(first), Some(last)) = (messages.first(), messages.last()) else {
        return Ok(ConversationPage {
            conversation_cost,
            ..ConversationPage::default()
        });
    };
    // Other branches' messages may lie between the page's smallest and
    // largest ids: read the range, keep the page's own.
    let on_page: HashSet<i64> = messages.iter().map(|m| m.id).collect();
    let (low, high) = messages.iter().fold((first.id, last.id), |(lo, hi), m| {
        (lo.min(m.id), hi.max(m.id))
    });
    let ids = low..=high;
    let mut tool_calls = load_calls(conn, conversation_id, &ids)?;
    tool_calls.retain(|c| on_page.contains(&c.message_id));
    let mut images = load_images(conn, conversation_id, &ids)?;
    images.retain(|i| on_page.contains(&i.message_id));
    let mut resources = load_resources(conn, conversation_id, &ids)?;
    resources.retain(|id, _| on_page.contains(id));
    let mut usage = load_message_usage(conn, conversation_id, &ids)?;
    usage.retain(|u| u.message_id.is_some_and(|id| on_page.contains(&id)));
    Ok(ConversationPage {
        siblings: sibling_positions(conn, conversation_id, &messages)?,
        tool_calls,
        images,
        resources,
        usage,
        has_earlier,
        conversation_cost,
        messages,
    })
}
