//! OpenAI's chat completion request (`CreateChatCompletionRequest` in
//! `openai-openapi.yaml`) as far as ValeChat's engine can honour it, and its
//! translation to a [`CompletionRequest`].
//!
//! Honoured: `model` (`provider/model`), `messages` (roles `system`,
//! `developer` — sent as system —, `user`, `assistant`, `tool`; content as a
//! string or text parts; images in user messages as `image_url` parts with
//! `data:` URLs), `tools` (functions), `tool_choice`, assistant
//! `tool_calls`, `temperature`, `top_p`, `seed`, `max_tokens` /
//! `max_completion_tokens`, `stream`, `stream_options.include_usage`.
//! Refused with 400 rather than silently dropped, since the reply would not
//! be what was asked: `stop` (the engine has no stop sequences), `n` other
//! than 1, `response_format` other than `text`, images by `http(s)` URL (the
//! server does not fetch), and any content part other than text or image.
//! Other fields (`user`, `store`, `metadata`, `logprobs` false…) are ignored.

use base64::Engine as _;
use serde::Deserialize;
use serde_json::Value;
use valechat_core::chat::CompletionRequest;
use valechat_core::provider::{Attachment, ChatMessage, ToolCall, ToolChoice, ToolDefinition};

use crate::serve::http::errors::ApiError;

/// The request body.
#[derive(Debug, Clone, Deserialize)]
pub struct ChatCompletionRequest {
    /// `provider/model`, as `GET /v1/models` lists them.
    pub model: String,
    /// The conversation, oldest first.
    pub messages: Vec<WireMessage>,
    /// 0–2.
    #[serde(default)]
    pub temperature: Option<f32>,
    /// (0, 1].
    #[serde(default)]
    pub top_p: Option<f32>,
    /// Sampling seed (0 to 4,294,967,295 here).
    #[serde(default)]
    pub seed: Option<i64>,
    /// Upper bound on output tokens (the older name).
    #[serde(default)]
    pub max_tokens: Option<u32>,
    /// Upper bound on output tokens; wins over `max_tokens`.
    #[serde(default)]
    pub max_completion_tokens: Option<u32>,
    /// Answer as server-sent events.
    #[serde(default)]
    pub stream: Option<bool>,
    /// `include_usage`: a last chunk with the usage.
    #[serde(default)]
    pub stream_options: Option<StreamOptions>,
    /// Functions the model may call (never run by ValeChat here).
    #[serde(default)]
    pub tools: Option<Vec<WireTool>>,
    /// `"auto"`, `"none"`, `"required"` or `{"type":"function","function":{"name"}}`.
    #[serde(default)]
    pub tool_choice: Option<Value>,
    /// Stop sequences: refused unless null or empty.
    #[serde(default)]
    pub stop: Option<Value>,
    /// Number of choices: only 1.
    #[serde(default)]
    pub n: Option<u32>,
    /// Only `{"type":"text"}`.
    #[serde(default)]
    pub response_format: Option<Value>,
}

/// `stream_options`.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct StreamOptions {
    /// Send a last chunk with the request's usage.
    #[serde(default)]
    pub include_usage: bool,
}

/// One message, by role.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "role", rename_all = "lowercase")]
pub enum WireMessage {
    /// Instructions.
    System {
        /// Text.
        content: Content,
    },
    /// Instructions (newer OpenAI models' name for system).
    Developer {
        /// Text.
        content: Content,
    },
    /// The user's turn.
    User {
        /// Text and images.
        content: Content,
    },
    /// An earlier reply.
    Assistant {
        /// Text (null when the reply was only tool calls).
        #[serde(default)]
        content: Option<Content>,
        /// The tool calls it made.
        #[serde(default)]
        tool_calls: Option<Vec<WireToolCall>>,
    },
    /// A tool's result.
    Tool {
        /// The result.
        content: Content,
        /// The call it answers.
        tool_call_id: String,
    },
}

/// A message's content: a string or parts.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Content {
    /// Plain text.
    Text(String),
    /// Text and image parts.
    Parts(Vec<Part>),
}

/// One content part.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Part {
    /// Text.
    Text {
        /// The text.
        text: String,
    },
    /// An image (user messages only).
    ImageUrl {
        /// `{"url": "data:image/png;base64,…"}`.
        image_url: ImageUrl,
    },
}

/// `image_url`.
#[derive(Debug, Clone, Deserialize)]
pub struct ImageUrl {
    /// A `data:` URL.
    pub url: String,
}

/// A tool call of an earlier assistant message.
#[derive(Debug, Clone, Deserialize)]
pub struct WireToolCall {
    /// The call id.
    pub id: String,
    /// `{"name", "arguments"}` (arguments as a JSON string).
    pub function: WireFunctionCall,
}

/// `function` of a tool call.
#[derive(Debug, Clone, Deserialize)]
pub struct WireFunctionCall {
    /// Tool name.
    pub name: String,
    /// Arguments as JSON text.
    #[serde(default)]
    pub arguments: String,
}

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

impl ChatCompletionRequest {
    /// Whether the answer is streamed.
    #[must_use]
    pub fn streams(&self) -> bool {
        self.stream.unwrap_or(false)
    }

    /// Whether a streamed answer ends with a usage chunk.
    #[must_use]
    pub fn include_usage(&self) -> bool {
        self.stream_options.is_some_and(|o| o.include_usage)
    }

    /// The engine's request, for `client` (recorded with the usage).
    ///
    /// # Errors
    /// 404 `model_not_found` when `model` is not `provider/model`; 400 for
    /// what the module documentation lists as refused, and values out of
    /// range.
    pub fn into_completion(self, client: String) -> Result<CompletionRequest, ApiError> {
        self.check_unsupported()?;
        let Some((provider, model)) = self
            .model
            .split_once('/')
            .filter(|(p, m)| !p.is_empty() && !m.is_empty())
        else {
            return Err(ApiError::model_not_found(format!(
                "The model `{}` does not exist: models are named `provider/model`, as GET /v1/models lists them.",
                self.model
            )));
        };
        if let Some(t) = self.temperature
            && !(0.0..=2.0).contains(&t)
        {
            return Err(ApiError::invalid_request(
                format!("temperature must be between 0 and 2, not {t}."),
                Some("temperature"),
            ));
        }
        if let Some(p) = self.top_p
            && !(p > 0.0 && p <= 1.0)
        {
            return Err(ApiError::invalid_request(
                format!("top_p must be above 0 and at most 1, not {p}."),
                Some("top_p"),
            ));
        }
        let seed = self
            .seed
            .map(|s| {
                u32::try_from(s).map_err(|_| {
                    ApiError::invalid_request(
                        format!("seed must be between 0 and 4294967295, not {s}."),
                        Some("seed"),
                    )
                })
            })
            .transpose()?;
        let mut request = CompletionRequest::new(
            provider.to_owned(),
            model.to_owned(),
            messages(self.messages)?,
        );
        request.max_output_tokens = self.max_completion_tokens.or(self.max_tokens);
        request.temperature = self.temperature;
        request.sampling.top_p = self.top_p;
        request.sampling.seed = seed;
        request.tools = tools(self.tools.unwrap_or_default())?;
        request.tool_choice = tool_choice(self.tool_choice.as_ref())?;
        request.client = Some(client);
        Ok(request)
    }

    /// Refuses `stop`, `n` and `response_format` the engine cannot honour.
    fn check_unsupported(&self) -> Result<(), ApiError> {
        let stop_given = match &self.stop {
            None | Some(Value::Null) => false,
            Some(Value::Array(a)) => !a.is_empty(),
            Some(_) => true,
        };
        if stop_given {
            return Err(ApiError::invalid_request(
                "stop sequences are not supported by this server.",
                Some("stop"),
            ));
        }
        if self.n.is_some_and(|n| n != 1) {
            return Err(ApiError::invalid_request(
                "Only one choice (n = 1) is supported by this server.",
                Some("n"),
            ));
        }
        if let Some(format) = &self.response_format
            && !format.is_null()
            && format.get("type").and_then(Value::as_str) != Some("text")
        {
            return Err(ApiError::invalid_request(
                "Only the text response format is supported by this server.",
                Some("response_format"),
            ));
        }
        if self.messages.is_empty() {
            return Err(ApiError::invalid_request(
                "messages must not be empty.",
                Some("messages"),
            ));
        }
        Ok(())
    }
}

/// The engine's messages; a tool result gets the name of the call it answers.
fn messages(wire: Vec<WireMessage>) -> Result<Vec<ChatMessage>, ApiError> {
    let mut out: Vec<ChatMessage> = Vec::with_capacity(wire.len());
    let mut images = 0usize;
    for message in wire {
        let message = match message {
            WireMessage::System { content } | WireMessage::Developer { content } => {
                ChatMessage::system(text_only(content, "system")?)
            }
            WireMessage::User { content } => user(content, &mut images)?,
            WireMessage::Assistant {
                content,
                tool_calls,
            } => {
                let text = content.map(|c| text_only(c, "assistant")).transpose()?;
                let calls = tool_calls
                    .unwrap_or_default()
                    .into_iter()
                    .map(tool_call)
                    .collect::<Result<Vec<_>, _>>()?;
                ChatMessage::assistant_with_tool_calls(text.unwrap_or_default(), calls)
            }
            WireMessage::Tool {
                content,
                tool_call_id,
            } => {
                let mut result =
                    ChatMessage::tool_result(tool_call_id, "", text_only(content, "tool")?, false);
                result.tool_name = None;
                let name = result.resolved_tool_name(&out).to_owned();
                result.tool_name = Some(name);
                result
            }
        };
        out.push(message);
    }
    Ok(out)
}

/// The text of a content that may hold only text parts (joined by newlines).
fn text_only(content: Content, role: &str) -> Result<String, ApiError> {
    match content {
        Content::Text(text) => Ok(text),
        Content::Parts(parts) => parts
            .into_iter()
            .map(|part| match part {
                Part::Text { text } => Ok(text),
                Part::ImageUrl { .. } => Err(ApiError::invalid_request(
                    format!("Images are accepted in user messages only, not in {role} messages."),
                    Some("messages"),
                )),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|texts| texts.join("\n")),
    }
}

/// A user message with its images (`images` numbers them across the request).
fn user(content: Content, images: &mut usize) -> Result<ChatMessage, ApiError> {
    let parts = match content {
        Content::Text(text) => return Ok(ChatMessage::user(text)),
        Content::Parts(parts) => parts,
    };
    let mut texts = Vec::new();
    let mut attachments = Vec::new();
    for part in parts {
        match part {
            Part::Text { text } => texts.push(text),
            Part::ImageUrl { image_url } => {
                *images += 1;
                attachments.push(image(&image_url.url, *images)?);
            }
        }
    }
    Ok(ChatMessage::user_with_attachments(
        texts.join("\n"),
        attachments,
    ))
}

/// An image from a base64 `data:` URL.
fn image(url: &str, number: usize) -> Result<Attachment, ApiError> {
    let refuse = |why: String| ApiError::invalid_request(why, Some("messages"));
    let Some((header, data)) = url.strip_prefix("data:").and_then(|u| u.split_once(',')) else {
        return Err(refuse(
            "Images must be sent as base64 data URLs (data:image/png;base64,…): this server does not fetch URLs.".to_owned(),
        ));
    };
    if !header.ends_with(";base64") {
        return Err(refuse("Image data URLs must be base64-encoded.".to_owned()));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|e| refuse(format!("Image {number} is not valid base64: {e}.")))?;
    Attachment::new(format!("image-{number}"), bytes)
        .map_err(|e| refuse(format!("Image {number}: {e}.")))
}

/// An earlier tool call; its arguments must be JSON.
fn tool_call(call: WireToolCall) -> Result<ToolCall, ApiError> {
    let arguments = if call.function.arguments.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&call.function.arguments).map_err(|e| {
            ApiError::invalid_request(
                format!(
                    "The arguments of the tool call `{}` are not JSON: {e}.",
                    call.id
                ),
                Some("messages"),
            )
        })?
    };
    Ok(ToolCall {
        id: call.id,
        name: call.function.name,
        arguments,
        provider_data: None,
    })
}

/// The offered tools (functions only).
fn tools(wire: Vec<WireTool>) -> Result<Vec<ToolDefinition>, ApiError> {
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
fn tool_choice(wire: Option<&Value>) -> Result<ToolChoice, ApiError> {
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

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;
