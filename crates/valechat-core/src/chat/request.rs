//! What one [`Engine::send`](super::Engine::send) is asked to do: a
//! [`SendRequest`] names the conversation (a stored one, or a new one with
//! its provider, model, settings and workspace folders), the branch point,
//! the user's input and the options.
//!
//! Every front end builds one of these to send: the window, the command
//! line, and next the MCP-server mode and the WebSocket API (DESIGN.md,
//! "The engine's face").

use super::SendOptions;
use crate::model::WorkspaceRoot;
use crate::provider::{Attachment, ResourceAttachment};
use crate::store::ConversationSettings;

/// Which conversation a message goes to.
#[derive(Debug, Clone, PartialEq)]
pub enum ConversationTarget {
    /// A stored conversation, by id (its provider, model and settings apply).
    Existing(i64),
    /// A conversation created for this message. It is stored only when the
    /// send is accepted: a refused send (empty message, no model, a hard
    /// limit, an unreadable image…) leaves nothing behind. The turn announces
    /// it with [`TurnEvent::ConversationCreated`](super::TurnEvent::ConversationCreated).
    New(NewConversationRequest),
}

/// A conversation to create for the first message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewConversationRequest {
    /// Provider id (a stored provider). `None`: the send is refused with
    /// [`EngineError::NoModelChosen`](super::EngineError::NoModelChosen).
    pub provider_id: Option<String>,
    /// Model id at that provider, e.g. `gpt-4o-mini`. `None` or empty: the
    /// send is refused with `NoModelChosen`.
    pub model: Option<String>,
    /// System prompt, temperature and output limit.
    pub settings: ConversationSettings,
    /// Workspace folders offered to MCP servers as roots, in order.
    pub folders: Vec<WorkspaceRoot>,
}

impl NewConversationRequest {
    /// A new conversation with `provider_id`/`model` and default settings.
    pub fn with_model(provider_id: impl Into<String>, model: impl Into<String>) -> Self {
        Self {
            provider_id: Some(provider_id.into()),
            model: Some(model.into()),
            ..Self::default()
        }
    }
}

/// Where in the conversation the new user message goes.
///
/// Conversations are linear today; the conversation-tree work adds the
/// edit of an earlier user message and the regeneration of a reply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum BranchPoint {
    /// After the conversation's last message.
    #[default]
    ActiveLeaf,
}

/// What the user sends: text and attachments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserInput {
    /// The message text; trimmed. May be empty when something is attached.
    pub text: String,
    /// Images, in order (PNG, JPEG, WebP or GIF, at most 20 MiB each).
    pub images: Vec<Attachment>,
    /// MCP resources, in order (the model reads each after the text).
    pub resources: Vec<ResourceAttachment>,
}

impl UserInput {
    /// Text alone.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    /// Whether there is nothing to send (blank text, no attachment).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty() && self.images.is_empty() && self.resources.is_empty()
    }
}

/// One call of [`Engine::send`](super::Engine::send).
#[derive(Debug, Clone, PartialEq)]
pub struct SendRequest {
    /// The conversation.
    pub conversation: ConversationTarget,
    /// Where the message goes in it.
    pub branch: BranchPoint,
    /// What the user sends.
    pub input: UserInput,
    /// Choices for this send (e.g. over a hard limit once).
    pub options: SendOptions,
}

impl SendRequest {
    /// A request for `input` in `conversation`, at the active leaf, with
    /// default options.
    #[must_use]
    pub fn new(conversation: ConversationTarget, input: UserInput) -> Self {
        Self {
            conversation,
            branch: BranchPoint::default(),
            input,
            options: SendOptions::default(),
        }
    }

    /// `text` as the next message of stored conversation `conversation_id`.
    pub fn text(conversation_id: i64, text: impl Into<String>) -> Self {
        Self::new(
            ConversationTarget::Existing(conversation_id),
            UserInput::text(text),
        )
    }

    /// The same request with `options`.
    #[must_use]
    pub fn with_options(mut self, options: SendOptions) -> Self {
        self.options = options;
        self
    }

    /// The same request with `images` attached.
    #[must_use]
    pub fn with_images(mut self, images: Vec<Attachment>) -> Self {
        self.input.images = images;
        self
    }

    /// The same request with MCP `resources` attached.
    #[must_use]
    pub fn with_resources(mut self, resources: Vec<ResourceAttachment>) -> Self {
        self.input.resources = resources;
        self
    }
}
