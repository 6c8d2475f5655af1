//! The streamed answer: server-sent events of `chat.completion.chunk`s
//! (OpenAI API reference, "The chat completion chunk object"; streaming
//! guide), in this order:
//!
//! 1. `delta: {"role": "assistant", "content": ""}`, once;
//! 2. `delta: {"content": …}` text, `delta: {"reasoning_content": …}`
//!    reasoning, `delta: {"tool_calls": [{"index", "id", "type",
//!    "function": {"name", "arguments": ""}}]}` when a call starts and
//!    `delta: {"tool_calls": [{"index", "function": {"arguments": …}}]}`
//!    for its argument fragments;
//! 3. `delta: {}` with the `finish_reason`;
//! 4. with `stream_options.include_usage`: `choices: []` and the `usage`
//!    (every earlier chunk then has `"usage": null`);
//! 5. `data: [DONE]`.
//!
//! A failure after the stream began (a provider error, a hard limit
//! reached mid-reply) ends it with `data: {"error": {…}}` in OpenAI's error
//! shape, which the official clients raise as an API error. Dropping the
//! body (the client went away) drops the engine's stream and cancels the
//! provider request.

use std::convert::Infallible;

use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use serde_json::{Value, json};
use tokio_util::sync::DropGuard;
use valechat_core::chat::{CompletionEvent, CompletionStream};

use super::response::{AnswerIds, finish_reason, usage};
use crate::serve::http::errors::ApiError;

/// Where the stream is.
struct State {
    events: CompletionStream,
    ids: AnswerIds,
    /// `provider/model` of the answering model.
    model: String,
    include_usage: bool,
    /// Whether a tool call started (for an unknown finish reason).
    made_calls: bool,
    /// Events still to send before reading the engine again.
    queue: std::collections::VecDeque<Event>,
    /// The last event was sent.
    done: bool,
    /// Cancels the provider request when the body is dropped.
    _cancel_on_drop: DropGuard,
}

/// The SSE response for `events`, cancelling `cancel` when dropped.
pub fn respond(
    events: CompletionStream,
    ids: AnswerIds,
    requested_model: &str,
    include_usage: bool,
    cancel_on_drop: DropGuard,
) -> Response {
    let state = State {
        events,
        model: ids.model(requested_model),
        ids,
        include_usage,
        made_calls: false,
        queue: std::collections::VecDeque::new(),
        done: false,
        _cancel_on_drop: cancel_on_drop,
    };
    Sse::new(chunks(state))
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// The events of the answer.
fn chunks(state: State) -> impl Stream<Item = Result<Event, Infallible>> {
    futures::stream::unfold(state, |mut state| async move {
        loop {
            if let Some(event) = state.queue.pop_front() {
                return Some((Ok(event), state));
            }
            if state.done {
                return None;
            }
            let event = state.events.next().await;
            state.translate(event);
        }
    })
}

impl State {
    /// Queues the SSE events for one engine event (`None`: the engine's
    /// stream ended without a last event, which is treated as a failure).
    fn translate(&mut self, event: Option<CompletionEvent>) {
        match event {
            Some(CompletionEvent::Started { model }) => {
                self.model = self.ids.model(&model);
                self.push_delta(json!({"role": "assistant", "content": ""}), None);
            }
            Some(CompletionEvent::TextDelta(text)) => {
                self.push_delta(json!({"content": text}), None);
            }
            Some(CompletionEvent::ReasoningDelta(text)) => {
                self.push_delta(json!({"reasoning_content": text}), None);
            }
            Some(CompletionEvent::ToolCallStart { index, id, name }) => {
                self.made_calls = true;
                self.push_delta(
                    json!({"tool_calls": [{"index": index, "id": id, "type": "function",
                                           "function": {"name": name, "arguments": ""}}]}),
                    None,
                );
            }
            Some(CompletionEvent::ToolCallArgumentsDelta { index, fragment }) => {
                self.push_delta(
                    json!({"tool_calls": [{"index": index, "function": {"arguments": fragment}}]}),
                    None,
                );
            }
            Some(CompletionEvent::Finished(completion)) => {
                self.model = self.ids.model(&completion.model);
                let made_calls = self.made_calls || !completion.tool_calls.is_empty();
                let finish = finish_reason(completion.finish.as_ref(), made_calls);
                self.push_delta(json!({}), Some(finish));
                if self.include_usage {
                    let mut chunk = self.chunk(Value::Array(Vec::new()));
                    chunk["usage"] = usage(&completion);
                    self.queue
                        .push_back(Event::default().data(chunk.to_string()));
                }
                self.queue.push_back(Event::default().data("[DONE]"));
                self.done = true;
            }
            Some(CompletionEvent::Failed(error)) => self.fail(ApiError::from(*error)),
            None => self.fail(ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "api_error",
                "The answer ended without finishing.",
            )),
        }
    }

    /// Queues the error event and ends the stream.
    fn fail(&mut self, error: ApiError) {
        tracing::debug!(message = %error.message, "the streamed answer failed");
        self.queue
            .push_back(Event::default().data(error.body().to_string()));
        self.done = true;
    }

    /// Queues a chunk with one choice carrying `delta`.
    fn push_delta(&mut self, delta: Value, finish: Option<&str>) {
        let chunk = self.chunk(json!([{
            "index": 0,
            "delta": delta,
            "logprobs": null,
            "finish_reason": finish,
        }]));
        self.queue
            .push_back(Event::default().data(chunk.to_string()));
    }

    /// A chunk object with `choices`.
    fn chunk(&self, choices: Value) -> Value {
        let mut chunk = json!({
            "id": self.ids.id,
            "object": "chat.completion.chunk",
            "created": self.ids.created,
            "model": self.model,
            "choices": choices,
        });
        if self.include_usage {
            chunk["usage"] = Value::Null;
        }
        chunk
    }
}
