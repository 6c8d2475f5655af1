//! The tools of `valechat mcp serve`, one module each; their definitions
//! (each with an `inputSchema` and an `outputSchema`) and the dispatch of
//! `tools/call`.
//!
//! A tool that runs and fails (bad arguments, an unknown provider, a hard
//! spending limit) answers with a tool error (`isError: true`, the reason
//! in its text); only an unknown tool name is a protocol error.

pub mod compare;
pub mod generate;
pub mod list_models;
pub mod request;
pub mod usage;

use rmcp::ErrorData;
use rmcp::model::{CallToolResult, ContentBlock, JsonObject, Tool};
use rmcp::service::{RequestContext, RoleServer};
use serde_json::{Value, json};

use super::McpServer;

/// Every tool's definition; with `read_only`, only those that spend nothing
/// (`list_models`, `get_usage`).
#[must_use]
pub fn definitions(read_only: bool) -> Vec<Tool> {
    let mut tools = vec![list_models::definition(), usage::definition()];
    if !read_only {
        tools.push(generate::definition());
        tools.push(compare::definition());
    }
    tools
}

/// Runs the tool `name` with `arguments`.
///
/// # Errors
/// [`ErrorData::invalid_params`] for a tool this server does not list (with
/// `--read-only`, the ones that spend).
pub async fn call(
    server: &McpServer,
    name: &str,
    arguments: JsonObject,
    context: RequestContext<RoleServer>,
) -> Result<CallToolResult, ErrorData> {
    let listed = definitions(server.options().read_only)
        .iter()
        .any(|t| t.name == name);
    if !listed {
        return Err(ErrorData::invalid_params(
            format!("unknown tool “{name}”"),
            None,
        ));
    }
    let engine = server.engine();
    Ok(match name {
        list_models::NAME => list_models::run(engine, arguments).await,
        usage::NAME => usage::run(engine, arguments).await,
        generate::NAME => generate::run(engine, arguments, context).await,
        compare::NAME => compare::run(engine, arguments, context).await,
        _ => failure(format!("the tool “{name}” is not available")),
    })
}

/// A tool definition from its JSON form (`name`, `title`, `description`,
/// `inputSchema`, `outputSchema`, `annotations`).
///
/// # Panics
/// When `definition` is not a tool: the definitions are constants of this
/// crate, checked by the tests.
#[must_use]
pub fn tool(definition: Value) -> Tool {
    serde_json::from_value(definition).expect("a tool definition of this crate")
}

/// A successful result: `text` in `content`, `structured` as
/// `structuredContent` (`resultType: "complete"`, which rmcp strips for a
/// client of an older protocol version).
#[must_use]
pub fn success(text: String, structured: Value) -> CallToolResult {
    let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
    result.structured_content = Some(structured);
    result
}

/// A tool error (`isError: true`) saying `text`.
#[must_use]
pub fn failure(text: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(text)])
}

/// The arguments as `T`, or a tool error naming what is wrong.
///
/// # Errors
/// The [`failure`] to answer with.
pub fn arguments<T: serde::de::DeserializeOwned>(
    tool: &str,
    arguments: JsonObject,
) -> Result<T, CallToolResult> {
    serde_json::from_value(Value::Object(arguments))
        .map_err(|e| failure(format!("bad arguments to {tool}: {e}")))
}

/// A JSON Schema for an amount of US dollars written as a decimal string.
#[must_use]
pub fn usd_schema(description: &str) -> Value {
    json!({"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$", "description": description})
}
