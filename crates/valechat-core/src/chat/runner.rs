//! The task that runs one turn: provider stream → events → store, and,
//! when the model asks for tools, rounds of tool calls (see `tool_round`)
//! followed by a new request, until the model answers or the round limit
//! is reached.
//!
//! Files: `runner/stream` (receiving the provider's stream into a reply),
//! `runner/billing` (rate-limit wait, running-cost check, settlement),
//! `runner/guard` (a panic ends the turn as failed).

mod billing;
mod guard;
pub(in crate::chat) mod stream;

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::meter::{Meter, RequestMeter};
use super::tool_round::parse_calls;
use super::tools::{OfferedTool, ToolSettings};
use super::{EngineError, TurnEvent};
use crate::provider::{ChatMessage, ChatProvider, ChatRequest, ProviderError, Role};
use crate::store::{Message, MessageFinish, MessageParent, MessageStatus, NewMessage, Store};
pub(super) use guard::Open;
use stream::Reply;

/// Everything a turn needs, moved into its task.
pub(super) struct TurnJob {
    pub store: Store,
    pub client: Arc<dyn ChatProvider>,
    pub conversation_id: i64,
    pub provider_id: String,
    pub model: String,
    pub request: ChatRequest,
    pub user: Option<Message>,
    /// Where the next assistant message goes: under the user message (or,
    /// for a regeneration, the regenerated reply's parent), then under the
    /// previous round's reply.
    pub parent: MessageParent,
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
    /// The reservation and message held open, for the end after a panic
    /// (see `runner/guard`); starts empty.
    pub open: guard::Open,
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
    /// the store is updated whether or not anyone listens. A panic is caught
    /// by [`TurnJob::run_guarded`], which calls this.
    async fn run(mut self) {
        if let Some(user) = self.user.clone() {
            self.emit(TurnEvent::UserMessageSaved(user)).await;
        }
        self.apply_stored_tool_limits().await;
        let offered = match &self.tools {
            Some(settings) => {
                self.conversation_tools(settings.toolbox.tools().await)
                    .await
            }
            None => Vec::new(),
        };
        self.request.tools = offered.iter().map(|t| t.definition.clone()).collect();
        let mut round = 0;
        while let RequestEnd::ToolsRan = self.one_request(&offered, round).await {
            round += 1;
        }
    }

    /// The tools of `offered` this conversation may use: a conversation
    /// with its own list (started from an assistant, or chosen in its
    /// settings) offers only its own MCP servers' tools
    /// (`Store::conversation_mcp_servers`), any other every enabled
    /// server's; an unreadable list offers none and logs.
    async fn conversation_tools(&self, offered: Vec<OfferedTool>) -> Vec<OfferedTool> {
        match self
            .store
            .conversation_mcp_servers(self.conversation_id)
            .await
        {
            Ok(None) => offered,
            Ok(Some(servers)) => offered
                .into_iter()
                .filter(|tool| servers.contains(&tool.server_id))
                .collect(),
            Err(e) => {
                tracing::warn!(
                    "cannot read the conversation's MCP servers, offering no tools: {e}"
                );
                Vec::new()
            }
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
        self.hold_open(&billing);
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
        let Some(assistant) = self.start_reply(&billing).await else {
            return RequestEnd::Done;
        };
        self.writing(&assistant);
        // A kill -9 from here on leaves what the next start estimates the
        // usage from (`Engine::settle_interrupted`).
        let counted = i64::try_from(billing.counted.tokens).unwrap_or(i64::MAX);
        if let Err(e) = self
            .store
            .note_request_message(&billing.request_id, assistant.id, counted)
            .await
        {
            tracing::warn!(
                message = assistant.id,
                "could not note the request's message: {e}"
            );
        }
        self.emit(TurnEvent::AssistantStarted(assistant.clone()))
            .await;

        let mut reply = Reply::default();
        let outcome = self.stream_guarded(&assistant, &mut reply, &billing).await;
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
            error: error.map(|e| e.user_error().stored()),
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

    /// Stores the reply about to stream under the turn's current parent
    /// (it becomes the parent of the next round's reply). On a store error
    /// the hold goes back and the turn fails: `None`.
    async fn start_reply(&mut self, billing: &RequestMeter) -> Option<Message> {
        let new = NewMessage {
            conversation_id: self.conversation_id,
            role: Role::Assistant,
            content: String::new(),
            status: MessageStatus::Streaming,
            provider_id: Some(self.provider_id.clone()),
            model: Some(self.model.clone()),
        };
        match self.store.insert_message_at(new, self.parent).await {
            Ok(m) => {
                self.parent = MessageParent::Message(m.id);
                Some(m)
            }
            Err(e) => {
                let _ = self.store.release(&billing.request_id).await;
                self.fail(None, EngineError::Store(e)).await;
                None
            }
        }
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
