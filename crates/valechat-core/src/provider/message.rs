//! The conversation items of a chat request: [`Role`], [`ChatMessage`],
//! [`ToolCall`] and the tools offered to the model, [`ToolDefinition`].
//!
//! These are protocol-neutral; each protocol module translates them in its
//! request builder:
//! - OpenAI Chat Completions (API reference, "Create chat completion":
//!   `tools[].function`, assistant `tool_calls`, `role: "tool"` messages);
//! - Anthropic Messages (API reference, "Messages" and the tool-use guide:
//!   `tools[].input_schema`, `tool_use` / `tool_result` content blocks);
//! - Gemini (API reference, `Tool.functionDeclarations`, `Part.functionCall`,
//!   `Part.functionResponse`);
//! - Ollama (`docs/api.md`, "Chat request (with tools)": `tools`, assistant
//!   `tool_calls`, `role: "tool"` messages with `tool_name`).
//!
//! Images a user attaches travel as [`Attachment`]s on the user message
//! (checked and typed in [`attachment`]); MCP resources as
//! [`ResourceAttachment`]s ([`resource`]), which reach the model as text.
//! [`Role`], [`attachment`] and [`resource`] are plain values the store
//! keeps too, so they live in [`crate::model`] and are re-exported here.

use serde::{Deserialize, Serialize};

pub use crate::model::{Role, attachment, resource};
pub use attachment::{Attachment, AttachmentError};
pub use resource::{ResourceAttachment, ResourceBody};

/// A tool the model may call, as offered in [`ChatRequest::tools`](super::ChatRequest::tools).
///
/// This is the shape MCP tools (`name`, `description`, `inputSchema`) map to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolDefinition {
    /// Function name the model calls it by (OpenAI and Gemini allow
    /// `a-zA-Z0-9_-`, Gemini also `.` and `:`, at most 64 characters).
    pub name: String,
    /// What the tool does, for the model; empty sends no description.
    pub description: String,
    /// JSON Schema of the arguments: an object schema
    /// (`{"type":"object","properties":{…},"required":[…]}`). Sent verbatim
    /// to OpenAI, Anthropic (`input_schema`) and Ollama; reduced to the
    /// supported subset for Gemini (see `gemini::schema`).
    pub parameters: serde_json::Value,
}

/// A tool call the model made in an earlier assistant turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCall {
    /// Provider's call id (`call_…`, `toolu_…`); a tool result answers it by
    /// [`ChatMessage::tool_call_id`].
    pub id: String,
    /// Name of the tool called.
    pub name: String,
    /// Arguments as a JSON value, normally an object.
    pub arguments: serde_json::Value,
    /// Opaque data the provider attached to the call and needs back
    /// unchanged in later requests' history: Gemini 3's `thoughtSignature`
    /// (Gemini API docs, "Thought signatures"); `None` for other providers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_data: Option<String>,
}

impl ToolCall {
    /// The arguments as a JSON object for the wire: `null` (no arguments)
    /// becomes `{}`; any other value is returned unchanged.
    #[must_use]
    pub fn arguments_object(&self) -> serde_json::Value {
        match &self.arguments {
            serde_json::Value::Null => serde_json::Value::Object(serde_json::Map::new()),
            other => other.clone(),
        }
    }
}

/// One message of the history sent to the model.
///
/// Plain turns only use `role` and `content`. An assistant turn may also
/// carry the tool calls it made (`tool_calls`); a [`Role::Tool`] message
/// carries one tool's result: `tool_call_id` and `tool_name` name the call it
/// answers, `content` is the result text, `is_error` says the tool failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Author of the message.
    pub role: Role,
    /// Plain text (markdown as the model wrote it), or the tool result text.
    pub content: String,
    /// Tool calls of an assistant turn, in the order the model made them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// For a [`Role::Tool`] message: the [`ToolCall::id`] it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
    /// For a [`Role::Tool`] message: the [`ToolCall::name`] it answers
    /// (Gemini and Ollama identify results by name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_name: Option<String>,
    /// For a [`Role::Tool`] message: the tool failed and `content` describes
    /// the error (Anthropic `is_error`, Gemini `response.error`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_error: bool,
    /// Images attached to a [`Role::User`] message, in the order the user
    /// added them; empty for every other message. Each protocol sends them
    /// in its documented shape (OpenAI `image_url` parts, Anthropic `image`
    /// blocks, Gemini `inlineData` parts, Ollama `images`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

impl ChatMessage {
    /// A message of `role` with `content` and no tool data.
    pub fn new(role: Role, content: impl Into<String>) -> Self {
        Self {
            role,
            content: content.into(),
            tool_calls: Vec::new(),
            tool_call_id: None,
            tool_name: None,
            is_error: false,
            attachments: Vec::new(),
        }
    }

    /// A system message.
    pub fn system(content: impl Into<String>) -> Self {
        Self::new(Role::System, content)
    }

    /// A user message.
    pub fn user(content: impl Into<String>) -> Self {
        Self::new(Role::User, content)
    }

    /// A user message with images; `content` may be empty when the message
    /// is only images.
    pub fn user_with_attachments(content: impl Into<String>, attachments: Vec<Attachment>) -> Self {
        Self {
            attachments,
            ..Self::new(Role::User, content)
        }
    }

    /// An assistant message without tool calls.
    pub fn assistant(content: impl Into<String>) -> Self {
        Self::new(Role::Assistant, content)
    }

    /// An assistant message that made `tool_calls` (its text may be empty).
    pub fn assistant_with_tool_calls(
        content: impl Into<String>,
        tool_calls: Vec<ToolCall>,
    ) -> Self {
        Self {
            tool_calls,
            ..Self::new(Role::Assistant, content)
        }
    }

    /// The result of the call `call_id` to the tool `tool_name`: `content` is
    /// its output, or its error message when `is_error`.
    pub fn tool_result(
        call_id: impl Into<String>,
        tool_name: impl Into<String>,
        content: impl Into<String>,
        is_error: bool,
    ) -> Self {
        Self {
            tool_call_id: Some(call_id.into()),
            tool_name: Some(tool_name.into()),
            is_error,
            ..Self::new(Role::Tool, content)
        }
    }

    /// The tool name of a [`Role::Tool`] message: [`ChatMessage::tool_name`],
    /// else the name of the call with id [`ChatMessage::tool_call_id`] among
    /// `earlier` messages (latest first), else an empty string.
    #[must_use]
    pub fn resolved_tool_name<'a>(&'a self, earlier: &'a [ChatMessage]) -> &'a str {
        if let Some(name) = self.tool_name.as_deref() {
            return name;
        }
        let Some(id) = self.tool_call_id.as_deref() else {
            return "";
        };
        earlier
            .iter()
            .rev()
            .flat_map(|m| m.tool_calls.iter())
            .find(|call| call.id == id)
            .map_or("", |call| call.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_name_falls_back_to_the_answered_call() {
        let call = ToolCall {
            provider_data: None,
            id: "c1".into(),
            name: "get_weather".into(),
            arguments: serde_json::Value::Null,
        };
        let history = vec![ChatMessage::assistant_with_tool_calls("", vec![call])];
        let mut result = ChatMessage::tool_result("c1", "named", "12 °C", false);
        assert_eq!(result.resolved_tool_name(&history), "named");
        result.tool_name = None;
        assert_eq!(result.resolved_tool_name(&history), "get_weather");
        result.tool_call_id = Some("other".into());
        assert_eq!(result.resolved_tool_name(&history), "");
    }

    #[test]
    fn null_arguments_are_sent_as_an_empty_object() {
        let mut call = ToolCall {
            provider_data: None,
            id: "c".into(),
            name: "n".into(),
            arguments: serde_json::Value::Null,
        };
        assert_eq!(call.arguments_object(), serde_json::json!({}));
        call.arguments = serde_json::json!({"a": 1});
        assert_eq!(call.arguments_object(), serde_json::json!({"a": 1}));
    }
}
