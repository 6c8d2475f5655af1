//! The compare view in place of the messages: the composer's Compare
//! Models… (or Ctrl+Shift+Enter) hands it the draft; when it closes, the
//! conversation is read again (its active branch may be a column's reply
//! now) and an unsent draft goes back to the composer.

use relm4::prelude::*;

use super::{ConversationView, ConversationViewOutput};
use crate::ui::compare_view::{CompareViewInput, CompareViewOutput};
use crate::ui::composer::{ComposerInput, Draft};
use valechat_core::chat::ConversationTarget;

impl ConversationView {
    /// Shows the compare view for `draft` (only while no reply streams and
    /// a model is chosen; the draft goes back otherwise).
    pub(super) fn compare(&mut self, draft: Draft) {
        if self.streaming.is_some() || self.engine.is_none() || !self.ready {
            self.composer.sender().emit(ComposerInput::Restore(draft));
            return;
        }
        self.cancel_edit();
        self.comparing = true;
        self.compare
            .sender()
            .emit(CompareViewInput::Start(self.target.clone(), draft));
    }

    /// Applies what the compare view asks.
    pub(super) fn on_compare(&mut self, output: CompareViewOutput, sender: &ComponentSender<Self>) {
        match output {
            CompareViewOutput::Created(conversation) => {
                if self.shown.is_none() {
                    self.drafts.created(conversation.id);
                    self.shown = Some(conversation.id);
                    self.target = ConversationTarget::Existing(conversation.id);
                }
                let _ = sender.output(ConversationViewOutput::Created(*conversation));
            }
            CompareViewOutput::Close {
                conversation,
                draft,
            } => {
                self.comparing = false;
                if let Some(draft) = draft {
                    self.composer.sender().emit(ComposerInput::Restore(draft));
                }
                if let Some(id) = conversation {
                    self.open(Some(id), sender);
                    let _ = sender.output(ConversationViewOutput::Stored);
                }
                self.composer.sender().emit(ComposerInput::Focus);
            }
            CompareViewOutput::Toast(text) => {
                let _ = sender.output(ConversationViewOutput::Toast(text));
            }
        }
    }
}
