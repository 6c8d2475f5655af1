//! The server's messages built from the engine's values
//! (`docs/api/websocket.md`): money as decimal strings (USD), times as
//! RFC 3339 UTC, token counts as integers.

use serde_json::{Value, json};
use valechat_core::chat::{EngineError, TurnEvent};
use valechat_core::ledger::{LimitAlert, LimitUse, UsageRecord};
use valechat_core::store::{Conversation, Message, ToolCallRecord};

use super::protocol::VERSION;

/// UTC unix milliseconds as RFC 3339 UTC (`2026-12-08T01:02:03.004Z`).
pub fn time(ms: i64) -> Value {
    chrono::DateTime::from_timestamp_millis(ms).map_or(Value::Null, |t| {
        Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
    })
}

/// `body` (an object with `type`) with `"v"` added.
pub fn versioned(mut body: Value) -> Value {
    if let Some(object) = body.as_object_mut() {
        object.insert("v".into(), json!(VERSION));
    }
    body
}

/// A conversation's summary (`list_conversations`, `get_conversation`).
pub fn conversation(c: &Conversation) -> Value {
    json!({
        "id": c.id,
        "title": c.title,
        "provider": c.provider_id,
        "model": c.model,
        "system_prompt": c.system_prompt,
        "created_at": time(c.created_at),
        "updated_at": time(c.updated_at),
    })
}

/// A stored message with the usage of the requests that wrote it
/// (`records`: those of its conversation; summed over the message's own).
pub fn message(m: &Message, records: &[UsageRecord]) -> Value {
    let own: Vec<&UsageRecord> = records
        .iter()
        .filter(|r| r.message_id == Some(m.id))
        .collect();
    let usage = (!own.is_empty()).then(|| {
        let input: i64 = own.iter().map(|r| r.tokens.input).sum();
        let output: i64 = own.iter().map(|r| r.tokens.output).sum();
        let cost: rust_decimal::Decimal = own.iter().map(|r| r.cost_usd).sum();
        json!({"input_tokens": input, "output_tokens": output, "cost_usd": cost.to_string()})
    });
    json!({
        "id": m.id,
        "conversation_id": m.conversation_id,
        "parent_id": m.parent_id,
        "role": m.role.as_str(),
        "content": m.content,
        "reasoning": m.reasoning,
        "status": m.status.as_str(),
        "provider": m.provider_id,
        "model": m.model,
        "finish_reason": m.finish_reason,
        "error": m.error,
        "created_at": time(m.created_at),
        "usage": usage,
    })
}

fn tool_call(call: &ToolCallRecord) -> Value {
    json!({
        "tool_call_id": call.id,
        "name": call.name,
        "server": call.server_id,
        "tool": call.tool_name,
    })
}

fn limit_use(l: &LimitUse) -> Value {
    json!({
        "limit": l.limit.describe(),
        "hard": l.limit.hard,
        "amount_usd": l.limit.amount_usd.to_string(),
        "spent_usd": l.spent.to_string(),
        "remaining_usd": l.remaining().to_string(),
        "period": l.period.key,
    })
}

fn limit_alert(a: &LimitAlert) -> Value {
    json!({
        "limit": a.limit.describe(),
        "hard": a.limit.hard,
        "amount_usd": a.limit.amount_usd.to_string(),
        "threshold_percent": a.threshold,
        "period": a.period_key,
        "spent_usd": a.spent.to_string(),
    })
}

/// The error of a `failed` turn or a refused `send`: the engine's sentence
/// for the person (translated as the window shows it, what went wrong and
/// what to do) and the technical detail (the server's or system's own
/// words, `null` when there is none).
pub fn engine_error(error: &EngineError) -> Value {
    let user = error.user_error();
    json!({"message": user.sentence, "detail": user.detail})
}

/// The body of a turn event (without `v`, `turn_id` and `seq`), or `None`
/// for events the contract does not forward (the stored user message, the
/// assistant row's creation, the provider's raw usage — `usage` comes from
/// the billed record —, rate-limit waits, the tool round's message).
/// `tool_call_proposed` is sent by the turn's approver, when a call waits
/// for the client.
pub fn turn_event(event: &TurnEvent) -> Option<Value> {
    Some(match event {
        TurnEvent::TextDelta(text) => json!({"type": "text_delta", "text": text}),
        TurnEvent::ReasoningDelta(text) => json!({"type": "reasoning_delta", "text": text}),
        TurnEvent::ToolCallRunning(call) => {
            let mut body = tool_call(call);
            body["type"] = json!("tool_call_running");
            body["arguments"] = arguments(&call.arguments);
            body
        }
        TurnEvent::ToolCallProgress { id, progress } => json!({
            "type": "tool_call_progress",
            "tool_call_id": id,
            "progress": progress.progress,
            "total": progress.total,
            "message": progress.message,
        }),
        TurnEvent::ToolCallFinished(call) => {
            let mut body = tool_call(call);
            body["type"] = json!("tool_call_finished");
            body["status"] = json!(call.status.as_str());
            body["is_error"] = json!(call.is_error);
            body["result"] = json!(call.result_for_model.as_ref().or(call.result.as_ref()));
            body["duration_ms"] = json!(call.duration_ms);
            body
        }
        TurnEvent::UsageRecorded(record) => json!({
            "type": "usage",
            "provider": record.provider_id,
            "model": record.model,
            "input_tokens": record.tokens.input,
            "output_tokens": record.tokens.output,
            "reasoning_tokens": record.tokens.reasoning,
            "cache_read_tokens": record.tokens.cache_read,
            "cost_usd": record.cost_usd.to_string(),
        }),
        TurnEvent::SoftLimitWarnings(limits) => json!({
            "type": "limit_warning",
            "limits": limits.iter().map(limit_use).collect::<Vec<_>>(),
        }),
        TurnEvent::LimitAlerts(alerts) => json!({
            "type": "limit_alert",
            "alerts": alerts.iter().map(limit_alert).collect::<Vec<_>>(),
        }),
        TurnEvent::Finished(m) => json!({"type": "finished", "message": message(m, &[])}),
        TurnEvent::Failed { message: m, error } => json!({
            "type": "failed",
            "message": m.as_ref().map(|m| message(m, &[])),
            "error": engine_error(error),
        }),
        _ => return None,
    })
}

/// Stored arguments (JSON text) as JSON; text that is not JSON stays a string.
pub fn arguments(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}
