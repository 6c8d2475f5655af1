//! The request body of `POST {base}/messages`, built from a [`ChatRequest`].
//!
//! Rules (Anthropic API reference, "Messages", and the tool-use guide):
//! - `system` messages are joined into the top-level `system` field;
//! - the other turns must alternate `user` / `assistant`, so consecutive
//!   turns of the same role are merged: two plain-text turns are joined by a
//!   blank line, otherwise their content blocks are concatenated;
//! - turns with blank text and no tool data are dropped (the API rejects
//!   empty text blocks);
//! - an assistant turn with tool calls is a list of content blocks: its text
//!   as a `text` block (when not blank), then one
//!   `{"type":"tool_use","id","name","input"}` per call;
//! - a tool result ([`Role::Tool`]) is a
//!   `{"type":"tool_result","tool_use_id","content","is_error"}` block in a
//!   `user` turn; the API requires tool results to come first in that turn,
//!   so they are moved before any text merged into the same turn;
//! - a user turn with images is a list of blocks: one
//!   `{"type":"image","source":{"type":"base64","media_type","data"}}` per
//!   image, then its text as a `text` block (when not blank), the order the
//!   vision guide recommends (images before the question about them);
//! - tools are `tools:[{"name","description","input_schema"}]`, left out
//!   when there are none; `tool_choice` (`{"type":"none"|"any"|"tool",
//!   "name"}`) only with tools and a [`ToolChoice`] other than `Auto`;
//! - `max_tokens` is required, so [`DEFAULT_MAX_TOKENS`] stands in when the
//!   request sets none; temperature is clamped to the API's 0.0–1.0.

use serde::Serialize;

use crate::provider::{ChatMessage, ChatRequest, Role, ToolChoice};

/// `max_tokens` sent when the request sets no output cap, in tokens.
pub const DEFAULT_MAX_TOKENS: u32 = 4096;

/// Request body of `POST {base}/messages`.
#[derive(Debug, Serialize, PartialEq)]
pub struct MessagesRequest {
    /// Model id (`claude-sonnet-4-5`…).
    pub model: String,
    /// Output-token cap; required by the API.
    pub max_tokens: u32,
    /// System prompt, a top-level field (the API has no `system` role).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// Alternating `user` / `assistant` turns, oldest first.
    pub messages: Vec<WireMessage>,
    /// Always `true`: this module only streams.
    pub stream: bool,
    /// Sampling temperature (0.0–1.0), sent only when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
    /// Nucleus sampling threshold, sent only when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f32>,
    /// Sample among the k most likely tokens, sent only when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_k: Option<u32>,
    /// Tools the model may call; omitted when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<WireTool>,
    /// `{"type":"none"|"any"|"tool","name"}`; omitted for
    /// [`ToolChoice::Auto`] and when no tools are offered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<serde_json::Value>,
}

/// The `tool_choice` object for `choice` (Anthropic `ToolChoice`).
fn wire_tool_choice(choice: &ToolChoice) -> Option<serde_json::Value> {
    use serde_json::json;
    match choice {
        ToolChoice::Auto => None,
        ToolChoice::None => Some(json!({"type": "none"})),
        ToolChoice::Required => Some(json!({"type": "any"})),
        ToolChoice::Tool(name) => Some(json!({"type": "tool", "name": name})),
    }
}

/// One turn of `messages`.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct WireMessage {
    /// `user` or `assistant`.
    pub role: &'static str,
    /// The turn's text, or its content blocks.
    pub content: WireContent,
}

/// `messages[].content`: a string, or a list of content blocks.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum WireContent {
    /// Plain text.
    Text(String),
    /// Content blocks (text, tool use, tool result).
    Blocks(Vec<RequestBlock>),
}

impl WireContent {
    /// Appends `other`: text to text joins with a blank line; anything else
    /// concatenates the blocks.
    fn merge(&mut self, other: WireContent) {
        match (&mut *self, other) {
            (WireContent::Text(a), WireContent::Text(b)) => {
                a.push_str("\n\n");
                a.push_str(&b);
            }
            (this, other) => {
                let mut blocks = std::mem::replace(this, WireContent::Blocks(Vec::new())).blocks();
                blocks.extend(other.blocks());
                *this = WireContent::Blocks(blocks);
            }
        }
    }

    /// The content as blocks (text becomes one `text` block).
    fn blocks(self) -> Vec<RequestBlock> {
        match self {
            WireContent::Text(text) => vec![RequestBlock::Text { text }],
            WireContent::Blocks(blocks) => blocks,
        }
    }

    /// Puts tool results before everything else, keeping their order.
    fn tool_results_first(&mut self) {
        if let WireContent::Blocks(blocks) = self {
            blocks.sort_by_key(|b| !matches!(b, RequestBlock::ToolResult { .. }));
        }
    }
}

/// A content block of a request turn, by its `type`.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RequestBlock {
    /// Text.
    Text {
        /// The text.
        text: String,
    },
    /// An image (user turns): `{"type":"image","source":{…}}`.
    Image {
        /// Where the image comes from.
        source: ImageSource,
    },
    /// A tool call the model made (assistant turns).
    ToolUse {
        /// Call id (`toolu_…`).
        id: String,
        /// Tool name.
        name: String,
        /// Arguments object.
        input: serde_json::Value,
    },
    /// A tool's result (user turns).
    ToolResult {
        /// The `tool_use` id it answers.
        tool_use_id: String,
        /// The result text.
        content: String,
        /// `true` when the tool failed.
        is_error: bool,
    },
}

/// `source` of an `image` block: always inline base64.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ImageSource {
    /// Always `base64`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `image/png`, `image/jpeg`, `image/webp` or `image/gif`.
    pub media_type: String,
    /// The image file in standard base64.
    pub data: String,
}

/// One element of `tools`.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct WireTool {
    /// Tool name.
    pub name: String,
    /// What it does; omitted when empty.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// JSON Schema object of the input, verbatim.
    pub input_schema: serde_json::Value,
}

/// The streaming request body for `request`.
#[must_use]
pub fn messages_request(request: &ChatRequest) -> MessagesRequest {
    let mut system: Vec<&str> = Vec::new();
    let mut messages: Vec<WireMessage> = Vec::new();
    for message in &request.messages {
        if message.role == Role::System {
            if !message.content.trim().is_empty() {
                system.push(&message.content);
            }
            continue;
        }
        let Some((role, content)) = turn_content(message) else {
            continue;
        };
        match messages.last_mut() {
            Some(last) if last.role == role => last.content.merge(content),
            _ => messages.push(WireMessage { role, content }),
        }
        if let Some(last) = messages.last_mut().filter(|m| m.role == "user") {
            last.content.tool_results_first();
        }
    }
    MessagesRequest {
        model: request.model.clone(),
        max_tokens: request.max_output_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
        system: (!system.is_empty()).then(|| system.join("\n\n")),
        messages,
        stream: true,
        temperature: request.temperature.map(|t| t.clamp(0.0, 1.0)),
        top_p: request.sampling.top_p,
        top_k: request.sampling.top_k,
        tools: request
            .tools
            .iter()
            .map(|tool| WireTool {
                name: tool.name.clone(),
                description: tool.description.clone(),
                input_schema: tool.parameters.clone(),
            })
            .collect(),
        tool_choice: if request.tools.is_empty() {
            None
        } else {
            wire_tool_choice(&request.tool_choice)
        },
    }
}

/// The wire role and content of a non-system message; `None` for a turn
/// with blank text and no tool data.
fn turn_content(message: &ChatMessage) -> Option<(&'static str, WireContent)> {
    let text = message.content.as_str();
    match message.role {
        Role::Tool => Some((
            "user",
            WireContent::Blocks(vec![RequestBlock::ToolResult {
                tool_use_id: message.tool_call_id.clone().unwrap_or_default(),
                content: text.to_owned(),
                is_error: message.is_error,
            }]),
        )),
        Role::Assistant if !message.tool_calls.is_empty() => {
            let mut blocks = Vec::with_capacity(message.tool_calls.len() + 1);
            if !text.trim().is_empty() {
                blocks.push(RequestBlock::Text {
                    text: text.to_owned(),
                });
            }
            blocks.extend(message.tool_calls.iter().map(|call| RequestBlock::ToolUse {
                id: call.id.clone(),
                name: call.name.clone(),
                input: call.arguments_object(),
            }));
            Some(("assistant", WireContent::Blocks(blocks)))
        }
        Role::User if !message.attachments.is_empty() => {
            let mut blocks: Vec<RequestBlock> = message
                .attachments
                .iter()
                .map(|image| RequestBlock::Image {
                    source: ImageSource {
                        kind: "base64",
                        media_type: image.mime_type.clone(),
                        data: image.base64(),
                    },
                })
                .collect();
            if !text.trim().is_empty() {
                blocks.push(RequestBlock::Text {
                    text: text.to_owned(),
                });
            }
            Some(("user", WireContent::Blocks(blocks)))
        }
        _ if text.trim().is_empty() => None,
        Role::Assistant => Some(("assistant", WireContent::Text(text.to_owned()))),
        Role::User | Role::System => Some(("user", WireContent::Text(text.to_owned()))),
    }
}

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;
