//! The body of `POST /api/chat` with `stream: true`, built from a
//! [`ChatRequest`].
//!
//! Follows Ollama's `docs/api.md` ("Generate a chat completion", "Chat
//! request (with tools)") and `docs/openapi.yaml` (`ChatMessage`,
//! `ToolCall`, `ToolDefinition`): messages are `{"role","content"}`; an
//! assistant turn that called tools adds
//! `tool_calls:[{"function":{"name","arguments"}}]` with `arguments` as a
//! JSON *object*; a tool result is `{"role":"tool","content","tool_name"}`
//! (the API has no call id or error flag on it: the content says what
//! failed); tools are `tools:[{"type":"function","function":{"name",
//! "description","parameters"}}]`, left out when there are none. The API
//! has no `tool_choice`: [`ToolChoice::None`] sends no tools,
//! [`ToolChoice::Tool`] only the named one and [`ToolChoice::Required`] all
//! of them, not enforced (Ollama cannot be told to call one). A user
//! message with images adds `images: ["<base64>", …]` (the documented
//! "Chat request (with images)": bare base64, no `data:` prefix, no type).

use serde::Serialize;
use serde_json::Value;

use crate::provider::{ChatMessage, ChatRequest, Role, ToolChoice, ToolDefinition};

/// Body of `POST /api/chat` with `stream: true`.
#[derive(Debug, Serialize)]
pub struct ChatBody<'a> {
    /// Model name (`llama3.2`, `qwen3:8b`).
    pub model: &'a str,
    /// The conversation, oldest first.
    pub messages: Vec<WireMessage<'a>>,
    /// Tools the model may call; omitted when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<WireTool<'a>>,
    /// Always `true`: the reply comes as NDJSON.
    pub stream: bool,
    /// Sampling options; omitted when none is set.
    #[serde(skip_serializing_if = "Options::is_empty")]
    pub options: Options,
}

/// The tools sent for `request`: `/api/chat` has no `tool_choice`, so
/// [`ToolChoice::None`] sends no tools, [`ToolChoice::Tool`] only the named
/// one, and [`ToolChoice::Required`] all of them (the model may still
/// answer in text: Ollama cannot be told to call one).
fn offered_tools(request: &ChatRequest) -> impl Iterator<Item = &ToolDefinition> {
    request
        .tools
        .iter()
        .filter(|tool| match &request.tool_choice {
            ToolChoice::Auto | ToolChoice::Required => true,
            ToolChoice::None => false,
            ToolChoice::Tool(name) => &tool.name == name,
        })
}

impl<'a> ChatBody<'a> {
    /// The streaming request for `request`.
    pub fn streaming(request: &'a ChatRequest) -> Self {
        Self {
            model: &request.model,
            messages: request
                .messages
                .iter()
                .enumerate()
                .map(|(i, m)| WireMessage::new(m, &request.messages[..i]))
                .collect(),
            tools: offered_tools(request).map(WireTool::from).collect(),
            stream: true,
            options: Options {
                temperature: request.temperature,
                num_predict: request.max_output_tokens,
                top_p: request.sampling.top_p,
                top_k: request.sampling.top_k,
                min_p: request.sampling.min_p,
                repeat_penalty: request.sampling.repeat_penalty,
                seed: request.sampling.seed,
            },
        }
    }
}

/// One message of `messages`.
#[derive(Debug, Serialize)]
pub struct WireMessage<'a> {
    /// `system`, `user`, `assistant` or `tool`.
    pub role: &'static str,
    /// Plain text (a tool's output for `tool`).
    pub content: &'a str,
    /// The calls an assistant turn made; omitted when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<WireToolCall<'a>>,
    /// For a `tool` message: the name of the tool that ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_name: Option<&'a str>,
    /// A user message's images, each in standard base64; omitted when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<String>,
}

impl<'a> WireMessage<'a> {
    /// The wire form of `message`; `earlier` (the messages before it) gives
    /// a tool result's name when it does not carry one.
    #[must_use]
    pub fn new(message: &'a ChatMessage, earlier: &'a [ChatMessage]) -> Self {
        Self {
            role: message.role.as_str(),
            content: &message.content,
            tool_calls: message
                .tool_calls
                .iter()
                .map(|call| WireToolCall {
                    function: WireFunctionCall {
                        name: &call.name,
                        arguments: call.arguments_object(),
                    },
                })
                .collect(),
            tool_name: (message.role == Role::Tool).then(|| message.resolved_tool_name(earlier)),
            images: message
                .attachments
                .iter()
                .map(super::super::message::attachment::Attachment::base64)
                .collect(),
        }
    }
}

/// One element of an assistant message's `tool_calls`.
#[derive(Debug, Serialize)]
pub struct WireToolCall<'a> {
    /// The call.
    pub function: WireFunctionCall<'a>,
}

/// `tool_calls[].function` of a request message.
#[derive(Debug, Serialize)]
pub struct WireFunctionCall<'a> {
    /// Function name.
    pub name: &'a str,
    /// Arguments object.
    pub arguments: Value,
}

/// One element of `tools`.
#[derive(Debug, Serialize)]
pub struct WireTool<'a> {
    /// Always `function`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The function offered.
    pub function: WireFunction<'a>,
}

/// `tools[].function`.
#[derive(Debug, Serialize)]
pub struct WireFunction<'a> {
    /// Function name.
    pub name: &'a str,
    /// What it does; omitted when empty.
    #[serde(skip_serializing_if = "str::is_empty")]
    pub description: &'a str,
    /// JSON Schema object of the arguments, verbatim.
    pub parameters: &'a Value,
}

impl<'a> From<&'a ToolDefinition> for WireTool<'a> {
    fn from(tool: &'a ToolDefinition) -> Self {
        Self {
            kind: "function",
            function: WireFunction {
                name: &tool.name,
                description: &tool.description,
                parameters: &tool.parameters,
            },
        }
    }
}

/// The Modelfile options ValeChat sets (`options` of the request).
#[derive(Debug, Default, Serialize)]
pub struct Options {
    /// Sampling temperature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
    /// Upper bound on generated tokens (Ollama's name for max output tokens).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_predict: Option<u32>,
    /// Nucleus sampling threshold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f32>,
    /// Sample among the k most likely tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_k: Option<u32>,
    /// Minimum probability relative to the most likely token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_p: Option<f32>,
    /// Penalty on recently repeated tokens (1.0: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeat_penalty: Option<f32>,
    /// Random seed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u32>,
}

impl Options {
    /// Whether no option is set (then `options` is left out).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.temperature.is_none()
            && self.num_predict.is_none()
            && self.top_p.is_none()
            && self.top_k.is_none()
            && self.min_p.is_none()
            && self.repeat_penalty.is_none()
            && self.seed.is_none()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::provider::test_tools::{tool_conversation, two_tools};

    #[test]
    fn tools_and_a_tool_round_trip_follow_the_documented_shape() {
        let request = ChatRequest {
            model: "qwen3:8b".into(),
            messages: tool_conversation(),
            tools: two_tools(),
            temperature: Some(0.5),
            ..ChatRequest::default()
        };
        let body = serde_json::to_value(ChatBody::streaming(&request)).unwrap();
        let tools = two_tools();
        assert_eq!(
            body,
            json!({
                "model": "qwen3:8b",
                "messages": [
                    {"role": "system", "content": "Be brief."},
                    {"role": "user", "content": "Weather in Paris, and what is in /tmp?"},
                    {"role": "assistant", "content": "Let me check.", "tool_calls": [
                        {"function": {"name": "get_weather", "arguments": {"city": "Paris"}}},
                        {"function": {"name": "list_files", "arguments": {"path": "/tmp"}}},
                    ]},
                    {"role": "tool", "content": "12 °C, rain", "tool_name": "get_weather"},
                    {"role": "tool", "content": "permission denied", "tool_name": "list_files"},
                ],
                "tools": [
                    {"type": "function", "function": {
                        "name": "get_weather",
                        "description": "Current weather for a city.",
                        "parameters": tools[0].parameters,
                    }},
                    {"type": "function", "function": {
                        "name": "list_files",
                        "description": "Lists a folder.",
                        "parameters": tools[1].parameters,
                    }},
                ],
                "stream": true,
                "options": {"temperature": 0.5},
            })
        );
    }
}
