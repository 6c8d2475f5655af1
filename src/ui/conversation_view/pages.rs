//! Opening a conversation and reading it a page at a time: the last
//! [`FIRST_ROWS`] messages first, then [`EARLIER_BATCH`] earlier ones each
//! time the user scrolls near the top (`earlier`), each page read from the
//! store off the main loop with its tool calls, images, resources and
//! usage ([`valechat_core::store::Store::conversation_page`]). Only what
//! was read is kept, so neither the time to open a conversation nor the
//! memory it takes grows with its length.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use relm4::ComponentSender;

use super::list::{EARLIER_BATCH, FIRST_ROWS};
use super::timing;
use super::{ConversationView, ConversationViewCommand};
use crate::ui::message_row::MessageRow;
use valechat_core::chat::EngineError;
use valechat_core::store::{ConversationPage, PageEnd};

/// A page of a conversation's messages, read off the main loop.
#[derive(Debug)]
pub struct LoadedConversation {
    id: i64,
    end: PageEnd,
    page: ConversationPage,
    /// How long reading it took.
    read_time: Duration,
}

impl LoadedConversation {
    async fn load(
        store: &valechat_core::store::Store,
        id: i64,
        end: PageEnd,
    ) -> Result<Self, valechat_core::store::StoreError> {
        let started = Instant::now();
        let limit = match end {
            PageEnd::Last => FIRST_ROWS,
            PageEnd::Before(_) => EARLIER_BATCH,
        };
        Ok(Self {
            id,
            end,
            page: store.conversation_page(id, end, limit).await?,
            read_time: started.elapsed(),
        })
    }

    /// The page's rows, each with its images, resources, tool calls and
    /// usage.
    fn into_rows(self) -> Vec<MessageRow> {
        rows_of(self.page)
    }
}

/// The rows of `page`, each with its images, resources, tool calls, usage
/// and versions (`‹ 2/3 ›`).
pub(super) fn rows_of(page: ConversationPage) -> Vec<MessageRow> {
    let ConversationPage {
        messages,
        tool_calls,
        images,
        mut resources,
        usage,
        mut siblings,
        ..
    } = page;
    let mut images = valechat_core::store::attachments_by_message(images);
    let mut calls_by_message: HashMap<i64, Vec<_>> = HashMap::new();
    for call in tool_calls {
        calls_by_message
            .entry(call.message_id)
            .or_default()
            .push(call);
    }
    let mut usage_by_message: HashMap<i64, Vec<_>> = HashMap::new();
    for record in usage {
        if let Some(message_id) = record.message_id {
            usage_by_message.entry(message_id).or_default().push(record);
        }
    }
    messages
        .into_iter()
        .map(|m| {
            let id = m.id;
            let mut row = MessageRow::new(m);
            if let Some(list) = images.remove(&id) {
                row.set_images(list);
            }
            if let Some(list) = resources.remove(&id) {
                row.set_resources(list);
            }
            for call in calls_by_message.remove(&id).unwrap_or_default() {
                let server = call.server_id.clone();
                row.upsert_tool_call(call, server);
            }
            for record in usage_by_message.remove(&id).unwrap_or_default() {
                row.add_usage(record);
            }
            row.set_siblings(siblings.remove(&id));
            row
        })
        .collect()
}

impl ConversationView {
    /// Shows conversation `id` (its last page arrives from a command) or
    /// an empty new one.
    pub(super) fn open(&mut self, id: Option<i64>, sender: &ComponentSender<Self>) {
        self.cancel_edit();
        self.switch_draft(id, sender);
        self.shown = id;
        self.messages.clear();
        self.more_before = false;
        self.reading_earlier = false;
        self.announce_earlier();
        self.cost = None;
        self.total_dirty = true;
        self.opening = id.map(|id| timing::Opening {
            id,
            started: Instant::now(),
        });
        self.scroll_to_end();
        if let Some(id) = id {
            self.read_page(id, PageEnd::Last, sender);
        }
    }

    fn read_page(&self, id: i64, end: PageEnd, sender: &ComponentSender<Self>) {
        let Some(engine) = self.engine.clone() else {
            return;
        };
        sender.oneshot_command(async move {
            match LoadedConversation::load(engine.store(), id, end).await {
                Ok(loaded) => ConversationViewCommand::Loaded(Box::new(loaded)),
                Err(e) => ConversationViewCommand::Failed(EngineError::from(e).user_message()),
            }
        });
    }

    /// Shows a page read from the store, if its conversation is still the
    /// one shown: the last page fills the list, an earlier one goes in
    /// front of it.
    pub(super) fn show_loaded(&mut self, loaded: LoadedConversation) {
        if self.shown != Some(loaded.id) {
            return;
        }
        let (id, end, read_time) = (loaded.id, loaded.end, loaded.read_time);
        let has_earlier = loaded.page.has_earlier;
        let cost = loaded.page.conversation_cost;
        let rows = loaded.into_rows();
        let count = rows.len();
        match end {
            PageEnd::Last => {
                self.messages.replace(rows);
                self.cost = cost;
                self.total_dirty = true;
                if let Some(opening) = self.opening.take().filter(|o| o.id == id) {
                    timing::log_first_paint(self.messages.widget(), opening, read_time, count);
                }
                self.scroll_to_end();
            }
            PageEnd::Before(before) => {
                self.reading_earlier = false;
                // A page read for rows that have since changed (a reply
                // removed the first row) is dropped; the next scroll asks
                // again.
                if self.messages.first_id() != Some(before) {
                    self.announce_earlier();
                    return;
                }
                self.messages.prepend(rows);
            }
        }
        self.more_before = has_earlier;
        self.announce_earlier();
    }

    /// Reads the page of messages before the first row, if the store holds
    /// earlier ones and none is being read.
    pub(super) fn show_earlier(&mut self, sender: &ComponentSender<Self>) {
        let (Some(id), Some(first)) = (self.shown, self.messages.first_id()) else {
            return;
        };
        if !self.more_before || self.reading_earlier {
            return;
        }
        self.reading_earlier = true;
        self.read_page(id, PageEnd::Before(first), sender);
    }

    /// Tells the scroll watcher whether earlier messages remain to read.
    fn announce_earlier(&self) {
        if let Some(earlier) = &self.earlier {
            earlier.set_more(self.more_before && !self.reading_earlier);
        }
    }
}
