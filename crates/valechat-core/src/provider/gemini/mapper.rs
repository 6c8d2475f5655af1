//! Turns parsed `GenerateContentResponse` chunks into [`ChatEvent`]s.
//!
//! Mapping (Gemini API reference, `GenerateContentResponse`):
//! - the first chunk → [`ChatEvent::Started`] with `responseId` and `modelVersion`;
//! - a text part → [`ChatEvent::TextDelta`]; a part with `thought: true` →
//!   [`ChatEvent::ReasoningDelta`]; empty parts (the last chunk's
//!   `{"text":"","thoughtSignature":…}`) → nothing;
//! - a `functionCall` part (always whole) → [`ChatEvent::ToolCallStart`]
//!   (id `call_{index}` when the server sends none) and one
//!   [`ChatEvent::ToolCallArgumentsDelta`] carrying the whole `args` JSON;
//! - `finishReason` → [`ChatEvent::Finished`] (see [`finish_reason`]);
//!   `promptFeedback.blockReason` without candidates → `ContentFilter`;
//! - `usageMetadata` is a running total repeated on each chunk: the last one
//!   is reported once, by [`ChunkMapper::finish`] (see [`to_usage`]);
//! - an `error` member → [`ProviderError::Stream`].

use super::wire::{Candidate, Chunk, FunctionCall, Part, UsageMetadata};
use crate::provider::{ChatEvent, FinishReason, ProviderError, Usage};

/// Finish and block reasons that mean output was withheld by a safety or
/// policy filter (`FinishReason` and `BlockReason` enums of the Gemini API).
const FILTER_REASONS: [&str; 7] = [
    "SAFETY",
    "RECITATION",
    "BLOCKLIST",
    "PROHIBITED_CONTENT",
    "SPII",
    "IMAGE_SAFETY",
    "IMAGE_PROHIBITED_CONTENT",
];

/// State of one streamed reply while its chunks are mapped.
#[derive(Debug, Default)]
pub struct ChunkMapper {
    started: bool,
    finished: bool,
    /// Function calls seen so far; the next call gets this index.
    tool_calls: u32,
    /// The latest (cumulative) usage.
    usage: Option<UsageMetadata>,
}

impl ChunkMapper {
    /// A mapper for a new reply.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a finish reason (or a prompt block) has been seen: the reply
    /// is complete, and the end of the body is its normal end.
    #[must_use]
    pub fn saw_finish(&self) -> bool {
        self.finished
    }

    /// Maps the JSON text of one SSE `data:` payload, appending events to `out`.
    ///
    /// # Errors
    /// [`ProviderError::Malformed`] when `data` is not a response object (the
    /// message names the parse error and quotes the payload, truncated);
    /// [`ProviderError::Stream`] when it carries an `error` object.
    pub fn push_data(&mut self, data: &str, out: &mut Vec<ChatEvent>) -> Result<(), ProviderError> {
        let chunk: Chunk = serde_json::from_str(data).map_err(|e| {
            ProviderError::Malformed(format!(
                "stream chunk is not a valid GenerateContentResponse ({e}): {}",
                quote(data)
            ))
        })?;
        self.push_chunk(chunk, out)
    }

    /// Maps one parsed chunk, appending events to `out` in wire order:
    /// started, parts, finish reason.
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
                id: chunk.response_id.filter(|s| !s.is_empty()),
                model: chunk.model_version.filter(|s| !s.is_empty()),
            });
        }
        let candidates = chunk.candidates.unwrap_or_default();
        let blocked = chunk
            .prompt_feedback
            .and_then(|f| f.block_reason)
            .filter(|r| !r.is_empty());
        if candidates.is_empty() && blocked.is_some() {
            self.finish_with(FinishReason::ContentFilter, out);
        }
        for candidate in candidates {
            if candidate.index.unwrap_or(0) == 0 {
                self.push_candidate(candidate, out);
            }
        }
        if let Some(usage) = chunk.usage_metadata {
            self.usage = Some(usage);
        }
        Ok(())
    }

    /// Ends the reply: appends the last usage seen, if any.
    pub fn finish(&mut self, out: &mut Vec<ChatEvent>) {
        if let Some(usage) = self.usage.take() {
            out.push(ChatEvent::Usage(to_usage(&usage)));
        }
    }

    fn push_candidate(&mut self, candidate: Candidate, out: &mut Vec<ChatEvent>) {
        let parts = candidate.content.and_then(|c| c.parts).unwrap_or_default();
        for part in parts {
            self.push_part(part, out);
        }
        if let Some(reason) = candidate.finish_reason.filter(|r| !r.is_empty()) {
            let reason = finish_reason(&reason, self.tool_calls > 0);
            self.finish_with(reason, out);
        }
    }

    fn push_part(&mut self, part: Part, out: &mut Vec<ChatEvent>) {
        if let Some(call) = part.function_call {
            let index = self.tool_calls;
            self.push_function_call(call, out);
            if let Some(data) = part.thought_signature.filter(|s| !s.is_empty()) {
                out.push(ChatEvent::ToolCallProviderData { index, data });
            }
        }
        if let Some(text) = part.text.filter(|t| !t.is_empty()) {
            out.push(if part.thought == Some(true) {
                ChatEvent::ReasoningDelta(text)
            } else {
                ChatEvent::TextDelta(text)
            });
        }
    }

    fn push_function_call(&mut self, call: FunctionCall, out: &mut Vec<ChatEvent>) {
        let index = self.tool_calls;
        self.tool_calls += 1;
        let id = call
            .id
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| format!("call_{index}"));
        out.push(ChatEvent::ToolCallStart {
            index,
            id,
            name: call.name.unwrap_or_default(),
        });
        let fragment = match call.args {
            Some(args) if !args.is_null() => args.to_string(),
            _ => "{}".to_owned(),
        };
        out.push(ChatEvent::ToolCallArgumentsDelta { index, fragment });
    }

    /// Emits the reply's finish reason, once.
    fn finish_with(&mut self, reason: FinishReason, out: &mut Vec<ChatEvent>) {
        if !self.finished {
            self.finished = true;
            out.push(ChatEvent::Finished(reason));
        }
    }
}

/// Maps a Gemini `finishReason`: `STOP` → [`FinishReason::Stop`] (or
/// [`FinishReason::ToolCalls`] when the reply made function calls, since
/// Gemini has no separate reason for them), `MAX_TOKENS` →
/// [`FinishReason::Length`], safety and policy reasons (`SAFETY`,
/// `RECITATION`, `BLOCKLIST`, `PROHIBITED_CONTENT`, `SPII`, `IMAGE_SAFETY`…)
/// → [`FinishReason::ContentFilter`], anything else kept verbatim in
/// [`FinishReason::Other`].
#[must_use]
pub fn finish_reason(wire: &str, made_tool_calls: bool) -> FinishReason {
    match wire {
        "STOP" if made_tool_calls => FinishReason::ToolCalls,
        "STOP" => FinishReason::Stop,
        "MAX_TOKENS" => FinishReason::Length,
        r if FILTER_REASONS.contains(&r) => FinishReason::ContentFilter,
        other => FinishReason::Other(other.to_owned()),
    }
}

/// Converts Gemini's `usageMetadata` to ValeChat's [`Usage`]; missing counts are 0.
///
/// Input is `promptTokenCount` plus `toolUsePromptTokenCount` (both billed
/// as input); output is `candidatesTokenCount + thoughtsTokenCount`, because
/// thinking is billed as output; `reasoning_tokens` is `thoughtsTokenCount`
/// and `cache_read_tokens` is `cachedContentTokenCount`.
#[must_use]
pub fn to_usage(usage: &UsageMetadata) -> Usage {
    let thoughts = usage.thoughts_token_count.unwrap_or(0);
    Usage {
        input_tokens: usage.prompt_token_count.unwrap_or(0)
            + usage.tool_use_prompt_token_count.unwrap_or(0),
        output_tokens: usage.candidates_token_count.unwrap_or(0) + thoughts,
        cache_read_tokens: usage.cached_content_token_count.unwrap_or(0),
        cache_write_tokens: 0,
        reasoning_tokens: thoughts,
    }
}

/// The human message of a Google error object `{"code","message","status"}`:
/// `message (STATUS)`, `message` alone, a bare string, or the JSON itself,
/// truncated.
pub fn error_message(error: &serde_json::Value) -> String {
    if let Some(s) = error.as_str() {
        return s.to_owned();
    }
    let message = error
        .get("message")
        .and_then(|m| m.as_str())
        .map(str::trim)
        .filter(|m| !m.is_empty());
    let status = error
        .get("status")
        .and_then(|s| s.as_str())
        .filter(|s| !s.is_empty());
    match (message, status) {
        (Some(m), Some(s)) => format!("{m} ({s})"),
        (Some(m), None) => m.to_owned(),
        (None, _) => quote(&error.to_string()),
    }
}

pub(crate) use crate::provider::error::quote;

#[cfg(test)]
#[path = "mapper_tests.rs"]
mod tests;
