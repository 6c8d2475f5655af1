//! Serde shapes of the Anthropic Messages wire format.
//!
//! Response side only (the request body is in [`super::request`]).
//! Follows the Anthropic API reference: `POST /v1/messages` with
//! `stream: true`, the streaming events (`message_start`,
//! `content_block_start` / `_delta` / `_stop`, `message_delta`,
//! `message_stop`, `ping`, `error`), the error body
//! `{"type":"error","error":{"type","message"}}` and `GET /v1/models`.
//! Response fields are optional where the API has added them over time
//! (cache counts, `stop_details`…); unknown fields are ignored, and unknown
//! event, block and delta types map to an `Unknown` variant, as the API's
//! versioning policy asks clients to tolerate new ones.

use serde::Deserialize;

/// One streaming event (the JSON of one SSE `data:` payload), by its `type`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StreamEvent {
    /// First event: the message shell with its id, model and input usage.
    MessageStart {
        /// The message shell.
        message: MessageShell,
    },
    /// A content block begins at `index`.
    ContentBlockStart {
        /// Block position in the message.
        index: u32,
        /// The block with empty content (or a `tool_use` id and name).
        content_block: ContentBlock,
    },
    /// A piece of the block at `index`.
    ContentBlockDelta {
        /// Block position in the message.
        index: u32,
        /// What the piece adds.
        delta: BlockDelta,
    },
    /// The block at `index` is complete.
    ContentBlockStop {
        /// Block position in the message.
        index: u32,
    },
    /// Top-level changes: the stop reason and cumulative usage.
    MessageDelta {
        /// Stop reason and sequence.
        #[serde(default)]
        delta: MessageDeltaBody,
        /// Cumulative usage (`output_tokens`; sometimes restated input counts).
        #[serde(default)]
        usage: Option<WireUsage>,
    },
    /// Last event of a complete reply.
    MessageStop,
    /// Keep-alive.
    Ping,
    /// An error after the HTTP 200 (`overloaded_error`…).
    Error {
        /// `{"type","message"}`.
        error: ErrorBody,
    },
    /// A type this client does not know.
    #[serde(other)]
    Unknown,
}

/// `message_start.message`.
#[derive(Debug, Default, Deserialize)]
pub struct MessageShell {
    /// Message id (`msg_…`).
    #[serde(default)]
    pub id: Option<String>,
    /// Model that answers.
    #[serde(default)]
    pub model: Option<String>,
    /// Input usage so far.
    #[serde(default)]
    pub usage: Option<WireUsage>,
}

/// `content_block_start.content_block`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentBlock {
    /// Visible text (normally empty here; it comes in deltas).
    Text {
        /// Initial text.
        #[serde(default)]
        text: String,
    },
    /// Extended thinking.
    Thinking {
        /// Initial thinking text.
        #[serde(default)]
        thinking: String,
    },
    /// Redacted thinking: encrypted, nothing to show.
    RedactedThinking,
    /// A tool call; its input arrives as `input_json_delta` pieces.
    ToolUse {
        /// Call id (`toolu_…`).
        id: String,
        /// Tool name.
        name: String,
    },
    /// Another block type (server tool results, citations…).
    #[serde(other)]
    Unknown,
}

/// `content_block_delta.delta`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BlockDelta {
    /// Visible text.
    TextDelta {
        /// The text piece.
        text: String,
    },
    /// Thinking text.
    ThinkingDelta {
        /// The thinking piece.
        thinking: String,
    },
    /// The thinking block's signature (needed only to send thinking back).
    SignatureDelta,
    /// A fragment of a tool call's JSON input.
    InputJsonDelta {
        /// Raw JSON text fragment.
        partial_json: String,
    },
    /// Another delta type (`citations_delta`…).
    #[serde(other)]
    Unknown,
}

/// `message_delta.delta`.
#[derive(Debug, Default, Deserialize)]
pub struct MessageDeltaBody {
    /// `end_turn`, `stop_sequence`, `max_tokens`, `tool_use`, `pause_turn`, `refusal`.
    #[serde(default)]
    pub stop_reason: Option<String>,
}

/// Usage counts in tokens (`message_start.message.usage`, `message_delta.usage`).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct WireUsage {
    /// Uncached input tokens.
    #[serde(default)]
    pub input_tokens: Option<u64>,
    /// Input tokens written to the prompt cache.
    #[serde(default)]
    pub cache_creation_input_tokens: Option<u64>,
    /// Input tokens read from the prompt cache.
    #[serde(default)]
    pub cache_read_input_tokens: Option<u64>,
    /// Output tokens so far (cumulative).
    #[serde(default)]
    pub output_tokens: Option<u64>,
    /// Breakdown of the output tokens.
    #[serde(default)]
    pub output_tokens_details: Option<OutputDetails>,
}

/// `usage.output_tokens_details`.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct OutputDetails {
    /// Output tokens spent on thinking.
    #[serde(default)]
    pub thinking_tokens: Option<u64>,
}

/// The `error` member of an error body or event.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ErrorBody {
    /// `invalid_request_error`, `authentication_error`, `overloaded_error`…
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Human-readable message.
    #[serde(default)]
    pub message: Option<String>,
}

/// An HTTP error body `{"type":"error","error":{…}}`.
#[derive(Debug, Deserialize)]
pub struct ErrorEnvelope {
    /// The error.
    pub error: ErrorBody,
}

/// Body of `GET {base}/models`, one page.
#[derive(Debug, Deserialize)]
pub struct ModelPage {
    /// The models of this page, newest first.
    pub data: Vec<WireModel>,
    /// Whether another page follows.
    #[serde(default)]
    pub has_more: bool,
    /// Id to pass as `after_id` for the next page.
    #[serde(default)]
    pub last_id: Option<String>,
}

/// One element of `data`.
#[derive(Debug, Deserialize)]
pub struct WireModel {
    /// Id to send as `model`.
    pub id: String,
    /// Human-readable name (`Claude Sonnet 4.5`).
    #[serde(default)]
    pub display_name: Option<String>,
}
