//! Ollama's native JSON shapes (`/api/chat`, `/api/tags`, `/api/show`,
//! `/api/pull`), as documented in Ollama's `docs/api.md` and
//! `docs/openapi.yaml`.
//!
//! The chat request body is in [`super::request`]; responses are read leniently:
//! every field is optional (servers of different ages omit different ones,
//! and send `null` for empty lists), unknown fields are ignored.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One line of a `/api/chat` NDJSON stream (or an `{"error"}` line).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChatChunk {
    /// Model that answers.
    pub model: Option<String>,
    /// The piece of the assistant message this line carries.
    pub message: Option<ChunkMessage>,
    /// `true` on the last line.
    pub done: bool,
    /// Why generation stopped (`stop`, `length`, `load`…), on the last line.
    pub done_reason: Option<String>,
    /// Prompt tokens evaluated, on the last line.
    pub prompt_eval_count: Option<u64>,
    /// Tokens generated, on the last line.
    pub eval_count: Option<u64>,
    /// An error the server hit mid-stream (`{"error":"…"}`).
    pub error: Option<Value>,
}

/// `message` of a chat line.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChunkMessage {
    /// A piece of the visible answer.
    pub content: Option<String>,
    /// A piece of the reasoning trace (when `think` is on).
    pub thinking: Option<String>,
    /// Complete tool calls (Ollama sends each call whole, in one line).
    pub tool_calls: Option<Vec<ToolCall>>,
}

/// One entry of `message.tool_calls`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ToolCall {
    /// Call id, sent by recent servers only.
    pub id: Option<String>,
    /// The function called.
    pub function: ToolFunction,
}

/// `function` of a tool call.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ToolFunction {
    /// Function name.
    pub name: String,
    /// Arguments as a JSON **object** (not a string, unlike OpenAI).
    pub arguments: Option<Value>,
}

/// Body of `GET /api/tags`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TagList {
    /// Installed models; `null` on a fresh install of some versions.
    pub models: Option<Vec<Tag>>,
}

/// One installed model in `/api/tags`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Tag {
    /// Name to send as `model` (`llama3:latest`).
    pub name: String,
    /// Same as `name` on current servers.
    pub model: Option<String>,
    /// Size on disk in bytes.
    pub size: Option<u64>,
    /// Format, family, parameter size, quantization.
    pub details: Option<TagDetails>,
}

/// `details` of a model (`/api/tags` and `/api/show`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TagDetails {
    /// Primary family (`llama`).
    pub family: Option<String>,
    /// Parameter count label (`8.0B`).
    pub parameter_size: Option<String>,
    /// Quantization (`Q4_0`).
    pub quantization_level: Option<String>,
}

/// Body of `POST /api/show` and `POST /api/pull`: `{"model"}` (+ `stream`).
#[derive(Debug, Serialize)]
pub struct ModelBody<'a> {
    /// Model name.
    pub model: &'a str,
    /// For `/api/pull`: stream the progress as NDJSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
}

/// Body of `POST /api/show` (the fields ValeChat reads).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShowReply {
    /// Family, parameter size, quantization.
    pub details: Option<TagDetails>,
    /// GGUF metadata: `general.architecture`, `<arch>.context_length`…
    pub model_info: Option<serde_json::Map<String, Value>>,
    /// What the model can do (`completion`, `tools`, `vision`, `thinking`…).
    pub capabilities: Option<Vec<String>>,
}

/// One line of a `/api/pull` NDJSON stream (or an `{"error"}` line).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PullLine {
    /// `pulling manifest`, `pulling <digest>`, `verifying sha256 digest`,
    /// `writing manifest`, `success`…
    pub status: Option<String>,
    /// Layer being downloaded.
    pub digest: Option<String>,
    /// Size of that layer in bytes.
    pub total: Option<u64>,
    /// Bytes of it downloaded so far.
    pub completed: Option<u64>,
    /// An error the server hit (`{"error":"…"}`).
    pub error: Option<Value>,
}

/// The text of an `error` value: the string itself, or `error.message`, or
/// the JSON as written.
#[must_use]
pub fn error_text(error: &Value) -> String {
    match error {
        Value::String(s) => s.trim().to_owned(),
        Value::Object(map) => match map.get("message") {
            Some(Value::String(s)) => s.trim().to_owned(),
            _ => error.to_string(),
        },
        other => other.to_string(),
    }
}
