//! Turns parsed `chat.completion.chunk` objects into [`ChatEvent`]s.
//!
//! The mapper keeps the little state a stream needs: whether
//! [`ChatEvent::Started`] was sent, which tool calls have begun (OpenAI sends
//! `id` and `name` only on a call's first fragment; Mistral sends whole calls
//! without `index`, so indexes are assigned in arrival order), whether a
//! finish reason arrived, and the latest usage. Usage is held back and
//! reported once by [`ChunkMapper::finish`], because some servers (vLLM with
//! continuous usage stats) repeat a running total on every chunk.

use std::collections::BTreeMap;

use super::wire::{Chunk, Delta, ToolCallDelta, WireUsage};
use crate::provider::error::quote;
use crate::provider::{ChatEvent, FinishReason, ProviderError, Usage};

/// State of one streamed reply while its chunks are mapped.
#[derive(Debug, Default)]
pub struct ChunkMapper {
    started: bool,
    finished: bool,
    /// Wire index (or assigned index) → call id, for calls already started.
    tool_calls: BTreeMap<u32, String>,
    /// Index of the most recent call, for index-less continuation fragments.
    last_tool_index: Option<u32>,
    usage: Option<WireUsage>,
}

impl ChunkMapper {
    /// A mapper for a new reply.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a `finish_reason` has been seen (the reply is complete even
    /// if the server then closes without `[DONE]`).
    #[must_use]
    pub fn saw_finish(&self) -> bool {
        self.finished
    }

    /// Maps the JSON text of one SSE `data:` payload, appending events to `out`.
    ///
    /// # Errors
    /// [`ProviderError::Malformed`] when `data` is not a chunk object (the
    /// message names the parse error and quotes the payload, truncated);
    /// [`ProviderError::Stream`] when the chunk carries an `error` object.
    pub fn push_data(&mut self, data: &str, out: &mut Vec<ChatEvent>) -> Result<(), ProviderError> {
        let chunk: Chunk = serde_json::from_str(data).map_err(|e| {
            ProviderError::Malformed(format!(
                "stream chunk is not a valid chat.completion.chunk ({e}): {}",
                quote(data)
            ))
        })?;
        self.push_chunk(chunk, out)
    }

    /// Maps one parsed chunk, appending events to `out` in wire order:
    /// started, text/reasoning/refusal, tool calls, finish reason.
    ///
    /// # Errors
    /// [`ProviderError::Stream`] when the chunk carries an `error` object.
    pub fn push_chunk(
        &mut self,
        chunk: Chunk,
        out: &mut Vec<ChatEvent>,
    ) -> Result<(), ProviderError> {
        if let Some(error) = chunk.error.filter(|e| !e.is_null()) {
            return Err(ProviderError::Stream {
                message: error_message(&error),
            });
        }
        if !self.started {
            self.started = true;
            out.push(ChatEvent::Started {
                id: chunk.id.filter(|s| !s.is_empty()),
                model: chunk.model.filter(|s| !s.is_empty()),
            });
        }
        for choice in chunk.choices.unwrap_or_default() {
            if choice.index.unwrap_or(0) != 0 {
                continue;
            }
            if let Some(delta) = choice.delta {
                self.push_delta(delta, out);
            }
            if let Some(reason) = choice.finish_reason.filter(|r| !r.is_empty())
                && !self.finished
            {
                self.finished = true;
                out.push(ChatEvent::Finished(FinishReason::from_wire(&reason)));
            }
        }
        if let Some(usage) = chunk.usage {
            self.usage = Some(usage);
        }
        Ok(())
    }

    /// Ends the reply: appends the last usage seen, if any.
    pub fn finish(&mut self, out: &mut Vec<ChatEvent>) {
        if let Some(usage) = self.usage.take() {
            if let Some(cost) = usage.cost.as_ref().and_then(reported_cost) {
                out.push(ChatEvent::ReportedCost(cost));
            }
            out.push(ChatEvent::Usage(to_usage(&usage)));
        }
    }

    fn push_delta(&mut self, delta: Delta, out: &mut Vec<ChatEvent>) {
        let reasoning = delta.reasoning_content.or(delta.reasoning);
        if let Some(text) = reasoning.filter(|s| !s.is_empty()) {
            out.push(ChatEvent::ReasoningDelta(text));
        }
        if let Some(text) = delta.content.filter(|s| !s.is_empty()) {
            out.push(ChatEvent::TextDelta(text));
        }
        if let Some(text) = delta.refusal.filter(|s| !s.is_empty()) {
            out.push(ChatEvent::RefusalDelta(text));
        }
        for call in delta.tool_calls.unwrap_or_default() {
            self.push_tool_call(call, out);
        }
    }

    fn push_tool_call(&mut self, call: ToolCallDelta, out: &mut Vec<ChatEvent>) {
        let id = call.id.filter(|s| !s.is_empty());
        let index = match call.index {
            Some(index) => index,
            // Mistral: no index. A call with a new id starts the next call;
            // anything else continues the most recent one.
            None => match (&id, self.last_tool_index) {
                (Some(id), Some(last)) if self.tool_calls.get(&last) == Some(id) => last,
                (None, Some(last)) => last,
                _ => self.tool_calls.keys().next_back().map_or(0, |k| k + 1),
            },
        };
        self.last_tool_index = Some(index);
        let (name, arguments) = call
            .function
            .map(|f| (f.name, f.arguments))
            .unwrap_or_default();
        if let std::collections::btree_map::Entry::Vacant(slot) = self.tool_calls.entry(index) {
            let id = id.unwrap_or_else(|| format!("call_{index}"));
            slot.insert(id.clone());
            out.push(ChatEvent::ToolCallStart {
                index,
                id,
                name: name.unwrap_or_default(),
            });
        }
        if let Some(fragment) = arguments.filter(|s| !s.is_empty()) {
            out.push(ChatEvent::ToolCallArgumentsDelta { index, fragment });
        }
    }
}

/// The message of an SSE `event: error` payload: its `error` member, else
/// the object itself, else the raw text (truncated).
pub(super) fn error_event_message(data: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(data) {
        Ok(value) => error_message(value.get("error").unwrap_or(&value)),
        Err(_) if data.is_empty() => "error event without details".to_owned(),
        Err(_) => quote(data),
    }
}

/// The human message of an in-stream `error` value: `error.message` (with
/// `code`/`type` when present), a bare string, or the JSON itself, truncated.
fn error_message(error: &serde_json::Value) -> String {
    if let Some(s) = error.as_str() {
        return s.to_owned();
    }
    let message = error.get("message").and_then(|m| m.as_str());
    let code = ["code", "type"]
        .iter()
        .filter_map(|k| error.get(*k))
        .find_map(|v| match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
    match (message, code) {
        (Some(m), Some(c)) => format!("{m} ({c})"),
        (Some(m), None) => m.to_owned(),
        (None, _) => quote(&error.to_string()),
    }
}

/// A reported charge as an exact decimal (from the number's JSON text,
/// scientific notation included); `None` for a negative or unreadable value.
fn reported_cost(number: &serde_json::Number) -> Option<rust_decimal::Decimal> {
    use std::str::FromStr;
    let text = number.to_string();
    rust_decimal::Decimal::from_str(&text)
        .or_else(|_| rust_decimal::Decimal::from_scientific(&text))
        .ok()
        .filter(|d| !d.is_sign_negative())
}

/// Converts wire usage to ValeChat's [`Usage`]; missing counts are 0.
fn to_usage(usage: &WireUsage) -> Usage {
    let cached = usage
        .prompt_tokens_details
        .as_ref()
        .and_then(|d| d.cached_tokens)
        .or(usage.prompt_cache_hit_tokens);
    Usage {
        input_tokens: usage.prompt_tokens.unwrap_or(0),
        output_tokens: usage.completion_tokens.unwrap_or(0),
        cache_read_tokens: cached.unwrap_or(0),
        reasoning_tokens: usage
            .completion_tokens_details
            .as_ref()
            .and_then(|d| d.reasoning_tokens)
            .unwrap_or(0),
        // OpenAI caches automatically and bills no cache writes.
        cache_write_tokens: 0,
    }
}

#[cfg(test)]
#[path = "mapper_tests.rs"]
mod tests;
