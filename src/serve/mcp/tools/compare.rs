//! `compare_models`: one prompt to 2–6 models at once, each column its own
//! [`Engine::stream_completion`] (reserved, billed and recorded
//! separately: a column refused by a limit is that column's error, the
//! others run), with time to first token and total time.

use std::time::Instant;

use rmcp::model::{CallToolResult, JsonObject, Tool};
use rmcp::service::{RequestContext, RoleServer};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use valechat_core::chat::{
    CompletionEvent, CompletionRequest, Engine, MAX_COMPARE_MODELS, MIN_COMPARE_MODELS,
};

use super::request::{error_text, messages, split_model, usage_json};
use super::{arguments, failure, success, tool, usd_schema};
use crate::serve::mcp::server::client_label;
use crate::serve::mcp::watch;

/// The tool's name.
pub const NAME: &str = "compare_models";

/// The tool's definition.
#[must_use]
pub fn definition() -> Tool {
    tool(json!({
        "name": NAME,
        "title": "Compare models",
        "description": format!("Sends one prompt to {MIN_COMPARE_MODELS} to {MAX_COMPARE_MODELS} models configured in ValeChat at once and returns each reply with its time to first token and total time (milliseconds), tokens and cost in USD (a decimal string), plus a Markdown table. Each model is checked against the spending limits on its own: one refused is that column's error, the others run. models are provider/model strings as list_models gives them."),
        "inputSchema": {
            "type": "object",
            "properties": {
                "models": {"type": "array", "items": {"type": "string"},
                           "minItems": MIN_COMPARE_MODELS, "maxItems": MAX_COMPARE_MODELS},
                "prompt": {"type": "string"},
                "system": {"type": "string"},
                "temperature": {"type": "number", "minimum": 0, "maximum": 2},
                "max_tokens": {"type": "integer", "minimum": 1},
            },
            "required": ["models", "prompt"],
            "additionalProperties": false,
        },
        "outputSchema": {
            "type": "object",
            "properties": {
                "columns": {"type": "array", "items": {
                    "type": "object",
                    "properties": {
                        "model": {"type": "string", "description": "provider/model as asked."},
                        "answered_by": {"type": ["string", "null"]},
                        "text": {"type": "string"},
                        "time_to_first_token_ms": {"type": ["integer", "null"]},
                        "total_ms": {"type": "integer"},
                        "input_tokens": {"type": "integer"},
                        "output_tokens": {"type": "integer"},
                        "cost_usd": {"oneOf": [usd_schema("USD."), {"type": "null"}]},
                        "error": {"type": ["string", "null"]},
                    },
                    "required": ["model", "text", "total_ms", "error"],
                }},
            },
            "required": ["columns"],
        },
        "annotations": {"readOnlyHint": false, "destructiveHint": false, "openWorldHint": true},
    }))
}

/// The arguments.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Arguments {
    models: Vec<String>,
    prompt: String,
    system: Option<String>,
    temperature: Option<f32>,
    max_tokens: Option<u32>,
}

/// Runs the tool.
pub async fn run(
    engine: &Engine,
    args: JsonObject,
    context: RequestContext<RoleServer>,
) -> CallToolResult {
    let args: Arguments = match arguments(NAME, args) {
        Ok(a) => a,
        Err(e) => return e,
    };
    if !(MIN_COMPARE_MODELS..=MAX_COMPARE_MODELS).contains(&args.models.len()) {
        return failure(format!(
            "give {MIN_COMPARE_MODELS} to {MAX_COMPARE_MODELS} models, not {}",
            args.models.len()
        ));
    }
    let messages = match messages(args.system.as_deref(), Some(&args.prompt), None) {
        Ok(m) => m,
        Err(e) => return failure(e),
    };
    let mut targets = Vec::new();
    for text in &args.models {
        match split_model(engine, text).await {
            Ok(pm) => targets.push(pm),
            Err(e) => return failure(e),
        }
    }
    let client = client_label(&context);
    let columns = futures::future::join_all(targets.into_iter().zip(&args.models).map(
        |((provider, model), asked)| {
            let mut request = CompletionRequest::new(provider, model, messages.clone());
            request.temperature = args.temperature;
            request.max_output_tokens = args.max_tokens;
            request.client = Some(client.clone());
            column(engine, request, asked.clone(), context.ct.child_token())
        },
    ))
    .await;
    watch::ledger_changed();
    let table = markdown(&columns);
    success(table, json!({"columns": columns}))
}

/// Runs one column to its end.
async fn column(
    engine: &Engine,
    request: CompletionRequest,
    asked: String,
    cancel: CancellationToken,
) -> Value {
    let started = Instant::now();
    let ms = |i: Instant| u64::try_from(i.duration_since(started).as_millis()).unwrap_or(u64::MAX);
    let mut first = None;
    let mut text = String::new();
    let outcome = match engine.stream_completion(request, cancel).await {
        Err(e) => Err(error_text(&e)),
        Ok(mut stream) => loop {
            match stream.next().await {
                None => break Err("the model's stream ended without a result".to_owned()),
                Some(CompletionEvent::TextDelta(delta)) => {
                    first.get_or_insert_with(|| ms(Instant::now()));
                    text.push_str(&delta);
                }
                Some(CompletionEvent::Finished(c)) => break Ok(*c),
                Some(CompletionEvent::Failed(e)) => break Err(error_text(&e)),
                Some(_) => {}
            }
        },
    };
    let total = ms(Instant::now());
    match outcome {
        Ok(completion) => {
            let usage = usage_json(&completion);
            json!({
                "model": asked, "answered_by": completion.model, "text": completion.text,
                "time_to_first_token_ms": first, "total_ms": total,
                "input_tokens": usage["input_tokens"], "output_tokens": usage["output_tokens"],
                "cost_usd": usage["cost_usd"], "error": null,
            })
        }
        Err(error) => json!({
            "model": asked, "answered_by": null, "text": text,
            "time_to_first_token_ms": first, "total_ms": total,
            "input_tokens": 0, "output_tokens": 0, "cost_usd": null, "error": error,
        }),
    }
}

/// The columns as a short Markdown table, then each reply.
fn markdown(columns: &[Value]) -> String {
    let mut out = String::from(
        "| model | first token (ms) | total (ms) | tokens in/out | cost (USD) | error |\n|---|---|---|---|---|---|\n",
    );
    let cell = |v: &Value| match v {
        Value::Null => "–".to_owned(),
        Value::String(s) => s.replace('|', "\\|").replace('\n', " "),
        other => other.to_string(),
    };
    for c in columns {
        out.push_str(&format!(
            "| {} | {} | {} | {}/{} | {} | {} |\n",
            cell(&c["model"]),
            cell(&c["time_to_first_token_ms"]),
            cell(&c["total_ms"]),
            cell(&c["input_tokens"]),
            cell(&c["output_tokens"]),
            cell(&c["cost_usd"]),
            cell(&c["error"])
        ));
    }
    for c in columns {
        out.push_str(&format!(
            "\n## {}\n\n{}\n",
            cell(&c["model"]),
            c["text"].as_str().unwrap_or_default()
        ));
    }
    out
}
