//! One conversation as a plain value, whole (issue 14, part 4): its
//! settings, every message of its tree with the parent of each, tool calls
//! and their results, attachments and usage records. This is the body of
//! the ValeChat JSON export (`data/schema/valechat-export-2.json`; version
//! 1, `valechat-export-1.json`, lacks the sampling parameters and the MCP
//! servers) and the shape every importer produces before the store writes
//! it.
//!
//! Messages refer to each other by `key`, a number unique inside the
//! conversation (the row id at export; an importer numbers them from 1):
//! `parent` and `active_leaf` name keys, never database ids. Times are UTC
//! unix milliseconds.

use serde::{Deserialize, Serialize};

/// `source` of a conversation made in a ValeChat database, as its ValeChat
/// JSON export writes it; its `source_id` there is `<created_at>-<id>`
/// (creation time in UTC unix milliseconds, row id).
pub const VALECHAT_SOURCE: &str = "valechat";

/// A conversation with everything it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchivedConversation {
    /// Format the conversation came from (`chatgpt`, `claude`,
    /// `open_webui`, `valechat`); `None` for one made in ValeChat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The conversation's id in that source (ChatGPT `conversation_id`,
    /// Claude `uuid`, Open WebUI `id`); with `source`, the key that keeps a
    /// second import from duplicating it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// Title.
    pub title: String,
    /// Settings: provider id chosen for the conversation.
    #[serde(default)]
    pub provider_id: Option<String>,
    /// Settings: model chosen for the conversation.
    #[serde(default)]
    pub model: Option<String>,
    /// Settings: system prompt.
    #[serde(default)]
    pub system_prompt: Option<String>,
    /// Settings: sampling temperature, 0.0–2.0 (as SQLite holds it, a
    /// double, so the round trip is exact).
    #[serde(default)]
    pub temperature: Option<f64>,
    /// Settings: upper bound on output tokens.
    #[serde(default)]
    pub max_output_tokens: Option<i64>,
    /// Settings: sampling parameters beyond the temperature (top-p, top-k,
    /// min-p, repeat penalty, seed), written next to it; unset in a
    /// version 1 export.
    #[serde(flatten)]
    pub sampling: ArchivedSampling,
    /// Settings: the MCP servers whose tools the conversation offers, when
    /// it chose its own (in its settings, or from the assistant it started
    /// from): `Some` list, maybe empty (no server); `None` (`null` or
    /// absent, as in a version 1 export): every enabled server.
    #[serde(default)]
    pub mcp_servers: Option<Vec<ArchivedServer>>,
    /// UTC unix milliseconds.
    pub created_at: i64,
    /// UTC unix milliseconds.
    pub updated_at: i64,
    /// Key of the last message of the branch shown; `None` without messages.
    #[serde(default)]
    pub active_leaf: Option<i64>,
    /// Whether it is archived (hidden from the sidebar's list): in
    /// ValeChat, or in the source (ChatGPT `is_archived`, Open WebUI
    /// `archived`). Imported conversations keep it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub archived: bool,
    /// Workspace folders offered to MCP servers, in order.
    #[serde(default)]
    pub roots: Vec<ArchivedRoot>,
    /// Every message of the tree, each after its parent.
    pub messages: Vec<ArchivedMessage>,
    /// Usage records of the conversation's provider requests.
    #[serde(default)]
    pub usage: Vec<ArchivedUsage>,
}

/// A conversation's sampling parameters beyond the temperature, as the
/// `conversations` columns hold them (REAL as the double SQLite stores, so
/// the round trip is exact); `None` leaves the server's default. The
/// importer refuses a value out of its range.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ArchivedSampling {
    /// Nucleus sampling threshold, in (0, 1].
    #[serde(default)]
    pub top_p: Option<f64>,
    /// Sample among the `top_k` likeliest tokens, 1 to 2,147,483,647.
    #[serde(default)]
    pub top_k: Option<i64>,
    /// Minimum probability relative to the likeliest token, in [0, 1].
    #[serde(default)]
    pub min_p: Option<f64>,
    /// Penalty on repeated tokens, in [0, 2] (1: none).
    #[serde(default)]
    pub repeat_penalty: Option<f64>,
    /// Random seed, 0 to 4,294,967,295.
    #[serde(default)]
    pub seed: Option<i64>,
}

/// An MCP server a conversation offers, as configured where it was
/// exported. An import matches it by `name` (several servers of that name:
/// the one whose id is `id`, else the first by id), then by `id`; one that
/// matches no server configured there is left out of the conversation's
/// list, as when a server is removed (the conversation keeps offering only
/// its own servers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedServer {
    /// The server's display name (`mcpServers` key in a configuration
    /// imported from Claude Desktop and others).
    pub name: String,
    /// Its id (a slug of a–z, 0–9 and `-`, also the tools' name prefix).
    pub id: String,
}

/// A workspace folder of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedRoot {
    /// Absolute local path.
    pub path: String,
    /// Name shown to the user and to servers.
    pub name: String,
    /// UTC unix milliseconds.
    pub created_at: i64,
}

/// One message of the tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchivedMessage {
    /// Number unique in the conversation.
    pub key: i64,
    /// Key of the message it answers or follows; `None` for a first message.
    pub parent: Option<i64>,
    /// `system` | `user` | `assistant`.
    pub role: String,
    /// Text as written (Markdown).
    pub content: String,
    /// Reasoning text, empty when none.
    #[serde(default)]
    pub reasoning: String,
    /// `complete` | `incomplete` | `failed` (a reply still streaming is
    /// exported as it is stored).
    pub status: String,
    /// Provider that wrote it.
    #[serde(default)]
    pub provider_id: Option<String>,
    /// Model that wrote it (ChatGPT's `model_slug`, Open WebUI's `model`).
    #[serde(default)]
    pub model: Option<String>,
    /// Normalised finish reason.
    #[serde(default)]
    pub finish_reason: Option<String>,
    /// Error text of a failed message.
    #[serde(default)]
    pub error: Option<String>,
    /// Provider-reported input tokens.
    #[serde(default)]
    pub input_tokens: Option<i64>,
    /// Provider-reported output tokens.
    #[serde(default)]
    pub output_tokens: Option<i64>,
    /// UTC unix milliseconds.
    pub created_at: i64,
    /// UTC unix milliseconds.
    pub updated_at: i64,
    /// Tool calls the message made, in order.
    #[serde(default)]
    pub tool_calls: Vec<ArchivedToolCall>,
    /// Images and MCP resources attached, in order.
    #[serde(default)]
    pub attachments: Vec<ArchivedAttachment>,
}

/// A tool call and its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedToolCall {
    /// Provider's call id.
    pub call_id: String,
    /// Name the model used.
    pub name: String,
    /// MCP server id.
    #[serde(default)]
    pub server_id: Option<String>,
    /// The server's own tool name.
    #[serde(default)]
    pub tool_name: Option<String>,
    /// Arguments, JSON text as the model sent it.
    pub arguments: String,
    /// `pending` | `denied` | `running` | `succeeded` | `failed` | `cancelled`.
    pub status: String,
    /// Full result, JSON text.
    #[serde(default)]
    pub result: Option<String>,
    /// Text sent back to the model.
    #[serde(default)]
    pub result_for_model: Option<String>,
    /// The tool reported an error.
    #[serde(default)]
    pub is_error: bool,
    /// UTC unix milliseconds.
    pub created_at: i64,
    /// Wall time of the call, milliseconds.
    #[serde(default)]
    pub duration_ms: Option<i64>,
    /// Opaque provider data sent back with the call.
    #[serde(default)]
    pub provider_data: Option<String>,
}

/// An image or an MCP resource attached to a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedAttachment {
    /// `image` | `resource`.
    pub kind: String,
    /// File name shown to the user.
    pub name: String,
    /// MIME type (`image/png`…; `""` when a server gave none).
    pub mime_type: String,
    /// The bytes (an image, a resource's blob; empty for a text resource),
    /// standard base64 with padding.
    pub data_base64: String,
    /// A resource's URI.
    #[serde(default)]
    pub uri: Option<String>,
    /// The MCP server a resource was read from.
    #[serde(default)]
    pub server_id: Option<String>,
    /// A text resource's contents.
    #[serde(default)]
    pub text: Option<String>,
    /// UTC unix milliseconds.
    pub created_at: i64,
}

/// One provider request's usage record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedUsage {
    /// Unique per provider request; a record whose id already exists is
    /// not imported again.
    pub request_id: String,
    /// Provider id.
    pub provider_id: String,
    /// Model id as the server names it.
    pub model: String,
    /// Key of the assistant message it wrote, if any.
    #[serde(default)]
    pub message: Option<i64>,
    /// UTC unix milliseconds.
    pub created_at: i64,
    /// Input tokens.
    pub input_tokens: i64,
    /// Output tokens.
    pub output_tokens: i64,
    /// Cache read tokens.
    pub cache_read_tokens: i64,
    /// Cache write tokens.
    pub cache_write_tokens: i64,
    /// Reasoning tokens.
    pub reasoning_tokens: i64,
    /// Independent count of the input tokens.
    #[serde(default)]
    pub counted_input_tokens: Option<i64>,
    /// `agrees` | `differs` | `unverifiable` | `estimated`.
    pub verification: String,
    /// Exact decimal USD.
    pub cost_usd: String,
    /// `actual` | `estimated` | `free` | `unpriced`.
    pub cost_source: String,
    /// `completed` | `cancelled` | `failed` | `cut_off`.
    pub outcome: String,
}
