//! Tool results and tool descriptions in ValeChat's terms.
//!
//! - [`ToolOutcome`]: a `tools/call` result (content blocks, structured
//!   content, `isError`, duration).
//! - [`tool_hash`]: a stable hash of a tool's definition, to which a user's
//!   "always allow" is bound; any change in name, description, input schema
//!   or annotations changes it.
//! - [`tool_definition`] / [`namespaced_name`]: a tool as the engine offers
//!   it to a model, named `<server>__<tool>` within the providers'
//!   `^[a-zA-Z0-9_-]{1,64}$` rule.

use rmcp::model::{CallToolResult, Tool};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

use crate::provider::ToolDefinition;

/// One block of a tool result (spec "Tool Result" content types).
#[derive(Debug, Clone, PartialEq)]
pub enum ContentBlock {
    /// Plain text.
    Text {
        /// The text.
        text: String,
    },
    /// An image, base64.
    Image {
        /// Base64 data.
        data: String,
        /// MIME type, e.g. `image/png`.
        mime_type: String,
    },
    /// Audio, base64.
    Audio {
        /// Base64 data.
        data: String,
        /// MIME type.
        mime_type: String,
    },
    /// A link to a resource the client may read.
    ResourceLink {
        /// Resource URI.
        uri: String,
        /// Resource name.
        name: String,
        /// MIME type if given.
        mime_type: Option<String>,
    },
    /// A resource embedded in the result.
    Resource {
        /// Resource URI.
        uri: String,
        /// MIME type if given.
        mime_type: Option<String>,
        /// Text contents, if textual.
        text: Option<String>,
        /// Base64 contents, if binary.
        blob: Option<String>,
    },
    /// A block type this version does not know, kept as JSON.
    Other(Value),
}

impl ContentBlock {
    /// Reads one block from its JSON form (`{"type":"text","text":…}`…).
    pub fn from_json(value: Value) -> Self {
        let str_of = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
        match value.get("type").and_then(Value::as_str) {
            Some("text") => Self::Text {
                text: str_of("text").unwrap_or_default(),
            },
            Some("image") => Self::Image {
                data: str_of("data").unwrap_or_default(),
                mime_type: str_of("mimeType").unwrap_or_default(),
            },
            Some("audio") => Self::Audio {
                data: str_of("data").unwrap_or_default(),
                mime_type: str_of("mimeType").unwrap_or_default(),
            },
            Some("resource_link") => Self::ResourceLink {
                uri: str_of("uri").unwrap_or_default(),
                name: str_of("name").unwrap_or_default(),
                mime_type: str_of("mimeType"),
            },
            Some("resource") => {
                let inner = value.get("resource").cloned().unwrap_or(Value::Null);
                let field = |key: &str| inner.get(key).and_then(Value::as_str).map(str::to_owned);
                Self::Resource {
                    uri: field("uri").unwrap_or_default(),
                    mime_type: field("mimeType"),
                    text: field("text"),
                    blob: field("blob"),
                }
            }
            _ => Self::Other(value),
        }
    }
}

/// The result of one `tools/call`.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutcome {
    /// Unstructured content, in order.
    pub content: Vec<ContentBlock>,
    /// `structuredContent` (checked against `outputSchema` by the server).
    pub structured: Option<Value>,
    /// `isError`: the tool ran and reports a failure (the model should see it).
    pub is_error: bool,
    /// Wall time from sending the request to the answer, milliseconds.
    pub duration_ms: u64,
}

impl ToolOutcome {
    /// Converts rmcp's result.
    pub fn from_result(result: CallToolResult, duration_ms: u64) -> Self {
        let json = serde_json::to_value(&result).unwrap_or(Value::Null);
        let content = json
            .get("content")
            .and_then(Value::as_array)
            .map(|blocks| {
                blocks
                    .iter()
                    .cloned()
                    .map(ContentBlock::from_json)
                    .collect()
            })
            .unwrap_or_default();
        Self {
            content,
            structured: result.structured_content,
            is_error: json
                .get("isError")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            duration_ms,
        }
    }

    /// The text blocks joined with newlines (what a text-only model sees).
    #[must_use]
    pub fn text(&self) -> String {
        self.content
            .iter()
            .filter_map(|block| match block {
                ContentBlock::Text { text } => Some(text.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Serialises `value` with object keys sorted (canonical JSON).
fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let fields: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&map[k])))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => {
            format!(
                "[{}]",
                items.iter().map(canonical).collect::<Vec<_>>().join(",")
            )
        }
        other => other.to_string(),
    }
}

/// Lowercase hex SHA-256 of the canonical JSON of
/// `{name, description, inputSchema, annotations}` (absent fields `null`).
#[must_use]
pub fn tool_hash(tool: &Tool) -> String {
    let value = serde_json::json!({
        "name": tool.name,
        "description": tool.description,
        "inputSchema": Value::Object((*tool.input_schema).clone()),
        "annotations": tool.annotations.as_ref().and_then(|a| serde_json::to_value(a).ok()),
    });
    let digest = Sha256::digest(canonical(&value).as_bytes());
    digest.iter().fold(String::with_capacity(64), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

/// Longest tool name providers accept.
pub const MAX_TOOL_NAME: usize = 64;

/// `<server>__<tool>` with every character outside `[a-zA-Z0-9_-]` replaced
/// by `_`. Longer than 64 characters: cut to 55 and suffixed with `_` and
/// the first 8 hex digits of the SHA-256 of the full name, so distinct long
/// names stay distinct. The engine maps names back through its own table.
#[must_use]
pub fn namespaced_name(server_id: &str, tool: &str) -> String {
    let full: String = format!("{server_id}__{tool}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if full.len() <= MAX_TOOL_NAME {
        return full;
    }
    let digest = Sha256::digest(full.as_bytes());
    let hex = digest
        .iter()
        .take(4)
        .fold(String::with_capacity(8), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        });
    format!("{}_{hex}", &full[..MAX_TOOL_NAME - 9])
}

/// The engine's view of `tool` from server `server_id`.
#[must_use]
pub fn tool_definition(server_id: &str, tool: &Tool) -> ToolDefinition {
    ToolDefinition {
        name: namespaced_name(server_id, &tool.name),
        description: tool.description.as_deref().unwrap_or_default().to_owned(),
        parameters: Value::Object((*tool.input_schema).clone()),
    }
}

/// Hints from a tool's annotations, defaults per the spec when absent
/// (read-only false, destructive true, idempotent false, open-world true).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "the four boolean tool annotations of the MCP specification"
)]
pub struct ToolHints {
    /// Does not modify its environment.
    pub read_only: bool,
    /// May perform destructive updates (meaningful when not read-only).
    pub destructive: bool,
    /// Calling again with the same arguments has no extra effect.
    pub idempotent: bool,
    /// Interacts with an open world (e.g. the web).
    pub open_world: bool,
}

/// The hints of `tool`.
#[must_use]
pub fn tool_hints(tool: &Tool) -> ToolHints {
    let a = tool.annotations.as_ref();
    ToolHints {
        read_only: a.and_then(|a| a.read_only_hint).unwrap_or(false),
        destructive: a.and_then(|a| a.destructive_hint).unwrap_or(true),
        idempotent: a.and_then(|a| a.idempotent_hint).unwrap_or(false),
        open_world: a.and_then(|a| a.open_world_hint).unwrap_or(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool(description: &str) -> Tool {
        serde_json::from_value(serde_json::json!({
            "name": "echo",
            "description": description,
            "inputSchema": {"type": "object", "properties": {"b": {}, "a": {}}},
            "annotations": {"readOnlyHint": true}
        }))
        .unwrap()
    }

    #[test]
    fn hash_changes_with_the_description_only() {
        let h = tool_hash(&tool("Echoes"));
        assert_eq!(h.len(), 64);
        assert_eq!(h, tool_hash(&tool("Echoes")));
        assert_ne!(h, tool_hash(&tool("Echoes back")));
        assert!(
            canonical(&serde_json::json!({"b":1,"a":[{"d":1,"c":2}]}))
                .starts_with(r#"{"a":[{"c":2"#)
        );
    }

    #[test]
    fn names_follow_the_provider_rule() {
        assert_eq!(namespaced_name("files", "read.file"), "files__read_file");
        let long = namespaced_name("server", &"x".repeat(100));
        assert_eq!(long.len(), MAX_TOOL_NAME);
        assert_ne!(long, namespaced_name("server", &"x".repeat(101)));
        assert!(
            long.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        );
    }

    #[test]
    fn hints_and_definition() {
        let t = tool("Echoes");
        let hints = tool_hints(&t);
        assert!(hints.read_only && hints.destructive && !hints.idempotent);
        let def = tool_definition("ev", &t);
        assert_eq!(def.name, "ev__echo");
        assert_eq!(def.parameters["type"], "object");
    }

    #[test]
    fn content_blocks_parse() {
        let block = ContentBlock::from_json(serde_json::json!({
            "type": "resource", "resource": {"uri": "demo://1", "text": "hi"}
        }));
        assert_eq!(
            block,
            ContentBlock::Resource {
                uri: "demo://1".into(),
                mime_type: None,
                text: Some("hi".into()),
                blob: None
            }
        );
        assert!(matches!(
            ContentBlock::from_json(serde_json::json!({"type": "image", "data": "AA", "mimeType": "image/png"})),
            ContentBlock::Image { mime_type, .. } if mime_type == "image/png"
        ));
    }
}
