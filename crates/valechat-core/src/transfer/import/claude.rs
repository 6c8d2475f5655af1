//! Claude.ai's `conversations.json` (`../shared/notes/IMPORT-FORMATS.md`):
//! `chat_messages` in order, `sender` `human` | `assistant`. The text is
//! the `content` blocks' (`text`; `thinking` becomes the reasoning;
//! `tool_use` and `tool_result` become code blocks) or else `text`;
//! attachments' `extracted_content` is kept as a code block, `files` are
//! noted as not exported. Messages follow `parent_message_uuid` when the
//! export has it (branches), else the one before; the last message is the
//! active leaf. Claude exports name no model.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Deserialize;
use serde_json::Value;

use super::Format;
use super::text::{fence, iso_to_ms, message, untitled};
use crate::i18n::gettext_f;
use crate::model::archive::{ArchivedConversation, ArchivedSampling};

#[derive(Deserialize)]
struct Conversation {
    uuid: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
    chat_messages: Vec<ChatMessage>,
}

#[derive(Deserialize)]
struct ChatMessage {
    #[serde(default)]
    uuid: Option<String>,
    sender: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    content: Vec<Value>,
    #[serde(default)]
    attachments: Vec<Value>,
    #[serde(default)]
    files: Vec<Value>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    parent_message_uuid: Option<String>,
}

/// Reads one Claude conversation.
///
/// # Errors
/// A missing or mistyped field, or a `sender` other than `human` and
/// `assistant`.
pub(super) fn convert(value: Value) -> Result<ArchivedConversation, String> {
    let c: Conversation = serde_json::from_value(value).map_err(|e| e.to_string())?;
    let created = c.created_at.as_deref().and_then(iso_to_ms).unwrap_or(0);
    let mut out = ArchivedConversation {
        source: Some(Format::Claude.source().to_owned()),
        source_id: Some(c.uuid.clone()),
        title: c
            .name
            .clone()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(untitled),
        provider_id: None,
        model: None,
        system_prompt: None,
        temperature: None,
        max_output_tokens: None,
        sampling: ArchivedSampling::default(),
        mcp_servers: None,
        created_at: created,
        updated_at: c
            .updated_at
            .as_deref()
            .and_then(iso_to_ms)
            .unwrap_or(created),
        active_leaf: None,
        archived: false,
        roots: Vec::new(),
        messages: Vec::new(),
        usage: Vec::new(),
    };
    let mut keys: HashMap<String, i64> = HashMap::new();
    let mut previous = None;
    for m in c.chat_messages {
        let role = match m.sender.as_str() {
            "human" => "user",
            "assistant" => "assistant",
            other => return Err(format!("unknown sender {other:?}")),
        };
        let (content, reasoning) = texts(&m);
        if content.trim().is_empty() && reasoning.trim().is_empty() {
            continue;
        }
        let key = i64::try_from(out.messages.len() + 1).map_err(|e| e.to_string())?;
        let parent = match &m.parent_message_uuid {
            Some(uuid) => keys.get(uuid).copied().or(previous),
            None => previous,
        };
        let at = m
            .created_at
            .as_deref()
            .and_then(iso_to_ms)
            .unwrap_or(created);
        let mut archived = message(key, parent, role, content, at);
        archived.reasoning = reasoning;
        out.messages.push(archived);
        if let Some(uuid) = m.uuid {
            keys.insert(uuid, key);
        }
        previous = Some(key);
    }
    out.active_leaf = previous;
    Ok(out)
}

/// The message's text and reasoning.
fn texts(m: &ChatMessage) -> (String, String) {
    let mut text = Vec::new();
    let mut reasoning = Vec::new();
    for block in &m.content {
        let field = |name: &str| block.get(name).and_then(Value::as_str).unwrap_or("");
        match field("type") {
            "text" => text.push(field("text").to_owned()),
            "thinking" => reasoning.push(field("thinking").to_owned()),
            "tool_use" => {
                let input = block.get("input").map(Value::to_string).unwrap_or_default();
                text.push(format!(
                    "*{}*\n\n{}",
                    gettext_f("Tool call: {name}", &[("name", field("name"))]),
                    fence("json", &input)
                ));
            }
            "tool_result" => {
                let result = block.get("content").map_or_else(String::new, |c| match c {
                    Value::String(s) => s.clone(),
                    Value::Array(items) => items
                        .iter()
                        .filter_map(|i| i.get("text").and_then(Value::as_str))
                        .collect::<Vec<_>>()
                        .join("\n"),
                    other => other.to_string(),
                });
                text.push(fence("", &result));
            }
            _ => {}
        }
    }
    let mut content = if text.iter().all(|t| t.trim().is_empty()) {
        m.text.clone().unwrap_or_default()
    } else {
        text.join("\n\n")
    };
    for a in &m.attachments {
        let name = a.get("file_name").and_then(Value::as_str).unwrap_or("");
        if let Some(extracted) = a.get("extracted_content").and_then(Value::as_str) {
            let _ = write!(
                content,
                "\n\n*{}*\n\n{}",
                gettext_f("Attached: {name}", &[("name", name)]),
                fence("", extracted)
            );
        }
    }
    for f in &m.files {
        let name = f.get("file_name").and_then(Value::as_str).unwrap_or("");
        let _ = write!(
            content,
            "\n\n*{}*",
            gettext_f(
                "[A file that was not in the export: {name}]",
                &[("name", name)]
            )
        );
    }
    (content.trim().to_owned(), reasoning.join("\n\n"))
}
