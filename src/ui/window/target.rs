//! Where the next message goes: the open conversation, or a new one with
//! the chosen model, settings and workspace folders.

use valechat_core::chat::{ConversationTarget, NewConversationRequest};
use valechat_core::store::Conversation;

use super::Window;

impl Window {
    /// Where the next message goes: the open conversation, or a new one
    /// with the chosen model, settings and workspace folders.
    pub(super) fn target(&self) -> ConversationTarget {
        match &self.current {
            Some(c) => ConversationTarget::Existing(c.id),
            None => {
                let (provider_id, model) = self.next_model.clone().unzip();
                ConversationTarget::New(NewConversationRequest {
                    provider_id,
                    model,
                    settings: self.next_settings.clone(),
                    folders: self.next_folders.clone(),
                    assistant: self.next_assistant.clone().map(Box::new),
                })
            }
        }
    }

    /// Provider and model the next message goes to.
    pub(super) fn current_model(&self) -> Option<(String, String)> {
        match &self.current {
            Some(Conversation {
                provider_id: Some(p),
                model: Some(m),
                ..
            }) => Some((p.clone(), m.clone())),
            Some(_) => None,
            None => self.next_model.clone(),
        }
    }
}
