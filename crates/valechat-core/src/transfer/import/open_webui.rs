//! Open WebUI's "Export All Chats" JSON (`../shared/notes/IMPORT-FORMATS.md`):
//! `chat.history.messages` is a tree of nodes (`parentId`, `childrenIds`),
//! `chat.history.currentId` the active leaf; each node's `model` is kept,
//! `timestamp` is unix seconds, `done: false` marks an unfinished reply. A
//! `<details type="reasoning">` block in a reply becomes its reasoning.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::Format;
use super::text::{message, seconds_to_ms, untitled};
use crate::model::archive::{ArchivedConversation, ArchivedSampling};

#[derive(Deserialize)]
struct Conversation {
    id: String,
    #[serde(default)]
    title: Option<String>,
    chat: Chat,
    #[serde(default)]
    created_at: Option<f64>,
    #[serde(default)]
    updated_at: Option<f64>,
    #[serde(default)]
    archived: Option<bool>,
}

#[derive(Deserialize)]
struct Chat {
    history: History,
}

#[derive(Deserialize)]
struct History {
    messages: HashMap<String, Node>,
    #[serde(default, rename = "currentId")]
    current_id: Option<String>,
}

#[derive(Deserialize)]
struct Node {
    #[serde(default, rename = "parentId")]
    parent_id: Option<String>,
    #[serde(default, rename = "childrenIds")]
    children_ids: Vec<String>,
    role: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    timestamp: Option<f64>,
    #[serde(default)]
    done: Option<bool>,
}

/// Times in seconds, or in milliseconds in some versions (values past the
/// year 33658 in seconds), as UTC unix milliseconds.
fn to_ms(t: f64) -> i64 {
    if t > 1.0e12 {
        seconds_to_ms(t / 1000.0)
    } else {
        seconds_to_ms(t)
    }
}

/// Reads one Open WebUI conversation.
///
/// # Errors
/// A missing or mistyped field, an unknown role, or a node reached twice.
pub(super) fn convert(value: Value) -> Result<ArchivedConversation, String> {
    let c: Conversation = serde_json::from_value(value).map_err(|e| e.to_string())?;
    let created = c.created_at.map_or(0, to_ms);
    let mut out = ArchivedConversation {
        source: Some(Format::OpenWebUi.source().to_owned()),
        source_id: Some(c.id.clone()),
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
        updated_at: c.updated_at.map_or(created, to_ms),
        active_leaf: None,
        archived: c.archived.unwrap_or(false),
        roots: Vec::new(),
        messages: Vec::new(),
        usage: Vec::new(),
    };
    let nodes = &c.chat.history.messages;
    let mut roots: Vec<&String> = nodes
        .iter()
        .filter(|(_, n)| n.parent_id.as_ref().is_none_or(|p| !nodes.contains_key(p)))
        .map(|(id, _)| id)
        .collect();
    roots.sort_by_key(|id| (nodes[*id].timestamp.map_or(0, to_ms), (*id).clone()));
    let mut keys: HashMap<&str, i64> = HashMap::new();
    let mut stack: Vec<(&String, Option<i64>)> =
        roots.into_iter().rev().map(|r| (r, None)).collect();
    while let Some((id, parent)) = stack.pop() {
        let Some(node) = nodes.get(id) else { continue };
        if keys.contains_key(id.as_str()) {
            return Err(format!("message {id} is reached twice in the history"));
        }
        let role = match node.role.as_str() {
            "user" | "assistant" | "system" => node.role.as_str(),
            other => return Err(format!("unknown role {other:?}")),
        };
        let key = i64::try_from(out.messages.len() + 1).map_err(|e| e.to_string())?;
        let (content, reasoning) = split_reasoning(&node.content);
        let mut m = message(
            key,
            parent,
            role,
            content,
            node.timestamp.map_or(created, to_ms),
        );
        m.reasoning = reasoning;
        if role == "assistant" {
            m.model.clone_from(&node.model);
            if node.done == Some(false) {
                "incomplete".clone_into(&mut m.status);
            }
        }
        out.messages.push(m);
        keys.insert(id, key);
        for child in node.children_ids.iter().rev() {
            stack.push((child, Some(key)));
        }
    }
    out.active_leaf = c
        .chat
        .history
        .current_id
        .as_deref()
        .and_then(|id| keys.get(id).copied())
        .or_else(|| out.messages.last().map(|m| m.key));
    Ok(out)
}

/// Takes the `<details type="reasoning">…</details>` blocks out of
/// `content`: (the rest, their inner text without the `<summary>`).
fn split_reasoning(content: &str) -> (String, String) {
    const OPEN: &str = "<details type=\"reasoning\"";
    const CLOSE: &str = "</details>";
    let mut rest = String::new();
    let mut reasoning = Vec::new();
    let mut text = content;
    while let Some(start) = text.find(OPEN) {
        let Some(end) = text[start..].find(CLOSE).map(|e| start + e) else {
            break;
        };
        rest.push_str(&text[..start]);
        let inner = &text[start..end];
        let inner = inner.find('>').map_or("", |gt| &inner[gt + 1..]);
        let inner = match inner.find("</summary>") {
            Some(s) => &inner[s + "</summary>".len()..],
            None => inner,
        };
        reasoning.push(inner.trim().to_owned());
        text = &text[end + CLOSE.len()..];
    }
    rest.push_str(text);
    (rest.trim().to_owned(), reasoning.join("\n\n"))
}

#[cfg(test)]
mod tests {
    use super::split_reasoning;

    #[test]
    fn reasoning_blocks_are_taken_out() {
        let (text, reasoning) = split_reasoning(
            "<details type=\"reasoning\" done=\"true\">\n<summary>Thought for 2 seconds</summary>\n> hmm\n</details>\nThe answer.",
        );
        assert_eq!(text, "The answer.");
        assert_eq!(reasoning, "> hmm");
    }
}
