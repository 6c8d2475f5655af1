//! One WebSocket connection at `/v1/ws`: the `hello`, the client's
//! messages, the bounded outgoing queue (`outbox`), heartbeats and the
//! size limit.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Extension, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::convert;
use super::dispatch::Dispatch;
use super::hub::TurnHub;
use super::outbox::outbox;
use super::protocol::{CLOSE_NO_PONG, CLOSE_TOO_SLOW, VERSION};
use crate::serve::auth::Authenticated;
use crate::serve::clients::{ClientKind, Clients};
use crate::serve::http::rate::RateLimit;

/// Largest client message: 8 MiB (a `send` with images, base64). A larger
/// one closes the connection with code 1009.
pub const MAX_INCOMING_BYTES: usize = 8 * 1024 * 1024;
/// The read buffer of a connection: 8 KiB (tungstenite's default, 128 KiB,
/// made an idle connection cost about 140 KiB; a larger message still
/// arrives whole, the buffer grows for it).
pub const READ_BUFFER_BYTES: usize = 8 * 1024;
/// Most messages waiting to be written to one connection.
pub const QUEUE_MESSAGES: usize = 1_024;
/// Most bytes waiting to be written to one connection: 4 MiB.
pub const QUEUE_BYTES: usize = 4 * 1024 * 1024;
/// The server pings every 20 s.
pub const PING_INTERVAL: Duration = Duration::from_secs(20);
/// A connection that sent nothing (not even a pong) for 60 s is closed
/// (code 4009).
pub const PONG_TIMEOUT: Duration = Duration::from_secs(60);

/// The bounds of every connection of a router; [`Bounds::default`] gives
/// the constants above (tests shrink them).
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// Largest client message, bytes.
    pub max_incoming_bytes: usize,
    /// Outgoing queue, messages.
    pub queue_messages: usize,
    /// Outgoing queue, bytes.
    pub queue_bytes: usize,
    /// Time between the server's pings.
    pub ping_interval: Duration,
    /// Silence after which a connection is closed.
    pub pong_timeout: Duration,
}

impl Default for Bounds {
    fn default() -> Self {
        Self {
            max_incoming_bytes: MAX_INCOMING_BYTES,
            queue_messages: QUEUE_MESSAGES,
            queue_bytes: QUEUE_BYTES,
            ping_interval: PING_INTERVAL,
            pong_timeout: PONG_TIMEOUT,
        }
    }
}

/// The router of `GET /v1/ws` (a WebSocket upgrade) over `hub`, with the
/// default [`Bounds`]. The HTTP server merges it behind its bearer token
/// check.
/// Each connection is noted in `clients` (the window lists them) while it
/// is open.
/// When `shutdown` fires, every connection is closed with 1001 (going
/// away); the turns go on and stay stored. With `rate`, each `send` counts
/// as a request of the connection's token (the one [`crate::serve::auth`]
/// accepted): over the limit it is refused with `rate_limited`.
pub fn router(
    hub: TurnHub,
    clients: Clients,
    shutdown: CancellationToken,
    rate: Option<RateLimit>,
) -> Router {
    router_with(hub, clients, shutdown, rate, Bounds::default())
}

/// As [`router`], with other bounds.
pub fn router_with(
    hub: TurnHub,
    clients: Clients,
    shutdown: CancellationToken,
    rate: Option<RateLimit>,
    bounds: Bounds,
) -> Router {
    Router::new()
        .route(super::PATH, get(upgrade))
        .with_state(Served {
            hub,
            clients,
            shutdown,
            rate,
            bounds,
        })
}

/// What every connection of a router shares.
#[derive(Clone)]
struct Served {
    hub: TurnHub,
    clients: Clients,
    shutdown: CancellationToken,
    rate: Option<RateLimit>,
    bounds: Bounds,
}

async fn upgrade(
    State(served): State<Served>,
    token: Option<Extension<Authenticated>>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    // The token's requests, counted per `send` (none without a token:
    // a router mounted without the check, as in tests).
    let limit = served
        .rate
        .clone()
        .zip(token.map(|Extension(Authenticated(token))| token));
    let agent = headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(client_name);
    let bounds = served.bounds;
    // Up to twice the limit is read and refused here with 1009; beyond,
    // the WebSocket layer refuses the frame and the close is attempted.
    ws.protocols([super::SUBPROTOCOL])
        .read_buffer_size(READ_BUFFER_BYTES)
        .max_message_size(bounds.max_incoming_bytes.saturating_mul(2))
        .max_frame_size(bounds.max_incoming_bytes.saturating_mul(2))
        .on_upgrade(move |socket| serve(socket, served, agent, limit))
}

/// A client name fit for a usage record: the first word, at most 64 characters.
pub fn client_name(raw: &str) -> String {
    let word = raw.split_whitespace().next().unwrap_or("unknown");
    let name: String = word.chars().filter(|c| !c.is_control()).take(64).collect();
    if name.is_empty() {
        "unknown".to_owned()
    } else {
        name
    }
}

/// The server's first message.
fn hello(bounds: &Bounds) -> Value {
    convert::versioned(json!({
        "type": "hello",
        "protocol_version": VERSION,
        "server": {"name": "valechat", "version": crate::config::VERSION},
        "limits": {
            "max_message_bytes": bounds.max_incoming_bytes,
            "queue_messages": bounds.queue_messages,
            "queue_bytes": bounds.queue_bytes,
            "turn_buffer_events": super::TURN_BUFFER_EVENTS,
            "turn_buffer_bytes": super::TURN_BUFFER_BYTES,
            "ping_interval_ms": u64::try_from(bounds.ping_interval.as_millis()).unwrap_or(u64::MAX),
            "pong_timeout_ms": u64::try_from(bounds.pong_timeout.as_millis()).unwrap_or(u64::MAX),
        },
    }))
}

/// A close the reader asks the writer for, after what is queued.
pub(super) type CloseRequest = (u16, String);

async fn serve(
    socket: WebSocket,
    served: Served,
    agent: Option<String>,
    limit: Option<(RateLimit, Arc<str>)>,
) {
    let Served {
        hub,
        clients,
        shutdown,
        bounds,
        ..
    } = served;
    let (mut sink, mut stream) = socket.split();
    let (out, mut queue) = outbox(bounds.queue_messages, bounds.queue_bytes);
    out.push(Arc::from(hello(&bounds).to_string()));
    let last_seen = Arc::new(Mutex::new(Instant::now()));
    let (close_tx, mut close_rx) = mpsc::unbounded_channel::<CloseRequest>();
    let seen = last_seen.clone();
    let writer = tokio::spawn(async move {
        let overflow = queue.overflow.clone();
        let mut ping = tokio::time::interval(bounds.ping_interval);
        ping.tick().await;
        let close = |code: u16, reason: String| {
            Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            }))
        };
        loop {
            tokio::select! {
                biased;
                () = overflow.cancelled() => {
                    let dropped = convert::versioned(json!({
                        "type": "dropped",
                        "reason": format!(
                            "the client did not read fast enough: more than {} messages or {} bytes were waiting; resume the turn on a new connection",
                            bounds.queue_messages, bounds.queue_bytes),
                    }));
                    let _ = sink.send(Message::Text(dropped.to_string().into())).await;
                    let _ = sink.send(close(CLOSE_TOO_SLOW, "too slow".into())).await;
                    break;
                }
                request = close_rx.recv() => {
                    if let Some((code, reason)) = request {
                        while let Some(json) = queue.try_recv() {
                            let _ = sink.send(Message::Text(json.as_ref().into())).await;
                        }
                        let _ = sink.send(close(code, reason)).await;
                    }
                    break;
                }
                json = queue.recv() => {
                    let Some(json) = json else { break };
                    if sink.send(Message::Text(json.as_ref().into())).await.is_err() {
                        break;
                    }
                }
                _ = ping.tick() => {
                    let silent = seen.lock().map(|t| t.elapsed()).unwrap_or_default();
                    if silent > bounds.pong_timeout {
                        let _ = sink.send(close(CLOSE_NO_PONG, "no pong".into())).await;
                        break;
                    }
                    if sink.send(Message::Ping(Vec::new().into())).await.is_err() {
                        break;
                    }
                }
            }
        }
        let _ = sink.close().await;
    });
    let connection = clients.connect(ClientKind::WebSocket, agent.as_deref().unwrap_or("unknown"));
    let mut dispatch = Dispatch::new(hub, out.clone(), close_tx.clone(), agent, connection, limit);
    loop {
        let message = tokio::select! {
            message = stream.next() => match message {
                Some(message) => message,
                None => break,
            },
            () = shutdown.cancelled() => {
                let _ = close_tx.send((1001, "server shutting down".into()));
                break;
            }
        };
        if let Ok(mut t) = last_seen.lock() {
            *t = Instant::now();
        }
        match message {
            Ok(Message::Text(text)) => {
                if text.len() > bounds.max_incoming_bytes {
                    let _ = close_tx.send((1009, "message too big".into()));
                    break;
                }
                if !dispatch.handle(text.as_str()).await {
                    break;
                }
            }
            Ok(Message::Binary(_)) => dispatch.refuse_binary(),
            Ok(Message::Close(_)) => break,
            Ok(_) => {}
            Err(e) => {
                let text = e.to_string();
                if text.contains("Space limit") || text.contains("too long") {
                    let _ = close_tx.send((1009, "message too big".into()));
                }
                break;
            }
        }
    }
    drop(close_tx);
    drop(dispatch);
    drop(out);
    let _ = writer.await;
}
