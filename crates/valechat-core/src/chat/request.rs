//! What one [`Engine::send`](super::Engine::send) is asked to do: a
//! [`SendRequest`] names the conversation (a stored one, or a new one with
//! its provider, model, settings, workspace folders and MCP servers), the
//! branch point, the user's input and the options.
//!
//! Every front end builds one of these to send: the window, the command
//! line, and next the MCP-server mode and the WebSocket API (DESIGN.md,
//! "The engine's face").

use super::SendOptions;
use crate::model::WorkspaceRoot;
use crate::provider::{Attachment, ResourceAttachment};
use crate::store::{Assistant, ConversationSettings};

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
    /// The assistant the conversation starts from: the conversation
    /// remembers it and gets a copy of its MCP servers (it then offers
    /// only their tools). Its model and settings are not read from here:
    /// [`NewConversationRequest::from_assistant`] copies them into the
    /// fields above.
    pub assistant: Option<Box<Assistant>>,
    /// The MCP servers whose tools the conversation offers, chosen before
    /// its first message (the window's conversation settings); stored with
    /// the conversation, so its first request already offers only them.
    pub mcp_servers: McpServerChoice,
}

/// Which MCP servers a new conversation offers the tools of
/// ([`NewConversationRequest::mcp_servers`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum McpServerChoice {
    /// Nothing chosen: the assistant's servers when the conversation starts
    /// from one, otherwise every enabled server.
    #[default]
    Default,
    /// Every enabled server at the time of each request (servers added
    /// later included), even for a conversation started from an assistant
    /// (`Store::use_all_enabled_mcp_servers`).
    AllEnabled,
    /// These servers only (ids of configured MCP servers; empty: none), as
    /// `Store::set_conversation_mcp_servers` stores them. An id no longer
    /// configured refuses the send with a store `NotFound` error, and
    /// nothing is stored.
    Only(Vec<String>),
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

    /// A new conversation started from `assistant`: its provider, model,
    /// system prompt and parameters, and (when created) its MCP servers.
    /// An assistant without a model gives a request the caller must give a
    /// model to, or the send is refused with `NoModelChosen`.
    #[must_use]
    pub fn from_assistant(assistant: &Assistant) -> Self {
        Self {
            provider_id: assistant.provider_id.clone(),
            model: assistant.model.clone(),
            settings: assistant.settings(),
            folders: Vec::new(),
            assistant: Some(Box::new(assistant.clone())),
            mcp_servers: McpServerChoice::Default,
        }
    }
}

/// Where in the conversation's tree the turn goes (issue 14: messages form
/// a tree; the conversation shows one branch, `Store::active_path`).
///
/// Every placement is one [`Engine::send`](super::Engine::send): the same
/// checks, reservation, billing, limits and tool rounds as a new turn. The
/// new messages become the active branch. The model is told the path from
/// the first message down to the new user message (or, for a
/// regeneration, down to the regenerated reply's parent) and nothing of
/// other branches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum BranchPoint {
    /// A new turn after the active leaf (the last message shown).
    #[default]
    ActiveLeaf,
    /// An edit of user message `message_id`: the request's input becomes a
    /// new sibling of that message (same parent), then a reply to it.
    Edit {
        /// The user message edited; must belong to the conversation.
        message_id: i64,
        /// `true`: the edited message's images and MCP resources come
        /// first, then the input's; `false`: only the input's (the
        /// attachments were replaced or removed).
        keep_attachments: bool,
    },
    /// A new reply in place of assistant message `message_id`: a sibling
    /// answering the same parent, with the conversation's model or
    /// `model`. The request's input must be empty.
    Regenerate {
        /// The reply regenerated; must belong to the conversation.
        message_id: i64,
        /// `(provider id, model id)` to answer with instead of the
        /// conversation's (the conversation's own choice does not change);
        /// `None`: the conversation's.
        model: Option<(String, String)>,
    },
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
    /// Who asked from outside the window (e.g. `ws:<name>` for a WebSocket
    /// client): stored in each usage record of the turn
    /// ([`UsageRecord::client`](crate::ledger::UsageRecord::client)).
    /// `None` for the window and the command line.
    pub client: Option<String>,
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
            client: None,
        }
    }

    /// `text` as the next message of stored conversation `conversation_id`.
    pub fn text(conversation_id: i64, text: impl Into<String>) -> Self {
        Self::new(
            ConversationTarget::Existing(conversation_id),
            UserInput::text(text),
        )
    }

    /// The same request placed at `branch`.
    #[must_use]
    pub fn at(mut self, branch: BranchPoint) -> Self {
        self.branch = branch;
        self
    }

    /// A regeneration of reply `message_id` in `conversation_id`, with the
    /// conversation's model or `model` (`(provider id, model id)`).
    #[must_use]
    pub fn regenerate(
        conversation_id: i64,
        message_id: i64,
        model: Option<(String, String)>,
    ) -> Self {
        Self::new(
            ConversationTarget::Existing(conversation_id),
            UserInput::default(),
        )
        .at(BranchPoint::Regenerate { message_id, model })
    }

    /// An edit of user message `message_id` in `conversation_id` to `text`,
    /// keeping its images and resources.
    pub fn edit(conversation_id: i64, message_id: i64, text: impl Into<String>) -> Self {
        Self::text(conversation_id, text).at(BranchPoint::Edit {
            message_id,
            keep_attachments: true,
        })
    }

    /// The same request naming `client` in its usage records
    /// ([`SendRequest::client`]).
    #[must_use]
    pub fn with_client(mut self, client: impl Into<String>) -> Self {
        self.client = Some(client.into());
        self
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
