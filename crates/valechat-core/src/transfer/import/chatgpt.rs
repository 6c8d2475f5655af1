//! ChatGPT's `conversations.json` (`../shared/notes/IMPORT-FORMATS.md`):
//! each conversation's `mapping` is a tree of nodes, `current_node` its
//! active leaf. Nodes without a message, hidden system nodes, custom
//! instructions and empty messages are skipped (their children hang on
//! the nearest kept ancestor); `thoughts` become the reasoning of the
//! reply below them; `multimodal_text` keeps its text and notes the images
//! not exported; `code`, `execution_output` and `tether_quote` become code
//! blocks or quotes; `model_slug` is the model; `in_progress` replies are
//! incomplete. Tool messages are kept as assistant messages.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Deserialize;
use serde_json::Value;

use super::Format;
use super::text::{fence, image_not_exported, message, seconds_to_ms, untitled};
use crate::model::archive::{ArchivedConversation, ArchivedSampling};

#[derive(Deserialize)]
struct Conversation {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    create_time: Option<f64>,
    #[serde(default)]
    update_time: Option<f64>,
    mapping: HashMap<String, Node>,
    #[serde(default)]
    current_node: Option<String>,
    #[serde(default, rename = "conversation_id")]
    source_id: Option<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    is_archived: Option<bool>,
}

#[derive(Deserialize)]
struct Node {
    #[serde(default)]
    message: Option<Message>,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    children: Vec<String>,
}

#[derive(Deserialize)]
struct Message {
    author: Author,
    #[serde(default)]
    create_time: Option<f64>,
    #[serde(default)]
    content: Option<Value>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    metadata: Option<Value>,
}

#[derive(Deserialize)]
struct Author {
    role: String,
}

/// What a node becomes.
enum Kept {
    /// A message: role, content, reasoning carried from `thoughts` nodes.
    Message { role: &'static str, content: String },
    /// Reasoning for the reply below.
    Reasoning(String),
    /// Nothing.
    Skip,
}

/// Reads one ChatGPT conversation.
///
/// # Errors
/// A missing or mistyped field, or a `mapping` whose parents form a cycle.
pub(super) fn convert(value: Value) -> Result<ArchivedConversation, String> {
    let c: Conversation = serde_json::from_value(value).map_err(|e| e.to_string())?;
    let created = c.create_time.map_or(0, seconds_to_ms);
    let mut out = ArchivedConversation {
        source: Some(Format::ChatGpt.source().to_owned()),
        source_id: c.source_id.clone().or(c.id.clone()),
        title: c
            .title
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
        updated_at: c.update_time.map_or(created, seconds_to_ms),
        active_leaf: None,
        archived: c.is_archived.unwrap_or(false),
        roots: Vec::new(),
        messages: Vec::new(),
        usage: Vec::new(),
    };
    // Roots: nodes without a parent, or whose parent is not in the mapping.
    let mut roots: Vec<&String> = c
        .mapping
        .iter()
        .filter(|(_, n)| n.parent.as_ref().is_none_or(|p| !c.mapping.contains_key(p)))
        .map(|(id, _)| id)
        .collect();
    roots.sort();
    // Depth first, iteratively (long conversations are deep trees): each
    // entry is a node, the key of its nearest kept ancestor, and the
    // reasoning waiting for the next reply.
    let mut key_of: HashMap<&str, Option<i64>> = HashMap::new();
    let mut stack: Vec<(&String, Option<i64>, String)> = roots
        .into_iter()
        .rev()
        .map(|r| (r, None, String::new()))
        .collect();
    while let Some((id, parent, mut reasoning)) = stack.pop() {
        if key_of.contains_key(id.as_str()) {
            return Err(format!("node {id} is reached twice in the mapping"));
        }
        let Some(node) = c.mapping.get(id) else {
            continue;
        };
        let mut here = parent;
        match node.message.as_ref().map(|m| (m, kept(m))) {
            None | Some((_, Kept::Skip)) => {}
            Some((_, Kept::Reasoning(text))) => {
                if !reasoning.is_empty() {
                    reasoning.push_str("\n\n");
                }
                reasoning.push_str(&text);
            }
            Some((m, Kept::Message { role, content })) => {
                let key = i64::try_from(out.messages.len() + 1).map_err(|e| e.to_string())?;
                let mut archived = message(
                    key,
                    parent,
                    role,
                    content,
                    m.create_time.map_or(created, seconds_to_ms),
                );
                if role == "assistant" {
                    archived.reasoning = std::mem::take(&mut reasoning);
                    archived.model = m
                        .metadata
                        .as_ref()
                        .and_then(|md| md.get("model_slug"))
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                }
                if m.status.as_deref() == Some("in_progress") {
                    "incomplete".clone_into(&mut archived.status);
                }
                out.messages.push(archived);
                here = Some(key);
            }
        }
        key_of.insert(id, here);
        for child in node.children.iter().rev() {
            stack.push((child, here, reasoning.clone()));
        }
    }
    out.active_leaf = match &c.current_node {
        Some(current) => key_of.get(current.as_str()).copied().flatten(),
        None => None,
    }
    .or_else(|| out.messages.last().map(|m| m.key));
    Ok(out)
}

/// What `m` becomes.
fn kept(m: &Message) -> Kept {
    let hidden = m
        .metadata
        .as_ref()
        .and_then(|md| md.get("is_visually_hidden_from_conversation"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let role = match m.author.role.as_str() {
        "user" => "user",
        "system" => "system",
        _ => "assistant",
    };
    let Some(content) = &m.content else {
        return Kept::Skip;
    };
    let kind = content
        .get("content_type")
        .and_then(Value::as_str)
        .unwrap_or("text");
    let text = match kind {
        "user_editable_context" | "reasoning_recap" => return Kept::Skip,
        "thoughts" => {
            let thoughts = content.get("thoughts").and_then(Value::as_array);
            let text = thoughts
                .into_iter()
                .flatten()
                .filter_map(|t| t.get("content").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join("\n\n");
            return if text.trim().is_empty() {
                Kept::Skip
            } else {
                Kept::Reasoning(text)
            };
        }
        "code" => fence(
            content
                .get("language")
                .and_then(Value::as_str)
                .filter(|l| *l != "unknown")
                .unwrap_or(""),
            content.get("text").and_then(Value::as_str).unwrap_or(""),
        ),
        "execution_output" => fence(
            "",
            content.get("text").and_then(Value::as_str).unwrap_or(""),
        ),
        "tether_quote" => {
            let text = content.get("text").and_then(Value::as_str).unwrap_or("");
            let mut quote = format!("> {}", text.trim().replace('\n', "\n> "));
            if let Some(url) = content.get("url").and_then(Value::as_str) {
                let _ = write!(quote, "\n>\n> <{url}>");
            }
            quote
        }
        _ => parts_text(content),
    };
    if text.trim().is_empty() || (hidden && role == "system") {
        Kept::Skip
    } else {
        Kept::Message {
            role,
            content: text,
        }
    }
}

/// The text of `parts` (strings, objects with `text`, and a note for each
/// image), or of `text`.
fn parts_text(content: &Value) -> String {
    let Some(parts) = content.get("parts").and_then(Value::as_array) else {
        return content
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
    };
    let mut pieces = Vec::new();
    for part in parts {
        match part {
            Value::String(s) if !s.trim().is_empty() => pieces.push(s.clone()),
            Value::Object(o) => {
                if o.get("content_type").and_then(Value::as_str) == Some("image_asset_pointer") {
                    pieces.push(image_not_exported());
                } else if let Some(t) = o.get("text").and_then(Value::as_str) {
                    pieces.push(t.to_owned());
                }
            }
            _ => {}
        }
    }
    pieces.join("\n\n")
}
