//! From the bytes of a Gemini `alt=sse` body to a [`ChatStream`].
//!
//! Google frames each `GenerateContentResponse` as `data: {…}\r\n\r\n`
//! (CRLF); framing follows the WHATWG server-sent events spec through the
//! `eventsource-stream` crate, which accepts CR, LF and CRLF even when split
//! between pieces. There is no `[DONE]` marker. The stream ends:
//! - cleanly at end of body after a chunk with `finishReason` (or a blocked
//!   prompt), with the usage as the last event;
//! - with [`ProviderError::Connection`] when the body ends or breaks before;
//! - with [`ProviderError::Malformed`] / [`ProviderError::Stream`] on a bad
//!   chunk or an in-stream `error` object;
//! - with [`ProviderError::Timeout`] when no byte arrives for the idle timeout;
//! - with [`ProviderError::Cancelled`] when the cancellation token fires.
//!
//! In every case the body is dropped as soon as the end is known, which
//! closes the HTTP connection. The function works on any byte stream, so it
//! is tested without a server.

use std::collections::VecDeque;
use std::pin::Pin;
use std::time::Duration;

use eventsource_stream::{Event, EventStreamError, Eventsource};
use futures::{Stream, StreamExt, stream};
use tokio_util::sync::CancellationToken;

use super::mapper::ChunkMapper;
use crate::core::provider::{ChatEvent, ChatStream, ProviderError};

type SseEvents = Pin<Box<dyn Stream<Item = Result<Event, EventStreamError<ProviderError>>> + Send>>;

/// Parses a Gemini `streamGenerateContent?alt=sse` body into chat events.
///
/// `bytes` yields the body in arbitrary pieces (any split, even inside a
/// UTF-8 character or a CRLF, gives the same events); transport failures must
/// already be mapped to [`ProviderError`]s and end the stream with that
/// error. `idle_timeout` bounds the wait for each piece.
pub fn chat_event_stream<S, B>(
    bytes: S,
    idle_timeout: Duration,
    cancel: CancellationToken,
) -> ChatStream
where
    S: Stream<Item = Result<B, ProviderError>> + Send + 'static,
    B: AsRef<[u8]> + Send + 'static,
{
    let state = State {
        events: Some(Box::pin(idle_bounded(bytes, idle_timeout).eventsource())),
        mapper: ChunkMapper::new(),
        pending: VecDeque::new(),
        cancel,
        done: false,
    };
    Box::pin(stream::unfold(state, next_item))
}

/// What [`chat_event_stream`] carries between items.
struct State {
    /// The SSE events; `None` once the end is known (drops the body).
    events: Option<SseEvents>,
    mapper: ChunkMapper,
    /// Items decided but not yet yielded.
    pending: VecDeque<Result<ChatEvent, ProviderError>>,
    cancel: CancellationToken,
    /// No more items will be decided (the last ones may still be pending).
    done: bool,
}

impl State {
    /// Stops reading: drops the body and queues `last` items.
    fn end(&mut self, last: impl IntoIterator<Item = Result<ChatEvent, ProviderError>>) {
        self.events = None;
        self.done = true;
        self.pending.extend(last);
    }
}

/// What one wait on the body produced.
enum Next {
    Cancelled,
    Event(Option<Result<Event, EventStreamError<ProviderError>>>),
}

async fn next_item(mut st: State) -> Option<(Result<ChatEvent, ProviderError>, State)> {
    loop {
        if !st.done && st.cancel.is_cancelled() {
            st.pending.clear();
            st.end([]);
            return Some((Err(ProviderError::Cancelled), st));
        }
        if let Some(item) = st.pending.pop_front() {
            return Some((item, st));
        }
        let events = st.events.as_mut()?;
        let next = tokio::select! {
            biased;
            () = st.cancel.cancelled() => Next::Cancelled,
            event = events.next() => Next::Event(event),
        };
        match next {
            // Reported at the top of the loop.
            Next::Cancelled => {}
            Next::Event(None) if st.mapper.saw_finish() => {
                let mut out = Vec::new();
                st.mapper.finish(&mut out);
                st.end(out.into_iter().map(Ok));
            }
            Next::Event(None) => st.end([Err(ProviderError::Connection(
                "the server closed the stream before a finishReason".into(),
            ))]),
            Next::Event(Some(Err(e))) => st.end([Err(sse_error(e))]),
            Next::Event(Some(Ok(event))) => handle_event(&mut st, &event),
        }
    }
}

/// Maps one SSE event into `st.pending`, ending the stream on an error.
fn handle_event(st: &mut State, event: &Event) {
    let data = event.data.trim();
    if data.is_empty() {
        return;
    }
    let mut out = Vec::new();
    let result = st.mapper.push_data(data, &mut out);
    st.pending.extend(out.into_iter().map(Ok));
    if let Err(e) = result {
        st.end([Err(e)]);
    }
}

/// Classifies an error of the SSE layer.
fn sse_error(error: EventStreamError<ProviderError>) -> ProviderError {
    match error {
        EventStreamError::Transport(e) => e,
        EventStreamError::Utf8(e) => {
            ProviderError::Malformed(format!("the event stream is not valid UTF-8: {e}"))
        }
        EventStreamError::Parser(e) => {
            ProviderError::Malformed(format!("the event stream is not valid SSE: {e}"))
        }
    }
}

/// Bounds the wait for each piece of `bytes` by `idle`; a silence that long
/// ends the stream with [`ProviderError::Timeout`].
fn idle_bounded<S, B>(
    bytes: S,
    idle: Duration,
) -> impl Stream<Item = Result<B, ProviderError>> + Send + 'static
where
    S: Stream<Item = Result<B, ProviderError>> + Send + 'static,
    B: AsRef<[u8]> + Send + 'static,
{
    stream::unfold(Some(Box::pin(bytes)), move |body| async move {
        let mut body = body?;
        match tokio::time::timeout(idle, body.next()).await {
            Err(_) => {
                let e = ProviderError::Timeout(format!(
                    "no data from the server for {} ms",
                    idle.as_millis()
                ));
                Some((Err(e), None))
            }
            Ok(None) => None,
            Ok(Some(Err(e))) => Some((Err(e), None)),
            Ok(Some(Ok(piece))) => Some((Ok(piece), Some(body))),
        }
    })
}

#[cfg(test)]
#[path = "stream_tests.rs"]
mod tests;
