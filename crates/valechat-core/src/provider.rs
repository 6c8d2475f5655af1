//! Chat providers: the [`ChatProvider`] trait and one module per wire protocol.
//!
//! A provider turns a [`ChatRequest`] into a stream of [`ChatEvent`]s (text
//! deltas, reasoning deltas, tool-call deltas, usage, finish reason) and lists
//! the models a server offers. Protocol modules live under `provider/`:
//! [`openai`] speaks OpenAI Chat Completions, which also covers Ollama's `/v1`,
//! LM Studio, llama.cpp server, vLLM, OpenRouter, Groq, DeepSeek and Mistral;
//! [`anthropic`] speaks the Anthropic Messages API. What they share lives in
//! [`http`] (client, status classification, `Retry-After`) and [`sse`] (the
//! event-stream plumbing); [`resilient`] wraps any of them with retries,
//! backoff and a circuit breaker; [`gemini`] speaks the Google Gemini API
//! (`streamGenerateContent`); [`ollama`] speaks Ollama's native `/api`
//! (NDJSON streaming, installed models, pulls, model details); [`limits`]
//! bounds what a server may send and ask (lines, bodies, replies, waits). The
//! conversation items (roles, messages, tool calls and tool definitions) are
//! in [`message`]; the per-provider waits in [`timeouts`] (a plain value the
//! store keeps, so it lives in [`crate::model`] and is re-exported here).

pub mod anthropic;
pub mod base_url;
pub mod embeddings;
pub mod error;
pub mod gemini;
pub mod http;
pub mod limits;
pub mod message;
pub mod ollama;
pub mod openai;
pub mod presets;
pub mod resilient;
pub mod sse;
#[cfg(test)]
mod test_tools;
pub mod tool_choice;

use std::pin::Pin;

use futures::Stream;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

pub use crate::model::SamplingParameters;
pub use crate::model::provider_timeouts as timeouts;
pub use error::ProviderError;
pub use message::{
    Attachment, AttachmentError, ChatMessage, ResourceAttachment, ResourceBody, Role, ToolCall,
    ToolDefinition,
};
pub use tool_choice::ToolChoice;

/// The wire protocol a configured provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProtocolKind {
    /// OpenAI Chat Completions (`POST {base}/chat/completions`, `GET {base}/models`).
    OpenAiCompatible,
    /// Anthropic Messages (`POST {base}/messages`, `GET {base}/models`).
    Anthropic,
    /// Google Gemini API (`POST {base}/models/{model}:streamGenerateContent?alt=sse`,
    /// `GET {base}/models`).
    Gemini,
    /// Ollama's native API (`POST {base}/api/chat` streaming NDJSON, `GET {base}/api/tags`).
    Ollama,
    /// Models on this computer: llama.cpp in ValeChat's own runner process
    /// (`crate::local`), the models of the model library; no base URL, no
    /// key. Only the built-in provider `local` has this kind
    /// (`chat::LOCAL_PROVIDER_ID`).
    Local,
}

impl ProtocolKind {
    /// Stable identifier stored in the database (`providers.kind`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OpenAiCompatible => "openai_compatible",
            Self::Anthropic => "anthropic",
            Self::Gemini => "gemini",
            Self::Ollama => "ollama",
            Self::Local => "local",
        }
    }

    /// Parses the identifier written by [`ProtocolKind::as_str`]; `None` for an unknown kind.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "openai_compatible" | "openai" => Some(Self::OpenAiCompatible),
            "anthropic" => Some(Self::Anthropic),
            "gemini" => Some(Self::Gemini),
            "ollama" => Some(Self::Ollama),
            "local" => Some(Self::Local),
            _ => None,
        }
    }
}

/// What to ask the model.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChatRequest {
    /// Model identifier as the server names it (`gpt-4o-mini`, `llama3.2:3b`).
    pub model: String,
    /// The conversation so far, oldest first.
    pub messages: Vec<ChatMessage>,
    /// Sampling temperature (0.0–2.0); `None` leaves the server's default.
    pub temperature: Option<f32>,
    /// Upper bound on output tokens; `None` leaves the server's default.
    pub max_output_tokens: Option<u32>,
    /// Top-p, top-k, min-p, repeat penalty and seed; each protocol sends
    /// those it has a field for (see [`SamplingParameters`]).
    pub sampling: SamplingParameters,
    /// Tools the model may call; empty offers none (and sends no `tools`
    /// field). Each protocol translates them to its own schema.
    pub tools: Vec<ToolDefinition>,
    /// Whether the model may, must or must not call one of `tools`
    /// ([`ToolChoice::Auto`], the default, sends nothing); checked with
    /// [`ChatRequest::check_tool_choice`] before anything is sent.
    pub tool_choice: ToolChoice,
}

impl ChatRequest {
    /// Refuses a [`ToolChoice`] the request's tools cannot satisfy (a named
    /// tool that is not offered, a required call with no tools).
    ///
    /// # Errors
    /// [`ProviderError::Config`] naming the tool and those offered.
    pub fn check_tool_choice(&self) -> Result<(), ProviderError> {
        self.tool_choice.check(&self.tools)
    }
}

/// Why the model stopped, normalised across providers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// The model ended its reply (`stop`).
    Stop,
    /// The output-token limit was reached (`length`).
    Length,
    /// The model asked for tool calls (`tool_calls`).
    ToolCalls,
    /// Output was withheld by a content filter (`content_filter`) or refused.
    ContentFilter,
    /// Any other value, kept verbatim.
    Other(String),
}

impl FinishReason {
    /// Maps an OpenAI-style `finish_reason` string.
    #[must_use]
    pub fn from_wire(s: &str) -> Self {
        match s {
            "stop" | "end_turn" | "stop_sequence" => Self::Stop,
            "length" | "max_tokens" => Self::Length,
            "tool_calls" | "function_call" | "tool_use" => Self::ToolCalls,
            "content_filter" | "refusal" => Self::ContentFilter,
            other => Self::Other(other.to_owned()),
        }
    }

    /// Stable identifier stored in the database (`messages.finish_reason`).
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Stop => "stop",
            Self::Length => "length",
            Self::ToolCalls => "tool_calls",
            Self::ContentFilter => "content_filter",
            Self::Other(s) => s,
        }
    }
}

/// Token counts as the provider reported them for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Usage {
    /// Input (prompt) tokens, including cached ones and cache writes
    /// (Anthropic: `input_tokens + cache_creation_input_tokens + cache_read_input_tokens`).
    pub input_tokens: u64,
    /// Output (completion) tokens, including reasoning tokens.
    pub output_tokens: u64,
    /// Input tokens served from the provider's prompt cache (`prompt_tokens_details.cached_tokens`).
    pub cache_read_tokens: u64,
    /// Output tokens spent on hidden reasoning (`completion_tokens_details.reasoning_tokens`).
    pub reasoning_tokens: u64,
    /// Input tokens written to the provider's prompt cache, billed at a premium
    /// (Anthropic `cache_creation_input_tokens`); 0 for providers that cache
    /// implicitly (OpenAI) or not at all. Part of [`Usage::input_tokens`].
    #[serde(default)]
    pub cache_write_tokens: u64,
}

/// One event of a streamed reply, in wire order.
#[derive(Debug, Clone, PartialEq)]
pub enum ChatEvent {
    /// The server accepted the request; `id` is its response id (`chatcmpl-…`) when sent.
    Started {
        /// Provider's response id, if any.
        id: Option<String>,
        /// Model that actually answers (may differ from the requested alias).
        model: Option<String>,
    },
    /// A piece of the visible answer.
    TextDelta(String),
    /// A piece of the model's reasoning (`reasoning_content` / `reasoning`), shown collapsed.
    ReasoningDelta(String),
    /// A piece of a refusal message (`delta.refusal`).
    RefusalDelta(String),
    /// A tool call begins: `index` orders parallel calls in this reply.
    ToolCallStart {
        /// Position of the call among this reply's calls.
        index: u32,
        /// Provider's call id (`call_…`).
        id: String,
        /// Function name.
        name: String,
    },
    /// Opaque data for the call at `index` (Gemini 3's `thoughtSignature`)
    /// that must be sent back unchanged with it
    /// ([`ToolCall::provider_data`]); comes after its [`ChatEvent::ToolCallStart`].
    ToolCallProviderData {
        /// Position of the call, as in [`ChatEvent::ToolCallStart`].
        index: u32,
        /// The data, verbatim.
        data: String,
    },
    /// A fragment of a tool call's JSON arguments.
    ToolCallArgumentsDelta {
        /// Position of the call, as in [`ChatEvent::ToolCallStart`].
        index: u32,
        /// Raw JSON text fragment.
        fragment: String,
    },
    /// The reply's finish reason.
    Finished(FinishReason),
    /// Token usage of the whole request (the final usage chunk).
    Usage(Usage),
    /// What the provider says it charged for the request, USD (OpenRouter's
    /// `usage.cost`); sent just before [`ChatEvent::Usage`]. It wins over the
    /// price-table estimate and is recorded as the actual cost.
    ReportedCost(rust_decimal::Decimal),
}

/// A model a server offers, with what its model list says about it.
///
/// Every descriptive field is `None` when the server does not report it
/// ("unknown", not "no"). Sources per protocol:
/// - OpenAI-compatible `GET /models`: `owned_by`; OpenRouter's extras
///   `name`, `context_length`, `top_provider.max_completion_tokens`,
///   `supported_parameters` (contains `"tools"`) and
///   `architecture.input_modalities` (contains `"image"`).
/// - Anthropic `GET /v1/models`: `display_name`.
/// - Gemini `models.list`: `displayName`, `inputTokenLimit`, `outputTokenLimit`.
/// - Ollama `/api/show`: `<arch>.context_length` and `capabilities`
///   (`"tools"`, `"vision"`), asked for at most the first 50 installed models.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ModelInfo {
    /// Identifier to send as `model`.
    pub id: String,
    /// Owner as reported (`owned_by`), if any.
    pub owned_by: Option<String>,
    /// Human-readable name (`Claude Sonnet 4.5`, `Gemini 2.5 Flash`).
    #[serde(default)]
    pub display_name: Option<String>,
    /// Context window (input) in tokens.
    #[serde(default)]
    pub context_length: Option<u64>,
    /// Largest reply the model can produce, in tokens.
    #[serde(default)]
    pub max_output_tokens: Option<u64>,
    /// Whether the model accepts tool (function) definitions.
    #[serde(default)]
    pub supports_tools: Option<bool>,
    /// Whether the model accepts images as input.
    #[serde(default)]
    pub supports_vision: Option<bool>,
}

impl ModelInfo {
    /// A model known only by its `id`; every other field unknown.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            ..Self::default()
        }
    }

    /// The name to show: [`ModelInfo::display_name`] when set and not blank, else the id.
    #[must_use]
    pub fn label(&self) -> &str {
        self.display_name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(&self.id)
    }
}

/// The stream a provider returns: events until the reply ends, or a typed error.
///
/// The stream ends after [`ChatEvent::Finished`]/[`ChatEvent::Usage`] and the
/// server's end marker. Dropping it closes the HTTP connection.
pub type ChatStream = Pin<Box<dyn Stream<Item = Result<ChatEvent, ProviderError>> + Send>>;

/// A chat backend speaking one wire protocol to one configured server.
#[async_trait::async_trait]
pub trait ChatProvider: Send + Sync {
    /// Starts a streamed reply.
    ///
    /// Errors before the first event (bad key, unknown model, rate limit,
    /// server error, unreachable host) are returned here; errors after it
    /// arrive as the stream's last item. Cancelling `cancel` ends the stream
    /// with [`ProviderError::Cancelled`] and closes the connection.
    async fn stream_chat(
        &self,
        request: ChatRequest,
        cancel: CancellationToken,
    ) -> Result<ChatStream, ProviderError>;

    /// Lists the models the server offers, sorted by id.
    async fn list_models(&self) -> Result<Vec<ModelInfo>, ProviderError>;
}
