//! From the bytes of a Gemini `alt=sse` body to a [`ChatStream`].
//!
//! The SSE framing, timeouts, cancellation and connection handling are the
//! shared ones of [`crate::provider::sse`] (`eventsource-stream`
//! accepts CR, LF and CRLF, even when split between pieces, so Google's
//! `data: {…}\r\n\r\n` frames work); this module supplies the Gemini rules as
//! an [`EventMapper`]: each non-empty `data:` payload is a
//! `GenerateContentResponse` handed to [`ChunkMapper`], whatever the event
//! name. There is no `[DONE]` marker: the body ending after a chunk with
//! `finishReason` (or a blocked prompt) is the clean end, with the usage as
//! the last event; an in-stream `error` object ends the stream with
//! [`ProviderError::Stream`].

use futures::Stream;
use tokio_util::sync::CancellationToken;

use super::mapper::ChunkMapper;
use crate::provider::http::BodyTimeouts;
use crate::provider::sse::{self, EventMapper, Flow};
use crate::provider::{ChatEvent, ChatStream, ProviderError};

/// Parses a Gemini `streamGenerateContent?alt=sse` body into chat events.
///
/// `bytes` yields the body in arbitrary pieces (any split, even inside a
/// UTF-8 character or a CRLF, gives the same events); transport failures must
/// already be mapped to [`ProviderError`]s and end the stream with that
/// error. `idle_timeout` bounds the wait for each piece. See
/// [`sse::event_stream`] for how the stream ends.
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
    /// Maps one chunk; the event name is not used (Google sends none).
    fn push_event(
        &mut self,
        _name: &str,
        data: &str,
        out: &mut Vec<ChatEvent>,
    ) -> Result<Flow, ProviderError> {
        if data.is_empty() {
            return Ok(Flow::Continue);
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
        "the server closed the stream before a finishReason".into()
    }
}

#[cfg(test)]
#[path = "stream_tests.rs"]
mod tests;
