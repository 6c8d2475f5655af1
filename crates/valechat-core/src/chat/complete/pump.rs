//! The task behind a [`CompletionStream`](super::CompletionStream): it
//! receives the provider's stream, passes the events on, keeps the reply
//! within the bounds a chat turn has (`provider::limits`), stops it at a
//! hard limit, and bills it when it ends, however it ends.

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{Completion, CompletionEvent};
use crate::chat::meter::{Meter, RequestEnd, RequestMeter, clamp_usage};
use crate::chat::runner::stream::{Reply, append, call_at};
use crate::chat::{EngineError, RateLimiters};
use crate::ledger::{LimitAlert, Outcome, UsageRecord};
use crate::provider::limits::{MAX_REPLY_BYTES, MAX_TOOL_ARGUMENT_BYTES, too_large};
use crate::provider::{ChatEvent, ChatStream, ProviderError, ToolCall};

/// One completion's receiving end.
pub(super) struct Pump {
    pub(super) meter: Meter,
    pub(super) billing: RequestMeter,
    pub(super) rates: RateLimiters,
    pub(super) provider_id: String,
    pub(super) model: String,
    pub(super) events: mpsc::Sender<CompletionEvent>,
    pub(super) cancel: CancellationToken,
    /// Where the alerts of the settled request go ([`Engine::completion_alerts`](crate::chat::Engine::completion_alerts)).
    pub(super) alerts: tokio::sync::broadcast::Sender<Vec<LimitAlert>>,
}

impl Pump {
    /// Receives `stream` to its end, then bills the request and sends the
    /// last event.
    pub(super) async fn run(self, mut stream: ChatStream) {
        let mut reply = Reply {
            accepted: true,
            ..Reply::default()
        };
        let mut answered_by = None;
        let outcome = self
            .receive(&mut stream, &mut reply, &mut answered_by)
            .await;
        // Dropping the stream closes the connection (a stop, a cut-off).
        drop(stream);
        let record = self.bill(&reply, &outcome).await;
        let last = match outcome {
            Ok(()) => CompletionEvent::Finished(Box::new(Completion {
                tool_calls: tool_calls(&reply),
                text: reply.text,
                reasoning: reply.reasoning,
                model: answered_by.unwrap_or_else(|| self.model.clone()),
                finish: reply.finish,
                usage: reply.usage,
                record,
            })),
            Err(e) => CompletionEvent::Failed(Box::new(e)),
        };
        // The caller may be gone (it dropped the stream): nothing to tell.
        let _ = self.events.send(last).await;
    }

    async fn receive(
        &self,
        stream: &mut ChatStream,
        reply: &mut Reply,
        answered_by: &mut Option<String>,
    ) -> Result<(), EngineError> {
        loop {
            let item = tokio::select! {
                biased;
                () = self.cancel.cancelled() => Some(Err(ProviderError::Cancelled)),
                item = stream.next() => item,
            };
            let Some(item) = item else { break };
            let event = item?;
            if answered_by.is_none() {
                let model = match &event {
                    ChatEvent::Started { model, .. } => model.clone(),
                    _ => None,
                };
                let model = model.unwrap_or_else(|| self.model.clone());
                *answered_by = Some(model.clone());
                self.emit(CompletionEvent::Started { model }).await?;
            }
            match event {
                ChatEvent::TextDelta(t) | ChatEvent::RefusalDelta(t) => {
                    append(&mut reply.text, &t, MAX_REPLY_BYTES, "a reply")?;
                    self.check_spend(reply, &t).await?;
                    self.emit(CompletionEvent::TextDelta(t)).await?;
                }
                ChatEvent::ReasoningDelta(t) => {
                    append(&mut reply.reasoning, &t, MAX_REPLY_BYTES, "reasoning")?;
                    self.check_spend(reply, &t).await?;
                    self.emit(CompletionEvent::ReasoningDelta(t)).await?;
                }
                ChatEvent::Finished(reason) => reply.finish = Some(reason),
                ChatEvent::Usage(u) => {
                    reply.usage = Some(clamp_usage(u));
                    self.check_spend(reply, "").await?;
                }
                ChatEvent::ToolCallStart { index, id, name } => {
                    *call_at(reply, index)? = (id.clone(), name.clone(), String::new(), None);
                    self.emit(CompletionEvent::ToolCallStart { index, id, name })
                        .await?;
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
                    self.check_spend(reply, &fragment).await?;
                    self.emit(CompletionEvent::ToolCallArgumentsDelta { index, fragment })
                        .await?;
                }
                ChatEvent::ReportedCost(cost) => reply.reported_cost = Some(cost),
                ChatEvent::Started { .. } => {}
            }
        }
        Ok(())
    }

    /// Passes `event` on; waits while the caller's buffer is full. A caller
    /// that is gone, or a stop meanwhile, ends the request as cancelled.
    async fn emit(&self, event: CompletionEvent) -> Result<(), EngineError> {
        tokio::select! {
            biased;
            () = self.cancel.cancelled() => Err(ProviderError::Cancelled.into()),
            sent = self.events.send(event) => sent.map_err(|_| ProviderError::Cancelled.into()),
        }
    }

    /// Adds `delta` to the running cost; past the room left under a hard
    /// limit (confirmed by the ledger) the reply is cut off.
    async fn check_spend(&self, reply: &mut Reply, delta: &str) -> Result<(), EngineError> {
        reply.output_chars = reply
            .output_chars
            .saturating_add(u64::try_from(delta.chars().count()).unwrap_or(u64::MAX));
        if !self.meter.watches(&self.billing) {
            return Ok(());
        }
        let running =
            self.meter
                .running_cost(&self.billing, reply.output_chars, reply.usage.as_ref());
        if let Some(breach) = self.meter.breach(&self.billing, running).await? {
            return Err(EngineError::LimitCutOff(Box::new(breach)));
        }
        Ok(())
    }

    /// Records what the request consumed; a ledger failure only logs.
    async fn bill(&self, reply: &Reply, outcome: &Result<(), EngineError>) -> Option<UsageRecord> {
        let kind = match outcome {
            Ok(()) => Outcome::Completed,
            Err(EngineError::Provider(ProviderError::Cancelled)) => Outcome::Cancelled,
            Err(EngineError::LimitCutOff(_)) => Outcome::CutOff,
            Err(_) => Outcome::Failed,
        };
        let mut output = format!("{}{}", reply.text, reply.reasoning);
        for (_, name, arguments, _) in reply.calls.values() {
            output.push_str(name);
            output.push_str(arguments);
        }
        let output_tokens = reply.usage.map_or_else(
            || output.chars().count().div_ceil(4) as u64,
            |u| u.output_tokens,
        );
        self.rates.add_tokens(&self.provider_id, output_tokens);
        let end = RequestEnd {
            message_id: None,
            usage: reply.usage,
            reported_cost: reply.reported_cost,
            output_text: &output,
            accepted: reply.accepted,
            outcome: kind,
        };
        match self.meter.settle(self.billing.clone(), end).await {
            Ok(Some(settled)) => {
                if !settled.alerts.is_empty() {
                    // No subscriber: nobody serves completions to notify.
                    let _ = self.alerts.send(settled.alerts);
                }
                settled.record
            }
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(provider = %self.provider_id, "could not record a completion's usage: {e}");
                None
            }
        }
    }
}

/// The reply's tool calls in index order, their arguments parsed (text
/// that is not JSON is kept as a JSON string, for the caller to judge).
fn tool_calls(reply: &Reply) -> Vec<ToolCall> {
    reply
        .calls
        .values()
        .map(|(id, name, arguments, provider_data)| ToolCall {
            id: id.clone(),
            name: name.clone(),
            arguments: if arguments.trim().is_empty() {
                serde_json::Value::Null
            } else {
                serde_json::from_str(arguments)
                    .unwrap_or_else(|_| serde_json::Value::String(arguments.clone()))
            },
            provider_data: provider_data.clone(),
        })
        .collect()
}
