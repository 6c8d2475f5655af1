//! `generate`: one completion from a configured model through
//! [`Engine::stream_completion`] (reserved against the limits, billed,
//! recorded with `client` = `mcp:<client name>`); the text streamed as
//! `notifications/progress` when the client sent a progress token; stopped
//! by `notifications/cancelled`.

use rmcp::model::{CallToolResult, JsonObject, ProgressNotificationParam, Tool};
use rmcp::service::{RequestContext, RoleServer};
use serde::Deserialize;
use serde_json::json;
use valechat_core::chat::{CompletionEvent, CompletionRequest, Engine};

use super::request::{
    MessageArg, default_model, error_text, messages, messages_schema, split_model, usage_json,
};
use super::{arguments, failure, success, tool, usd_schema};
use crate::serve::mcp::server::client_label;
use crate::serve::mcp::watch;

/// The tool's name.
pub const NAME: &str = "generate";

/// The tool's definition.
#[must_use]
pub fn definition() -> Tool {
    tool(json!({
        "name": NAME,
        "title": "Generate",
        "description": "Sends a prompt (or a conversation) to one model configured in ValeChat and returns its reply, the tokens used and the cost in USD (a decimal string). The request is checked against ValeChat's spending limits first: a hard limit answers with an error saying which limit, what is spent and what is left. model is provider/model as list_models gives it (default: ValeChat's default model). When the request carries a progress token, the reply streams as notifications/progress whose message is the new text since the previous notification (a delta) and whose progress is the number of characters so far. Cancelling the request stops the model.",
        "inputSchema": {
            "type": "object",
            "properties": {
                "model": {"type": "string", "description": "provider/model, e.g. openai/gpt-4o."},
                "provider": {"type": "string", "description": "Provider id (with model given without its provider)."},
                "prompt": {"type": "string", "description": "The user's message."},
                "messages": messages_schema(),
                "system": {"type": "string", "description": "System prompt."},
                "temperature": {"type": "number", "minimum": 0, "maximum": 2},
                "max_tokens": {"type": "integer", "minimum": 1, "description": "Largest reply, output tokens."},
            },
            "additionalProperties": false,
        },
        "outputSchema": {
            "type": "object",
            "properties": {
                "text": {"type": "string"},
                "provider": {"type": "string"},
                "model": {"type": "string", "description": "The model that answered."},
                "finish_reason": {"type": ["string", "null"]},
                "usage": {"type": "object", "properties": {
                    "input_tokens": {"type": "integer"},
                    "output_tokens": {"type": "integer"},
                    "cost_usd": {"oneOf": [usd_schema("USD."), {"type": "null"}]},
                }},
            },
            "required": ["text", "provider", "model", "usage"],
        },
        "annotations": {"readOnlyHint": false, "destructiveHint": false, "openWorldHint": true},
    }))
}

/// The arguments.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Arguments {
    model: Option<String>,
    provider: Option<String>,
    prompt: Option<String>,
    messages: Option<Vec<MessageArg>>,
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
    let model = match (&args.provider, &args.model) {
        (Some(p), Some(m)) => Ok((p.clone(), m.clone())),
        (None, Some(m)) => split_model(engine, m).await,
        (Some(_), None) => Err("give model with provider".to_owned()),
        (None, None) => default_model(engine).await,
    };
    let (provider, model) = match model {
        Ok(pm) => pm,
        Err(e) => return failure(e),
    };
    if let Some(t) = args.temperature
        && !(0.0..=2.0).contains(&t)
    {
        return failure(format!("temperature must be between 0 and 2, not {t}"));
    }
    let messages = match messages(
        args.system.as_deref(),
        args.prompt.as_deref(),
        args.messages.as_deref(),
    ) {
        Ok(m) => m,
        Err(e) => return failure(e),
    };
    let mut request = CompletionRequest::new(&provider, &model, messages);
    request.temperature = args.temperature;
    request.max_output_tokens = args.max_tokens;
    request.client = Some(client_label(&context));
    let cancel = context.ct.child_token();
    let mut stream = match engine.stream_completion(request, cancel).await {
        Ok(s) => s,
        Err(e) => return failure(error_text(&e)),
    };
    let token = context.meta.get_progress_token();
    let mut chars = 0usize;
    let mut text = String::new();
    let outcome = loop {
        let Some(event) = stream.next().await else {
            break Err("the model's stream ended without a result".to_owned());
        };
        match event {
            CompletionEvent::TextDelta(delta) => {
                chars += delta.chars().count();
                text.push_str(&delta);
                if let Some(token) = &token {
                    let mut progress = ProgressNotificationParam::new(token.clone(), chars as f64);
                    progress.message = Some(delta);
                    // A client gone away ends the request through its cancellation.
                    let _ = context.peer.notify_progress(progress).await;
                }
            }
            CompletionEvent::Finished(completion) => break Ok(*completion),
            CompletionEvent::Failed(error) => break Err(error_text(&error)),
            _ => {}
        }
    };
    watch::ledger_changed();
    match outcome {
        Ok(completion) => {
            let usage = usage_json(&completion);
            let cost = usage["cost_usd"].as_str().unwrap_or("unknown").to_owned();
            let summary = format!(
                "{}\n\n— {provider}/{}, {} input and {} output tokens, {cost} USD",
                completion.text, completion.model, usage["input_tokens"], usage["output_tokens"]
            );
            success(
                summary,
                json!({
                    "text": completion.text,
                    "provider": provider,
                    "model": completion.model,
                    "finish_reason": completion.finish.as_ref().map(|f| f.as_str().to_owned()),
                    "usage": usage,
                }),
            )
        }
        Err(e) if text.is_empty() => failure(e),
        Err(e) => failure(format!("{e}\n\nWhat arrived before:\n{text}")),
    }
}
