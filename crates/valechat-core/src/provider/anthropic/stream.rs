//! From the bytes of an Anthropic Messages `text/event-stream` body to a
//! [`ChatStream`].
//!
//! The SSE framing, timeouts, cancellation and connection handling are the
//! shared ones of [`crate::provider::sse`]; the Messages rules are
//! [`MessageMapper`]'s: `message_stop` ends the reply, an `error` event
//! ends it with an error (`overloaded_error` as [`ProviderError::Server`]
//! with status 529), and the body ending after a `stop_reason` but before
//! `message_stop` is still a clean end.

use futures::Stream;
use tokio_util::sync::CancellationToken;

use super::mapper::MessageMapper;
use crate::provider::http::BodyTimeouts;
use crate::provider::sse;
use crate::provider::{ChatStream, ProviderError};

/// Parses an Anthropic Messages SSE body into chat events.
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
    sse::event_stream(bytes, MessageMapper::new(), idle_timeout, cancel)
}
