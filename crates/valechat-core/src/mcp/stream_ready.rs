//! Knowing when the streamable HTTP transport's standalone GET stream is
//! open.
//!
//! A server may send requests and notifications that belong to no request
//! of ours (MCP 2025-11-25, "Transports → Streamable HTTP → Listening for
//! Messages from the Server") on the SSE stream the client opens with a GET
//! after the handshake — and servers built on the TypeScript SDK send even a
//! tool's `elicitation/create` there when the tool does not tie it to the
//! call. Such a server drops what it sends while that stream is not open
//! yet. rmcp opens it in the background, so a client that calls a tool
//! right after connecting races it (the MCP conformance scenario
//! `elicitation-sep1034-client-defaults` lost that race about one run in
//! three). [`ReadyClient`] wraps the HTTP client and reports when the first
//! session GET got its answer (stream open, or the server said it offers
//! none); the connection waits for that, briefly, before it is used.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::BoxStream;
use reqwest013::header::{HeaderName, HeaderValue};
use rmcp::model::{ClientJsonRpcMessage, ClientRequest};
use rmcp::transport::streamable_http_client::{
    SseError, StreamableHttpClient, StreamableHttpError, StreamableHttpPostResponse,
};
use sse_stream::Sse;
use tokio::sync::watch;

/// Longest a new connection waits for the standalone stream: a server that
/// is slow to answer the GET is used anyway after this (what it sends
/// meanwhile may be lost, as before).
pub const STREAM_READY_WAIT: Duration = Duration::from_secs(2);

/// A [`StreamableHttpClient`] that reports, through [`StreamReady`], when
/// its first standalone GET stream got an answer.
#[derive(Clone)]
pub struct ReadyClient<C> {
    inner: C,
    ready: Arc<watch::Sender<bool>>,
}

/// The receiving side: [`StreamReady::wait`] returns once the stream is
/// open or refused.
#[derive(Debug, Clone)]
pub struct StreamReady(watch::Receiver<bool>);

impl<C> ReadyClient<C> {
    /// Wraps `inner`. The pair's [`StreamReady`] is ready until an
    /// `initialize` answer brings a session id (only then does rmcp open the
    /// standalone stream), and again once that stream's GET is answered.
    pub fn new(inner: C) -> (Self, StreamReady) {
        let (tx, rx) = watch::channel(true);
        let client = Self {
            inner,
            ready: Arc::new(tx),
        };
        (client, StreamReady(rx))
    }

    fn mark_ready(&self) {
        self.ready.send_replace(true);
    }

    /// After a POST: an `initialize` answered with a session id means the
    /// standalone stream is coming.
    fn after_post<E: std::error::Error + Send + Sync + 'static>(
        &self,
        message_was_initialize: bool,
        response: &Result<StreamableHttpPostResponse, StreamableHttpError<E>>,
    ) {
        let session = match response {
            Ok(
                StreamableHttpPostResponse::Json(_, session)
                | StreamableHttpPostResponse::Sse(_, session),
            ) => session.is_some(),
            _ => false,
        };
        if message_was_initialize && session {
            self.ready.send_replace(false);
        }
    }
}

/// Whether `message` is the `initialize` request.
fn is_initialize(message: &ClientJsonRpcMessage) -> bool {
    matches!(
        message,
        ClientJsonRpcMessage::Request(request)
            if matches!(request.request, ClientRequest::InitializeRequest(_))
    )
}

impl StreamReady {
    /// Waits until the standalone stream got its answer, at most `limit`;
    /// `true` when it did.
    pub async fn wait(&mut self, limit: Duration) -> bool {
        matches!(
            tokio::time::timeout(limit, self.0.wait_for(|ready| *ready)).await,
            Ok(Ok(_))
        )
    }
}

/// The result of opening a stream.
type StreamResult<E> = Result<BoxStream<'static, Result<Sse, SseError>>, StreamableHttpError<E>>;

impl<C: StreamableHttpClient + Sync> StreamableHttpClient for ReadyClient<C> {
    type Error = C::Error;

    async fn post_message(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<StreamableHttpPostResponse, StreamableHttpError<Self::Error>> {
        let initialize = is_initialize(&message);
        let response = self
            .inner
            .post_message(uri, message, session_id, auth_header, custom_headers)
            .await;
        self.after_post(initialize, &response);
        response
    }

    async fn post_message_with_max_sse_event_size(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
        max_sse_event_size: usize,
    ) -> Result<StreamableHttpPostResponse, StreamableHttpError<Self::Error>> {
        let initialize = is_initialize(&message);
        let response = self
            .inner
            .post_message_with_max_sse_event_size(
                uri,
                message,
                session_id,
                auth_header,
                custom_headers,
                max_sse_event_size,
            )
            .await;
        self.after_post(initialize, &response);
        response
    }

    async fn delete_session(
        &self,
        uri: Arc<str>,
        session_id: Arc<str>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<(), StreamableHttpError<Self::Error>> {
        self.inner
            .delete_session(uri, session_id, auth_header, custom_headers)
            .await
    }

    async fn get_stream(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> StreamResult<Self::Error> {
        let standalone = session_id.is_some() && last_event_id.is_none();
        let result = self
            .inner
            .get_stream(uri, session_id, last_event_id, auth_header, custom_headers)
            .await;
        if standalone {
            self.mark_ready();
        }
        result
    }

    async fn get_stream_with_max_sse_event_size(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
        max_sse_event_size: usize,
    ) -> StreamResult<Self::Error> {
        let standalone = session_id.is_some() && last_event_id.is_none();
        let result = self
            .inner
            .get_stream_with_max_sse_event_size(
                uri,
                session_id,
                last_event_id,
                auth_header,
                custom_headers,
                max_sse_event_size,
            )
            .await;
        // Open, refused (`405`: the server offers no such stream) or failed:
        // either way there is nothing more to wait for.
        if standalone {
            self.mark_ready();
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn wait_returns_false_until_marked_and_true_after() {
        let (client, mut ready) = ReadyClient::new(());
        // Without a session there is nothing to wait for.
        assert!(ready.wait(Duration::ZERO).await);
        client.ready.send_replace(false);
        assert!(!ready.wait(Duration::from_millis(20)).await);
        client.mark_ready();
        assert!(ready.wait(Duration::from_millis(20)).await);
        // Clones see it too.
        let mut again = ready.clone();
        assert!(again.wait(Duration::ZERO).await);
    }
}
