//! The rows of the view: opening a conversation, sending and retrying,
//! and placing tool calls and usage under the replies they belong to.

use relm4::ComponentSender;
use relm4::prelude::*;

use super::turn::Start;
use super::{ConversationView, ConversationViewCommand};
use crate::ui::composer::Draft;
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
}

impl LoadedConversation {
    async fn load(
        store: &valechat_core::store::Store,
        id: i64,
    ) -> Result<Self, valechat_core::store::StoreError> {
        Ok(Self {
            id,
            messages: store.list_messages(id).await?,
            calls: store.list_tool_calls(id).await?,
            images: valechat_core::store::attachments_by_message(store.list_attachments(id).await?),
            resources: store.list_resource_attachments(id).await?,
            usage: store.conversation_usage_records(id).await?,
        })
    }
}

impl ConversationView {
    /// Shows conversation `id` (its messages arrive from a command) or an
    /// empty new one.
    pub(super) fn open(&mut self, id: Option<i64>, sender: &ComponentSender<Self>) {
        self.shown = id;
        self.messages.guard().clear();
        self.scroll_to_end();
        let (Some(engine), Some(id)) = (self.engine.clone(), id) else {
            return;
        };
        sender.oneshot_command(async move {
            match LoadedConversation::load(engine.store(), id).await {
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
        } = loaded;
        if self.shown != Some(id) {
            return;
        }
        let mut guard = self.messages.guard();
        guard.clear();
        for m in messages {
            let message_images = images.remove(&m.id);
            let message_resources = resources.remove(&m.id);
            let index = guard.push_back(m).current_index();
            if let (Some(row), Some(list)) = (guard.get_mut(index), message_images) {
                row.set_images(list);
            }
            if let (Some(row), Some(list)) = (guard.get_mut(index), message_resources) {
                row.set_resources(list);
            }
        }
        drop(guard);
        for call in calls {
            let server = call.server_id.clone();
            self.update_tool_call(call, server);
        }
        for record in usage {
            self.add_usage(record);
        }
        self.mark_last_row();
        self.scroll_to_end();
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
        let mut guard = self.messages.guard();
        let last = guard.len().checked_sub(1);
        if last
            .and_then(|i| guard.get(i))
            .is_some_and(crate::ui::message_row::MessageRow::is_empty_failure)
            && let Some(i) = last
        {
            guard.remove(i);
        }
        drop(guard);
        self.start_turn(Start::Retry(id), sender);
    }

    /// Shows the end of the conversation and follows it again.
    pub(super) fn scroll_to_end(&self) {
        if let Some(follow) = &self.follow {
            follow.scroll_to_end();
        }
    }

    /// The conversation's total cost so far, USD, once anything was billed.
    pub(super) fn total(&self) -> Option<rust_decimal::Decimal> {
        self.messages
            .iter()
            .filter_map(crate::ui::message_row::MessageRow::cost)
            .reduce(|a, b| a + b)
    }

    /// Tells every message row whether it is the last one (only the last
    /// reply offers Retry).
    pub(super) fn mark_last_row(&mut self) {
        let mut guard = self.messages.guard();
        let len = guard.len();
        for i in 0..len {
            if let Some(row) = guard.get_mut(i) {
                row.set_last(i + 1 == len);
            }
        }
    }

    /// Shows `call` under the reply that made it (searching from the end,
    /// where live calls are).
    pub(super) fn update_tool_call(
        &mut self,
        call: valechat_core::store::ToolCallRecord,
        server: Option<String>,
    ) {
        let mut guard = self.messages.guard();
        for i in (0..guard.len()).rev() {
            if let Some(row) = guard.get_mut(i)
                && row.id == call.message_id
            {
                row.upsert_tool_call(call, server);
                return;
            }
        }
    }

    /// Shows a usage record under the reply it billed.
    pub(super) fn add_usage(&mut self, record: valechat_core::ledger::UsageRecord) {
        let Some(message_id) = record.message_id else {
            return;
        };
        let mut guard = self.messages.guard();
        for i in (0..guard.len()).rev() {
            if let Some(row) = guard.get_mut(i)
                && row.id == message_id
            {
                row.add_usage(record);
                return;
            }
        }
    }
}
