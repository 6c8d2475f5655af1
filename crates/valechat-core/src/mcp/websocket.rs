//! MCP over WebSocket: JSON-RPC messages as text frames, one message per
//! frame, on a connection that negotiated the subprotocol `mcp` (the
//! convention of the MCP WebSocket transport proposals and of the TypeScript
//! SDK's `WebSocketClientTransport`).
//!
//! rmcp has no WebSocket transport; it accepts any `(Sink, Stream)` pair of
//! JSON-RPC messages ([`rmcp::transport::IntoTransport`]). [`json_rpc`] turns
//! a tokio-tungstenite stream into such a pair, for either role (the tests
//! run an rmcp server over it), and [`connect`] opens the client side.
//!
//! Frames: text (and, leniently, binary UTF-8) frames are parsed as one
//! message each; a frame that is not a valid message is skipped with a
//! warning; a close frame or a read error ends the stream. Messages over
//! [`MAX_MESSAGE_BYTES`] are refused by tungstenite and end the stream,
//! so the request in flight fails instead of hanging.

use futures::{Sink, SinkExt, Stream, StreamExt, future};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};

use super::McpError;

/// The WebSocket subprotocol of MCP.
pub const SUBPROTOCOL: &str = "mcp";

/// Largest message accepted, bytes (as rmcp's stdio line cap).
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// A failure to send a message.
#[derive(Debug, thiserror::Error)]
pub enum WebSocketError {
    /// The WebSocket connection failed or is closed.
    #[error("WebSocket error: {0}")]
    Socket(#[from] tungstenite::Error),
    /// The message could not be serialised (not expected for rmcp types).
    #[error("could not serialise a JSON-RPC message: {0}")]
    Json(#[from] serde_json::Error),
}

/// Splits `socket` into a sink of outgoing messages (`Tx`, sent as text
/// frames) and a stream of incoming ones (`Rx`).
pub fn json_rpc<S, Tx, Rx>(
    socket: WebSocketStream<S>,
) -> (
    impl Sink<Tx, Error = WebSocketError> + Send + Unpin + 'static,
    impl Stream<Item = Rx> + Send + Unpin + 'static,
)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    Tx: Serialize + Send + 'static,
    Rx: DeserializeOwned + Send + 'static,
{
    let (write, read) = socket.split();
    let sink = write
        .sink_map_err(WebSocketError::from)
        .with(|message: Tx| {
            future::ready(
                serde_json::to_string(&message)
                    .map(|text| Message::Text(text.into()))
                    .map_err(WebSocketError::from),
            )
        });
    let stream = read
        .take_while(|frame| future::ready(matches!(frame, Ok(m) if !m.is_close())))
        .filter_map(|frame| future::ready(frame.ok().and_then(parse)));
    (sink, Box::pin(stream))
}

/// One data frame as a message; control frames and invalid messages: `None`.
fn parse<Rx: DeserializeOwned>(frame: Message) -> Option<Rx> {
    let bytes = match frame {
        Message::Text(text) => text.as_bytes().to_vec(),
        Message::Binary(bytes) => bytes.to_vec(),
        _ => return None,
    };
    match serde_json::from_slice(&bytes) {
        Ok(message) => Some(message),
        Err(error) => {
            tracing::warn!(%error, "skipped a WebSocket frame that is not a JSON-RPC message");
            None
        }
    }
}

/// Opens `url` (`ws://` or `wss://`) asking for the `mcp` subprotocol and
/// returns the client's `(sink, stream)` for rmcp.
///
/// # Errors
/// [`McpError::Config`] for a URL that is not a WebSocket URL;
/// [`McpError::Handshake`] when the connection or the WebSocket upgrade
/// fails (refused, TLS, HTTP status, the server not selecting `mcp`).
pub async fn connect<Tx, Rx>(
    server: &str,
    url: &str,
) -> Result<
    (
        impl Sink<Tx, Error = WebSocketError> + Send + Unpin + 'static,
        impl Stream<Item = Rx> + Send + Unpin + 'static,
    ),
    McpError,
>
where
    Tx: Serialize + Send + 'static,
    Rx: DeserializeOwned + Send + 'static,
{
    let mut request = url.into_client_request().map_err(|e| McpError::Config {
        server: server.to_owned(),
        reason: format!("the WebSocket URL {url:?} is invalid: {e}"),
    })?;
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static(SUBPROTOCOL),
    );
    // Fails only when a provider is installed already, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_MESSAGE_BYTES));
    let (socket, _response) =
        tokio_tungstenite::connect_async_with_config(request, Some(config), false)
            .await
            .map_err(|e| McpError::Handshake {
                server: server.to_owned(),
                reason: format!("the WebSocket connection to {url} failed: {e}"),
                stderr: String::new(),
            })?;
    Ok(json_rpc(socket))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_frames_parse_and_control_frames_do_not() {
        let text: Option<serde_json::Value> = parse(Message::Text(r#"{"a":1}"#.into()));
        assert_eq!(text, Some(serde_json::json!({"a": 1})));
        let binary: Option<serde_json::Value> = parse(Message::Binary(b"[1]".to_vec().into()));
        assert_eq!(binary, Some(serde_json::json!([1])));
        let ping: Option<serde_json::Value> = parse(Message::Ping(Vec::new().into()));
        assert_eq!(ping, None);
        let junk: Option<serde_json::Value> = parse(Message::Text("not json".into()));
        assert_eq!(junk, None);
    }

    #[tokio::test]
    async fn a_bad_url_is_a_config_error() {
        let result = connect::<serde_json::Value, serde_json::Value>("ws", "not a url").await;
        assert!(matches!(result, Err(McpError::Config { .. })));
        let refused =
            connect::<serde_json::Value, serde_json::Value>("ws", "ws://127.0.0.1:9/mcp").await;
        let Err(error) = refused else {
            panic!("connected to the discard port")
        };
        assert!(
            error.to_string().contains("WebSocket connection"),
            "{error}"
        );
    }
}
