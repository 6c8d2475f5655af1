//! The rows of the view: opening a conversation, sending and retrying,
//! and placing tool calls and usage under the replies they belong to.

use relm4::ComponentSender;
use relm4::prelude::*;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::timing;
use super::turn::Start;
use super::{ConversationView, ConversationViewCommand};
use crate::ui::composer::Draft;
use crate::ui::message_row::MessageRow;
use valechat_core::chat::{ConversationTarget, EngineError, SendOptions, SendRequest, UserInput};

/// Everything shown of an opened conversation, read off the main loop.
#[derive(Debug)]
pub struct LoadedConversation {
    id: i64,
    messages: Vec<valechat_core::store::Message>,
    calls: Vec<valechat_core::store::ToolCallRecord>,
    images: std::collections::HashMap<i64, Vec<valechat_core::provider::Attachment>>,
    resources: std::collections::HashMap<i64, Vec<valechat_core::provider::ResourceAttachment>>,
    usage: Vec<valechat_core::ledger::UsageRecord>,
    /// How long reading it took.
    read_time: Duration,
}

impl LoadedConversation {
    async fn load(
        store: &valechat_core::store::Store,
        id: i64,
        started: Instant,
    ) -> Result<Self, valechat_core::store::StoreError> {
        Ok(Self {
            id,
            messages: store.list_messages(id).await?,
            calls: store.list_tool_calls(id).await?,
            images: valechat_core::store::attachments_by_message(store.list_attachments(id).await?),
            resources: store.list_resource_attachments(id).await?,
            usage: store.conversation_usage_records(id).await?,
            read_time: started.elapsed(),
        })
    }
}

impl ConversationView {
    /// Shows conversation `id` (its messages arrive from a command) or an
    /// empty new one.
    pub(super) fn open(&mut self, id: Option<i64>, sender: &ComponentSender<Self>) {
        self.shown = id;
        self.messages.clear();
        self.announce_earlier();
        self.total_dirty = true;
        self.opening = id.map(|id| timing::Opening {
            id,
            started: Instant::now(),
        });
        self.scroll_to_end();
        let (Some(engine), Some(id)) = (self.engine.clone(), id) else {
            return;
        };
        sender.oneshot_command(async move {
            let started = Instant::now();
            match LoadedConversation::load(engine.store(), id, started).await {
                Ok(loaded) => ConversationViewCommand::Loaded(Box::new(loaded)),
                Err(e) => ConversationViewCommand::Failed(EngineError::from(e).user_message()),
            }
        });
    }

    /// Fills the rows with a loaded conversation, if it is still the one shown.
    pub(super) fn show_loaded(&mut self, loaded: LoadedConversation) {
        let LoadedConversation {
            id,
            messages,
            calls,
            mut images,
            mut resources,
            usage,
            read_time,
        } = loaded;
        if self.shown != Some(id) {
            return;
        }
        // Rows are built whole, then added in one change of the list.
        let mut calls_by_message: HashMap<i64, Vec<_>> = HashMap::new();
        for call in calls {
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
        let messages_len = messages.len();
        let rows = messages.into_iter().map(|m| {
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
            row
        });
        let count = messages_len;
        self.messages.replace(rows.collect());
        self.announce_earlier();
        self.total_dirty = true;
        if let Some(opening) = self.opening.take().filter(|o| o.id == id) {
            timing::log_first_paint(self.messages.widget(), opening, read_time, count);
        }
        self.scroll_to_end();
    }

    /// Brings the next batch of earlier rows into the list, if any wait.
    pub(super) fn show_earlier(&mut self) {
        self.messages.show_earlier();
        self.announce_earlier();
    }

    /// Tells the scroll watcher whether earlier rows still wait.
    fn announce_earlier(&self) {
        if let Some(earlier) = &self.earlier {
            earlier.set_more(self.messages.has_earlier());
        }
    }

    /// Starts a turn for `draft` (over a hard spending limit once if
    /// `anyway`); while a reply runs the draft goes back to the composer.
    pub(super) fn send(&mut self, draft: Draft, anyway: bool, sender: &ComponentSender<Self>) {
        if self.streaming.is_some() || self.engine.is_none() {
            self.composer
                .sender()
                .emit(crate::ui::composer::ComposerInput::Restore(draft));
            return;
        }
        // The new message, "Waiting for approval" and errors land at the end.
        self.scroll_to_end();
        let input = UserInput {
            text: draft.text.clone(),
            images: draft.images.clone(),
            resources: draft.resources.clone(),
        };
        let options = SendOptions {
            allow_over_limit: anyway,
        };
        let request = SendRequest::new(self.target.clone(), input).with_options(options);
        self.start_turn(Start::Send(request, draft), sender);
    }

    /// Answers the last user message again, dropping a failed reply that
    /// has no text.
    pub(super) fn retry(&mut self, sender: &ComponentSender<Self>) {
        let ConversationTarget::Existing(id) = self.target else {
            return;
        };
        if self.streaming.is_some() || self.shown != Some(id) {
            return;
        }
        if let Some(last) = self.messages.last()
            && self
                .messages
                .read(last, MessageRow::is_empty_failure)
                .unwrap_or(false)
        {
            self.messages.remove(last);
        }
        self.start_turn(Start::Retry(id), sender);
    }

    /// Shows the end of the conversation and follows it again.
    pub(super) fn scroll_to_end(&self) {
        if let Some(follow) = &self.follow {
            follow.scroll_to_end();
        }
    }

    /// Shows `call` under the reply that made it (searching from the end,
    /// where live calls are).
    pub(super) fn update_tool_call(
        &mut self,
        call: valechat_core::store::ToolCallRecord,
        server: Option<String>,
    ) {
        if let Some(i) = self.messages.rposition(|row| row.id == call.message_id) {
            self.messages
                .update(i, |row| row.upsert_tool_call(call, server));
        }
    }

    /// Shows a usage record under the reply it billed.
    pub(super) fn add_usage(&mut self, record: valechat_core::ledger::UsageRecord) {
        let Some(message_id) = record.message_id else {
            return;
        };
        if let Some(i) = self.messages.rposition(|row| row.id == message_id) {
            self.messages.update(i, |row| row.add_usage(record));
            self.total_dirty = true;
        }
    }
}
