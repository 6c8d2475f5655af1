//! From the bytes of an NDJSON body (one JSON object per line, as Ollama
//! streams `/api/chat` and `/api/pull`) to a stream of typed items.
//!
//! Lines end with `\n` (a `\r` before it is dropped) and may be split across
//! any number of body pieces, even inside a UTF-8 character: the bytes are
//! buffered until the newline arrives. Blank lines are skipped. Each line is
//! handed to a [`LineMapper`], which decides the items and whether the
//! stream has ended. The stream ends:
//! - cleanly when the mapper reports [`Flow::End`] (`done: true`, status
//!   `success`), or at end of body once the mapper
//!   [`is_complete`](LineMapper::is_complete);
//! - with [`ProviderError::Connection`] when the body ends or breaks before
//!   (a last line without `\n` is accepted if it is whole JSON, as servers
//!   and recordings sometimes omit the final newline);
//! - with the mapper's error ([`ProviderError::Malformed`],
//!   [`ProviderError::Stream`]) on a bad or `{"error"}` line;
//! - with [`ProviderError::Malformed`] for a line that is not UTF-8, and
//!   [`ProviderError::TooLarge`] for one longer than [`MAX_LINE_BYTES`];
//! - with [`ProviderError::Timeout`] when no byte arrives for the idle timeout;
//! - with [`ProviderError::Cancelled`] when the cancellation token fires.
//!
//! In every case the body is dropped as soon as the end is known, which
//! closes the HTTP connection. This mirrors [`crate::provider::sse`]
//! for a line-framed body; it works on any byte stream, so it is tested
//! without a server.

use std::collections::VecDeque;
use std::pin::Pin;

use futures::{Stream, StreamExt, stream};
use tokio_util::sync::CancellationToken;

use crate::provider::ProviderError;
use crate::provider::http::{BodyTimeouts, idle_bounded};
use crate::provider::limits::{MAX_STREAM_LINE_BYTES, too_large};
pub use crate::provider::sse::Flow;

/// Longest line accepted, in bytes (16 MiB, the bound of every streamed
/// line, [`MAX_STREAM_LINE_BYTES`]): a bound on the buffer when a server
/// never sends a newline.
pub const MAX_LINE_BYTES: usize = MAX_STREAM_LINE_BYTES;

/// A stream of one mapper's items, ending after an error.
pub type ItemStream<T> = Pin<Box<dyn Stream<Item = Result<T, ProviderError>> + Send>>;

type Body = Pin<Box<dyn Stream<Item = Result<Vec<u8>, ProviderError>> + Send>>;

/// One protocol's mapping from NDJSON lines to items, with its state.
pub trait LineMapper: Send + 'static {
    /// What the stream yields.
    type Item: Send + 'static;

    /// Maps one non-blank line (trimmed), appending to `out`.
    ///
    /// # Errors
    /// The error that ends the stream; items already in `out` are yielded first.
    fn push_line(&mut self, line: &str, out: &mut Vec<Self::Item>) -> Result<Flow, ProviderError>;

    /// Whether the reply is complete, so that the body ending here is a clean end.
    fn is_complete(&self) -> bool;

    /// Appends the items due at a clean end (the held-back usage).
    fn finish(&mut self, out: &mut Vec<Self::Item>);

    /// What [`ProviderError::Connection`] says when the body ends too early.
    fn early_end_message(&self) -> String;
}

/// Parses an NDJSON body into items with `mapper`.
///
/// `bytes` yields the body in arbitrary pieces (any split gives the same
/// items); transport failures must already be mapped to [`ProviderError`]s
/// and end the stream with that error. `idle_timeout` bounds the wait for
/// each piece.
pub fn ndjson_stream<M, S, B>(
    bytes: S,
    mapper: M,
    idle_timeout: impl Into<BodyTimeouts>,
    cancel: CancellationToken,
) -> ItemStream<M::Item>
where
    M: LineMapper,
    S: Stream<Item = Result<B, ProviderError>> + Send + 'static,
    B: AsRef<[u8]> + Send + 'static,
{
    let body = bytes.map(|piece| piece.map(|b| b.as_ref().to_vec()));
    let state = State {
        body: Some(Box::pin(idle_bounded(body, idle_timeout))),
        buffer: Vec::new(),
        mapper,
        pending: VecDeque::new(),
        cancel,
        done: false,
    };
    Box::pin(stream::unfold(state, next_item))
}

/// What [`ndjson_stream`] carries between items.
struct State<M: LineMapper> {
    /// The body; `None` once the end is known (drops it).
    body: Option<Body>,
    /// Bytes received after the last newline.
    buffer: Vec<u8>,
    mapper: M,
    /// Items decided but not yet yielded.
    pending: VecDeque<Result<M::Item, ProviderError>>,
    cancel: CancellationToken,
    /// No more items will be decided (the last ones may still be pending).
    done: bool,
}

impl<M: LineMapper> State<M> {
    /// Stops reading: drops the body and queues `last` items.
    fn end(&mut self, last: impl IntoIterator<Item = Result<M::Item, ProviderError>>) {
        self.body = None;
        self.buffer = Vec::new();
        self.done = true;
        self.pending.extend(last);
    }

    /// Ends cleanly: the mapper's final items (usage) come last.
    fn end_ok(&mut self) {
        let mut out = Vec::new();
        self.mapper.finish(&mut out);
        self.end(out.into_iter().map(Ok));
    }

    /// Appends a body piece and maps every line it completes.
    fn take_piece(&mut self, piece: &[u8]) {
        let scan_from = self.buffer.len();
        self.buffer.extend_from_slice(piece);
        if let Some(last) = self.buffer[scan_from..].iter().rposition(|b| *b == b'\n') {
            let mut lines = std::mem::take(&mut self.buffer);
            let rest = lines.split_off(scan_from + last + 1);
            // `lines` ends with the newline just found: split what precedes it.
            for line in lines[..lines.len() - 1].split(|b| *b == b'\n') {
                if !self.handle_line(line) {
                    return;
                }
            }
            self.buffer = rest;
        }
        if self.buffer.len() > MAX_LINE_BYTES {
            self.end([Err(too_large("a line", self.buffer.len(), MAX_LINE_BYTES))]);
        }
    }

    /// Maps one line; `false` once the stream has ended.
    fn handle_line(&mut self, raw: &[u8]) -> bool {
        if raw.len() > MAX_LINE_BYTES {
            // Whole within one piece, so the buffer never saw it grow.
            self.end([Err(too_large("a line", raw.len(), MAX_LINE_BYTES))]);
            return false;
        }
        let line = match std::str::from_utf8(raw) {
            Ok(line) => line.trim(),
            Err(e) => {
                self.end([Err(ProviderError::Malformed(format!(
                    "a line of the stream is not valid UTF-8: {e}"
                )))]);
                return false;
            }
        };
        if line.is_empty() {
            return true;
        }
        let mut out = Vec::new();
        let result = self.mapper.push_line(line, &mut out);
        self.pending.extend(out.into_iter().map(Ok));
        match result {
            Ok(Flow::Continue) => true,
            Ok(Flow::End) => {
                self.end_ok();
                false
            }
            Err(e) => {
                self.end([Err(e)]);
                false
            }
        }
    }

    /// The body ended: map a last whole line without `\n`, then end.
    fn end_of_body(&mut self) {
        let rest = std::mem::take(&mut self.buffer);
        let whole = std::str::from_utf8(&rest)
            .ok()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_str::<serde::de::IgnoredAny>(l).is_ok());
        match whole {
            Some(false) => {
                let e = ProviderError::Connection(format!(
                    "{} (the last line was cut)",
                    self.mapper.early_end_message()
                ));
                self.end([Err(e)]);
                return;
            }
            Some(true) if !self.handle_line(&rest) => return,
            _ => {}
        }
        if self.mapper.is_complete() {
            self.end_ok();
        } else {
            let message = self.mapper.early_end_message();
            self.end([Err(ProviderError::Connection(message))]);
        }
    }
}

/// What one wait on the body produced.
enum Next {
    Cancelled,
    Piece(Option<Result<Vec<u8>, ProviderError>>),
}

async fn next_item<M: LineMapper>(
    mut st: State<M>,
) -> Option<(Result<M::Item, ProviderError>, State<M>)> {
    loop {
        if !st.done && st.cancel.is_cancelled() {
            st.pending.clear();
            st.end([]);
            return Some((Err(ProviderError::Cancelled), st));
        }
        if let Some(item) = st.pending.pop_front() {
            return Some((item, st));
        }
        let body = st.body.as_mut()?;
        let next = tokio::select! {
            biased;
            () = st.cancel.cancelled() => Next::Cancelled,
            piece = body.next() => Next::Piece(piece),
        };
        match next {
            // Reported at the top of the loop.
            Next::Cancelled => {}
            Next::Piece(None) => st.end_of_body(),
            Next::Piece(Some(Err(e))) => st.end([Err(e)]),
            Next::Piece(Some(Ok(piece))) => st.take_piece(&piece),
        }
    }
}

#[cfg(test)]
#[path = "stream_tests.rs"]
mod tests;
