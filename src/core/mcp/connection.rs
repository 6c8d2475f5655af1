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
//! calls [`CallOptions`]. A message larger than rmcp's 16 MiB line cap is
//! dropped by rmcp, so the request ends with the timeout error.
//!
//! Legacy HTTP+SSE (2024-11-05) detection, after a failed handshake: a GET
//! with `Accept: text/event-stream` that answers `200 text/event-stream`
//! with an `event: endpoint` first event is the old transport →
//! [`McpError::UnsupportedTransport`].

mod features;

use std::time::{Duration, Instant};

use rmcp::ServiceError;
use rmcp::model::{
    CallToolRequest, CallToolRequestParams, ClientRequest, GetPromptRequestParams, GetPromptResult,
    Prompt, ReadResourceRequestParams, ReadResourceResult, Resource, ResourceTemplate,
    ServerResult, Tool,
};
use rmcp::service::{ClientLifecycleMode, PeerRequestOptions, RoleClient, RunningService};
use tokio_util::sync::CancellationToken;

use super::config::{Era, ServerConfig, Transport};
use super::content::ToolOutcome;
use super::handler::{ClientHooks, ProgressCallback, ProgressRoutes, ValeClient};
use super::log::ServerLog;
use super::process::{self, DEFAULT_GRACE, StdioProcess};
use super::{McpError, http, websocket};
use crate::core::secrets::KeyStore;

pub use features::{CompletionTarget, Completions};

/// Longest the handshake may take (covers rmcp's 10 s discover fallback).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest a list, read or get request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Stderr lines quoted in errors.
const STDERR_IN_ERRORS: usize = 5;

/// Limits and observers of one tool call.
#[derive(Clone)]
pub struct CallOptions {
    /// Idle limit, milliseconds; restarts on each progress notification.
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
}

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
    /// [`McpError::UnsupportedTransport`] for legacy HTTP+SSE.
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
        let (mode, legacy_version) = lifecycle(config.era.as_ref());
        let oauth = hooks.oauth.clone();
        let handler = ValeClient::new(&server, hooks, log.clone(), progress.clone())
            .with_protocol_version(legacy_version);
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
                let transport = http::transport(&server, url, headers, bearer, oauth)?;
                let served = tokio::time::timeout(
                    CONNECT_TIMEOUT,
                    rmcp::service::serve_client_with_lifecycle(handler, transport, mode),
                )
                .await;
                match served {
                    Ok(Ok(service)) => (service, None),
                    Ok(Err(error)) => {
                        http::reject_legacy_sse(&server, url, headers).await?;
                        return Err(handshake(error.to_string(), &log));
                    }
                    Err(_) => {
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
        Ok(Self {
            server_id: config.id.clone(),
            service,
            pgid: process.as_ref().map(StdioProcess::pgid),
            process: tokio::sync::Mutex::new(process),
            era: Era::from_version(&version),
            log,
            progress,
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

    /// Every tool, following `nextCursor` through all pages.
    ///
    /// # Errors
    /// [`McpError::Timeout`], [`McpError::Closed`], [`McpError::Protocol`].
    pub async fn list_tools(&self) -> Result<Vec<Tool>, McpError> {
        self.limited("tools/list", self.service.list_all_tools())
            .await
    }

    /// Every resource (all pages).
    ///
    /// # Errors
    /// As [`Self::list_tools`].
    pub async fn list_resources(&self) -> Result<Vec<Resource>, McpError> {
        self.limited("resources/list", self.service.list_all_resources())
            .await
    }

    /// Every resource template (all pages).
    ///
    /// # Errors
    /// As [`Self::list_tools`].
    pub async fn list_resource_templates(&self) -> Result<Vec<ResourceTemplate>, McpError> {
        self.limited(
            "resources/templates/list",
            self.service.list_all_resource_templates(),
        )
        .await
    }

    /// Reads the resource at `uri`.
    ///
    /// # Errors
    /// As [`Self::list_tools`].
    pub async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult, McpError> {
        self.limited(
            &format!("resources/read {uri}"),
            self.service
                .read_resource(ReadResourceRequestParams::new(uri.to_owned())),
        )
        .await
    }

    /// Every prompt (all pages).
    ///
    /// # Errors
    /// As [`Self::list_tools`].
    pub async fn list_prompts(&self) -> Result<Vec<Prompt>, McpError> {
        self.limited("prompts/list", self.service.list_all_prompts())
            .await
    }

    /// The messages of prompt `name` with `args` (string values).
    ///
    /// # Errors
    /// As [`Self::list_tools`].
    pub async fn get_prompt(
        &self,
        name: &str,
        args: serde_json::Map<String, serde_json::Value>,
    ) -> Result<GetPromptResult, McpError> {
        let mut params = GetPromptRequestParams::new(name.to_owned());
        params.arguments = Some(args);
        self.limited(
            &format!("prompts/get {name}"),
            self.service.get_prompt(params),
        )
        .await
    }

    /// Calls tool `name` with `args` (a JSON object or null). A result with
    /// `isError` is `Ok` (the tool ran and failed; the model should see it).
    ///
    /// # Errors
    /// [`McpError::Timeout`] after `timeout_ms` without an answer or progress
    /// or after `total_cap_ms`; [`McpError::Cancelled`] when `cancel` fires
    /// (the server gets `notifications/cancelled`); [`McpError::Closed`] when
    /// the server dies mid-call; [`McpError::Protocol`] for a JSON-RPC error,
    /// non-object arguments or an unexpected result.
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
        let request = ClientRequest::CallToolRequest(CallToolRequest::new(params));
        let idle = Duration::from_millis(options.timeout_ms.max(1));
        let total = Duration::from_millis(options.total_cap_ms.max(options.timeout_ms).max(1));
        let peer_options = PeerRequestOptions::with_timeout(idle)
            .reset_timeout_on_progress()
            .with_max_total_timeout(total);
        let started = Instant::now();
        let handle = self
            .service
            .send_request_with_option(request, peer_options)
            .await
            .map_err(|e| self.error(&request_name, e))?;
        let token = handle.progress_token.clone();
        let id = handle.id.clone();
        if let Some(callback) = options.progress {
            self.progress.insert(&token, callback);
        }
        let outcome = tokio::select! {
            result = handle.await_response() => Some(result),
            () = cancel.cancelled() => None,
        };
        self.progress.remove(&token);
        let Some(result) = outcome else {
            self.send_cancelled(&id).await;
            return Err(McpError::Cancelled {
                server: self.server_id.clone(),
                request: request_name,
            });
        };
        let duration_ms = millis(started.elapsed());
        match result {
            Ok(ServerResult::CallToolResult(result)) => {
                Ok(ToolOutcome::from_result(result, duration_ms))
            }
            Ok(ServerResult::InputRequiredResult(_)) => Err(McpError::Protocol {
                server: self.server_id.clone(),
                request: request_name,
                reason: "the server needs more input (input_required), which ValeChat does not support yet".into(),
            }),
            Ok(_) => Err(McpError::Protocol {
                server: self.server_id.clone(),
                request: request_name,
                reason: "unexpected result type".into(),
            }),
            Err(ServiceError::Timeout { timeout }) if timeout == total && total != idle => {
                Err(McpError::Timeout {
                    server: self.server_id.clone(),
                    request: request_name,
                    timeout_ms: millis(timeout),
                    hint: " (total cap for the call)".into(),
                })
            }
            Err(error) => Err(self.error(&request_name, error)),
        }
    }

    /// Sends `notifications/cancelled` for request `id` (best effort).
    async fn send_cancelled(&self, id: &rmcp::model::RequestId) {
        let param = serde_json::json!({"requestId": id, "reason": "cancelled by the user"});
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
