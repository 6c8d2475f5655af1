//! [`whole_lines`]: an event-stream body cut into whole lines before the
//! SSE parser sees it, with the length of a line and of an event bounded.
//!
//! `eventsource-stream` parses its whole buffer again each time a piece
//! arrives, so one long line sent in small pieces cost time quadratic in
//! its length (an 8 MiB line in 1 KiB pieces: 8,192 parses of up to 8 MiB),
//! and it buffers without bound. Here each byte is looked at once (for a
//! line end, WHATWG SSE: CRLF, LF or CR), a line is handed on only when it
//! is whole, so the parser reads each line once, and the partial line is
//! bounded by [`MAX_STREAM_LINE_BYTES`], an event (its lines between two
//! blank lines) by [`MAX_STREAM_EVENT_BYTES`]; past either the stream ends
//! with [`ProviderError::TooLarge`].

use std::collections::VecDeque;

use futures::{Stream, StreamExt, stream};

use crate::provider::ProviderError;
use crate::provider::limits::{MAX_STREAM_EVENT_BYTES, MAX_STREAM_LINE_BYTES, too_large};

/// Cuts `bytes` into whole lines, each with its line end (the last piece
/// of a body that does not end with one is handed on as it is); errors of
/// `bytes` pass through and end the stream, and so does a line or an
/// event over its bound.
pub fn whole_lines<S, B>(bytes: S) -> impl Stream<Item = Result<Vec<u8>, ProviderError>> + Send
where
    S: Stream<Item = Result<B, ProviderError>> + Send + 'static,
    B: AsRef<[u8]> + Send + 'static,
{
    let state = (Box::pin(bytes), Framer::default(), VecDeque::new(), false);
    stream::unfold(
        state,
        |(mut body, mut framer, mut ready, mut done)| async move {
            loop {
                if let Some(item) = ready.pop_front() {
                    return Some((item, (body, framer, ready, done)));
                }
                if done {
                    return None;
                }
                match body.next().await {
                    Some(Ok(piece)) => {
                        if let Err(e) = framer.push(piece.as_ref(), &mut ready) {
                            ready.push_back(Err(e));
                            done = true;
                        }
                    }
                    Some(Err(e)) => {
                        ready.push_back(Err(e));
                        done = true;
                    }
                    None => {
                        if !framer.partial.is_empty() {
                            ready.push_back(Ok(std::mem::take(&mut framer.partial)));
                        }
                        done = true;
                    }
                }
            }
        },
    )
}

/// The UTF-8 byte order mark.
const BOM: &[u8] = "\u{feff}".as_bytes();

/// The body's first line as the SSE parser must see it: a leading byte
/// order mark (which WHATWG SSE ignores, once) becomes an empty comment
/// line (`:`, ignored too). `eventsource-stream` 0.2.3 strips a leading
/// BOM itself by slicing off one of its three bytes, which panics, so a
/// server starting its body with a BOM killed the turn task; after this it
/// never sees one first. A second BOM stays, as the spec wants: part of the
/// first field's name, which no field has, so the line is ignored.
#[must_use]
pub fn first_line(mut line: Vec<u8>) -> Vec<u8> {
    if line.starts_with(BOM) {
        line.splice(..BOM.len(), *b":\n");
    }
    line
}

/// The line being received and the size of the event it belongs to.
#[derive(Debug, Default)]
struct Framer {
    /// Bytes after the last line end.
    partial: Vec<u8>,
    /// Bytes of the event's lines so far (reset by a blank line).
    event: usize,
    /// The last line ended with CR: an LF right after it completes that end.
    after_cr: bool,
}

impl Framer {
    /// Appends `piece`, queueing every line it completes in `ready`.
    fn push(
        &mut self,
        piece: &[u8],
        ready: &mut VecDeque<Result<Vec<u8>, ProviderError>>,
    ) -> Result<(), ProviderError> {
        let mut start = 0;
        while let Some(offset) = piece[start..]
            .iter()
            .position(|b| matches!(b, b'\n' | b'\r'))
        {
            let end = start + offset;
            let crlf_tail = self.after_cr && self.partial.is_empty() && end == start;
            self.after_cr = piece[end] == b'\r';
            let content = self.partial.len() + (end - start);
            check_line(content)?;
            if crlf_tail && piece[end] == b'\n' {
                // The LF of a CRLF split from its CR: not a blank line.
                self.after_cr = false;
            } else if content == 0 {
                self.event = 0;
            } else {
                self.event += content;
                if self.event > MAX_STREAM_EVENT_BYTES {
                    return Err(too_large("an event", self.event, MAX_STREAM_EVENT_BYTES));
                }
            }
            let mut line = std::mem::take(&mut self.partial);
            line.extend_from_slice(&piece[start..=end]);
            ready.push_back(Ok(line));
            start = end + 1;
        }
        let rest = &piece[start..];
        if !rest.is_empty() {
            self.after_cr = false;
            check_line(self.partial.len() + rest.len())?;
            self.partial.extend_from_slice(rest);
        }
        Ok(())
    }
}

/// Fails when a line of `len` bytes (without its end) is over the bound.
fn check_line(len: usize) -> Result<(), ProviderError> {
    if len > MAX_STREAM_LINE_BYTES {
        return Err(too_large("a line", len, MAX_STREAM_LINE_BYTES));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::ChatEvent;

    async fn lines(pieces: Vec<Vec<u8>>) -> Vec<Result<Vec<u8>, ProviderError>> {
        let body = stream::iter(pieces.into_iter().map(Ok::<_, ProviderError>));
        whole_lines(body).collect().await
    }

    #[tokio::test]
    async fn a_long_line_in_small_pieces_reaches_the_parser_once_and_whole() {
        // One 8 MiB `data:` line in 1 KiB pieces: the parser gets it as one
        // piece (it used to get 8,192 and parse the growing buffer each time).
        let mut body = b"data: ".to_vec();
        body.resize(8 * 1024 * 1024, b'x');
        body.extend_from_slice(b"\n\n");
        let pieces: Vec<_> = body
            .chunks(1024)
            .map(|p| Ok::<_, ProviderError>(p.to_vec()))
            .collect();
        let got: Vec<_> = super::super::parser_input(stream::iter(pieces))
            .collect()
            .await;
        assert_eq!(got.len(), 2, "handed on as {} pieces", got.len());
        let first = got[0].as_ref().expect("the line");
        assert_eq!(first.len(), 8 * 1024 * 1024 + 1);
        assert_eq!(got[1].as_ref().expect("the blank line"), b"\n");
    }

    #[tokio::test]
    async fn every_line_end_cuts_and_a_split_crlf_is_one_end() {
        let got = lines(vec![
            b"data: a\r".to_vec(),
            b"\ndata: b\rdata: c\n\n: x".to_vec(),
        ])
        .await;
        let got: Vec<Vec<u8>> = got.into_iter().map(Result::unwrap).collect();
        assert_eq!(
            got,
            [
                b"data: a\r".to_vec(),
                b"\n".to_vec(),
                b"data: b\r".to_vec(),
                b"data: c\n".to_vec(),
                b"\n".to_vec(),
                b": x".to_vec(),
            ]
        );
    }

    /// An OpenAI body after `prefix`, parsed in pieces of `size` bytes.
    async fn openai_events(prefix: &str, size: usize) -> Vec<Result<ChatEvent, ProviderError>> {
        let body = format!(
            "{prefix}data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"hi\"}}}}]}}\n\n\
             data: [DONE]\n\n"
        );
        let pieces: Vec<_> = body
            .as_bytes()
            .chunks(size)
            .map(|p| Ok::<_, ProviderError>(p.to_vec()))
            .collect();
        let cancel = tokio_util::sync::CancellationToken::new();
        let timeout = std::time::Duration::from_secs(60);
        crate::provider::openai::stream::chat_event_stream(stream::iter(pieces), timeout, cancel)
            .collect()
            .await
    }

    #[tokio::test]
    async fn a_byte_order_mark_first_is_ignored_and_never_panics() {
        // Found by fuzzing (fuzz/corpus/sse/regression-bom-*): a body that
        // starts with U+FEFF panicked in eventsource-stream, whole or cut
        // inside the mark.
        let plain = openai_events("", 4096).await;
        assert!(
            plain.contains(&Ok(ChatEvent::TextDelta("hi".into()))),
            "{plain:?}"
        );
        for size in [1, 2, 4096] {
            assert_eq!(
                openai_events("\u{feff}", size).await,
                plain,
                "pieces of {size}"
            );
        }
        // A second mark is part of the first line's field name: that line is
        // ignored (WHATWG), here the first event's only data line.
        let twice = openai_events("\u{feff}\u{feff}", 4096).await;
        assert!(
            !twice.contains(&Ok(ChatEvent::TextDelta("hi".into()))),
            "{twice:?}"
        );
        assert!(twice.iter().all(Result::is_ok), "{twice:?}");
    }

    #[tokio::test]
    async fn a_line_over_the_bound_ends_the_stream_with_the_sizes() {
        let piece = vec![b'x'; 1024 * 1024];
        let pieces = vec![piece; 17];
        let got = lines(pieces).await;
        let Some(Err(ProviderError::TooLarge(words))) = got.last() else {
            panic!("no error: {} items", got.len());
        };
        assert_eq!(
            words,
            "the server sent a line of 17 MiB or more; the limit is 16 MiB"
        );
    }

    #[tokio::test]
    async fn an_event_over_the_bound_ends_the_stream() {
        // 17 lines of 1 MiB with no blank line between: one 17 MiB event.
        let mut line = b"data: ".to_vec();
        line.resize(1024 * 1024, b'y');
        line.push(b'\n');
        let got = lines(vec![line; 17]).await;
        assert!(
            matches!(got.last(), Some(Err(ProviderError::TooLarge(w))) if w.contains("an event")),
            "{:?}",
            got.last().map(|r| r.as_ref().map(Vec::len))
        );
        // The same lines as separate events pass.
        let mut event = b"data: ".to_vec();
        event.resize(1024 * 1024, b'y');
        event.extend_from_slice(b"\n\n");
        let got = lines(vec![event; 17]).await;
        assert!(got.iter().all(Result::is_ok));
    }
}
