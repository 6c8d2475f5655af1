//! A panic in a turn ends the turn as failed, never leaves it hanging.
//!
//! Two boundaries catch it. Around the provider's stream
//! ([`TurnJob::stream_guarded`]) a panic becomes the request's error, so the
//! usual end runs: the partial reply is stored (`incomplete`, or `failed`
//! when nothing arrived), the request is settled (its reservation goes
//! back) and [`TurnEvent::Failed`] is sent. Around the whole task
//! ([`TurnJob::run_guarded`]) a panic anywhere else (a tool box, the
//! store, billing) finishes the message still `streaming` with the text
//! saved so far, ends its pending or running tool calls as failed,
//! releases the open reservation and sends [`TurnEvent::Failed`].

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, PoisonError};

use futures::FutureExt;

use super::TurnJob;
use super::stream::Reply;
use crate::chat::meter::RequestMeter;
use crate::chat::{EngineError, TurnEvent};
use crate::store::{Message, MessageFinish, MessageStatus, ToolCallEnd, ToolCallStatus};

/// What the running turn holds open, for the end after a panic: the
/// reservation of the current request and the assistant message being
/// written. A value from an earlier request is harmless: releasing a
/// settled reservation does nothing, and only a message still `streaming`
/// is finished.
#[derive(Debug, Default)]
pub(in crate::chat) struct OpenParts {
    request_id: Option<String>,
    assistant_id: Option<i64>,
}

/// [`OpenParts`] shared between the task and its guard.
pub(in crate::chat) type Open = Arc<Mutex<OpenParts>>;

/// Updates the open parts (a poisoned lock still holds plain ids).
fn set(open: &Open, update: impl FnOnce(&mut OpenParts)) {
    update(&mut open.lock().unwrap_or_else(PoisonError::into_inner));
}

/// The error a caught panic becomes, with the panic's own words.
fn panicked(payload: &(dyn Any + Send)) -> EngineError {
    let words = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned());
    EngineError::Internal(format!("the reply's task panicked: {words}"))
}

impl TurnJob {
    /// Notes the reservation of the request about to be sent.
    pub(super) fn hold_open(&self, billing: &RequestMeter) {
        let id = billing.request_id.clone();
        set(&self.open, |open| open.request_id = Some(id));
    }

    /// Notes the assistant message being written.
    pub(super) fn writing(&self, assistant: &Message) {
        set(&self.open, |open| open.assistant_id = Some(assistant.id));
    }

    /// [`TurnJob::stream_into`], with a panic turned into the request's
    /// error; `reply` keeps what arrived before it.
    pub(super) async fn stream_guarded(
        &self,
        assistant: &Message,
        reply: &mut Reply,
        billing: &RequestMeter,
    ) -> Result<(), EngineError> {
        // Nothing is shared across the unwind but `reply`, whose strings
        // and maps stay valid whatever push was interrupted.
        AssertUnwindSafe(self.stream_into(assistant, reply, billing))
            .catch_unwind()
            .await
            .unwrap_or_else(|payload| {
                let error = panicked(payload.as_ref());
                tracing::error!(conversation = self.conversation_id, "{error}");
                Err(error)
            })
    }

    /// Runs the turn; after a panic that escaped it, ends the turn as failed.
    pub async fn run_guarded(self) {
        let open = Arc::clone(&self.open);
        if let Some(first) = &self.first_request {
            self.hold_open(first);
        }
        let store = self.store.clone();
        let events = self.events.clone();
        let conversation = self.conversation_id;
        let Err(payload) = AssertUnwindSafe(self.run()).catch_unwind().await else {
            return;
        };
        let error = panicked(payload.as_ref());
        tracing::error!(conversation, "{error}");
        let parts = std::mem::take(&mut *open.lock().unwrap_or_else(PoisonError::into_inner));
        if let Some(request_id) = parts.request_id
            && let Err(e) = store.release(&request_id).await
        {
            tracing::warn!(conversation, "could not release the reservation: {e}");
        }
        let message = match parts.assistant_id {
            Some(id) => finish_streaming(&store, conversation, id, &error).await,
            None => None,
        };
        end_open_calls(&store, conversation, &error).await;
        let _ = events
            .send(TurnEvent::Failed {
                message,
                error: Arc::new(error),
            })
            .await;
    }
}

/// Ends the calls of `conversation` still pending or running as failed.
async fn end_open_calls(store: &crate::store::Store, conversation: i64, error: &EngineError) {
    let calls = match store.list_tool_calls(conversation).await {
        Ok(calls) => calls,
        Err(e) => {
            tracing::warn!(
                conversation,
                "could not read the tool calls after a panic: {e}"
            );
            return;
        }
    };
    for call in calls.into_iter().filter(|c| !c.status.is_final()) {
        let end = ToolCallEnd {
            status: ToolCallStatus::Failed,
            result: None,
            result_for_model: format!("The tool call failed: {error}"),
            is_error: true,
            duration_ms: None,
        };
        if let Err(e) = store.finish_tool_call(call.id, end).await {
            tracing::warn!(conversation, "could not end a tool call after a panic: {e}");
        }
    }
}

/// Finishes message `id` of `conversation` if it is still `streaming`,
/// keeping its saved text: `incomplete` with text, `failed` without.
async fn finish_streaming(
    store: &crate::store::Store,
    conversation: i64,
    id: i64,
    error: &EngineError,
) -> Option<Message> {
    let messages = match store.list_messages(conversation).await {
        Ok(messages) => messages,
        Err(e) => {
            tracing::warn!(conversation, "could not read the reply after a panic: {e}");
            return None;
        }
    };
    let message = messages.into_iter().find(|m| m.id == id)?;
    if message.status != MessageStatus::Streaming {
        return Some(message);
    }
    let status = if message.content.is_empty() {
        MessageStatus::Failed
    } else {
        MessageStatus::Incomplete
    };
    let finish = MessageFinish {
        status,
        content: message.content.clone(),
        reasoning: message.reasoning.clone(),
        finish_reason: None,
        error: Some(error.user_error().stored()),
        input_tokens: None,
        output_tokens: None,
    };
    match store.finish_message(id, finish).await {
        Ok(stored) => Some(stored),
        Err(e) => {
            tracing::warn!(
                conversation,
                "could not finish the reply after a panic: {e}"
            );
            Some(message)
        }
    }
}

#[cfg(test)]
#[path = "guard_tests.rs"]
mod tests;
