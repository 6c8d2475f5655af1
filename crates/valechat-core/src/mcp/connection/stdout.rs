//! A stdio server's stdout, bounded: one JSON-RPC message (one line) is at
//! most [`MAX_MESSAGE_BYTES`].
//!
//! rmcp's line transport is given the same maximum length, but on its own
//! it drops an oversized line silently and the request waiting for it runs
//! into its timeout. [`BoundedStdout`] sees the bytes first: past the
//! bound it ends the session with an I/O error whose words ("the server
//! sent a message of 17 MiB or more; the limit is 16 MiB") go to the
//! server's log and into the error of the request in flight
//! ([`Overflow::note`]).

use std::io;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use rmcp::service::RoleClient;
use rmcp::transport::async_rw::AsyncRwTransport;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::mcp::log::{LogSource, ServerLog};
use crate::provider::limits::size;

/// Longest JSON-RPC message (one line of stdout) a stdio server may send,
/// in bytes (16 MiB); a longer one ends the session.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// What ended a session for an oversized message, once it happened.
#[derive(Debug, Clone, Default)]
pub struct Overflow(Arc<OnceLock<String>>);

impl Overflow {
    /// `"; the server sent a message of … or more; the limit is 16 MiB"`,
    /// or empty when no message was over the bound.
    #[must_use]
    pub fn note(&self) -> String {
        self.0.get().map(|w| format!("; {w}")).unwrap_or_default()
    }
}

/// The rmcp transport over a server's pipes, with stdout bounded.
pub fn transport<R, W>(
    stdout: R,
    stdin: W,
    log: ServerLog,
    overflow: Overflow,
) -> AsyncRwTransport<RoleClient, BoundedStdout<R>, W>
where
    R: AsyncRead + Send + Unpin,
    W: AsyncWrite + Send + Unpin + 'static,
{
    let bounded = BoundedStdout {
        inner: stdout,
        line: 0,
        log,
        overflow,
    };
    // rmcp counts the line end too: its bound never cuts before ours.
    AsyncRwTransport::new_client(bounded, stdin).with_max_line_length(MAX_MESSAGE_BYTES + 2)
}

/// A reader that fails once a line is over [`MAX_MESSAGE_BYTES`].
pub struct BoundedStdout<R> {
    inner: R,
    /// Bytes read since the last newline.
    line: usize,
    log: ServerLog,
    overflow: Overflow,
}

impl<R: AsyncRead + Unpin> AsyncRead for BoundedStdout<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if let Some(words) = this.overflow.0.get() {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::InvalidData,
                words.clone(),
            )));
        }
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            // Each byte is looked at once; `line` carries across reads.
            let mut longest = 0;
            for byte in &buf.filled()[before..] {
                if *byte == b'\n' {
                    longest = longest.max(this.line);
                    this.line = 0;
                } else {
                    this.line += 1;
                }
            }
            let longest = longest.max(this.line);
            if longest > MAX_MESSAGE_BYTES {
                let words = format!(
                    "the server sent a message of {} or more; the limit is {}",
                    size(longest),
                    size(MAX_MESSAGE_BYTES)
                );
                this.log.push(LogSource::Client, &words);
                tracing::warn!("{words}");
                let _ = this.overflow.0.set(words.clone());
                return Poll::Ready(Err(io::Error::new(io::ErrorKind::InvalidData, words)));
            }
        }
        polled
    }
}
