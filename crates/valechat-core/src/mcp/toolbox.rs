//! The engine's [`ToolBox`] over the running MCP servers: the tools of
//! every ready server, offered as `<server>__<tool>`, and calls sent to the
//! right connection with a timeout that resets on progress and a total cap
//! (issue 4, "Tools").

use std::collections::HashSet;
use std::sync::Arc;

use rmcp::model::Tool;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::McpError;
use super::config::{ServerConfig, Transport};
use super::connection::CallOptions;
use super::content::{ContentBlock, ToolOutcome, tool_definition, tool_hash};
use super::handler::ProgressCallback;
use super::registry::{McpServers, ServerState};
use crate::chat::{OfferedTool, ToolBox, ToolError, ToolHints, ToolOutput, ToolProgress};

/// Offers the tools of `servers` to models.
#[derive(Debug, Clone)]
pub struct McpToolBox {
    servers: McpServers,
    /// Idle timeout of a call, milliseconds (reset by each progress update).
    pub timeout_ms: u64,
    /// Cap on a whole call, milliseconds.
    pub total_cap_ms: u64,
}

impl McpToolBox {
    /// A tool box over `servers` with [`CallOptions`]' default limits
    /// (60 s idle, 10 min total).
    #[must_use]
    pub fn new(servers: McpServers) -> Self {
        let defaults = CallOptions::default();
        Self {
            servers,
            timeout_ms: defaults.timeout_ms,
            total_cap_ms: defaults.total_cap_ms,
        }
    }

    /// The registry this tool box draws from.
    #[must_use]
    pub fn servers(&self) -> &McpServers {
        &self.servers
    }
}

#[async_trait::async_trait]
impl ToolBox for McpToolBox {
    async fn tools(&self) -> Vec<OfferedTool> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (server_id, tool) in self.servers.tools() {
            let Some(config) = self.servers.config(&server_id) else {
                continue;
            };
            let offered = offered_tool(&config, &tool);
            // Two tools whose names collapse to the same model-facing name:
            // the first (by server id, then name) wins; the other is logged.
            if seen.insert(offered.definition.name.clone()) {
                out.push(offered);
            } else {
                tracing::warn!(
                    server = %server_id,
                    tool = %tool.name,
                    "tool name collides with another server's tool; not offered"
                );
            }
        }
        out
    }

    async fn call(
        &self,
        tool: &OfferedTool,
        arguments: Value,
        progress: mpsc::UnboundedSender<ToolProgress>,
        cancel: CancellationToken,
    ) -> Result<ToolOutput, ToolError> {
        let Some(connection) = self.servers.connection(&tool.server_id) else {
            return Err(ToolError::ServerUnavailable {
                server: tool.server_name.clone(),
                reason: unavailable_reason(self.servers.state(&tool.server_id)),
            });
        };
        let on_progress: ProgressCallback = Arc::new(move |done, total, message| {
            let _ = progress.send(ToolProgress {
                progress: done,
                total,
                message,
            });
        });
        let options = CallOptions {
            timeout_ms: self.timeout_ms,
            total_cap_ms: self.total_cap_ms,
            progress: Some(on_progress),
        };
        match connection
            .call_tool(&tool.tool_name, arguments, options, cancel)
            .await
        {
            Ok(outcome) => Ok(tool_output(&outcome)),
            Err(McpError::Cancelled { .. }) => Err(ToolError::Cancelled),
            Err(McpError::Timeout { timeout_ms, .. }) => Err(ToolError::Timeout { timeout_ms }),
            // The model never reads the server's stderr (it may hold
            // tokens); the person finds it in the server's log.
            Err(e) => Err(ToolError::Failed(e.without_stderr())),
        }
    }
}

/// A tool of `config`'s server as the engine offers it.
#[must_use]
pub fn offered_tool(config: &ServerConfig, tool: &Tool) -> OfferedTool {
    OfferedTool {
        definition: tool_definition(&config.id, tool),
        server_id: config.id.clone(),
        server_name: config.name.clone(),
        server_binding: server_binding(config),
        tool_name: tool.name.to_string(),
        definition_hash: tool_hash(tool),
        hints: hints(tool),
    }
}

/// What a permission is bound to: the command line of a stdio server
/// (command and arguments, space-separated) or the URL of a remote one.
pub fn server_binding(config: &ServerConfig) -> String {
    match &config.transport {
        Transport::Stdio { command, args, .. } => std::iter::once(command.as_str())
            .chain(args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" "),
        Transport::Http { url, .. } | Transport::WebSocket { url } => url.clone(),
    }
}

/// The hints exactly as the server gave them (absent stays `None`: the
/// approval dialog says only what the server said).
fn hints(tool: &Tool) -> ToolHints {
    let a = tool.annotations.as_ref();
    ToolHints {
        title: tool
            .title
            .clone()
            .or_else(|| a.and_then(|a| a.title.clone())),
        read_only: a.and_then(|a| a.read_only_hint),
        destructive: a.and_then(|a| a.destructive_hint),
        idempotent: a.and_then(|a| a.idempotent_hint),
        open_world: a.and_then(|a| a.open_world_hint),
    }
}

fn unavailable_reason(state: Option<ServerState>) -> String {
    match state {
        Some(ServerState::Starting) => "it is still starting".into(),
        Some(ServerState::Disabled) => "it is disabled".into(),
        Some(ServerState::Failed { reason, .. }) => reason,
        Some(ServerState::NeedsSignIn { reason }) => format!("it needs a sign-in ({reason})"),
        Some(ServerState::Ready { .. }) | None => "it is not running".into(),
    }
}

/// The result for the model (text) and for the person (full JSON).
pub fn tool_output(outcome: &ToolOutcome) -> ToolOutput {
    let mut parts: Vec<String> = outcome.content.iter().map(block_text).collect();
    parts.retain(|p| !p.is_empty());
    if parts.is_empty()
        && let Some(structured) = &outcome.structured
    {
        parts.push(structured.to_string());
    }
    let content: Vec<Value> = outcome.content.iter().map(block_json).collect();
    let mut full = json!({"content": content, "isError": outcome.is_error});
    if let Some(structured) = &outcome.structured {
        full["structuredContent"] = structured.clone();
    }
    ToolOutput {
        text: parts.join("\n\n"),
        full,
        is_error: outcome.is_error,
    }
}

/// One block as text for the model; binary blocks are described.
fn block_text(block: &ContentBlock) -> String {
    match block {
        ContentBlock::Text { text } => text.clone(),
        ContentBlock::Image { data, mime_type } => {
            format!("[image {mime_type}, {} bytes of base64]", data.len())
        }
        ContentBlock::Audio { data, mime_type } => {
            format!("[audio {mime_type}, {} bytes of base64]", data.len())
        }
        ContentBlock::ResourceLink { uri, name, .. } => format!("[resource link {name}: {uri}]"),
        ContentBlock::Resource { uri, text, .. } => match text {
            Some(text) => format!("[resource {uri}]\n{text}"),
            None => format!("[binary resource {uri}]"),
        },
        ContentBlock::Other(value) => value.to_string(),
    }
}

/// One block back in its MCP JSON form (specification, "Tool Result").
fn block_json(block: &ContentBlock) -> Value {
    match block {
        ContentBlock::Text { text } => json!({"type": "text", "text": text}),
        ContentBlock::Image { data, mime_type } => {
            json!({"type": "image", "data": data, "mimeType": mime_type})
        }
        ContentBlock::Audio { data, mime_type } => {
            json!({"type": "audio", "data": data, "mimeType": mime_type})
        }
        ContentBlock::ResourceLink {
            uri,
            name,
            mime_type,
        } => json!({"type": "resource_link", "uri": uri, "name": name, "mimeType": mime_type}),
        ContentBlock::Resource {
            uri,
            mime_type,
            text,
            blob,
        } => json!({"type": "resource", "resource":
            {"uri": uri, "mimeType": mime_type, "text": text, "blob": blob}}),
        ContentBlock::Other(value) => value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_goes_to_the_model_and_everything_to_the_person() {
        let outcome = ToolOutcome {
            content: vec![
                ContentBlock::Text {
                    text: "Sum: 5".into(),
                },
                ContentBlock::Image {
                    data: "aGVsbG8=".into(),
                    mime_type: "image/png".into(),
                },
            ],
            structured: Some(json!({"sum": 5})),
            is_error: false,
            duration_ms: 3,
        };
        let output = tool_output(&outcome);
        assert_eq!(
            output.text,
            "Sum: 5\n\n[image image/png, 8 bytes of base64]"
        );
        assert_eq!(output.full["content"][1]["mimeType"], "image/png");
        assert_eq!(output.full["structuredContent"]["sum"], 5);
        assert!(!output.is_error);
    }

    #[test]
    fn structured_content_alone_is_sent_as_json() {
        let outcome = ToolOutcome {
            content: vec![],
            structured: Some(json!({"temperature": 21.5})),
            is_error: true,
            duration_ms: 1,
        };
        let output = tool_output(&outcome);
        assert_eq!(output.text, r#"{"temperature":21.5}"#);
        assert!(output.is_error);
    }
}
