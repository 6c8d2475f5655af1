//! Serde shapes of the OpenAI Chat Completions wire format.
//!
//! Response side only (the request body is in [`super::request`]).
//! Follows the OpenAI API reference (`POST /chat/completions` with
//! `stream: true`, the `chat.completion.chunk` object, `GET /models`) as
//! captured in `openai-openapi.yaml` 2.3.0. Every response field is optional
//! and tolerates `null`, because OpenAI-compatible servers (Mistral, Ollama,
//! LM Studio, llama.cpp, vLLM, OpenRouter) omit or null different parts;
//! unknown fields (`logprobs`, `timings`, `system_fingerprint`…) are ignored.

use serde::Deserialize;

/// One `chat.completion.chunk` (the JSON of one SSE `data:` line).
#[derive(Debug, Default, Deserialize)]
pub struct Chunk {
    /// Response id (`chatcmpl-…`), repeated on every chunk.
    #[serde(default)]
    pub id: Option<String>,
    /// Model that answers.
    #[serde(default)]
    pub model: Option<String>,
    /// Choices; empty (`[]`) on the final usage chunk.
    #[serde(default)]
    pub choices: Option<Vec<Choice>>,
    /// Token usage; on the final chunk (OpenAI, llama.cpp) or the last content chunk (Mistral).
    #[serde(default)]
    pub usage: Option<WireUsage>,
    /// An error reported mid-stream (`{"error":{"message",…}}` or a bare string).
    #[serde(default)]
    pub error: Option<serde_json::Value>,
}

/// One entry of `choices`.
#[derive(Debug, Default, Deserialize)]
pub struct Choice {
    /// Choice position; only choice 0 is used (ValeChat never asks for `n > 1`).
    #[serde(default)]
    pub index: Option<u32>,
    /// What this chunk adds.
    #[serde(default)]
    pub delta: Option<Delta>,
    /// Set on the chunk that ends the choice.
    #[serde(default)]
    pub finish_reason: Option<String>,
}

/// `choices[].delta`.
#[derive(Debug, Default, Deserialize)]
pub struct Delta {
    /// Visible text.
    #[serde(default)]
    pub content: Option<String>,
    /// Reasoning text (DeepSeek, vLLM, LM Studio).
    #[serde(default)]
    pub reasoning_content: Option<String>,
    /// Reasoning text (OpenRouter, Ollama `/v1`).
    #[serde(default)]
    pub reasoning: Option<String>,
    /// Refusal text (OpenAI structured outputs).
    #[serde(default)]
    pub refusal: Option<String>,
    /// Tool-call fragments.
    #[serde(default)]
    pub tool_calls: Option<Vec<ToolCallDelta>>,
}

/// One element of `delta.tool_calls`.
#[derive(Debug, Default, Deserialize)]
pub struct ToolCallDelta {
    /// Position of the call; missing on Mistral, which sends whole calls.
    #[serde(default)]
    pub index: Option<u32>,
    /// Call id, on the first fragment only.
    #[serde(default)]
    pub id: Option<String>,
    /// Function name and argument fragment.
    #[serde(default)]
    pub function: Option<FunctionDelta>,
}

/// `tool_calls[].function`.
#[derive(Debug, Default, Deserialize)]
pub struct FunctionDelta {
    /// Function name, on the first fragment (some servers repeat it empty).
    #[serde(default)]
    pub name: Option<String>,
    /// A fragment of the JSON arguments text.
    #[serde(default)]
    pub arguments: Option<String>,
}

/// `usage` of a chunk, in tokens.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct WireUsage {
    /// Input tokens, cached ones included.
    #[serde(default)]
    pub prompt_tokens: Option<u64>,
    /// Output tokens, reasoning included.
    #[serde(default)]
    pub completion_tokens: Option<u64>,
    /// Breakdown of the input tokens.
    #[serde(default)]
    pub prompt_tokens_details: Option<PromptDetails>,
    /// Breakdown of the output tokens.
    #[serde(default)]
    pub completion_tokens_details: Option<CompletionDetails>,
    /// DeepSeek's name for cached input tokens.
    #[serde(default)]
    pub prompt_cache_hit_tokens: Option<u64>,
    /// What the request was charged, in credits = USD (OpenRouter's
    /// "Usage Accounting": `usage.cost`).
    #[serde(default)]
    pub cost: Option<serde_json::Number>,
}

/// `usage.prompt_tokens_details`.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct PromptDetails {
    /// Input tokens read from the prompt cache.
    #[serde(default)]
    pub cached_tokens: Option<u64>,
}

/// `usage.completion_tokens_details`.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct CompletionDetails {
    /// Output tokens spent on hidden reasoning.
    #[serde(default)]
    pub reasoning_tokens: Option<u64>,
}

/// Body of `GET {base}/models` (OpenAI, Ollama `/v1`, LM Studio, llama.cpp, vLLM).
#[derive(Debug, Deserialize)]
pub struct ModelList {
    /// The models.
    pub data: Vec<WireModel>,
}

/// One element of `data`.
#[derive(Debug, Deserialize)]
pub struct WireModel {
    /// Id to send as `model`.
    pub id: String,
    /// Owner, if reported.
    #[serde(default)]
    pub owned_by: Option<String>,
    /// OpenRouter: human-readable name (`OpenAI: GPT-4o`).
    #[serde(default)]
    pub name: Option<serde_json::Value>,
    /// OpenRouter: context window in tokens.
    #[serde(default)]
    pub context_length: Option<serde_json::Value>,
    /// OpenRouter: `{"input_modalities":["text","image"],…}`.
    #[serde(default)]
    pub architecture: Option<serde_json::Value>,
    /// OpenRouter: request parameters the model accepts (`"tools"`, `"temperature"`…).
    #[serde(default)]
    pub supported_parameters: Option<serde_json::Value>,
    /// OpenRouter: `{"max_completion_tokens":…,"context_length":…}`.
    #[serde(default)]
    pub top_provider: Option<serde_json::Value>,
}
