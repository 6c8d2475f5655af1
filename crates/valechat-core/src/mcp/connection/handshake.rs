//! The handshake of a [`McpConnection`]: starting (stdio) or reaching (HTTP,
//! WebSocket) the server, the rmcp lifecycle a cached [`Era`] picks, the
//! OAuth sign-in clock of HTTP, legacy HTTP+SSE detection after a failed
//! handshake, and the era the server spoke.

use rmcp::service::ClientLifecycleMode;

use super::idle::UserWaits;
use super::stdout;
use super::{CONNECT_TIMEOUT, McpConnection, STDERR_IN_ERRORS, millis};
use crate::mcp::config::{Era, ServerConfig, Transport};
use crate::mcp::handler::{ClientHooks, ProgressRoutes, ValeClient};
use crate::mcp::log::{LogSource, ServerLog};
use crate::mcp::oauth::OAuthServer;
use crate::mcp::process::{self, DEFAULT_GRACE, StdioProcess};
use crate::mcp::stream_ready::STREAM_READY_WAIT;
use crate::mcp::{McpError, http, websocket};
use crate::secrets::KeyStore;

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
            reason,
            stderr: log.stderr_suffix(STDERR_IN_ERRORS),
        };
        let timeout_error = || McpError::Timeout {
            server: server.clone(),
            request: "the handshake".into(),
            timeout_ms: millis(CONNECT_TIMEOUT),
            hint: String::new(),
            stderr: String::new(),
        };
        let overflow = stdout::Overflow::default();
        let (service, process) = match &resolved.transport {
            Transport::Stdio { .. } => {
                // Warms the login-shell PATH cache off the async threads.
                let _ = tokio::task::spawn_blocking(crate::mcp::path::login_path).await;
                let (mut child, pipes) = process::spawn(&resolved, &log)?;
                let served = tokio::time::timeout(
                    CONNECT_TIMEOUT,
                    rmcp::service::serve_client_with_lifecycle(
                        handler,
                        stdout::transport(pipes.stdout, pipes.stdin, log.clone(), overflow.clone()),
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
            overflow,
        })
    }
}
