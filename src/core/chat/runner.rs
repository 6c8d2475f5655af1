//! The task that runs one turn: provider stream → events → store.

use std::sync::Arc;

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{EngineError, SAVE_INTERVAL, TurnEvent};
use crate::core::provider::{
    ChatEvent, ChatProvider, ChatRequest, FinishReason, ProviderError, Role, Usage,
};
use crate::core::store::{Message, MessageFinish, MessageStatus, NewMessage, Store};

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
}

/// What arrived so far.
#[derive(Default)]
struct Reply {
    text: String,
    reasoning: String,
    finish: Option<FinishReason>,
    usage: Option<Usage>,
}

impl TurnJob {
    /// Runs the turn to its end. Events go to the receiver while it exists;
    /// the store is updated whether or not anyone listens.
    pub async fn run(self) {
        if let Some(user) = self.user.clone() {
            self.emit(TurnEvent::UserMessageSaved(user)).await;
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
                self.fail(None, EngineError::Store(e)).await;
                return;
            }
        };
        self.emit(TurnEvent::AssistantStarted(assistant.clone()))
            .await;

        let mut reply = Reply::default();
        let outcome = self.stream_into(&assistant, &mut reply).await;
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
                return;
            }
        };
        match outcome {
            Ok(()) | Err(EngineError::Provider(ProviderError::Cancelled)) => {
                self.emit(TurnEvent::Finished(stored)).await;
            }
            Err(e) => self.fail(Some(stored), e).await,
        }
    }

    async fn stream_into(&self, assistant: &Message, reply: &mut Reply) -> Result<(), EngineError> {
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
                    self.emit(TurnEvent::TextDelta(t)).await;
                }
                ChatEvent::ReasoningDelta(t) => {
                    reply.reasoning.push_str(&t);
                    dirty = true;
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
                ChatEvent::Started { .. }
                | ChatEvent::ToolCallStart { .. }
                | ChatEvent::ToolCallArgumentsDelta { .. } => {}
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

    async fn emit(&self, event: TurnEvent) {
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
