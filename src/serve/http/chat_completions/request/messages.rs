//! The `messages` of a chat completion request (OpenAI's
//! `ChatCompletionRequestMessage` variants) and their translation to the
//! engine's [`ChatMessage`]s: text parts joined by newlines, images only in
//! user messages and only as base64 `data:` URLs, earlier tool calls with
//! JSON arguments, tool results named after the call they answer.

use base64::Engine as _;
use serde::Deserialize;
use serde_json::Value;
use valechat_core::provider::{Attachment, ChatMessage, ToolCall};

use crate::serve::http::errors::ApiError;

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

/// The engine's messages; a tool result gets the name of the call it answers.
pub fn messages(wire: Vec<WireMessage>) -> Result<Vec<ChatMessage>, ApiError> {
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
