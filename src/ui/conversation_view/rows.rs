//! The rows of the view: sending and retrying, and placing tool calls and
//! usage under the replies they belong to (opening a conversation and
//! reading its earlier pages is `pages`).

use relm4::ComponentSender;
use relm4::prelude::*;

use super::ConversationView;
use super::turn::Start;
use crate::ui::composer::Draft;
use crate::ui::message_row::MessageRow;
use valechat_core::chat::{BranchPoint, ConversationTarget, SendOptions, SendRequest, UserInput};

impl ConversationView {
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
        let mut request = SendRequest::new(self.target.clone(), input).with_options(options);
        if let Some(message_id) = self.editing {
            // The edit ends once the turn starts (a refused send keeps it).
            request = request.at(BranchPoint::Edit {
                message_id,
                keep_attachments: true,
            });
        }
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
        let cost = record.cost_usd;
        if let Some(i) = self.messages.rposition(|row| row.id == message_id)
            && self.messages.update(i, |row| row.add_usage(record)) == Some(true)
        {
            *self.cost.get_or_insert(rust_decimal::Decimal::ZERO) += cost;
            self.total_dirty = true;
        }
    }
}
