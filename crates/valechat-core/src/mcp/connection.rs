//! [`McpConnection`]: one live session with one server, over stdio,
//! streamable HTTP or WebSocket, through rmcp.
//!
//! Era choice: a cached [`Era`] picks rmcp's `Initialize` (legacy, offering
//! `LATEST_WITH_INITIALIZE` = 2025-11-25) or `Discover` lifecycle directly.
//! Without one, rmcp's `Auto` mode sends `server/discover` first; legacy
//! servers answer it at once with "method not found" and rmcp falls back to
//! `initialize` (server-everything: no measurable delay), only a server
//! that ignores unknown methods costs the 10 s fallback, and the era found is
//! returned by [`McpConnection::era`] so the registry caches it.
//!
//! Every request has a timeout (no request can hang): the handshake
//! [`CONNECT_TIMEOUT`], list/read/get requests [`REQUEST_TIMEOUT`], tool
//! calls [`CallOptions`]; `input_required` exchanges (2026-07-28 multi
//! round-trip requests, [`input_required`]) keep those limits over all their
//! rounds. A message larger than rmcp's 16 MiB line cap is
//! dropped by rmcp, so the request ends with the timeout error.
//!
//! Legacy HTTP+SSE (2024-11-05) detection, after a failed handshake: a GET
//! with `Accept: text/event-stream` that answers `200 text/event-stream`
//! with an `event: endpoint` first event is the old transport →
//! [`McpError::UnsupportedTransport`].
//!
//! Files: `connection/handshake` (connecting and the era),
//! `connection/tool_call` (tool calls and their limits),
//! `connection/catalog` (list, read and get requests),
//! `connection/features` (subscriptions, completions, log level),
//! `connection/input_required` (2026-07-28 multi round-trip requests),
//! `connection/idle` (the idle limit that waits for the user),
//! `connection/url_required` (the `-32042` URL elicitation error),
//! `connection/stdout` (a stdio server's messages, at most
//! [`MAX_MESSAGE_BYTES`] each).

mod catalog;
mod features;
mod handshake;
mod idle;
pub mod input_required;
pub(crate) mod stdout;
mod tool_call;
mod url_required;

use std::time::Duration;

use rmcp::ServiceError;
use rmcp::service::{RoleClient, RunningService};

use super::McpError;
use super::config::Era;
use super::handler::{ProgressRoutes, ValeClient};
use super::log::ServerLog;
use super::process::{DEFAULT_GRACE, StdioProcess};

pub use features::{CompletionTarget, Completions};
pub use idle::{UserWaitGuard, UserWaits};
pub use input_required::MAX_INPUT_ROUNDS;
pub use stdout::MAX_MESSAGE_BYTES;
pub use tool_call::CallOptions;
pub use url_required::URL_ELICITATION_REQUIRED;

/// Longest the handshake may take (covers rmcp's 10 s discover fallback).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest a list, read or get request may take (each round of an
/// `input_required` exchange).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest a `prompts/get` or `resources/read` exchange may take with its
/// input rounds (the user may be filling in an elicitation form).
pub const EXCHANGE_CAP: Duration = Duration::from_secs(600);
/// Stderr lines quoted in errors.
const STDERR_IN_ERRORS: usize = 5;

/// A connected server. Dropping it closes the session and kills a stdio
/// server's process group; [`McpConnection::shutdown`] does it gracefully.
pub struct McpConnection {
    server_id: String,
    service: RunningService<RoleClient, ValeClient>,
    process: tokio::sync::Mutex<Option<StdioProcess>>,
    pgid: Option<u32>,
    era: Era,
    log: ServerLog,
    progress: ProgressRoutes,
    user_waits: UserWaits,
    /// Why a stdio session ended, when a message was over [`MAX_MESSAGE_BYTES`].
    overflow: stdout::Overflow,
}

#[allow(
    clippy::missing_fields_in_debug,
    reason = "the handles and channels say nothing useful in a log"
)]
impl std::fmt::Debug for McpConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpConnection")
            .field("server_id", &self.server_id)
            .field("era", &self.era)
            .field("pgid", &self.pgid)
            .finish()
    }
}

impl McpConnection {
    /// The era the server spoke in this session (cache it in the config).
    pub fn era(&self) -> &Era {
        &self.era
    }

    /// The server's stderr and protocol log.
    pub fn log(&self) -> &ServerLog {
        &self.log
    }

    /// Process group id of a stdio server, `None` for HTTP.
    pub fn pgid(&self) -> Option<u32> {
        self.pgid
    }

    /// Whether the session has ended (server exited or transport closed).
    /// rmcp's own `is_closed` only reports a local close or cancel; a server
    /// that went away shows as the service loop having dropped its request
    /// channel (`Peer::is_transport_closed`).
    pub fn is_closed(&self) -> bool {
        self.service.is_closed() || self.service.peer().is_transport_closed()
    }

    /// Instructions the server gave in its handshake, if any.
    pub fn instructions(&self) -> Option<String> {
        self.service
            .peer()
            .peer_info()
            .and_then(|i| i.instructions.clone())
    }

    /// Maps an rmcp error for `request`.
    fn error(&self, request: &str, error: ServiceError) -> McpError {
        let server = self.server_id.clone();
        let request = request.to_owned();
        match error {
            ServiceError::Timeout { timeout } => McpError::Timeout {
                server,
                request,
                timeout_ms: millis(timeout),
                hint: String::new(),
                stderr: String::new(),
            },
            ServiceError::TransportClosed | ServiceError::TransportSend(_) => McpError::Closed {
                server,
                request,
                stderr: format!(
                    "{}{}",
                    self.overflow.note(),
                    self.log.stderr_suffix(STDERR_IN_ERRORS)
                ),
            },
            ServiceError::Cancelled { .. } => McpError::Cancelled { server, request },
            ServiceError::McpError(data) => McpError::Protocol {
                server,
                request,
                reason: format!("{} (code {})", data.message, data.code.0),
            },
            other => McpError::Protocol {
                server,
                request,
                reason: other.to_string(),
            },
        }
    }

    /// Runs `future` with [`REQUEST_TIMEOUT`].
    async fn limited<T>(
        &self,
        request: &str,
        future: impl Future<Output = Result<T, ServiceError>>,
    ) -> Result<T, McpError> {
        match tokio::time::timeout(REQUEST_TIMEOUT, future).await {
            Ok(result) => result.map_err(|e| self.error(request, e)),
            Err(_) => Err(McpError::Timeout {
                server: self.server_id.clone(),
                request: request.to_owned(),
                timeout_ms: millis(REQUEST_TIMEOUT),
                hint: String::new(),
                stderr: self.log.stderr_suffix(STDERR_IN_ERRORS),
            }),
        }
    }

    /// Sends `notifications/cancelled` for request `id` with `reason` (best
    /// effort).
    async fn send_cancelled(&self, id: &rmcp::model::RequestId, reason: &str) {
        let param = serde_json::json!({"requestId": id, "reason": reason});
        if let Ok(param) = serde_json::from_value(param) {
            let _ =
                tokio::time::timeout(Duration::from_secs(2), self.service.notify_cancelled(param))
                    .await;
        }
    }

    /// Ends the session: stops the rmcp service (closing the transport), then SIGTERM → SIGKILL
    /// the process group of a stdio server.
    pub async fn shutdown(&self) {
        self.service.cancellation_token().cancel();
        let child = self.process.lock().await.take();
        if let Some(mut child) = child {
            child.terminate(DEFAULT_GRACE).await;
        }
    }
}

/// `duration` in whole milliseconds (saturating).
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
