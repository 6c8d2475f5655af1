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
//! Files: `connection/catalog` (list, read and get requests),
//! `connection/features` (subscriptions, completions, log level),
//! `connection/input_required` (2026-07-28 multi round-trip requests),
//! `connection/idle` (the idle limit that waits for the user),
//! `connection/url_required` (the `-32042` URL elicitation error).

mod catalog;
mod features;
mod idle;
pub mod input_required;
mod url_required;

use std::time::{Duration, Instant};

use rmcp::ServiceError;
use rmcp::model::{CallToolRequest, CallToolRequestParams, ClientRequest, ServerResult};
use rmcp::service::{ClientLifecycleMode, RoleClient, RunningService};
use tokio_util::sync::CancellationToken;

use super::config::{Era, ServerConfig, Transport};
use super::content::ToolOutcome;
use super::handler::{ClientHooks, ProgressCallback, ProgressRoutes, ValeClient};
use super::log::{LogSource, ServerLog};
use super::oauth::OAuthServer;
use super::process::{self, DEFAULT_GRACE, StdioProcess};
use super::stream_ready::STREAM_READY_WAIT;
use super::{McpError, http, websocket};
use crate::secrets::KeyStore;

pub use features::{CompletionTarget, Completions};
pub use idle::{UserWaitGuard, UserWaits};
use input_required::Exchange;
pub use input_required::MAX_INPUT_ROUNDS;
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

/// Limits and observers of one tool call.
#[derive(Clone)]
pub struct CallOptions {
    /// Idle limit, milliseconds; restarts on each progress notification and
    /// stands still while ValeChat answers the server's elicitation or
    /// sampling request (the user may be filling in a form).
    pub timeout_ms: u64,
    /// Hard limit for the whole call, milliseconds.
    pub total_cap_ms: u64,
    /// Called on each progress notification: `(progress, total, message)`.
    pub progress: Option<ProgressCallback>,
}

impl Default for CallOptions {
    /// 60 s idle, 10 min total, no progress observer.
    fn default() -> Self {
        Self {
            timeout_ms: 60_000,
            total_cap_ms: 600_000,
            progress: None,
        }
    }
}

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

/// rmcp lifecycle for a cached era.
fn lifecycle(era: Option<&Era>) -> (ClientLifecycleMode, Option<rmcp::model::ProtocolVersion>) {
    use rmcp::model::ProtocolVersion;
    match era {
        Some(Era::Stateless2026) => (
            ClientLifecycleMode::Discover {
                preferred_versions: vec![ProtocolVersion::LATEST],
            },
            None,
        ),
        Some(Era::Legacy { .. }) => (
            ClientLifecycleMode::Initialize,
            Some(ProtocolVersion::LATEST_WITH_INITIALIZE),
        ),
        None => (
            ClientLifecycleMode::Auto {
                preferred_versions: vec![ProtocolVersion::LATEST],
                legacy_version: Some(ProtocolVersion::LATEST_WITH_INITIALIZE),
            },
            None,
        ),
    }
}

impl McpConnection {
    /// Starts (stdio) or reaches (HTTP) the server of `config` and completes
    /// the handshake. Secrets are read from `keys`; stderr goes to `log`.
    ///
    /// # Errors
    /// [`McpError::Config`], [`McpError::Secret`], [`McpError::Spawn`],
    /// [`McpError::Handshake`] (with the last stderr lines),
    /// [`McpError::Timeout`] after [`CONNECT_TIMEOUT`],
    /// [`McpError::UnsupportedTransport`] for legacy HTTP+SSE,
    /// [`McpError::SignIn`] when the OAuth sign-in failed or was refused.
    #[allow(
        clippy::large_futures,
        reason = "connected once per server start; boxing it buys nothing"
    )]
    #[allow(
        clippy::similar_names,
        reason = "`client`/`clients` name a transport and its connection by what rmcp calls them"
    )]
    #[allow(
        clippy::too_many_lines,
        reason = "one match over the transports, each a few lines; split, it reads worse"
    )]
    pub async fn connect(
        config: &ServerConfig,
        keys: &dyn KeyStore,
        hooks: ClientHooks,
        log: ServerLog,
    ) -> Result<Self, McpError> {
        config.validate()?;
        let (resolved, bearer) = config.resolve_secrets(keys).await?;
        let server = config.id.clone();
        let progress = ProgressRoutes::default();
        let user_waits = UserWaits::default();
        let (mode, legacy_version) = lifecycle(config.era.as_ref());
        let oauth = hooks.oauth.clone();
        let roots = hooks.roots.clone();
        let handler = ValeClient::new(&server, hooks, log.clone(), progress.clone())
            .with_protocol_version(legacy_version)
            .with_user_waits(user_waits.clone());
        let handshake = |reason: String, log: &ServerLog| McpError::Handshake {
            server: server.clone(),
            reason: format!("{reason}{}", log.stderr_suffix(STDERR_IN_ERRORS)),
        };
        let timeout_error = || McpError::Timeout {
            server: server.clone(),
            request: "the handshake".into(),
            timeout_ms: millis(CONNECT_TIMEOUT),
            hint: String::new(),
        };
        let (service, process) = match &resolved.transport {
            Transport::Stdio { .. } => {
                // Warms the login-shell PATH cache off the async threads.
                let _ = tokio::task::spawn_blocking(super::path::login_path).await;
                let (mut child, pipes) = process::spawn(&resolved, &log)?;
                let served = tokio::time::timeout(
                    CONNECT_TIMEOUT,
                    rmcp::service::serve_client_with_lifecycle(
                        handler,
                        (pipes.stdout, pipes.stdin),
                        mode,
                    ),
                )
                .await;
                match served {
                    Ok(Ok(service)) => (service, Some(child)),
                    Ok(Err(error)) => {
                        child.terminate(DEFAULT_GRACE).await;
                        return Err(handshake(error.to_string(), &log));
                    }
                    Err(_) => {
                        child.terminate(DEFAULT_GRACE).await;
                        return Err(timeout_error());
                    }
                }
            }
            Transport::Http { url, headers } => {
                let who = OAuthServer {
                    id: server.clone(),
                    name: config.name.clone(),
                };
                let (transport, auth, mut ready) =
                    http::transport(&who, url, headers, bearer, oauth)?;
                // The clock stops while the user signs in in the browser.
                let served = auth
                    .timeout(
                        CONNECT_TIMEOUT,
                        rmcp::service::serve_client_with_lifecycle(handler, transport, mode),
                    )
                    .await;
                if let (Some(reason), false) = (auth.failure(), matches!(served, Ok(Ok(_)))) {
                    return Err(McpError::SignIn { server, reason });
                }
                match served {
                    Ok(Ok(service)) => {
                        // What the server sends on its standalone stream
                        // before that stream is open is lost.
                        if !ready.wait(STREAM_READY_WAIT).await {
                            log.push(
                                LogSource::Client,
                                "the server's event stream did not open within 2 s; going on",
                            );
                        }
                        (service, None)
                    }
                    Ok(Err(error)) => {
                        http::reject_legacy_sse(&server, url, headers).await?;
                        return Err(handshake(error.to_string(), &log));
                    }
                    Err(()) => {
                        http::reject_legacy_sse(&server, url, headers).await?;
                        return Err(timeout_error());
                    }
                }
            }
            Transport::WebSocket { url } => {
                let served = tokio::time::timeout(CONNECT_TIMEOUT, async {
                    let transport = websocket::connect(&server, url).await?;
                    rmcp::service::serve_client_with_lifecycle(handler, transport, mode)
                        .await
                        .map_err(|error| handshake(error.to_string(), &log))
                })
                .await;
                match served {
                    Ok(Ok(service)) => (service, None),
                    Ok(Err(error)) => return Err(error),
                    Err(_) => return Err(timeout_error()),
                }
            }
        };
        let version = service
            .peer()
            .peer_info()
            .and_then(|info| serde_json::to_value(&info.protocol_version).ok())
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "2025-11-25".to_owned());
        let era = Era::from_version(&version);
        // Roots changes reach initialize-era sessions (see `roots`).
        if matches!(era, Era::Legacy { .. }) {
            roots.register(&config.id, service.peer().clone(), log.clone());
        }
        Ok(Self {
            server_id: config.id.clone(),
            service,
            pgid: process.as_ref().map(StdioProcess::pgid),
            process: tokio::sync::Mutex::new(process),
            era,
            log,
            progress,
            user_waits,
        })
    }

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
            },
            ServiceError::TransportClosed | ServiceError::TransportSend(_) => McpError::Closed {
                server,
                request,
                stderr: self.log.stderr_suffix(STDERR_IN_ERRORS),
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
                hint: self.log.stderr_suffix(STDERR_IN_ERRORS),
            }),
        }
    }

    /// Calls tool `name` with `args` (a JSON object or null). A result with
    /// `isError` is `Ok` (the tool ran and failed; the model should see it).
    /// A 2026-07-28 server may ask for input first (`input_required`, see
    /// [`input_required`]); `options` and `cancel` then cover the whole
    /// exchange, and `duration_ms` of the outcome spans it.
    ///
    /// # Errors
    /// [`McpError::Timeout`] after `timeout_ms` without an answer or progress
    /// or after `total_cap_ms`; [`McpError::Cancelled`] when `cancel` fires
    /// (the server gets `notifications/cancelled`); [`McpError::Closed`] when
    /// the server dies mid-call; [`McpError::Protocol`] for a JSON-RPC error,
    /// non-object arguments, an unexpected result, a refused sampling input
    /// request or more than [`MAX_INPUT_ROUNDS`] input rounds.
    pub async fn call_tool(
        &self,
        name: &str,
        args: serde_json::Value,
        options: CallOptions,
        cancel: CancellationToken,
    ) -> Result<ToolOutcome, McpError> {
        let request_name = format!("tools/call {name}");
        let mut params = CallToolRequestParams::new(name.to_owned());
        params.arguments = match args {
            serde_json::Value::Object(map) => Some(map),
            serde_json::Value::Null => None,
            other => {
                return Err(McpError::Protocol {
                    server: self.server_id.clone(),
                    request: request_name,
                    reason: format!("tool arguments must be a JSON object, not {other}"),
                });
            }
        };
        let idle = Duration::from_millis(options.timeout_ms.max(1));
        let total = Duration::from_millis(options.total_cap_ms.max(options.timeout_ms).max(1));
        let limits = Exchange {
            name: request_name,
            idle,
            total,
            reset_on_progress: true,
            progress: options.progress,
            cancel,
        };
        let started = Instant::now();
        let result = self
            .exchange(&limits, |retry| {
                let mut params = params.clone();
                params.input_responses = retry.responses;
                params.request_state = retry.state;
                ClientRequest::CallToolRequest(CallToolRequest::new(params))
            })
            .await?;
        match result {
            ServerResult::CallToolResult(result) => {
                Ok(ToolOutcome::from_result(result, millis(started.elapsed())))
            }
            _ => Err(self.unexpected(&limits.name)),
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
