//! Serde shapes of the Google Gemini API (`generativelanguage.googleapis.com/v1beta`).
//!
//! Response side only (the request body is in [`super::request`]).
//! Follows the Gemini API reference: `models.streamGenerateContent` (request
//! `GenerateContentRequest`, each SSE payload a `GenerateContentResponse`) and
//! `models.list` (`ListModelsResponse`). JSON names are lowerCamelCase.
//! Every response field is optional so that new or omitted members
//! (`thoughtSignature`, `promptTokensDetails`, `avgLogprobs`…) never break
//! parsing; unknown fields are ignored.

use serde::Deserialize;

/// One `GenerateContentResponse` (the JSON of one SSE `data:` line).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Chunk {
    /// Candidates; absent when the prompt itself was blocked.
    #[serde(default)]
    pub candidates: Option<Vec<Candidate>>,
    /// Why the prompt was blocked, if it was.
    #[serde(default)]
    pub prompt_feedback: Option<PromptFeedback>,
    /// Token counts so far (cumulative: each chunk repeats the running total).
    #[serde(default)]
    pub usage_metadata: Option<UsageMetadata>,
    /// Model version that answers (`gemini-2.5-flash-preview-…`).
    #[serde(default)]
    pub model_version: Option<String>,
    /// Response id, repeated on every chunk.
    #[serde(default)]
    pub response_id: Option<String>,
    /// An error reported mid-stream (`{"code","message","status"}`).
    #[serde(default)]
    pub error: Option<serde_json::Value>,
}

/// One element of `candidates`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    /// Candidate position; only candidate 0 is used (ValeChat asks for one).
    #[serde(default)]
    pub index: Option<u32>,
    /// What this chunk adds.
    #[serde(default)]
    pub content: Option<CandidateContent>,
    /// Set on the last chunk of the candidate (`STOP`, `MAX_TOKENS`, `SAFETY`…).
    #[serde(default)]
    pub finish_reason: Option<String>,
}

/// `candidates[].content`.
#[derive(Debug, Default, Deserialize)]
pub struct CandidateContent {
    /// The parts; absent on some safety-stopped chunks.
    #[serde(default)]
    pub parts: Option<Vec<Part>>,
}

/// One part of a candidate's content.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Part {
    /// Text (the answer, or a thought summary when `thought` is true).
    #[serde(default)]
    pub text: Option<String>,
    /// `true` when `text` is the model's reasoning.
    #[serde(default)]
    pub thought: Option<bool>,
    /// A whole function call.
    #[serde(default)]
    pub function_call: Option<FunctionCall>,
    /// Gemini 3's encrypted reasoning state for this part; on a
    /// `functionCall` part it must be sent back with the call.
    #[serde(default)]
    pub thought_signature: Option<String>,
}

/// `parts[].functionCall`: always complete in one part (never split).
#[derive(Debug, Default, Deserialize)]
pub struct FunctionCall {
    /// Call id, sent by some API versions only.
    #[serde(default)]
    pub id: Option<String>,
    /// Function name.
    #[serde(default)]
    pub name: Option<String>,
    /// Arguments as a JSON object.
    #[serde(default)]
    pub args: Option<serde_json::Value>,
}

/// `promptFeedback`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptFeedback {
    /// `SAFETY`, `BLOCKLIST`, `PROHIBITED_CONTENT`, `OTHER`…, when the prompt was blocked.
    #[serde(default)]
    pub block_reason: Option<String>,
}

/// `usageMetadata`, in tokens.
#[derive(Debug, Default, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct UsageMetadata {
    /// Input tokens, cached ones included.
    #[serde(default)]
    pub prompt_token_count: Option<u64>,
    /// Visible output tokens (thoughts excluded).
    #[serde(default)]
    pub candidates_token_count: Option<u64>,
    /// Output tokens spent thinking (billed as output).
    #[serde(default)]
    pub thoughts_token_count: Option<u64>,
    /// Input tokens read from the context cache.
    #[serde(default)]
    pub cached_content_token_count: Option<u64>,
    /// Input tokens of built-in tool results (search, code execution).
    #[serde(default)]
    pub tool_use_prompt_token_count: Option<u64>,
    /// Sum of all the above as the server counts it.
    #[serde(default)]
    pub total_token_count: Option<u64>,
}

/// Body of `GET {base}/models` (`ListModelsResponse`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelList {
    /// One page of models (absent on an empty last page).
    #[serde(default)]
    pub models: Vec<WireModel>,
    /// Token of the next page; absent or empty on the last page.
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// One element of `models`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireModel {
    /// Resource name, `models/{id}`.
    pub name: String,
    /// Human-readable name (`Gemini 2.5 Flash`).
    #[serde(default)]
    pub display_name: Option<String>,
    /// Context window for input, in tokens.
    #[serde(default)]
    pub input_token_limit: Option<u64>,
    /// Maximum output, in tokens.
    #[serde(default)]
    pub output_token_limit: Option<u64>,
    /// API methods the model serves (`generateContent`, `embedContent`…).
    #[serde(default)]
    pub supported_generation_methods: Vec<String>,
}
