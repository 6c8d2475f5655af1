//! How much of a server's bytes ValeChat keeps, and how long it waits when
//! a server asks: each bound a named constant, and [`too_large`] for the
//! error that names it.
//!
//! A server that sends more than a bound ends its stream with
//! [`ProviderError::TooLarge`] ("the server sent a line of 17 MiB or more;
//! the limit is 16 MiB"): the turn fails and keeps the partial reply. A
//! server that asks to wait longer than [`MAX_SERVER_WAIT`] is read as
//! asking for [`MAX_SERVER_WAIT`] (and said so in the log).

use std::time::Duration;

use crate::provider::ProviderError;

/// One mebibyte, in bytes.
const MIB: usize = 1024 * 1024;

/// Longest line of a streamed body (an SSE line, an NDJSON line), in bytes
/// (16 MiB): a bound on the buffer while a server never sends a newline.
pub const MAX_STREAM_LINE_BYTES: usize = 16 * MIB;

/// Most data one server-sent event may carry, in bytes (16 MiB): the
/// `data:` lines between two blank lines, together.
pub const MAX_STREAM_EVENT_BYTES: usize = 16 * MIB;

/// Most of an error body read into memory, in bytes (1 MiB); the rest is
/// not read (the message quotes only its start anyway).
pub const MAX_ERROR_BODY_BYTES: usize = MIB;

/// Most of a small JSON document (a model list, a model's details) read
/// into memory, in bytes (16 MiB).
pub const MAX_DOCUMENT_BYTES: usize = 16 * MIB;

/// Most of one embeddings reply read into memory, in bytes (64 MiB): a
/// full batch of 3,072-dimension vectors as JSON text stays well under it
/// (`provider::embeddings`).
pub const MAX_EMBEDDINGS_REPLY_BYTES: usize = 64 * MIB;

/// Most text one reply may bring, in bytes (32 MiB), counted apart for the
/// visible answer and for the reasoning.
pub const MAX_REPLY_BYTES: usize = 32 * MIB;

/// Most text the tool calls of one reply may bring as arguments, all calls
/// together, in bytes (8 MiB).
pub const MAX_TOOL_ARGUMENT_BYTES: usize = 8 * MIB;

/// Most tool calls one reply may bring (128): far above what a model
/// asks for in one go, and a bound on a server that numbers calls without
/// end.
pub const MAX_TOOL_CALLS_PER_REPLY: usize = 128;

/// Longest wait a server may ask for (`Retry-After`, `retry-after-ms`,
/// Gemini's `retryDelay`, rate-limit reset headers): one hour. A longer or
/// unrepresentable request (`Retry-After: 1e20`) is read as this.
pub const MAX_SERVER_WAIT: Duration = Duration::from_secs(3600);

/// The error for a server that sent `what` ("a line", "an event", "an
/// error body"…) of `seen` bytes or more, over `limit`: "the server sent a
/// line of 17 MiB or more; the limit is 16 MiB".
#[must_use]
pub fn too_large(what: &str, seen: usize, limit: usize) -> ProviderError {
    ProviderError::TooLarge(format!(
        "the server sent {what} of {} or more; the limit is {}",
        size(seen),
        size(limit)
    ))
}

/// The error for a reply that brought more than
/// [`MAX_TOOL_CALLS_PER_REPLY`] tool calls.
#[must_use]
pub fn too_many_tool_calls() -> ProviderError {
    ProviderError::TooLarge(format!(
        "the server sent more than {MAX_TOOL_CALLS_PER_REPLY} tool calls in one reply; \
         the limit is {MAX_TOOL_CALLS_PER_REPLY}"
    ))
}

/// `bytes` in words: "16 MiB", "16.5 MiB", "512 KiB", "300 bytes".
#[must_use]
pub fn size(bytes: usize) -> String {
    const KIB: usize = 1024;
    // Sizes here stay far below 2^52, so the conversion is exact enough.
    #[allow(clippy::cast_precision_loss)]
    let in_unit = |unit: usize| bytes as f64 / unit as f64;
    if bytes >= MIB {
        if bytes.is_multiple_of(MIB) {
            format!("{} MiB", bytes / MIB)
        } else {
            format!("{:.1} MiB", in_unit(MIB))
        }
    } else if bytes >= KIB {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// A wait a server asked for, in seconds (`Retry-After`, `retryDelay`):
/// `None` when it is negative or not a number; at most [`MAX_SERVER_WAIT`]
/// (`1e20` and infinity included), and the cut is logged.
#[must_use]
pub fn server_wait_from_secs(secs: f64) -> Option<Duration> {
    if secs.is_nan() || secs < 0.0 {
        return None;
    }
    match Duration::try_from_secs_f64(secs) {
        Ok(wait) if wait <= MAX_SERVER_WAIT => Some(wait),
        _ => Some(capped(&format!("{secs} s"))),
    }
}

/// `wait`, at most [`MAX_SERVER_WAIT`] (the cut is logged).
#[must_use]
pub fn cap_server_wait(wait: Duration) -> Duration {
    if wait > MAX_SERVER_WAIT {
        capped(&format!("{} s", wait.as_secs()))
    } else {
        wait
    }
}

/// [`MAX_SERVER_WAIT`], logging that a server asked for `asked`.
fn capped(asked: &str) -> Duration {
    tracing::warn!(
        "the server asked to wait {asked}; ValeChat waits at most {} s for a server",
        MAX_SERVER_WAIT.as_secs()
    );
    MAX_SERVER_WAIT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_words() {
        assert_eq!(size(16 * MIB), "16 MiB");
        assert_eq!(size(16 * MIB + MIB / 2), "16.5 MiB");
        assert_eq!(size(512 * 1024), "512 KiB");
        assert_eq!(size(300), "300 bytes");
        let e = too_large("a line", 64 * MIB, MAX_STREAM_LINE_BYTES);
        assert_eq!(
            e.to_string(),
            "the server sent a line of 64 MiB or more; the limit is 16 MiB"
        );
    }

    #[test]
    fn extreme_waits_are_capped_and_never_panic() {
        for secs in [1e20, f64::MAX, f64::INFINITY, 3600.5, 1e300] {
            assert_eq!(server_wait_from_secs(secs), Some(MAX_SERVER_WAIT), "{secs}");
        }
        for secs in [-1.0, f64::NAN, f64::NEG_INFINITY] {
            assert_eq!(server_wait_from_secs(secs), None, "{secs}");
        }
        assert_eq!(
            server_wait_from_secs(2.5),
            Some(Duration::from_millis(2500))
        );
        assert_eq!(cap_server_wait(Duration::MAX), MAX_SERVER_WAIT);
        assert_eq!(
            cap_server_wait(Duration::from_secs(5)),
            Duration::from_secs(5)
        );
    }
}
