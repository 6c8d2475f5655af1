//! Maps the lines of an Ollama `/api/chat` NDJSON stream to [`ChatEvent`]s.
//!
//! Per line (Ollama `docs/api.md`, "Generate a chat completion"):
//! - the first object gives [`ChatEvent::Started`] with its `model` (Ollama
//!   sends no response id);
//! - `message.thinking` → [`ChatEvent::ReasoningDelta`], then
//!   `message.content` → [`ChatEvent::TextDelta`] (empty pieces are skipped);
//! - each `message.tool_calls[]` entry is one whole call: a
//!   [`ChatEvent::ToolCallStart`] (id from the server when it sends one, else
//!   `call_{index}`) and one [`ChatEvent::ToolCallArgumentsDelta`] with the
//!   `arguments` object as JSON text;
//! - the last object (`done: true`) gives [`ChatEvent::Finished`] from
//!   `done_reason` (`stop` → Stop, or `ToolCalls` when the reply made tool
//!   calls; `length` → Length; others kept verbatim; missing → Stop) and the
//!   usage (`prompt_eval_count` → input tokens, `eval_count` → output
//!   tokens), yielded once, last;
//! - an `{"error":"…"}` line ends the stream with [`ProviderError::Stream`].

use serde_json::Value;

use super::stream::{Flow, LineMapper};
use super::wire::{ChatChunk, ToolCall, error_text};
use crate::provider::error::quote;
use crate::provider::{ChatEvent, FinishReason, ProviderError, Usage};

/// State of one `/api/chat` stream.
#[derive(Debug, Default)]
pub struct ChatMapper {
    /// `Started` has been emitted.
    started: bool,
    /// Tool calls seen so far (the next call's index).
    tool_calls: u32,
    /// The `done: true` line arrived.
    finished: bool,
    /// Usage from the last line, yielded by [`LineMapper::finish`].
    usage: Option<Usage>,
}

impl ChatMapper {
    /// A mapper for a new stream.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Maps one parsed line.
    fn push_chunk(&mut self, chunk: ChatChunk, out: &mut Vec<ChatEvent>) {
        if !self.started {
            self.started = true;
            out.push(ChatEvent::Started {
                id: None,
                model: chunk.model.filter(|m| !m.is_empty()),
            });
        }
        if let Some(message) = chunk.message {
            if let Some(thinking) = message.thinking.filter(|t| !t.is_empty()) {
                out.push(ChatEvent::ReasoningDelta(thinking));
            }
            if let Some(content) = message.content.filter(|c| !c.is_empty()) {
                out.push(ChatEvent::TextDelta(content));
            }
            for call in message.tool_calls.unwrap_or_default() {
                self.push_tool_call(call, out);
            }
        }
        if chunk.done {
            self.finished = true;
            out.push(ChatEvent::Finished(
                self.finish_reason(chunk.done_reason.as_deref()),
            ));
            if chunk.prompt_eval_count.is_some() || chunk.eval_count.is_some() {
                self.usage = Some(Usage {
                    input_tokens: chunk.prompt_eval_count.unwrap_or(0),
                    output_tokens: chunk.eval_count.unwrap_or(0),
                    ..Usage::default()
                });
            }
        }
    }

    /// One whole tool call as a start and a single arguments fragment.
    fn push_tool_call(&mut self, call: ToolCall, out: &mut Vec<ChatEvent>) {
        let index = self.tool_calls;
        self.tool_calls += 1;
        let id = call
            .id
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| format!("call_{index}"));
        let fragment = match call.function.arguments {
            None | Some(Value::Null) => "{}".to_owned(),
            // A proxy may already send the arguments as JSON text.
            Some(Value::String(text)) => text,
            Some(args) => args.to_string(),
        };
        out.push(ChatEvent::ToolCallStart {
            index,
            id,
            name: call.function.name,
        });
        out.push(ChatEvent::ToolCallArgumentsDelta { index, fragment });
    }

    /// The normalised `done_reason`.
    fn finish_reason(&self, done_reason: Option<&str>) -> FinishReason {
        match done_reason.unwrap_or("stop") {
            "stop" | "" if self.tool_calls > 0 => FinishReason::ToolCalls,
            "" => FinishReason::Stop,
            other => FinishReason::from_wire(other),
        }
    }
}

impl LineMapper for ChatMapper {
    type Item = ChatEvent;

    fn push_line(&mut self, line: &str, out: &mut Vec<ChatEvent>) -> Result<Flow, ProviderError> {
        let chunk: ChatChunk = serde_json::from_str(line).map_err(|e| {
            ProviderError::Malformed(format!(
                "a line of the chat stream is not an Ollama chat object ({e}): {}",
                quote(line)
            ))
        })?;
        if let Some(error) = &chunk.error {
            return Err(ProviderError::Stream {
                message: error_text(error),
            });
        }
        self.push_chunk(chunk, out);
        Ok(if self.finished {
            Flow::End
        } else {
            Flow::Continue
        })
    }

    fn is_complete(&self) -> bool {
        self.finished
    }

    fn finish(&mut self, out: &mut Vec<ChatEvent>) {
        if let Some(usage) = self.usage.take() {
            out.push(ChatEvent::Usage(usage));
        }
    }

    fn early_end_message(&self) -> String {
        "the server closed the stream before the line with \"done\": true".into()
    }
}

#[cfg(test)]
#[path = "mapper_tests.rs"]
mod tests;
