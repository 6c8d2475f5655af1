//! Serde shapes of the Google Gemini API (`generativelanguage.googleapis.com/v1beta`).
//!
//! Follows the Gemini API reference: `models.streamGenerateContent` (request
//! `GenerateContentRequest`, each SSE payload a `GenerateContentResponse`) and
//! `models.list` (`ListModelsResponse`). JSON names are lowerCamelCase.
//! Every response field is optional so that new or omitted members
//! (`thoughtSignature`, `promptTokensDetails`, `avgLogprobs`…) never break
//! parsing; unknown fields are ignored.

use serde::{Deserialize, Serialize};

use crate::core::provider::{ChatRequest, Role};

/// Request body of `POST {base}/models/{model}:streamGenerateContent?alt=sse`.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct GenerateRequest<'a> {
    /// The conversation, oldest first; roles alternate `user` / `model`.
    pub contents: Vec<Content<'a>>,
    /// The system messages, as one instruction; omitted when there are none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_instruction: Option<SystemInstruction<'a>>,
    /// Sampling settings; omitted when nothing is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generation_config: Option<GenerationConfig>,
}

impl<'a> GenerateRequest<'a> {
    /// The request for `request`: system messages become `systemInstruction`
    /// parts (in order), the others `contents` with role `user` or `model`;
    /// consecutive messages of the same role are merged into one content of
    /// several parts, because Gemini expects the roles to alternate.
    pub fn new(request: &'a ChatRequest) -> Self {
        let mut contents: Vec<Content<'a>> = Vec::new();
        let mut system: Vec<TextPart<'a>> = Vec::new();
        for message in &request.messages {
            let part = TextPart {
                text: &message.content,
            };
            let role = match message.role {
                Role::System => {
                    system.push(part);
                    continue;
                }
                Role::User => "user",
                Role::Assistant => "model",
            };
            match contents.last_mut() {
                Some(last) if last.role == role => last.parts.push(part),
                _ => contents.push(Content {
                    role,
                    parts: vec![part],
                }),
            }
        }
        let generation_config = (request.temperature.is_some()
            || request.max_output_tokens.is_some())
        .then_some(GenerationConfig {
            temperature: request.temperature,
            max_output_tokens: request.max_output_tokens,
        });
        Self {
            contents,
            system_instruction: (!system.is_empty()).then_some(SystemInstruction { parts: system }),
            generation_config,
        }
    }
}

/// One turn of `contents`: `{"role","parts":[{"text"}]}`.
#[derive(Debug, Serialize, PartialEq)]
pub struct Content<'a> {
    /// `user` or `model`.
    pub role: &'static str,
    /// The turn's text parts.
    pub parts: Vec<TextPart<'a>>,
}

/// A text part of a request: `{"text"}`.
#[derive(Debug, Serialize, PartialEq)]
pub struct TextPart<'a> {
    /// Plain text.
    pub text: &'a str,
}

/// `systemInstruction`: `{"parts":[{"text"}]}` (no role).
#[derive(Debug, Serialize, PartialEq)]
pub struct SystemInstruction<'a> {
    /// One part per system message.
    pub parts: Vec<TextPart<'a>>,
}

/// `generationConfig` of a request.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct GenerationConfig {
    /// Sampling temperature (0.0–2.0), sent only when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
    /// Output-token cap (tokens), sent only when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u32>,
}

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
