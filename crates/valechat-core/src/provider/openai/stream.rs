//! From the bytes of an OpenAI Chat Completions `text/event-stream` body to a
//! [`ChatStream`].
//!
//! The SSE framing, timeouts, cancellation and connection handling are the
//! shared ones of [`crate::provider::sse`]; this module supplies the
//! OpenAI rules as an [`EventMapper`]: each `data:` payload is a
//! `chat.completion.chunk` handed to [`ChunkMapper`]; `data: [DONE]` ends the
//! reply; an `event: error` ends it with [`ProviderError::Stream`]; the body
//! ending after a `finish_reason` is a clean end (some servers omit `[DONE]`).

use futures::Stream;
use tokio_util::sync::CancellationToken;

use super::mapper::{ChunkMapper, error_event_message};
use crate::provider::http::BodyTimeouts;
use crate::provider::sse::{self, EventMapper, Flow};
use crate::provider::{ChatEvent, ChatStream, ProviderError};

/// Parses an OpenAI Chat Completions SSE body into chat events.
///
/// `bytes` yields the body in arbitrary pieces (any split gives the same
/// events); transport failures must already be mapped to [`ProviderError`]s
/// and end the stream with that error. `idle_timeout` bounds the wait for
/// each piece. See [`sse::event_stream`] for how the stream ends.
pub fn chat_event_stream<S, B>(
    bytes: S,
    idle_timeout: impl Into<BodyTimeouts>,
    cancel: CancellationToken,
) -> ChatStream
where
    S: Stream<Item = Result<B, ProviderError>> + Send + 'static,
    B: AsRef<[u8]> + Send + 'static,
{
    sse::event_stream(bytes, ChunkMapper::new(), idle_timeout, cancel)
}

impl EventMapper for ChunkMapper {
    fn push_event(
        &mut self,
        name: &str,
        data: &str,
        out: &mut Vec<ChatEvent>,
    ) -> Result<Flow, ProviderError> {
        if data == "[DONE]" {
            return Ok(Flow::End);
        }
        if name == "error" {
            let message = error_event_message(data);
            return Err(ProviderError::Stream { message });
        }
        self.push_data(data, out).map(|()| Flow::Continue)
    }

    fn is_complete(&self) -> bool {
        self.saw_finish()
    }

    fn finish(&mut self, out: &mut Vec<ChatEvent>) {
        ChunkMapper::finish(self, out);
    }

    fn early_end_message(&self) -> String {
        "the server closed the stream before [DONE] and before a finish_reason".into()
    }
}

#[cfg(test)]
#[path = "stream_tests.rs"]
mod tests;
