//! The metering of one model request: the wait for the provider's rate
//! limit before it, the running-cost check against a hard limit during it,
//! and the settlement of its usage (with the record and alerts) after it.

use super::TurnJob;
use super::stream::Reply;
use crate::chat::meter::{RequestEnd as BillEnd, RequestMeter};
use crate::chat::{EngineError, TurnEvent};
use crate::ledger::Outcome;
use crate::provider::ProviderError;
use crate::store::Message;

impl TurnJob {
    /// Waits while the provider's rate limit is reached (reporting the
    /// wait); `false` when the turn was stopped meanwhile.
    pub(super) async fn wait_for_rate_limit(&self, billing: &RequestMeter) -> bool {
        let limit = match self.store.rate_limit(&self.provider_id).await {
            Ok(limit) => limit,
            Err(e) => {
                tracing::warn!(provider = %self.provider_id, "cannot read the rate limit: {e}");
                return true;
            }
        };
        let events = self.events.clone();
        self.rates
            .acquire(
                &self.provider_id,
                limit,
                billing.counted.tokens,
                &self.cancel,
                |wait| {
                    tracing::info!(provider = %self.provider_id, ?wait, "queued by the rate limit");
                    let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
                    // A full channel only loses this notice, not the wait.
                    let _ = events.try_send(TurnEvent::Queued { wait_ms });
                },
            )
            .await
            .is_ok()
    }

    /// Settles the request's usage (whatever the outcome) and reports the
    /// record and any alerts. A ledger failure only logs: the reply stays.
    pub(super) async fn bill(
        &self,
        billing: RequestMeter,
        assistant: &Message,
        reply: &Reply,
        outcome: &Result<(), EngineError>,
    ) {
        let kind = match outcome {
            Ok(()) => Outcome::Completed,
            Err(EngineError::Provider(ProviderError::Cancelled)) => Outcome::Cancelled,
            Err(EngineError::LimitCutOff(_)) => Outcome::CutOff,
            Err(_) => Outcome::Failed,
        };
        // Without reported usage, every output the model produced is
        // estimated: text, reasoning and the calls it asked for.
        let mut output = format!("{}{}", reply.text, reply.reasoning);
        for (_, name, arguments, _) in reply.calls.values() {
            output.push_str(name);
            output.push_str(arguments);
        }
        let end = BillEnd {
            message_id: Some(assistant.id),
            usage: reply.usage,
            reported_cost: reply.reported_cost,
            output_text: &output,
            outcome: kind,
            accepted: reply.accepted,
        };
        let output_tokens = reply.usage.map_or_else(
            || output.chars().count().div_ceil(4) as u64,
            |u| u.output_tokens,
        );
        self.rates.add_tokens(&self.provider_id, output_tokens);
        match self.meter.settle(billing, end).await {
            Ok(Some(settled)) => {
                if let Some(record) = settled.record {
                    self.emit(TurnEvent::UsageRecorded(record)).await;
                }
                if !settled.alerts.is_empty() {
                    self.emit(TurnEvent::LimitAlerts(settled.alerts)).await;
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(
                conversation = self.conversation_id,
                "could not record the request's usage: {e}"
            ),
        }
    }

    /// Adds `delta` (any output: text, reasoning, a refusal, tool-call
    /// arguments; empty when only the reported usage changed) to the
    /// running cost; past the room left under a hard limit, confirms with
    /// the ledger and stops the reply.
    pub(super) async fn check_spend(
        &self,
        billing: &RequestMeter,
        reply: &mut Reply,
        delta: &str,
    ) -> Result<(), EngineError> {
        reply.output_chars = reply
            .output_chars
            .saturating_add(u64::try_from(delta.chars().count()).unwrap_or(u64::MAX));
        if !self.meter.watches(billing) {
            return Ok(());
        }
        let running = self
            .meter
            .running_cost(billing, reply.output_chars, reply.usage.as_ref());
        if let Some(breach) = self.meter.breach(billing, running).await? {
            // Returning drops the stream, which closes the connection.
            return Err(EngineError::LimitCutOff(Box::new(breach)));
        }
        Ok(())
    }
}
