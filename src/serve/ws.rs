//! The WebSocket stream at `/v1/ws` (issue 15, seed 004): a front end sends
//! messages and follows the engine's turns as versioned JSON messages
//! (`docs/api/websocket.md`, one JSON Schema per message in
//! `data/schema/ws/`).
//!
//! - [`protocol`]: the messages, both directions, and the version;
//! - [`TurnHub`] (`hub`): one per server; runs each turn as a task that
//!   outlives the connection that started it, keeps its last events for
//!   `resume` (`turn_buffer`) and routes tool approvals (`approver`);
//! - `connection`: one WebSocket: its bounded outgoing queue, heartbeats and
//!   size limit;
//! - [`router`]: the axum router the HTTP server mounts at `/v1/ws`, behind
//!   its bearer token check.

mod approver;
mod connection;
mod convert;
mod dispatch;
mod hub;
mod outbox;
pub mod protocol;
mod requests;
mod turn_buffer;

pub use connection::{Bounds, router, router_with};

/// Where the stream is served.
pub const PATH: &str = "/v1/ws";

/// The subprotocol the server chooses when the client offers it
/// (`Sec-WebSocket-Protocol`); a browser client offers it beside
/// `bearer.<token>` (see [`crate::serve::auth::WEBSOCKET_BEARER_PREFIX`]),
/// since a browser fails a handshake whose answer chooses none of the
/// offered values.
pub const SUBPROTOCOL: &str = "valechat.v1";
pub use hub::TurnHub;
pub use turn_buffer::{TURN_BUFFER_BYTES, TURN_BUFFER_EVENTS};
