//! The request body of `models.streamGenerateContent`, built from a
//! [`ChatRequest`].
//!
//! Follows the Gemini API reference (`GenerateContentRequest`, `Content`,
//! `Part`, `Tool`, `FunctionDeclaration`, `FunctionResponse`):
//! - system messages become `systemInstruction` parts, in order;
//! - the other messages become `contents` with role `user` or `model`;
//!   consecutive messages of the same role are merged into one content of
//!   several parts, because Gemini expects the roles to alternate;
//! - an assistant turn with tool calls is a `model` content: its text part
//!   (when not empty), then one `{"functionCall":{"name","args"}}` part per
//!   call (call ids are not sent: the stream mapper invents `call_{n}` ids
//!   Gemini never issued);
//! - a tool result is a `{"functionResponse":{"name","response":{…}}}` part
//!   in a `user` content, with `response: {"output": text}`, or
//!   `{"error": text}` when the tool failed (the keys the API documents for
//!   output and error details); the name is [`ChatMessage::tool_name`], or
//!   that of the answered call;
//! - a user message with images sends one
//!   `{"inlineData":{"mimeType","data"}}` part per image (data in base64),
//!   then its text part when not empty — the image-understanding guide
//!   advises the text after the image;
//! - tools are one `{"functionDeclarations":[{"name","description",
//!   "parameters"}]}` entry, with `parameters` reduced to Gemini's schema
//!   subset by [`gemini_schema`]; `tools` is left out when there are none;
//! - a [`ToolChoice`] other than `Auto` (with tools) is
//!   `toolConfig.functionCallingConfig`: `mode` `NONE` or `ANY`, and
//!   `allowedFunctionNames: [name]` for one named tool.

use serde::Serialize;
use serde_json::{Value, json};

use super::schema::gemini_schema;
use crate::provider::{ChatMessage, ChatRequest, Role, ToolChoice};

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
    /// Function declarations; omitted when the request offers no tools.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<WireTool<'a>>,
    /// `{"functionCallingConfig":{"mode","allowedFunctionNames"}}`; omitted
    /// for [`ToolChoice::Auto`] and when no tools are offered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_config: Option<Value>,
}

/// The `toolConfig` object for `choice` (Gemini `ToolConfig`).
fn tool_config(choice: &ToolChoice) -> Option<Value> {
    let config = match choice {
        ToolChoice::Auto => return None,
        ToolChoice::None => json!({"mode": "NONE"}),
        ToolChoice::Required => json!({"mode": "ANY"}),
        ToolChoice::Tool(name) => json!({"mode": "ANY", "allowedFunctionNames": [name]}),
    };
    Some(json!({ "functionCallingConfig": config }))
}

impl<'a> GenerateRequest<'a> {
    /// The request for `request` (rules in the module docs).
    #[must_use]
    pub fn new(request: &'a ChatRequest) -> Self {
        let mut contents: Vec<Content<'a>> = Vec::new();
        let mut system: Vec<Part<'a>> = Vec::new();
        for (i, message) in request.messages.iter().enumerate() {
            let (role, parts) = match message.role {
                Role::System => {
                    system.push(Part::Text(&message.content));
                    continue;
                }
                Role::User => ("user", user_parts(message)),
                Role::Assistant => ("model", model_parts(message)),
                Role::Tool => {
                    let name = message.resolved_tool_name(&request.messages[..i]);
                    ("user", vec![function_response(name, message)])
                }
            };
            match contents.last_mut() {
                Some(last) if last.role == role => last.parts.extend(parts),
                _ => contents.push(Content { role, parts }),
            }
        }
        let sampling = &request.sampling;
        let generation_config = (request.temperature.is_some()
            || request.max_output_tokens.is_some()
            || sampling.top_p.is_some()
            || sampling.top_k.is_some()
            || sampling.seed.is_some())
        .then_some(GenerationConfig {
            temperature: request.temperature,
            max_output_tokens: request.max_output_tokens,
            top_p: sampling.top_p,
            top_k: sampling.top_k,
            seed: sampling.seed,
        });
        let declarations: Vec<FunctionDeclaration<'a>> = request
            .tools
            .iter()
            .map(|tool| FunctionDeclaration {
                name: &tool.name,
                description: &tool.description,
                parameters: gemini_schema(&tool.parameters),
            })
            .collect();
        let tool_config = if declarations.is_empty() {
            None
        } else {
            tool_config(&request.tool_choice)
        };
        Self {
            contents,
            system_instruction: (!system.is_empty()).then_some(SystemInstruction { parts: system }),
            generation_config,
            tools: if declarations.is_empty() {
                Vec::new()
            } else {
                vec![WireTool {
                    function_declarations: declarations,
                }]
            },
            tool_config,
        }
    }
}

/// The parts of an assistant turn: its text (always, when it made no
/// calls, to keep the existing behaviour; else only when not empty), then
/// one `functionCall` per call.
fn model_parts(message: &ChatMessage) -> Vec<Part<'_>> {
    let mut parts = Vec::with_capacity(message.tool_calls.len() + 1);
    if message.tool_calls.is_empty() || !message.content.is_empty() {
        parts.push(Part::Text(&message.content));
    }
    parts.extend(message.tool_calls.iter().map(|call| {
        let function_call = FunctionCallBody {
            name: &call.name,
            args: call.arguments_object(),
        };
        match call.provider_data.as_deref() {
            Some(thought_signature) => Part::SignedFunctionCall {
                function_call,
                thought_signature,
            },
            None => Part::FunctionCall(function_call),
        }
    }));
    parts
}

/// The parts of a user turn: one `inlineData` part per image, then the
/// text (left out only when empty and there are images).
fn user_parts(message: &ChatMessage) -> Vec<Part<'_>> {
    let mut parts: Vec<Part<'_>> = message
        .attachments
        .iter()
        .map(|image| Part::InlineData {
            mime_type: &image.mime_type,
            data: image.base64(),
        })
        .collect();
    if parts.is_empty() || !message.content.is_empty() {
        parts.push(Part::Text(&message.content));
    }
    parts
}

/// The `functionResponse` part of a tool result.
fn function_response<'a>(name: &'a str, message: &'a ChatMessage) -> Part<'a> {
    let key = if message.is_error { "error" } else { "output" };
    Part::FunctionResponse {
        name,
        response: json!({ key: message.content }),
    }
}

/// One turn of `contents`: `{"role","parts":[…]}`.
#[derive(Debug, Serialize, PartialEq)]
pub struct Content<'a> {
    /// `user` or `model`.
    pub role: &'static str,
    /// The turn's parts.
    pub parts: Vec<Part<'a>>,
}

/// A part of a request content, serialised as its single member.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub enum Part<'a> {
    /// `{"text"}`: plain text.
    Text(&'a str),
    /// `{"inlineData":{"mimeType","data"}}`: an image sent inline.
    #[serde(rename_all = "camelCase")]
    InlineData {
        /// `image/png`, `image/jpeg`, `image/webp` or `image/gif`.
        mime_type: &'a str,
        /// The image file in standard base64.
        data: String,
    },
    /// `{"functionCall":{"name","args"}}`: a call the model made.
    FunctionCall(FunctionCallBody<'a>),
    /// `{"functionResponse":{"name","response"}}`: a tool's result.
    FunctionResponse {
        /// Name of the function that ran.
        name: &'a str,
        /// `{"output": text}` or `{"error": text}`.
        response: Value,
    },
    /// `{"functionCall":{"name","args"},"thoughtSignature"}`: a call the
    /// model made with the signature Gemini 3 attached to it, sent back
    /// unchanged (Gemini API docs, "Thought signatures": a call of the
    /// current turn without its signature is refused with a 400).
    #[serde(untagged)]
    SignedFunctionCall {
        /// The call.
        #[serde(rename = "functionCall")]
        function_call: FunctionCallBody<'a>,
        /// The signature, verbatim.
        #[serde(rename = "thoughtSignature")]
        thought_signature: &'a str,
    },
}

/// `functionCall` of a request part.
#[derive(Debug, Serialize, PartialEq)]
pub struct FunctionCallBody<'a> {
    /// Function name.
    pub name: &'a str,
    /// Arguments object.
    pub args: Value,
}

/// `systemInstruction`: `{"parts":[{"text"}]}` (no role).
#[derive(Debug, Serialize, PartialEq)]
pub struct SystemInstruction<'a> {
    /// One text part per system message.
    pub parts: Vec<Part<'a>>,
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
    /// Nucleus sampling threshold (`topP`), sent only when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f32>,
    /// Sample among the k most likely tokens (`topK`), sent only when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_k: Option<u32>,
    /// Random seed, sent only when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u32>,
}

/// One element of `tools`.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct WireTool<'a> {
    /// The functions offered.
    pub function_declarations: Vec<FunctionDeclaration<'a>>,
}

/// `functionDeclarations[]`.
#[derive(Debug, Serialize, PartialEq)]
pub struct FunctionDeclaration<'a> {
    /// Function name.
    pub name: &'a str,
    /// What it does; omitted when empty.
    #[serde(skip_serializing_if = "str::is_empty")]
    pub description: &'a str,
    /// Parameters schema, reduced to Gemini's subset.
    pub parameters: Value,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::test_tools::{tool_conversation, two_tools};

    #[test]
    fn tools_and_a_tool_round_trip_follow_the_documented_shape() {
        let mut messages = tool_conversation();
        messages[4].tool_name = None; // the name is found from the call id
        let request = ChatRequest {
            model: "gemini-2.5-flash".into(),
            messages,
            tools: two_tools(),
            ..ChatRequest::default()
        };
        let body = serde_json::to_value(GenerateRequest::new(&request)).unwrap();
        assert_eq!(
            body,
            json!({
                "contents": [
                    {"role": "user", "parts": [{"text": "Weather in Paris, and what is in /tmp?"}]},
                    {"role": "model", "parts": [
                        {"text": "Let me check."},
                        {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}},
                        {"functionCall": {"name": "list_files", "args": {"path": "/tmp"}}},
                    ]},
                    {"role": "user", "parts": [
                        {"functionResponse": {"name": "get_weather",
                                              "response": {"output": "12 °C, rain"}}},
                        {"functionResponse": {"name": "list_files",
                                              "response": {"error": "permission denied"}}},
                    ]},
                ],
                "systemInstruction": {"parts": [{"text": "Be brief."}]},
                "tools": [{"functionDeclarations": [
                    {"name": "get_weather", "description": "Current weather for a city.",
                     "parameters": two_tools()[0].parameters},
                    {"name": "list_files", "description": "Lists a folder.",
                     "parameters": {
                         "type": "object",
                         "properties": {"path": {"type": "string"}},
                         "required": ["path"],
                     }},
                ]}],
            })
        );
    }
}
