//! Where the next message goes: the open conversation, or a new one with
//! the chosen model, settings, workspace folders and MCP servers.

use valechat_core::chat::{ConversationTarget, McpServerChoice, NewConversationRequest};
use valechat_core::store::Conversation;

use super::Window;

impl Window {
    /// Where the next message goes: the open conversation, or a new one
    /// with the chosen model, settings, workspace folders and MCP servers.
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
                    mcp_servers: self.next_servers.clone(),
                })
            }
        }
    }

    /// The MCP servers a new conversation's settings show first: those
    /// chosen for it, else its assistant's, else (`None`) every enabled
    /// server.
    pub(super) fn new_servers(&self) -> Option<Vec<String>> {
        match &self.next_servers {
            McpServerChoice::Only(ids) => Some(ids.clone()),
            McpServerChoice::AllEnabled => None,
            McpServerChoice::Default => self.next_assistant.as_ref().map(|a| a.mcp_servers.clone()),
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
