//! The stored conversation as the provider sees it (the `messages` of a
//! [`ChatRequest`](crate::provider::ChatRequest)).
//!
//! The system prompt comes first, then every user message and every
//! assistant message that has text or tool calls (a failed empty reply is
//! left out). An assistant message that made tool calls carries them and is
//! followed by one tool-result message per call, in call order, rebuilt from
//! `tool_calls` — every call gets an answer, as OpenAI, Anthropic and Gemini
//! require. A user message carries the images stored with it
//! (`attachments`), so later turns still send them, and the MCP resources
//! stored with it, rebuilt as the model first saw them ([`user_message`]).

use std::collections::HashMap;

use crate::provider::message::resource::with_resources;
use crate::provider::{Attachment, ChatMessage, ResourceAttachment, Role, ToolCall};
use crate::store::{Message, ToolCallRecord};

/// What the model is told for a call that has no stored result.
const NO_RESULT: &str = "The tool call did not finish.";

/// Builds the request history from the stored `history` and its tool `calls`
/// (any order; grouped by message and sorted by position here) and the
/// stored `images` and `resources` of each message (by message id, in order).
pub(super) fn request_history(
    system_prompt: Option<&str>,
    history: &[Message],
    calls: &[ToolCallRecord],
    images: &HashMap<i64, Vec<Attachment>>,
    resources: &HashMap<i64, Vec<ResourceAttachment>>,
) -> Vec<ChatMessage> {
    let mut by_message: HashMap<i64, Vec<&ToolCallRecord>> = HashMap::new();
    for call in calls {
        by_message.entry(call.message_id).or_default().push(call);
    }
    for list in by_message.values_mut() {
        list.sort_by_key(|c| c.position);
    }
    let mut out = Vec::with_capacity(history.len() + 1);
    if let Some(system) = system_prompt.filter(|s| !s.trim().is_empty()) {
        out.push(ChatMessage::system(system));
    }
    for message in history {
        match message.role {
            // Tool results are rebuilt from `tool_calls` below.
            Role::Tool => {}
            Role::Assistant => match by_message.get(&message.id) {
                Some(calls) => {
                    out.push(ChatMessage::assistant_with_tool_calls(
                        message.content.clone(),
                        calls.iter().map(|c| as_tool_call(c)).collect(),
                    ));
                    out.extend(calls.iter().map(|c| {
                        ChatMessage::tool_result(
                            &c.call_id,
                            &c.name,
                            c.result_for_model.as_deref().unwrap_or(NO_RESULT),
                            c.is_error || c.result_for_model.is_none(),
                        )
                    }));
                }
                None if message.content.is_empty() => {}
                None => out.push(ChatMessage::assistant(message.content.clone())),
            },
            Role::User => out.push(user_message(
                &message.content,
                images.get(&message.id).cloned().unwrap_or_default(),
                resources.get(&message.id).map_or(&[], Vec::as_slice),
            )),
            role @ Role::System => out.push(ChatMessage::new(role, message.content.clone())),
        }
    }
    out
}

/// A user message as the model reads it: `text` followed by one
/// `<resource>` block per resource, with `images` and then the resources'
/// image blobs as image parts.
pub(super) fn user_message(
    text: &str,
    mut images: Vec<Attachment>,
    resources: &[ResourceAttachment],
) -> ChatMessage {
    images.extend(resources.iter().filter_map(ResourceAttachment::image));
    ChatMessage::user_with_attachments(with_resources(text, resources), images)
}

/// The call as the model made it; unparsable stored arguments become `{}`
/// (the model was told at the time that they were invalid).
fn as_tool_call(record: &ToolCallRecord) -> ToolCall {
    ToolCall {
        id: record.call_id.clone(),
        name: record.name.clone(),
        arguments: serde_json::from_str(&record.arguments)
            .unwrap_or_else(|_| serde_json::Value::Object(serde_json::Map::new())),
        provider_data: record.provider_data.clone(),
    }
}
