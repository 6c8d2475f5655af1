//! The provider's stream of one model request, received into a [`Reply`]:
//! text, reasoning and tool-call deltas passed on as events, the partial
//! text saved every `SAVE_INTERVAL`, the running cost checked on each delta.
//! The text, the reasoning and the tool calls' arguments are bounded
//! ([`MAX_REPLY_BYTES`], [`MAX_TOOL_ARGUMENT_BYTES`], and the number of
//! tool calls [`MAX_TOOL_CALLS_PER_REPLY`]): past a bound the
//! stream ends with [`ProviderError::TooLarge`] and what arrived is kept.

use std::collections::BTreeMap;

use futures::StreamExt;
use tokio::time::Instant;

use super::TurnJob;
use crate::chat::meter::{RequestMeter, clamp_usage};
use crate::chat::{EngineError, SAVE_INTERVAL, TurnEvent};
use crate::provider::limits::{
    MAX_REPLY_BYTES, MAX_TOOL_ARGUMENT_BYTES, MAX_TOOL_CALLS_PER_REPLY, too_large,
    too_many_tool_calls,
};
use crate::provider::{ChatEvent, FinishReason, ProviderError, Usage};
use crate::store::Message;

/// A tool call as it arrives: (call id, name, argument text so far,
/// provider data).
pub(in crate::chat) type ToolCallSoFar = (String, String, String, Option<String>);

/// What arrived so far.
#[derive(Default)]
pub(in crate::chat) struct Reply {
    pub(in crate::chat) text: String,
    pub(in crate::chat) reasoning: String,
    pub(in crate::chat) finish: Option<FinishReason>,
    pub(in crate::chat) usage: Option<Usage>,
    /// The charge the provider reported, USD (OpenRouter).
    pub(in crate::chat) reported_cost: Option<rust_decimal::Decimal>,
    /// Characters of output received (text, reasoning, refusal, tool-call
    /// arguments), for the running cost.
    pub(in crate::chat) output_chars: u64,
    /// Tool calls by index, at most [`MAX_TOOL_CALLS_PER_REPLY`].
    pub(in crate::chat) calls: BTreeMap<u32, ToolCallSoFar>,
    /// Bytes of argument text received, all calls together.
    pub(in crate::chat) argument_bytes: usize,
    /// The provider accepted the request: its stream opened.
    pub(in crate::chat) accepted: bool,
}

/// The tool call at `index` (a new one when the index is new), unless that
/// makes more than [`MAX_TOOL_CALLS_PER_REPLY`].
pub(in crate::chat) fn call_at(
    reply: &mut Reply,
    index: u32,
) -> Result<&mut ToolCallSoFar, ProviderError> {
    if reply.calls.len() >= MAX_TOOL_CALLS_PER_REPLY && !reply.calls.contains_key(&index) {
        return Err(too_many_tool_calls());
    }
    Ok(reply.calls.entry(index).or_default())
}

/// Appends `piece` to `text`, unless that takes it past `limit` bytes:
/// then the stream ends with [`ProviderError::TooLarge`] naming `what`.
pub(in crate::chat) fn append(
    text: &mut String,
    piece: &str,
    limit: usize,
    what: &str,
) -> Result<(), ProviderError> {
    let total = text.len().saturating_add(piece.len());
    if total > limit {
        return Err(too_large(what, total, limit));
    }
    text.push_str(piece);
    Ok(())
}

impl TurnJob {
    /// Sends the request and receives its stream into `reply`, emitting the
    /// deltas; stops at the end of the stream, on cancel or at a hard limit.
    pub(super) async fn stream_into(
        &self,
        assistant: &Message,
        reply: &mut Reply,
        billing: &RequestMeter,
    ) -> Result<(), EngineError> {
        let mut stream = tokio::select! {
            biased;
            () = self.cancel.cancelled() => return Err(ProviderError::Cancelled.into()),
            s = self.client.stream_chat(self.request.clone(), self.cancel.clone()) => s?,
        };
        reply.accepted = true;
        let mut last_save = Instant::now();
        let mut dirty = false;
        loop {
            // Unsaved text is written once SAVE_INTERVAL has passed since the
            // last save, even if the server pauses and no event comes.
            let item = tokio::select! {
                biased;
                () = self.cancel.cancelled() => Some(Err(ProviderError::Cancelled)),
                () = tokio::time::sleep_until(last_save + SAVE_INTERVAL), if dirty => {
                    self.save_partial(assistant, reply).await;
                    last_save = Instant::now();
                    dirty = false;
                    continue;
                }
                item = stream.next() => item,
            };
            let Some(item) = item else { break };
            match item? {
                // A refusal is the model's answer: shown and stored as its text.
                ChatEvent::TextDelta(t) | ChatEvent::RefusalDelta(t) => {
                    append(&mut reply.text, &t, MAX_REPLY_BYTES, "a reply")?;
                    dirty = true;
                    self.check_spend(billing, reply, &t).await?;
                    self.emit(TurnEvent::TextDelta(t)).await;
                }
                ChatEvent::ReasoningDelta(t) => {
                    append(&mut reply.reasoning, &t, MAX_REPLY_BYTES, "reasoning")?;
                    dirty = true;
                    self.check_spend(billing, reply, &t).await?;
                    self.emit(TurnEvent::ReasoningDelta(t)).await;
                }
                ChatEvent::Finished(reason) => reply.finish = Some(reason),
                // Reported mid-stream (Anthropic, Gemini), usage carries the
                // hidden reasoning no delta shows.
                ChatEvent::Usage(u) => {
                    let u = clamp_usage(u);
                    reply.usage = Some(u);
                    self.emit(TurnEvent::Usage(u)).await;
                    self.check_spend(billing, reply, "").await?;
                }
                ChatEvent::ToolCallStart { index, id, name } => {
                    *call_at(reply, index)? = (id, name, String::new(), None);
                }
                ChatEvent::ToolCallProviderData { index, data } => {
                    call_at(reply, index)?.3 = Some(data);
                }
                ChatEvent::ToolCallArgumentsDelta { index, fragment } => {
                    reply.argument_bytes = reply.argument_bytes.saturating_add(fragment.len());
                    if reply.argument_bytes > MAX_TOOL_ARGUMENT_BYTES {
                        let what = "tool-call arguments";
                        let e = too_large(what, reply.argument_bytes, MAX_TOOL_ARGUMENT_BYTES);
                        return Err(e.into());
                    }
                    call_at(reply, index)?.2.push_str(&fragment);
                    self.check_spend(billing, reply, &fragment).await?;
                }
                ChatEvent::ReportedCost(cost) => reply.reported_cost = Some(cost),
                ChatEvent::Started { .. } => {}
            }
        }
        Ok(())
    }

    /// Writes the text so far to the streaming message. A failed
    /// intermediate save is not fatal: the final save reports it.
    async fn save_partial(&self, assistant: &Message, reply: &Reply) {
        if let Err(e) = self
            .store
            .update_message_content(assistant.id, &reply.text, &reply.reasoning)
            .await
        {
            tracing::warn!(message = assistant.id, "could not save partial reply: {e}");
        }
    }
}
