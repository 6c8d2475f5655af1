//! Maps Messages streaming events to [`ChatEvent`]s (the request body is
//! built in [`super::request`]).
//!
//! Event rules: `message_start` → [`ChatEvent::Started`]; text and thinking
//! deltas → [`ChatEvent::TextDelta`] / [`ChatEvent::ReasoningDelta`];
//! `tool_use` blocks → [`ChatEvent::ToolCallStart`] numbered 0, 1… in order
//! of tool blocks, their `input_json_delta` pieces →
//! [`ChatEvent::ToolCallArgumentsDelta`]; `message_delta.stop_reason` →
//! [`ChatEvent::Finished`]; `message_stop` ends the reply; `ping`, signature
//! deltas and unknown types are skipped. Usage is held back and reported
//! once at the end, counting cache reads and writes as input.

use std::collections::BTreeMap;

use super::wire::{BlockDelta, ContentBlock, ErrorBody, StreamEvent, WireUsage};
use crate::provider::error::quote;
use crate::provider::sse::{EventMapper, Flow};
use crate::provider::{ChatEvent, FinishReason, ProviderError, Usage};

/// HTTP status Anthropic uses for `overloaded_error`.
const OVERLOADED_STATUS: u16 = 529;

/// State of one streamed reply while its events are mapped.
#[derive(Debug, Default)]
pub struct MessageMapper {
    started: bool,
    finished: bool,
    /// Content-block index → tool-call index, for `tool_use` blocks.
    tool_blocks: BTreeMap<u32, u32>,
    /// Usage from `message_start`, updated by each `message_delta`.
    usage: Option<WireUsage>,
}

impl MessageMapper {
    /// A mapper for a new reply.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Maps one parsed event, appending to `out`.
    ///
    /// # Errors
    /// [`ProviderError::Server`] (status 529) for an `overloaded_error`
    /// event, [`ProviderError::Stream`] for any other error event, and
    /// [`ProviderError::Malformed`] for input JSON on a block that is not a
    /// `tool_use` block.
    pub fn push(
        &mut self,
        event: StreamEvent,
        out: &mut Vec<ChatEvent>,
    ) -> Result<Flow, ProviderError> {
        if let StreamEvent::Error { error } = event {
            return Err(stream_error(&error));
        }
        if !self.started && !matches!(event, StreamEvent::Ping | StreamEvent::Unknown) {
            self.started = true;
            let shell = match &event {
                StreamEvent::MessageStart { message } => Some(message),
                _ => None,
            };
            out.push(ChatEvent::Started {
                id: shell.and_then(|m| m.id.clone()).filter(|s| !s.is_empty()),
                model: shell
                    .and_then(|m| m.model.clone())
                    .filter(|s| !s.is_empty()),
            });
        }
        match event {
            StreamEvent::MessageStart { message } => {
                if let Some(usage) = message.usage {
                    self.merge_usage(usage);
                }
            }
            StreamEvent::ContentBlockStart {
                index,
                content_block,
            } => self.start_block(index, content_block, out),
            StreamEvent::ContentBlockDelta { index, delta } => {
                self.block_delta(index, delta, out)?;
            }
            StreamEvent::MessageDelta { delta, usage } => {
                if let Some(reason) = delta.stop_reason.filter(|r| !r.is_empty())
                    && !self.finished
                {
                    self.finished = true;
                    out.push(ChatEvent::Finished(FinishReason::from_wire(&reason)));
                }
                if let Some(usage) = usage {
                    self.merge_usage(usage);
                }
            }
            StreamEvent::MessageStop => return Ok(Flow::End),
            StreamEvent::ContentBlockStop { .. }
            | StreamEvent::Ping
            | StreamEvent::Unknown
            | StreamEvent::Error { .. } => {}
        }
        Ok(Flow::Continue)
    }

    fn start_block(&mut self, index: u32, block: ContentBlock, out: &mut Vec<ChatEvent>) {
        match block {
            ContentBlock::Text { text } if !text.is_empty() => out.push(ChatEvent::TextDelta(text)),
            ContentBlock::Thinking { thinking } if !thinking.is_empty() => {
                out.push(ChatEvent::ReasoningDelta(thinking));
            }
            ContentBlock::ToolUse { id, name } => {
                let tool_index = match self.tool_blocks.get(&index) {
                    Some(_) => return,
                    None => u32::try_from(self.tool_blocks.len()).unwrap_or(u32::MAX),
                };
                self.tool_blocks.insert(index, tool_index);
                out.push(ChatEvent::ToolCallStart {
                    index: tool_index,
                    id,
                    name,
                });
            }
            _ => {}
        }
    }

    fn block_delta(
        &mut self,
        index: u32,
        delta: BlockDelta,
        out: &mut Vec<ChatEvent>,
    ) -> Result<(), ProviderError> {
        match delta {
            BlockDelta::TextDelta { text } if !text.is_empty() => {
                out.push(ChatEvent::TextDelta(text));
            }
            BlockDelta::ThinkingDelta { thinking } if !thinking.is_empty() => {
                out.push(ChatEvent::ReasoningDelta(thinking));
            }
            BlockDelta::InputJsonDelta { partial_json } => {
                let Some(&tool) = self.tool_blocks.get(&index) else {
                    return Err(ProviderError::Malformed(format!(
                        "input_json_delta for content block {index}, which is not a tool_use block: {}",
                        quote(&partial_json)
                    )));
                };
                if !partial_json.is_empty() {
                    out.push(ChatEvent::ToolCallArgumentsDelta {
                        index: tool,
                        fragment: partial_json,
                    });
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Takes the counts `update` carries; the ones it omits keep their value.
    fn merge_usage(&mut self, update: WireUsage) {
        let usage = self.usage.get_or_insert_with(WireUsage::default);
        let WireUsage {
            input_tokens,
            cache_creation_input_tokens,
            cache_read_input_tokens,
            output_tokens,
            output_tokens_details,
        } = update;
        usage.input_tokens = input_tokens.or(usage.input_tokens);
        usage.cache_creation_input_tokens =
            cache_creation_input_tokens.or(usage.cache_creation_input_tokens);
        usage.cache_read_input_tokens = cache_read_input_tokens.or(usage.cache_read_input_tokens);
        usage.output_tokens = output_tokens.or(usage.output_tokens);
        usage.output_tokens_details = output_tokens_details.or(usage.output_tokens_details.take());
    }
}

impl EventMapper for MessageMapper {
    fn push_event(
        &mut self,
        _name: &str,
        data: &str,
        out: &mut Vec<ChatEvent>,
    ) -> Result<Flow, ProviderError> {
        // The `type` inside the payload repeats the `event:` name; it is the
        // one relied on, so a proxy dropping `event:` lines does no harm.
        let event: StreamEvent = serde_json::from_str(data).map_err(|e| {
            ProviderError::Malformed(format!(
                "stream event is not a valid Messages event ({e}): {}",
                quote(data)
            ))
        })?;
        self.push(event, out)
    }

    fn is_complete(&self) -> bool {
        self.finished
    }

    fn finish(&mut self, out: &mut Vec<ChatEvent>) {
        if let Some(usage) = self.usage.take() {
            out.push(ChatEvent::Usage(to_usage(&usage)));
        }
    }

    fn early_end_message(&self) -> String {
        "the server closed the stream before message_stop and before a stop_reason".into()
    }
}

/// The error an in-stream `error` event ends the reply with.
pub(super) fn stream_error(error: &ErrorBody) -> ProviderError {
    let kind = error.kind.as_deref().unwrap_or("error");
    let message = error
        .message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .unwrap_or(kind);
    if kind == "overloaded_error" {
        ProviderError::Server {
            status: OVERLOADED_STATUS,
            message: message.to_owned(),
        }
    } else {
        ProviderError::Stream {
            message: format!("{message} ({kind})"),
        }
    }
}

/// Converts wire usage to ValeChat's [`Usage`]; missing counts are 0.
fn to_usage(usage: &WireUsage) -> Usage {
    let cache_write = usage.cache_creation_input_tokens.unwrap_or(0);
    let cache_read = usage.cache_read_input_tokens.unwrap_or(0);
    Usage {
        input_tokens: usage
            .input_tokens
            .unwrap_or(0)
            .saturating_add(cache_write)
            .saturating_add(cache_read),
        output_tokens: usage.output_tokens.unwrap_or(0),
        cache_read_tokens: cache_read,
        reasoning_tokens: usage
            .output_tokens_details
            .as_ref()
            .and_then(|d| d.thinking_tokens)
            .unwrap_or(0),
        cache_write_tokens: cache_write,
    }
}

#[cfg(test)]
#[path = "mapper_tests.rs"]
mod tests;
