//! The event stream of one local generation: the runner's reply lines as
//! the engine's [`ChatEvent`]s, Stop honoured at once.

use std::sync::Arc;

use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use super::to_provider_error;
use crate::local::client::{ClientError, RunnerClient};
use crate::local::idle::InUse;
use crate::local::protocol::Reply;
use crate::provider::{ChatEvent, ChatStream, FinishReason, ProviderError, Usage};

/// The engine's events for one `tool_call` line: the call's start, then its
/// whole arguments as one fragment.
fn tool_call_events(reply: Reply) -> Vec<Result<ChatEvent, ProviderError>> {
    let Reply::ToolCall {
        index,
        call_id,
        name,
        arguments,
        ..
    } = reply
    else {
        return Vec::new();
    };
    vec![
        Ok(ChatEvent::ToolCallStart {
            index,
            id: call_id,
            name,
        }),
        Ok(ChatEvent::ToolCallArgumentsDelta {
            index,
            fragment: arguments,
        }),
    ]
}

/// The event stream of one generation: `Started`, then the runner's lines.
pub(super) fn async_stream(
    client: Arc<RunnerClient>,
    generation: crate::local::client::Generation,
    first: Reply,
    cancel: CancellationToken,
    model: String,
    in_use: Option<InUse>,
) -> ChatStream {
    struct State {
        /// The model's use, recorded when the stream is dropped.
        _in_use: Option<InUse>,
        client: Arc<RunnerClient>,
        generation: crate::local::client::Generation,
        first: Option<Reply>,
        cancel: CancellationToken,
        queued: Vec<Result<ChatEvent, ProviderError>>,
        ended: bool,
    }
    let started = ChatEvent::Started {
        id: None,
        model: Some(model),
    };
    let state = State {
        _in_use: in_use,
        client,
        generation,
        first: Some(first),
        cancel,
        queued: vec![Ok(started)],
        ended: false,
    };
    futures::stream::unfold(state, |mut s| async move {
        loop {
            if !s.queued.is_empty() {
                let next = s.queued.remove(0);
                return Some((next, s));
            }
            if s.ended {
                return None;
            }
            let reply = if let Some(first) = s.first.take() {
                Some(first)
            } else {
                let next = tokio::select! {
                    biased;
                    () = s.cancel.cancelled() => None,
                    reply = s.generation.replies.recv() => Some(reply),
                };
                let Some(reply) = next else {
                    s.client.cancel(s.generation.id).await;
                    s.ended = true;
                    return Some((Err(ProviderError::Cancelled), s));
                };
                reply
            };
            match reply {
                Some(Reply::Delta { text, .. }) => s.queued.push(Ok(ChatEvent::TextDelta(text))),
                Some(Reply::Reasoning { text, .. }) => {
                    s.queued.push(Ok(ChatEvent::ReasoningDelta(text)));
                }
                Some(call @ Reply::ToolCall { .. }) => s.queued.extend(tool_call_events(call)),
                Some(Reply::Done {
                    finish_reason,
                    input_tokens,
                    output_tokens,
                    cached_tokens,
                    ..
                }) => {
                    s.ended = true;
                    if finish_reason == "cancelled" {
                        s.queued.push(Err(ProviderError::Cancelled));
                    } else {
                        s.queued
                            .push(Ok(ChatEvent::Finished(FinishReason::from_wire(
                                &finish_reason,
                            ))));
                        s.queued.push(Ok(ChatEvent::Usage(Usage {
                            input_tokens,
                            output_tokens,
                            cache_read_tokens: cached_tokens,
                            ..Usage::default()
                        })));
                    }
                }
                Some(Reply::Error { error, .. }) => {
                    s.ended = true;
                    s.queued.push(Err(to_provider_error(error.into())));
                }
                Some(other) => {
                    s.ended = true;
                    s.queued
                        .push(Err(ProviderError::Malformed(format!("{other:?}"))));
                }
                None => {
                    s.ended = true;
                    let why = s.generation.stop_reason();
                    s.queued
                        .push(Err(to_provider_error(ClientError::Stopped(format!(
                            "{why} in the middle of the reply"
                        )))));
                }
            }
        }
    })
    .boxed()
}
