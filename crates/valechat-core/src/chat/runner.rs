//! The task that runs one turn: provider stream → events → store, and,
//! when the model asks for tools, rounds of tool calls (see `tool_round`)
//! followed by a new request, until the model answers or the round limit
//! is reached.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::meter::{Meter, RequestEnd as BillEnd, RequestMeter};
use super::tool_round::parse_calls;
use super::tools::{OfferedTool, ToolSettings};
use super::{EngineError, SAVE_INTERVAL, TurnEvent};
use crate::ledger::Outcome;
use crate::provider::{
    ChatEvent, ChatMessage, ChatProvider, ChatRequest, FinishReason, ProviderError, Role, Usage,
};
use crate::store::{Message, MessageFinish, MessageStatus, NewMessage, Store};

/// Everything a turn needs, moved into its task.
pub(super) struct TurnJob {
    pub store: Store,
    pub client: Arc<dyn ChatProvider>,
    pub conversation_id: i64,
    pub provider_id: String,
    pub model: String,
    pub request: ChatRequest,
    pub user: Option<Message>,
    pub events: mpsc::Sender<TurnEvent>,
    pub cancel: CancellationToken,
    /// Tools to offer, when the engine has a tool box.
    pub tools: Option<ToolSettings>,
    /// Bills every model request of the turn.
    pub meter: Meter,
    /// The first request's reservation, taken before the user message was
    /// stored; later rounds reserve their own.
    pub first_request: Option<RequestMeter>,
    /// Per-provider rate limiting, shared with the engine.
    pub rates: super::RateLimiters,
}

/// What arrived so far.
#[derive(Default)]
struct Reply {
    text: String,
    reasoning: String,
    finish: Option<FinishReason>,
    usage: Option<Usage>,
    /// The charge the provider reported, USD (OpenRouter).
    reported_cost: Option<rust_decimal::Decimal>,
    /// Characters of text and reasoning received, for the running cost.
    output_chars: u64,
    /// Tool calls by index: (call id, name, argument text so far, provider data).
    calls: BTreeMap<u32, (String, String, String, Option<String>)>,
}

/// How one model request ended.
enum RequestEnd {
    /// The turn is over (answered, failed or stopped).
    Done,
    /// The model asked for tools; the results were added to the request.
    ToolsRan,
}

impl TurnJob {
    /// Runs the turn to its end. Events go to the receiver while it exists;
    /// the store is updated whether or not anyone listens.
    pub async fn run(mut self) {
        if let Some(user) = self.user.clone() {
            self.emit(TurnEvent::UserMessageSaved(user)).await;
        }
        self.apply_stored_tool_limits().await;
        let offered = match &self.tools {
            Some(settings) => settings.toolbox.tools().await,
            None => Vec::new(),
        };
        self.request.tools = offered.iter().map(|t| t.definition.clone()).collect();
        let mut round = 0;
        while let RequestEnd::ToolsRan = self.one_request(&offered, round).await {
            round += 1;
        }
    }

    /// Replaces the tool bounds with the ones the user stored (Preferences →
    /// Tools, `valechat mcp settings`); an unreadable table keeps the
    /// engine's and logs.
    async fn apply_stored_tool_limits(&mut self) {
        let Some(settings) = self.tools.as_mut() else {
            return;
        };
        match self.store.tool_limits().await {
            Ok(Some(limits)) => {
                settings.max_rounds = limits.max_rounds;
                settings.max_result_chars = limits.max_result_chars;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!("cannot read the tool limits, using the defaults: {e}"),
        }
    }

    /// Streams one model request into a new assistant message and, if the
    /// model asked for tools, runs them and extends the request.
    async fn one_request(&mut self, offered: &[OfferedTool], round: u32) -> RequestEnd {
        let billing = match self.first_request.take() {
            Some(reserved) => reserved,
            None => match self.meter.preflight(self.request.messages.clone()).await {
                Ok(reserved) => reserved,
                Err(e) => {
                    self.fail(None, e).await;
                    return RequestEnd::Done;
                }
            },
        };
        if !self.wait_for_rate_limit(&billing).await {
            let _ = self.store.release(&billing.request_id).await;
            self.fail(None, ProviderError::Cancelled.into()).await;
            return RequestEnd::Done;
        }
        if !billing.reservation.warnings.is_empty() {
            self.emit(TurnEvent::SoftLimitWarnings(
                billing.reservation.warnings.clone(),
            ))
            .await;
        }
        let assistant = match self
            .store
            .insert_message(NewMessage {
                conversation_id: self.conversation_id,
                role: Role::Assistant,
                content: String::new(),
                status: MessageStatus::Streaming,
                provider_id: Some(self.provider_id.clone()),
                model: Some(self.model.clone()),
            })
            .await
        {
            Ok(m) => m,
            Err(e) => {
                let _ = self.store.release(&billing.request_id).await;
                self.fail(None, EngineError::Store(e)).await;
                return RequestEnd::Done;
            }
        };
        self.emit(TurnEvent::AssistantStarted(assistant.clone()))
            .await;

        let mut reply = Reply::default();
        let outcome = self.stream_into(&assistant, &mut reply, &billing).await;
        self.bill(billing, &assistant, &reply, &outcome).await;
        let text = reply.text.clone();
        let (status, error) = match &outcome {
            Ok(()) => (MessageStatus::Complete, None),
            Err(EngineError::Provider(ProviderError::Cancelled)) => {
                (MessageStatus::Incomplete, None)
            }
            Err(_) if !text.is_empty() => (MessageStatus::Incomplete, outcome.as_ref().err()),
            Err(_) => (MessageStatus::Failed, outcome.as_ref().err()),
        };
        let finish = MessageFinish {
            status,
            content: text,
            reasoning: reply.reasoning.clone(),
            finish_reason: reply.finish.as_ref().map(|f| f.as_str().to_owned()),
            error: error.map(EngineError::user_message),
            input_tokens: reply.usage.map(|u| saturating_i64(u.input_tokens)),
            output_tokens: reply.usage.map(|u| saturating_i64(u.output_tokens)),
        };
        let stored = match self.store.finish_message(assistant.id, finish).await {
            Ok(m) => m,
            Err(e) => {
                self.fail(Some(assistant), EngineError::Store(e)).await;
                return RequestEnd::Done;
            }
        };
        match outcome {
            Ok(()) if !reply.calls.is_empty() => {
                if let Some(settings) = self.tools.clone() {
                    return self
                        .tool_round(&settings, offered, stored, reply, round)
                        .await;
                }
                // Tools were never offered: the calls are not ours to run.
                self.emit(TurnEvent::Finished(stored)).await;
            }
            Ok(()) | Err(EngineError::Provider(ProviderError::Cancelled)) => {
                self.emit(TurnEvent::Finished(stored)).await;
            }
            Err(e) => self.fail(Some(stored), e).await,
        }
        RequestEnd::Done
    }

    /// Runs the calls of `stored` and appends the assistant turn and the
    /// results to the request, unless the turn was stopped meanwhile.
    async fn tool_round(
        &mut self,
        settings: &ToolSettings,
        offered: &[OfferedTool],
        stored: Message,
        reply: Reply,
        round: u32,
    ) -> RequestEnd {
        self.emit(TurnEvent::RoundFinished(stored.clone())).await;
        let calls = parse_calls(reply.calls.into_values().collect());
        let allowed = round < settings.max_rounds;
        let results = self
            .run_tool_round(settings, offered, &stored, &calls, allowed)
            .await;
        self.request
            .messages
            .push(ChatMessage::assistant_with_tool_calls(
                reply.text,
                calls.into_iter().map(|c| c.call).collect(),
            ));
        self.request.messages.extend(results.messages);
        // Past the limit the calls were refused and the model was asked to
        // answer; if it asks again the turn ends here.
        let over = round > settings.max_rounds;
        if over || results.cancelled || self.cancel.is_cancelled() {
            self.emit(TurnEvent::Finished(stored)).await;
            return RequestEnd::Done;
        }
        RequestEnd::ToolsRan
    }

    /// Waits while the provider's rate limit is reached (reporting the
    /// wait); `false` when the turn was stopped meanwhile.
    async fn wait_for_rate_limit(&self, billing: &RequestMeter) -> bool {
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
    async fn bill(
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
        let output = format!("{}{}", reply.text, reply.reasoning);
        let end = BillEnd {
            message_id: Some(assistant.id),
            usage: reply.usage,
            reported_cost: reply.reported_cost,
            output_text: &output,
            outcome: kind,
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

    /// Adds `delta` to the running cost; past the room left under a hard
    /// limit, confirms with the ledger and stops the reply.
    async fn check_spend(
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
        let running = self.meter.running_cost(billing, reply.output_chars);
        if let Some(breach) = self.meter.breach(billing, running).await? {
            // Returning drops the stream, which closes the connection.
            return Err(EngineError::LimitCutOff(Box::new(breach)));
        }
        Ok(())
    }

    async fn stream_into(
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
                ChatEvent::TextDelta(t) => {
                    reply.text.push_str(&t);
                    dirty = true;
                    self.check_spend(billing, reply, &t).await?;
                    self.emit(TurnEvent::TextDelta(t)).await;
                }
                ChatEvent::ReasoningDelta(t) => {
                    reply.reasoning.push_str(&t);
                    dirty = true;
                    self.check_spend(billing, reply, &t).await?;
                    self.emit(TurnEvent::ReasoningDelta(t)).await;
                }
                // A refusal is the model's answer: shown and stored as its text.
                ChatEvent::RefusalDelta(t) => {
                    reply.text.push_str(&t);
                    dirty = true;
                    self.emit(TurnEvent::TextDelta(t)).await;
                }
                ChatEvent::Finished(reason) => reply.finish = Some(reason),
                ChatEvent::Usage(u) => {
                    reply.usage = Some(u);
                    self.emit(TurnEvent::Usage(u)).await;
                }
                ChatEvent::ToolCallStart { index, id, name } => {
                    reply.calls.insert(index, (id, name, String::new(), None));
                }
                ChatEvent::ToolCallProviderData { index, data } => {
                    reply.calls.entry(index).or_default().3 = Some(data);
                }
                ChatEvent::ToolCallArgumentsDelta { index, fragment } => {
                    reply.calls.entry(index).or_default().2.push_str(&fragment);
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

    pub(super) async fn emit(&self, event: TurnEvent) {
        // The receiver may be gone (window closed, CLI interrupted): the turn
        // still finishes and stores its result.
        let _ = self.events.send(event).await;
    }

    async fn fail(&self, message: Option<Message>, error: EngineError) {
        tracing::warn!(conversation = self.conversation_id, "reply failed: {error}");
        self.emit(TurnEvent::Failed {
            message,
            error: Arc::new(error),
        })
        .await;
    }
}

fn saturating_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
