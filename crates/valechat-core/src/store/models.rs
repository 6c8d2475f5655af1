//! Plain data types the [`Store`](super::Store) reads and writes.
//!
//! Times are UTC unix milliseconds (`i64`). Ids of conversations and messages
//! are SQLite row ids; provider ids are slugs of their names.

use diesel::prelude::*;

use super::error::StoreError;
use super::schema::{conversations, messages, providers};
use crate::model::{Role, SamplingParameters};

/// A configured model provider. Its API key, if any, lives in the system
/// keyring under `provider=<id>`, never in the database.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = providers, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Provider {
    /// Slug of the name (`"openai"`, `"ollama-2"`), unique, never changes.
    pub id: String,
    /// Display name (`"OpenAI"`).
    pub name: String,
    /// Wire protocol, e.g. `"openai_compatible"`.
    pub kind: String,
    /// Endpoint root, e.g. `https://api.openai.com/v1`.
    pub base_url: String,
    /// Whether a key for this provider is stored in the keyring.
    pub has_api_key: bool,
    /// Model picked for new conversations, as the server names it.
    pub default_model: Option<String>,
    /// Whether the provider is offered in the model picker.
    pub enabled: bool,
    /// Creation time, UTC unix milliseconds.
    pub created_at: i64,
    /// Last change, UTC unix milliseconds.
    pub updated_at: i64,
}

/// What [`Store::insert_provider`](super::Store::insert_provider) needs; the
/// id is derived from `name`, the provider starts enabled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProvider {
    /// Display name; its slug becomes the id.
    pub name: String,
    /// Wire protocol, e.g. `"openai_compatible"`.
    pub kind: String,
    /// Endpoint root.
    pub base_url: String,
    /// Whether a key has been stored in the keyring.
    pub has_api_key: bool,
    /// Model picked for new conversations.
    pub default_model: Option<String>,
}

/// A conversation of the sidebar.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = conversations, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Conversation {
    /// Row id.
    pub id: i64,
    /// Title shown in the sidebar.
    pub title: String,
    /// Provider used for the next message; `None` once that provider is deleted.
    pub provider_id: Option<String>,
    /// Model used for the next message, as the server names it.
    pub model: Option<String>,
    /// System prompt sent first, if any.
    pub system_prompt: Option<String>,
    /// Sampling temperature (0.0–2.0); `None` leaves the server's default.
    pub temperature: Option<f32>,
    /// Upper bound on output tokens; `None` leaves the server's default.
    pub max_output_tokens: Option<i64>,
    /// Creation time, UTC unix milliseconds.
    pub created_at: i64,
    /// Last change or last message, UTC unix milliseconds.
    pub updated_at: i64,
    /// Last message of the branch shown: the active path runs from the
    /// first message to this one ([`Store::active_path`](super::Store::active_path)).
    /// `None` while the conversation has no message.
    pub active_leaf_id: Option<i64>,
    /// Listed first in the sidebar.
    pub pinned: bool,
    /// Hidden from the sidebar unless archived conversations are asked for.
    pub archived: bool,
    /// The folder it is filed in ([`Folder::id`](super::Folder::id)); `None`: no folder.
    pub folder_id: Option<i64>,
    /// Nucleus sampling threshold, (0, 1]; `None`: the server's default.
    pub top_p: Option<f32>,
    /// Sample among the k likeliest tokens; `None`: the server's default.
    pub top_k: Option<i32>,
    /// Minimum probability relative to the likeliest token; `None`: default.
    pub min_p: Option<f32>,
    /// Penalty on repeated tokens (1.0: none); `None`: the server's default.
    pub repeat_penalty: Option<f32>,
    /// Random seed (0 .. 2^32 - 1); `None`: none.
    pub seed: Option<i64>,
}

impl Conversation {
    /// Its sampling parameters beyond the temperature (values out of range,
    /// which the store never writes, are left unset).
    #[must_use]
    pub fn sampling(&self) -> SamplingParameters {
        SamplingParameters {
            top_p: self.top_p,
            top_k: self.top_k.and_then(|k| u32::try_from(k).ok()),
            min_p: self.min_p,
            repeat_penalty: self.repeat_penalty,
            seed: self.seed.and_then(|s| u32::try_from(s).ok()),
        }
        .clamped()
    }
}

/// A conversation's generation settings, written by
/// [`Store::set_conversation_settings`](super::Store::set_conversation_settings).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConversationSettings {
    /// System prompt sent first; `None` or blank: none.
    pub system_prompt: Option<String>,
    /// Sampling temperature, 0.0–2.0; `None`: the server's default.
    pub temperature: Option<f32>,
    /// Upper bound on output tokens (≥ 1); `None`: the server's default.
    pub max_output_tokens: Option<i64>,
    /// Top-p, top-k, min-p, repeat penalty and seed; `None` keeps the
    /// stored ones (the window's settings popover always gives them).
    pub sampling: Option<SamplingParameters>,
}

impl ConversationSettings {
    /// The settings stored in `conversation` (`sampling` is `None` when
    /// none is set).
    #[must_use]
    pub fn of(conversation: &Conversation) -> Self {
        Self {
            system_prompt: conversation.system_prompt.clone(),
            temperature: conversation.temperature,
            max_output_tokens: conversation.max_output_tokens,
            sampling: Some(conversation.sampling()).filter(|s| !s.is_empty()),
        }
    }
}

/// What [`Store::create_conversation`](super::Store::create_conversation) needs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewConversation {
    /// Title shown in the sidebar.
    pub title: String,
    /// Provider id; must name an existing provider when `Some`.
    pub provider_id: Option<String>,
    /// Model, as the server names it.
    pub model: Option<String>,
}

/// Where a message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageStatus {
    /// Fully written.
    Complete,
    /// Still arriving from the model.
    Streaming,
    /// Cut short (cancelled, limit reached, or the app stopped mid-stream);
    /// holds what arrived.
    Incomplete,
    /// The request failed; `error` says why.
    Failed,
}

impl MessageStatus {
    /// Identifier stored in `messages.status`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Complete => "complete",
            Self::Streaming => "streaming",
            Self::Incomplete => "incomplete",
            Self::Failed => "failed",
        }
    }

    /// Parses the identifier written by [`MessageStatus::as_str`].
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "complete" => Some(Self::Complete),
            "streaming" => Some(Self::Streaming),
            "incomplete" => Some(Self::Incomplete),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Row id; increases with time within a conversation.
    pub id: i64,
    /// Owning conversation.
    pub conversation_id: i64,
    /// Author.
    pub role: Role,
    /// Text as written (markdown for the model's replies).
    pub content: String,
    /// Reasoning text the model showed, empty when none.
    pub reasoning: String,
    /// Where the message is in its life.
    pub status: MessageStatus,
    /// Provider that wrote it (assistant messages); kept after the provider
    /// is deleted.
    pub provider_id: Option<String>,
    /// Model that wrote it.
    pub model: Option<String>,
    /// Normalised finish reason (`"stop"`, `"length"`…), when finished.
    pub finish_reason: Option<String>,
    /// Why the message failed, for [`MessageStatus::Failed`].
    pub error: Option<String>,
    /// Input tokens the provider reported for the request.
    pub input_tokens: Option<i64>,
    /// Output tokens the provider reported for the reply.
    pub output_tokens: Option<i64>,
    /// Creation time, UTC unix milliseconds.
    pub created_at: i64,
    /// Last change, UTC unix milliseconds.
    pub updated_at: i64,
    /// The message this one answers or follows (a reply's user message, a
    /// user message's preceding reply); `None` for a conversation's first
    /// messages. Messages with the same parent are siblings: edits and
    /// regenerations ([`Store::siblings`](super::Store::siblings)).
    pub parent_id: Option<i64>,
}

/// What [`Store::insert_message`](super::Store::insert_message) needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// Owning conversation; must exist.
    pub conversation_id: i64,
    /// Author.
    pub role: Role,
    /// Text so far (empty for a reply about to stream).
    pub content: String,
    /// Initial status, usually `Complete` or `Streaming`.
    pub status: MessageStatus,
    /// Provider that writes it.
    pub provider_id: Option<String>,
    /// Model that writes it.
    pub model: Option<String>,
}

/// Final state of a message, for [`Store::finish_message`](super::Store::finish_message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageFinish {
    /// Final status (`Complete`, `Incomplete` or `Failed`).
    pub status: MessageStatus,
    /// Final text.
    pub content: String,
    /// Final reasoning text, empty when none.
    pub reasoning: String,
    /// Normalised finish reason, if the provider sent one.
    pub finish_reason: Option<String>,
    /// Why it failed, for `Failed`.
    pub error: Option<String>,
    /// Provider-reported input tokens.
    pub input_tokens: Option<i64>,
    /// Provider-reported output tokens.
    pub output_tokens: Option<i64>,
}

/// A message found by [`Store::search_messages`](super::Store::search_messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    /// The message.
    pub message_id: i64,
    /// Its conversation.
    pub conversation_id: i64,
    /// A few words around the match, plain text, each matched term wrapped in
    /// [`SNIPPET_MATCH_START`] and [`SNIPPET_MATCH_END`]; `…` marks cuts.
    pub snippet: String,
}

/// Marks the start of a matched term in [`SearchHit::snippet`] (U+0002,
/// never found in typed text; the UI replaces it with markup).
pub const SNIPPET_MATCH_START: &str = "\u{2}";
/// Marks the end of a matched term in [`SearchHit::snippet`] (U+0003).
pub const SNIPPET_MATCH_END: &str = "\u{3}";

/// A `messages` row as stored, before its text columns are parsed (also
/// read by name from the tree's recursive queries, `store::tree`).
#[derive(Debug, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = messages, check_for_backend(diesel::sqlite::Sqlite))]
pub(crate) struct MessageRow {
    id: i64,
    conversation_id: i64,
    role: String,
    content: String,
    reasoning: String,
    status: String,
    provider_id: Option<String>,
    model: Option<String>,
    finish_reason: Option<String>,
    error: Option<String>,
    input_tokens: Option<i64>,
    output_tokens: Option<i64>,
    created_at: i64,
    updated_at: i64,
    parent_id: Option<i64>,
}

impl TryFrom<MessageRow> for Message {
    type Error = StoreError;

    fn try_from(row: MessageRow) -> Result<Self, StoreError> {
        let role = Role::parse(&row.role).ok_or_else(|| StoreError::InvalidValue {
            column: "messages.role",
            value: row.role.clone(),
        })?;
        let status = MessageStatus::parse(&row.status).ok_or_else(|| StoreError::InvalidValue {
            column: "messages.status",
            value: row.status.clone(),
        })?;
        Ok(Self {
            id: row.id,
            conversation_id: row.conversation_id,
            role,
            content: row.content,
            reasoning: row.reasoning,
            status,
            provider_id: row.provider_id,
            model: row.model,
            finish_reason: row.finish_reason,
            error: row.error,
            input_tokens: row.input_tokens,
            output_tokens: row.output_tokens,
            created_at: row.created_at,
            updated_at: row.updated_at,
            parent_id: row.parent_id,
        })
    }
}
