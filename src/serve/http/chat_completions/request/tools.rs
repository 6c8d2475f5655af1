//! The `tools` and `tool_choice` of a chat completion request (OpenAI's
//! `ChatCompletionTool` and `ChatCompletionToolChoiceOption`) as the
//! engine's [`ToolDefinition`]s and [`ToolChoice`]; only function tools.

use serde::Deserialize;
use serde_json::Value;
use valechat_core::provider::{ToolChoice, ToolDefinition};

use crate::serve::http::errors::ApiError;

/// One offered tool.
#[derive(Debug, Clone, Deserialize)]
pub struct WireTool {
    /// Only `"function"`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The function.
    pub function: WireFunction,
}

/// A function definition.
#[derive(Debug, Clone, Deserialize)]
pub struct WireFunction {
    /// Name.
    pub name: String,
    /// What it does.
    #[serde(default)]
    pub description: Option<String>,
    /// JSON Schema of its arguments (an empty object schema when absent).
    #[serde(default)]
    pub parameters: Option<Value>,
}

/// The offered tools (functions only).
pub fn tools(wire: Vec<WireTool>) -> Result<Vec<ToolDefinition>, ApiError> {
    wire.into_iter()
        .map(|tool| {
            if tool.kind != "function" {
                return Err(ApiError::invalid_request(
                    format!(
                        "Only function tools are supported, not `{}` tools.",
                        tool.kind
                    ),
                    Some("tools"),
                ));
            }
            Ok(ToolDefinition {
                name: tool.function.name,
                description: tool.function.description.unwrap_or_default(),
                parameters: tool
                    .function
                    .parameters
                    .unwrap_or_else(|| serde_json::json!({"type": "object", "properties": {}})),
            })
        })
        .collect()
}

/// `tool_choice`.
pub fn tool_choice(wire: Option<&Value>) -> Result<ToolChoice, ApiError> {
    let refuse = || {
        ApiError::invalid_request(
            "tool_choice must be \"auto\", \"none\", \"required\" or {\"type\": \"function\", \"function\": {\"name\": …}}.",
            Some("tool_choice"),
        )
    };
    match wire {
        None | Some(Value::Null) => Ok(ToolChoice::Auto),
        Some(Value::String(s)) => match s.as_str() {
            "auto" => Ok(ToolChoice::Auto),
            "none" => Ok(ToolChoice::None),
            "required" => Ok(ToolChoice::Required),
            _ => Err(refuse()),
        },
        Some(object) => object
            .pointer("/function/name")
            .and_then(Value::as_str)
            .filter(|_| object.get("type").and_then(Value::as_str) == Some("function"))
            .map(|name| ToolChoice::Tool(name.to_owned()))
            .ok_or_else(refuse),
    }
}
