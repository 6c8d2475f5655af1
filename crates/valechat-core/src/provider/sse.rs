//! From the bytes of a `text/event-stream` body to a [`ChatStream`], for
//! any protocol that streams server-sent events.
//!
//! Framing follows the WHATWG server-sent events spec through the
//! `eventsource-stream` crate (comments such as OpenRouter's
//! `: OPENROUTER PROCESSING` are skipped there). Each event is handed to a
//! protocol's [`EventMapper`], which decides the chat events and whether the
//! reply has ended. The stream ends:
//! - cleanly when the mapper reports [`Flow::End`] (OpenAI `data: [DONE]`,
//!   Anthropic `message_stop`), or at end of body once the mapper
//!   [`is_complete`](EventMapper::is_complete) (a finish reason arrived);
//! - with [`ProviderError::Connection`] when the body ends or breaks before;
//! - with the mapper's error ([`ProviderError::Malformed`],
//!   [`ProviderError::Stream`], [`ProviderError::Server`]…) on a bad or error event;
//! - with [`ProviderError::TooLarge`] for a line or an event over its bound
//!   (`sse/lines`, which also hands the parser whole lines only, so a long
//!   line costs time linear in its length);
//! - with [`ProviderError::Timeout`] when no byte arrives for the idle timeout;
//! - with [`ProviderError::Cancelled`] when the cancellation token fires.
//!
//! In every case the body is dropped as soon as the end is known, which
//! closes the HTTP connection. A clean end appends the mapper's
//! [`finish`](EventMapper::finish) events (the usage). The function works on
//! any byte stream, so protocols test it without a server.

use std::collections::VecDeque;
use std::pin::Pin;

use eventsource_stream::{Event, EventStreamError, Eventsource};
use futures::{Stream, StreamExt, stream};
use tokio_util::sync::CancellationToken;

use crate::provider::http::{BodyTimeouts, idle_bounded};
use crate::provider::{ChatEvent, ChatStream, ProviderError};
use lines::{first_line, whole_lines};

mod lines;

type SseEvents = Pin<Box<dyn Stream<Item = Result<Event, EventStreamError<ProviderError>>> + Send>>;

/// Whether the stream goes on after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Keep reading.
    Continue,
    /// The protocol's end marker arrived: stop reading and end cleanly.
    End,
}

/// One protocol's mapping from SSE events to chat events, with its state.
pub trait EventMapper: Send + 'static {
    /// Maps one event (`name` is the `event:` field, `message` when absent;
    /// `data` is the joined `data:` lines, trimmed), appending to `out`.
    ///
    /// # Errors
    /// The error that ends the stream; events already in `out` are yielded first.
    fn push_event(
        &mut self,
        name: &str,
        data: &str,
        out: &mut Vec<ChatEvent>,
    ) -> Result<Flow, ProviderError>;

    /// Whether the reply is complete, so that the body ending here is a clean end.
    fn is_complete(&self) -> bool;

    /// Appends the events due at a clean end (the held-back usage).
    fn finish(&mut self, out: &mut Vec<ChatEvent>);

    /// What [`ProviderError::Connection`] says when the body ends too early.
    fn early_end_message(&self) -> String;
}

/// Parses an SSE body into chat events with `mapper`.
///
/// `bytes` yields the body in arbitrary pieces (any split, even inside a
/// UTF-8 character or a CRLF, gives the same events: `eventsource-stream`
/// waits for the rest of a line); transport failures must already be mapped
/// to [`ProviderError`]s and end the stream with that error. `idle_timeout`
/// bounds the wait for each piece.
pub fn event_stream<M, S, B>(
    bytes: S,
    mapper: M,
    idle_timeout: impl Into<BodyTimeouts>,
    cancel: CancellationToken,
) -> ChatStream
where
    M: EventMapper,
    S: Stream<Item = Result<B, ProviderError>> + Send + 'static,
    B: AsRef<[u8]> + Send + 'static,
{
    let state = State {
        events: Some(Box::pin(
            parser_input(idle_bounded(bytes, idle_timeout)).eventsource(),
        )),
        mapper,
        pending: VecDeque::new(),
        cancel,
        done: false,
    };
    Box::pin(stream::unfold(state, next_item))
}

/// What the SSE parser (`eventsource-stream`) is handed: the body cut into
/// whole lines, bounded (see `sse/lines`), so that it parses each line once,
/// with no byte order mark first ([`lines::first_line`]).
fn parser_input<S, B>(bytes: S) -> impl Stream<Item = Result<Vec<u8>, ProviderError>> + Send
where
    S: Stream<Item = Result<B, ProviderError>> + Send + 'static,
    B: AsRef<[u8]> + Send + 'static,
{
    whole_lines(bytes)
        .enumerate()
        .map(|(i, line)| if i == 0 { line.map(first_line) } else { line })
}

/// What [`event_stream`] carries between items.
struct State<M> {
    /// The SSE events; `None` once the end is known (drops the body).
    events: Option<SseEvents>,
    mapper: M,
    /// Items decided but not yet yielded.
    pending: VecDeque<Result<ChatEvent, ProviderError>>,
    cancel: CancellationToken,
    /// No more items will be decided (the last ones may still be pending).
    done: bool,
}

impl<M: EventMapper> State<M> {
    /// Stops reading: drops the body and queues `last` items.
    fn end(&mut self, last: impl IntoIterator<Item = Result<ChatEvent, ProviderError>>) {
        self.events = None;
        self.done = true;
        self.pending.extend(last);
    }

    /// Ends cleanly: the mapper's final events (usage) come last.
    fn end_ok(&mut self) {
        let mut out = Vec::new();
        self.mapper.finish(&mut out);
        self.end(out.into_iter().map(Ok));
    }

    /// Maps one SSE event into `pending`, ending the stream when it must.
    fn handle(&mut self, event: &Event) {
        let mut out = Vec::new();
        let result = self
            .mapper
            .push_event(&event.event, event.data.trim(), &mut out);
        self.pending.extend(out.into_iter().map(Ok));
        match result {
            Ok(Flow::Continue) => {}
            Ok(Flow::End) => self.end_ok(),
            Err(e) => self.end([Err(e)]),
        }
    }
}

/// What one wait on the body produced.
enum Next {
    Cancelled,
    Event(Option<Result<Event, EventStreamError<ProviderError>>>),
}

async fn next_item<M: EventMapper>(
    mut st: State<M>,
) -> Option<(Result<ChatEvent, ProviderError>, State<M>)> {
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
            Next::Event(None) if st.mapper.is_complete() => st.end_ok(),
            Next::Event(None) => {
                let message = st.mapper.early_end_message();
                st.end([Err(ProviderError::Connection(message))]);
            }
            Next::Event(Some(Err(e))) => st.end([Err(sse_error(e))]),
            Next::Event(Some(Ok(event))) => st.handle(&event),
        }
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
