//! `mcp tools|call|resources|read|prompts`: each connects to the server
//! (disabled ones too: the user asked), runs one request, caches the
//! protocol era it learned and shuts the server down.

use std::process::ExitCode;

use base64::Engine as _;
use rmcp::model::ResourceContents;
use tokio_util::sync::CancellationToken;

use super::find;
use valechat_core::chat::Engine;
use valechat_core::mcp::content::tool_hints;
use valechat_core::mcp::{CallOptions, ClientHooks, ContentBlock, McpConnection, ServerLog};

/// Connects to the server called `name`.
async fn connect(engine: &Engine, name: &str) -> anyhow::Result<McpConnection> {
    let config = find(engine, name).await?;
    let connection = McpConnection::connect(
        &config,
        engine.keys().as_ref(),
        ClientHooks {
            elicitor: Some(crate::cli::elicitation::for_this_terminal()),
            ..ClientHooks::default()
        },
        ServerLog::default(),
    )
    .await?;
    if config.era.as_ref() != Some(connection.era()) {
        // Only a cache: a failure costs the next start a probe.
        let _ = engine
            .store()
            .set_mcp_server_era(&config.id, Some(connection.era()))
            .await;
    }
    Ok(connection)
}

/// Runs `work` on a connection to `name`, then shuts it down.
async fn with_connection<T>(
    engine: &Engine,
    name: &str,
    work: impl AsyncFnOnce(&McpConnection) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let connection = connect(engine, name).await?;
    let result = work(&connection).await;
    connection.shutdown().await;
    result
}

/// The first line of an optional description, or `-`.
fn first_line(text: Option<&str>) -> &str {
    text.and_then(|t| t.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or("-")
}

/// Decoded size of base64 `data`, bytes.
fn decoded_len(data: &str) -> usize {
    base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_or(data.len() / 4 * 3, |bytes| bytes.len())
}

/// `mcp tools`: `name  title  hints  description` per tool.
pub async fn tools(engine: &Engine, name: &str) -> anyhow::Result<ExitCode> {
    let tools = with_connection(engine, name, async |c| Ok(c.list_tools().await?)).await?;
    for tool in tools {
        let hints = tool_hints(&tool);
        let mut flags = Vec::new();
        if hints.read_only {
            flags.push("read-only");
        }
        if hints.destructive && !hints.read_only {
            flags.push("destructive");
        }
        let title = tool
            .title
            .as_deref()
            .or_else(|| tool.annotations.as_ref().and_then(|a| a.title.as_deref()))
            .unwrap_or("-");
        let flags = if flags.is_empty() {
            "-".to_owned()
        } else {
            flags.join(",")
        };
        println!(
            "{}\t{}\t{}\t{}",
            tool.name,
            title,
            flags,
            first_line(tool.description.as_deref())
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `mcp call`: prints the result; exit status 1 when `isError`.
pub async fn call(
    engine: &Engine,
    name: &str,
    tool: &str,
    args: &str,
    timeout_ms: u64,
) -> anyhow::Result<ExitCode> {
    let args: serde_json::Value =
        serde_json::from_str(args).map_err(|e| anyhow::anyhow!("--args is not valid JSON: {e}"))?;
    anyhow::ensure!(
        args.is_object(),
        "--args must be a JSON object, e.g. '{{\"message\": \"hi\"}}'"
    );
    let options = CallOptions {
        timeout_ms,
        total_cap_ms: CallOptions::default().total_cap_ms.max(timeout_ms),
        progress: None,
    };
    let outcome = with_connection(engine, name, async |c| {
        Ok(c.call_tool(tool, args, options, CancellationToken::new())
            .await?)
    })
    .await?;
    for block in &outcome.content {
        println!("{}", render(block));
    }
    if let Some(structured) = &outcome.structured {
        println!("{}", serde_json::to_string_pretty(structured)?);
    }
    Ok(if outcome.is_error {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// One content block as terminal text.
fn render(block: &ContentBlock) -> String {
    match block {
        ContentBlock::Text { text } => text.clone(),
        ContentBlock::Image { data, mime_type } => {
            format!("[image {mime_type}, {} bytes]", decoded_len(data))
        }
        ContentBlock::Audio { data, mime_type } => {
            format!("[audio {mime_type}, {} bytes]", decoded_len(data))
        }
        ContentBlock::ResourceLink { uri, name, .. } => format!("[resource link {name}: {uri}]"),
        ContentBlock::Resource {
            uri,
            mime_type,
            text,
            blob,
        } => match (text, blob) {
            (Some(text), _) => text.clone(),
            (None, Some(blob)) => format!(
                "[resource {uri} {}, {} bytes]",
                mime_type.as_deref().unwrap_or("?"),
                decoded_len(blob)
            ),
            (None, None) => format!("[resource {uri}]"),
        },
        ContentBlock::Other(json) => json.to_string(),
    }
}

/// `mcp resources`: `uri  name  mime` per resource, then templates.
pub async fn resources(engine: &Engine, name: &str) -> anyhow::Result<ExitCode> {
    let (resources, templates) = with_connection(engine, name, async |c| {
        let resources = c.list_resources().await?;
        // Servers without templates may refuse the request.
        let templates = c.list_resource_templates().await.unwrap_or_default();
        Ok((resources, templates))
    })
    .await?;
    for r in resources {
        println!(
            "{}\t{}\t{}",
            r.uri,
            r.name,
            r.mime_type.as_deref().unwrap_or("-")
        );
    }
    for t in templates {
        println!(
            "{}\t{}\t{}\ttemplate",
            t.uri_template,
            t.name,
            t.mime_type.as_deref().unwrap_or("-")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `mcp read`: text contents as is, binary ones as `[blob mime, N bytes]`.
pub async fn read(engine: &Engine, name: &str, uri: &str) -> anyhow::Result<ExitCode> {
    let result = with_connection(engine, name, async |c| Ok(c.read_resource(uri).await?)).await?;
    for contents in result.contents {
        match contents {
            ResourceContents::TextResourceContents { text, .. } => println!("{text}"),
            ResourceContents::BlobResourceContents {
                blob, mime_type, ..
            } => println!(
                "[blob {}, {} bytes]",
                mime_type.as_deref().unwrap_or("?"),
                decoded_len(&blob)
            ),
            other => println!("{}", serde_json::to_string(&other)?),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `mcp prompts`: `name  arguments  description`; required arguments end
/// with `*`.
pub async fn prompts(engine: &Engine, name: &str) -> anyhow::Result<ExitCode> {
    let prompts = with_connection(engine, name, async |c| Ok(c.list_prompts().await?)).await?;
    for prompt in prompts {
        let args: Vec<String> = prompt
            .arguments
            .iter()
            .flatten()
            .map(|a| {
                let star = if a.required == Some(true) { "*" } else { "" };
                format!("{}{star}", a.name)
            })
            .collect();
        let args = if args.is_empty() {
            "-".to_owned()
        } else {
            args.join(",")
        };
        println!(
            "{}\t{}\t{}",
            prompt.name,
            args,
            first_line(prompt.description.as_deref())
        );
    }
    Ok(ExitCode::SUCCESS)
}
