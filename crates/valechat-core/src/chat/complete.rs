//! Completions outside any conversation: what every request from outside
//! the window is answered with — an MCP server's sampling request
//! (`sampling/createMessage`, specification 2025-11-25, "Sampling"), the
//! MCP server mode's `generate` and `compare_models`, and the
//! OpenAI-compatible `/v1/chat/completions`.
//!
//! They go through the same provider clients, rate limits and billing as a
//! chat turn: the worst case is reserved against the global and
//! provider/model limits first ([`Engine::stream_completion`] refuses over
//! a hard limit; there is no "send anyway" here), the running cost is
//! checked against the room left as the reply streams (past it the reply
//! is cut off), and the request is recorded as usage without a
//! conversation, naming the client that asked
//! ([`CompletionRequest::client`]). Nothing is stored as a message, and
//! tools offered here are only passed to the model: a tool call is
//! returned to the caller, never run.
//!
//! The stream's events are in `stream.rs`; the set-up (price, reservation,
//! rate limit, opening the provider's stream) in `start.rs`; the task that
//! receives the provider's stream, bounds and bills it in `pump.rs`.

mod pump;
mod start;
mod stream;

pub use stream::{CompletionEvent, CompletionStream};

use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::{Engine, EngineError};
use crate::ledger::{LimitAlert, UsageRecord};

/// Alert lists [`Engine::completion_alerts`] keeps for a subscriber that
/// falls behind (it then skips the oldest).
pub(crate) const ALERT_BUFFER: usize = 16;
use crate::provider::{
    ChatMessage, FinishReason, SamplingParameters, ToolCall, ToolChoice, ToolDefinition, Usage,
};

/// What to complete and with which model.
#[derive(Debug, Clone, PartialEq)]
pub struct CompletionRequest {
    /// Provider id.
    pub provider_id: String,
    /// Model id as the server names it.
    pub model: String,
    /// The messages, system prompt first when there is one; assistant
    /// tool calls and tool results as the caller's own history has them.
    pub messages: Vec<ChatMessage>,
    /// Upper bound on output tokens, sent to the provider and assumed by
    /// the reservation; `None`: the model's largest reply from its price,
    /// else `DEFAULT_MAX_OUTPUT_TOKENS` (8,192)
    /// for a billed model (a free one gets its server's default).
    pub max_output_tokens: Option<u32>,
    /// Sampling temperature (0.0–2.0), when asked for.
    pub temperature: Option<f32>,
    /// Top-p, top-k, min-p, repeat penalty, seed; each protocol sends those
    /// it has a field for.
    pub sampling: SamplingParameters,
    /// Tools the model may call. They are passed to the model only: a call
    /// comes back in [`Completion::tool_calls`] for the caller to run.
    pub tools: Vec<ToolDefinition>,
    /// Whether the model may, must or must not call one of `tools`.
    pub tool_choice: ToolChoice,
    /// Who asked, recorded in the usage record (`mcp:<client name>`,
    /// `api:<user agent>`); `None` for ValeChat's own requests.
    pub client: Option<String>,
}

impl CompletionRequest {
    /// A request for `messages` from `provider_id`'s `model`, with the
    /// defaults: no output cap of its own, the server's sampling, no tools,
    /// no client.
    pub fn new(
        provider_id: impl Into<String>,
        model: impl Into<String>,
        messages: Vec<ChatMessage>,
    ) -> Self {
        Self {
            provider_id: provider_id.into(),
            model: model.into(),
            messages,
            max_output_tokens: None,
            temperature: None,
            sampling: SamplingParameters::default(),
            tools: Vec::new(),
            tool_choice: ToolChoice::Auto,
            client: None,
        }
    }
}

/// The whole answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// The reply text (a refusal included).
    pub text: String,
    /// The model's reasoning, when the provider streams it.
    pub reasoning: String,
    /// The tool calls the model asked for, in the order it made them
    /// (arguments parsed as JSON; text that does not parse is kept as a
    /// JSON string).
    pub tool_calls: Vec<ToolCall>,
    /// The model that answered (as the server reported it, else the one asked).
    pub model: String,
    /// Why it stopped, when the provider said.
    pub finish: Option<FinishReason>,
    /// Usage the provider reported.
    pub usage: Option<Usage>,
    /// The billed usage record (its cost in USD, its tokens, its client);
    /// `None` when it could not be written (logged).
    pub record: Option<UsageRecord>,
}

impl Engine {
    /// The spending alerts completions raise: the thresholds a request
    /// from outside the window crossed for the first time in their period
    /// (one list per request that crossed any). They are recorded as
    /// alerted like a turn's, so nothing else will announce them: a front
    /// end serving completions (the local API, the MCP server mode)
    /// subscribes and shows each as a desktop notification. A chat turn's
    /// alerts come in its own [`TurnEvent::LimitAlerts`](super::TurnEvent::LimitAlerts)
    /// instead, not here.
    #[must_use]
    pub fn completion_alerts(&self) -> broadcast::Receiver<Vec<LimitAlert>> {
        self.completion_alerts.subscribe()
    }

    /// Runs `request` to its end and returns the whole reply, billed as
    /// [`Engine::stream_completion`] describes.
    ///
    /// # Errors
    /// Those of [`Engine::stream_completion`], and the error that ended the
    /// stream ([`EngineError::Provider`], also [`ProviderError::Cancelled`](crate::provider::ProviderError::Cancelled)
    /// when `cancel` fires; [`EngineError::LimitCutOff`]).
    pub async fn complete(
        &self,
        request: CompletionRequest,
        cancel: CancellationToken,
    ) -> Result<Completion, EngineError> {
        let mut stream = self.stream_completion(request, cancel).await?;
        while let Some(event) = stream.next().await {
            match event {
                CompletionEvent::Finished(completion) => return Ok(*completion),
                CompletionEvent::Failed(error) => return Err(*error),
                _ => {}
            }
        }
        Err(EngineError::Internal(
            "the completion ended without a result".to_owned(),
        ))
    }
}
