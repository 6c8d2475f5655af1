//! The request body of `POST {base}/chat/completions`, built from a
//! [`ChatRequest`].
//!
//! Follows the OpenAI API reference, "Create chat completion"
//! (`openai-openapi.yaml` 2.3.0): messages are `{"role","content"}`; an
//! assistant turn that called tools adds
//! `tool_calls:[{"id","type":"function","function":{"name","arguments"}}]`
//! with `arguments` as a JSON *string* and `content: null` when it has no
//! text; a tool result is `{"role":"tool","tool_call_id","content"}` (the
//! API has no error flag: the content says what failed); tools are offered
//! as `tools:[{"type":"function","function":{"name","description",
//! "parameters"}}]`, left out when there are none (some compatible servers
//! reject an empty list). A user message with images sends its content as
//! parts, `[{"type":"text","text"},{"type":"image_url","image_url":{"url":
//! "data:<mime>;base64,<data>"}}]` (the text part left out when the text is
//! empty); every other message keeps plain string content, which every
//! compatible server accepts. `tool_choice` (`ChatCompletionToolChoiceOption`)
//! is sent only for a [`ToolChoice`] other than `Auto` and only with tools
//! (OpenAI refuses it without them): `"none"`, `"required"` or
//! `{"type":"function","function":{"name"}}`; Mistral takes the same values.

use serde::Serialize;

use serde_json::{Value, json};

use crate::provider::{ChatMessage, ChatRequest, Role, ToolCall, ToolChoice, ToolDefinition};

/// Request body of `POST {base}/chat/completions`.
#[derive(Debug, Serialize)]
pub struct CompletionRequest<'a> {
    /// Model id as the server names it.
    pub model: &'a str,
    /// History, oldest first.
    pub messages: Vec<WireMessage<'a>>,
    /// Always `true`: this module only streams.
    pub stream: bool,
    /// Asks for the final usage chunk.
    pub stream_options: StreamOptions,
    /// Sampling temperature, sent only when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
    /// Nucleus sampling threshold, sent only when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f32>,
    /// Random seed, sent only when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u32>,
    /// Output-token cap, sent as the widely supported `max_tokens` to
    /// compatible servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// Output-token cap as OpenAI's own API names it (its reasoning models
    /// refuse `max_tokens`); see [`CompletionRequest::for_openai`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_completion_tokens: Option<u32>,
    /// Tools the model may call; omitted when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<WireTool<'a>>,
    /// `"none"`, `"required"` or the named function; omitted for
    /// [`ToolChoice::Auto`] and when no tools are offered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<Value>,
}

/// The `tool_choice` value for `choice` (OpenAI's and Mistral's shape).
fn wire_tool_choice(choice: &ToolChoice) -> Option<Value> {
    match choice {
        ToolChoice::Auto => None,
        ToolChoice::None => Some(json!("none")),
        ToolChoice::Required => Some(json!("required")),
        ToolChoice::Tool(name) => Some(json!({"type": "function", "function": {"name": name}})),
    }
}

impl<'a> CompletionRequest<'a> {
    /// The streaming request for `request`.
    pub fn streaming(request: &'a ChatRequest) -> Self {
        Self {
            model: &request.model,
            messages: request.messages.iter().map(WireMessage::from).collect(),
            stream: true,
            stream_options: StreamOptions {
                include_usage: true,
            },
            temperature: request.temperature,
            top_p: request.sampling.top_p,
            seed: request.sampling.seed,
            max_tokens: request.max_output_tokens,
            max_completion_tokens: None,
            tools: request.tools.iter().map(WireTool::from).collect(),
            tool_choice: if request.tools.is_empty() {
                None
            } else {
                wire_tool_choice(&request.tool_choice)
            },
        }
    }

    /// The same request for OpenAI's own API (`api.openai.com`, Azure
    /// OpenAI): the cap moves from `max_tokens`, which its reasoning models
    /// refuse, to `max_completion_tokens` (which counts hidden reasoning
    /// tokens too).
    #[must_use]
    pub fn for_openai(mut self) -> Self {
        self.max_completion_tokens = self.max_tokens.take();
        self
    }
}

/// Whether `base_url` is OpenAI's own API or Azure OpenAI, which take the
/// output cap as `max_completion_tokens`.
#[must_use]
pub fn is_openai_api(base_url: &str) -> bool {
    let Ok(url) = url::Url::parse(base_url) else {
        return false;
    };
    url.host_str().is_some_and(|host| {
        let host = host.to_ascii_lowercase();
        host == "api.openai.com" || host.ends_with(".openai.azure.com")
    })
}

/// `stream_options` of a request.
#[derive(Debug, Serialize)]
pub struct StreamOptions {
    /// `true`: the server sends a last chunk carrying `usage`.
    pub include_usage: bool,
}

/// One element of `messages`.
#[derive(Debug, Serialize)]
pub struct WireMessage<'a> {
    /// `system`, `user`, `assistant` or `tool`.
    pub role: &'static str,
    /// The text (or, for a user message with images, its content parts);
    /// `null` for an assistant turn with tool calls and no text.
    pub content: Option<WireContent<'a>>,
    /// The calls an assistant turn made; omitted when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<WireToolCall<'a>>,
    /// For a `tool` message: the call it answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<&'a str>,
}

impl<'a> From<&'a ChatMessage> for WireMessage<'a> {
    fn from(message: &'a ChatMessage) -> Self {
        let no_text = message.content.is_empty() && !message.tool_calls.is_empty();
        let content = if message.role == Role::User && !message.attachments.is_empty() {
            Some(WireContent::parts(message))
        } else {
            (!no_text).then_some(WireContent::Text(&message.content))
        };
        Self {
            role: message.role.as_str(),
            content,
            tool_calls: message.tool_calls.iter().map(WireToolCall::from).collect(),
            tool_call_id: match message.role {
                Role::Tool => Some(message.tool_call_id.as_deref().unwrap_or_default()),
                _ => None,
            },
        }
    }
}

/// `messages[].content`: a string, or a user message's content parts.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum WireContent<'a> {
    /// Plain text.
    Text(&'a str),
    /// Text and image parts.
    Parts(Vec<ContentPart<'a>>),
}

impl<'a> WireContent<'a> {
    /// The text part (unless the text is empty) then one `image_url` part per attachment.
    fn parts(message: &'a ChatMessage) -> Self {
        let text = (!message.content.is_empty()).then(|| ContentPart::Text {
            text: &message.content,
        });
        let images = message.attachments.iter().map(|a| ContentPart::ImageUrl {
            image_url: ImageUrl { url: a.data_url() },
        });
        Self::Parts(text.into_iter().chain(images).collect())
    }
}

/// One content part of a user message, by its `type`.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentPart<'a> {
    /// `{"type":"text","text"}`.
    Text {
        /// The text.
        text: &'a str,
    },
    /// `{"type":"image_url","image_url":{"url"}}`.
    ImageUrl {
        /// Where the image is.
        image_url: ImageUrl,
    },
}

/// `image_url` of an image part.
#[derive(Debug, Serialize)]
pub struct ImageUrl {
    /// A `data:<mime>;base64,<data>` URL.
    pub url: String,
}

/// One element of an assistant message's `tool_calls`.
#[derive(Debug, Serialize)]
pub struct WireToolCall<'a> {
    /// The call id the tool result refers to.
    pub id: &'a str,
    /// Always `function`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Name and arguments.
    pub function: WireFunctionCall<'a>,
}

/// `tool_calls[].function` of a request message.
#[derive(Debug, Serialize)]
pub struct WireFunctionCall<'a> {
    /// Function name.
    pub name: &'a str,
    /// The arguments object as JSON text (`{}` when there are none).
    pub arguments: String,
}

impl<'a> From<&'a ToolCall> for WireToolCall<'a> {
    fn from(call: &'a ToolCall) -> Self {
        Self {
            id: &call.id,
            kind: "function",
            function: WireFunctionCall {
                name: &call.name,
                arguments: call.arguments_object().to_string(),
            },
        }
    }
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
    pub parameters: &'a serde_json::Value,
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::provider::test_tools::{tool_conversation, two_tools};

    #[test]
    fn tools_and_a_tool_round_trip_follow_the_documented_shape() {
        let request = ChatRequest {
            model: "gpt-4o-mini".into(),
            messages: tool_conversation(),
            tools: two_tools(),
            ..ChatRequest::default()
        };
        let body = serde_json::to_value(CompletionRequest::streaming(&request)).unwrap();
        assert_eq!(
            body,
            json!({
                "model": "gpt-4o-mini",
                "messages": [
                    {"role": "system", "content": "Be brief."},
                    {"role": "user", "content": "Weather in Paris, and what is in /tmp?"},
                    {"role": "assistant", "content": "Let me check.", "tool_calls": [
                        {"id": "call_1", "type": "function", "function": {
                            "name": "get_weather",
                            "arguments": "{\"city\":\"Paris\"}"
                        }},
                        {"id": "call_2", "type": "function", "function": {
                            "name": "list_files",
                            "arguments": "{\"path\":\"/tmp\"}"
                        }},
                    ]},
                    {"role": "tool", "tool_call_id": "call_1", "content": "12 °C, rain"},
                    {"role": "tool", "tool_call_id": "call_2", "content": "permission denied"},
                ],
                "stream": true,
                "stream_options": {"include_usage": true},
                "tools": [
                    {"type": "function", "function": {
                        "name": "get_weather",
                        "description": "Current weather for a city.",
                        "parameters": two_tools()[0].parameters,
                    }},
                    {"type": "function", "function": {
                        "name": "list_files",
                        "description": "Lists a folder.",
                        "parameters": two_tools()[1].parameters,
                    }},
                ],
            })
        );
    }

    #[test]
    fn the_cap_is_max_tokens_except_on_openai_s_own_api() {
        let request = ChatRequest {
            model: "o3".into(),
            messages: vec![ChatMessage::user("Hi")],
            max_output_tokens: Some(8_192),
            ..ChatRequest::default()
        };
        let compatible = serde_json::to_value(CompletionRequest::streaming(&request)).unwrap();
        assert_eq!(compatible["max_tokens"], 8_192);
        assert_eq!(compatible.get("max_completion_tokens"), None);
        let openai =
            serde_json::to_value(CompletionRequest::streaming(&request).for_openai()).unwrap();
        assert_eq!(openai["max_completion_tokens"], 8_192);
        assert_eq!(openai.get("max_tokens"), None);
        assert!(is_openai_api("https://api.openai.com/v1"));
        assert!(is_openai_api("https://my-co.openai.azure.com/openai/v1"));
        assert!(!is_openai_api("http://localhost:4000/v1"));
        assert!(!is_openai_api("https://api.together.xyz/v1"));
    }

    #[test]
    fn no_tools_leaves_the_field_out_and_only_a_tool_turn_has_null_text() {
        let call = ToolCall {
            provider_data: None,
            id: "c".into(),
            name: "now".into(),
            arguments: serde_json::Value::Null,
        };
        let request = ChatRequest {
            model: "m".into(),
            messages: vec![
                ChatMessage::user("Hi"),
                ChatMessage::assistant(""),
                ChatMessage::assistant_with_tool_calls("", vec![call]),
            ],
            ..ChatRequest::default()
        };
        let body = serde_json::to_value(CompletionRequest::streaming(&request)).unwrap();
        assert_eq!(body.get("tools"), None);
        assert_eq!(
            body["messages"],
            json!([
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": ""},
                {"role": "assistant", "content": null, "tool_calls": [
                    {"id": "c", "type": "function", "function": {"name": "now", "arguments": "{}"}}
                ]},
            ])
        );
    }
}
