//! OpenAI's answer objects: the whole `chat.completion`
//! (`CreateChatCompletionResponse`) and the parts the stream's
//! `chat.completion.chunk`s share with it (usage, finish reason).
//!
//! `model` is `provider/<the model that answered>`. Reasoning, which
//! OpenAI's API does not return, is sent as `reasoning_content` (the field
//! DeepSeek and other compatible servers use) when there is any.

use serde_json::{Value, json};
use valechat_core::chat::Completion;
use valechat_core::provider::{FinishReason, ToolCall};

/// What every object of one answer shares.
#[derive(Debug, Clone)]
pub struct AnswerIds {
    /// `chatcmpl-<uuid>`.
    pub id: String,
    /// Unix seconds when the request arrived.
    pub created: i64,
    /// The provider id, to prefix the answering model with.
    pub provider: String,
}

impl AnswerIds {
    /// New ids for a request to `provider`.
    #[must_use]
    pub fn new(provider: &str) -> Self {
        Self {
            id: format!("chatcmpl-{}", uuid::Uuid::new_v4().simple()),
            created: chrono::Utc::now().timestamp(),
            provider: provider.to_owned(),
        }
    }

    /// `provider/model`.
    #[must_use]
    pub fn model(&self, model: &str) -> String {
        format!("{}/{model}", self.provider)
    }
}

/// OpenAI's `finish_reason` for the engine's; a reason OpenAI has no word
/// for is `stop`, and an unknown one `tool_calls` when calls were made.
#[must_use]
pub fn finish_reason(finish: Option<&FinishReason>, made_calls: bool) -> &'static str {
    match finish {
        Some(FinishReason::Length) => "length",
        Some(FinishReason::ContentFilter) => "content_filter",
        Some(FinishReason::ToolCalls) => "tool_calls",
        _ if made_calls => "tool_calls",
        _ => "stop",
    }
}

/// OpenAI's `usage` object for a completion: the provider's counts, else
/// the billed record's; `null` when neither is known.
#[must_use]
pub fn usage(completion: &Completion) -> Value {
    let (input, output, cached, reasoning) = if let Some(u) = completion.usage {
        (
            u.input_tokens,
            u.output_tokens,
            u.cache_read_tokens,
            u.reasoning_tokens,
        )
    } else if let Some(record) = &completion.record {
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        (
            n(record.tokens.input),
            n(record.tokens.output),
            n(record.tokens.cache_read),
            n(record.tokens.reasoning),
        )
    } else {
        return Value::Null;
    };
    json!({
        "prompt_tokens": input,
        "completion_tokens": output,
        "total_tokens": input.saturating_add(output),
        "prompt_tokens_details": {"cached_tokens": cached},
        "completion_tokens_details": {"reasoning_tokens": reasoning},
    })
}

/// A tool call in OpenAI's shape (arguments as JSON text).
fn tool_call(call: &ToolCall) -> Value {
    json!({
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": call.arguments_object().to_string()},
    })
}

/// The `chat.completion` object for a collected answer.
#[must_use]
pub fn completion_object(ids: &AnswerIds, completion: &Completion) -> Value {
    let mut message = json!({
        "role": "assistant",
        "content": if completion.text.is_empty() && !completion.tool_calls.is_empty() {
            Value::Null
        } else {
            Value::String(completion.text.clone())
        },
        "refusal": null,
    });
    if !completion.tool_calls.is_empty() {
        message["tool_calls"] = completion.tool_calls.iter().map(tool_call).collect();
    }
    if !completion.reasoning.is_empty() {
        message["reasoning_content"] = Value::String(completion.reasoning.clone());
    }
    json!({
        "id": ids.id,
        "object": "chat.completion",
        "created": ids.created,
        "model": ids.model(&completion.model),
        "choices": [{
            "index": 0,
            "message": message,
            "logprobs": null,
            "finish_reason": finish_reason(completion.finish.as_ref(), !completion.tool_calls.is_empty()),
        }],
        "usage": usage(completion),
    })
}
