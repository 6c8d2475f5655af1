//! The server: one axum router (`/v1/models`, `/v1/chat/completions`, MCP
//! at `/mcp`, the WebSocket stream at `/v1/ws`, a 404 for the rest), every route behind the bearer token
//! ([`crate::serve::auth`]), then the per-token rate limit and the body
//! limit; bound to loopback unless another address is allowed on purpose,
//! and stopped gracefully when its cancellation token fires.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{StatusCode, Uri};
use axum::middleware;
use axum::response::Response;
use axum::routing::get;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use valechat_core::chat::Engine;

use super::body::MAX_BODY_BYTES;
use super::errors::ApiError;
use super::models;
use super::rate::{self, RateLimit};
use crate::serve::auth::{self, Auth, TokenError};
use crate::serve::clients::{ClientKind, Clients};
use crate::serve::mcp::{McpServer, ServeOptions};
use crate::serve::ws::TurnHub;

/// Port the server listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8765;

/// Requests a minute per token unless told otherwise.
pub const DEFAULT_REQUESTS_PER_MINUTE: NonZeroU32 = NonZeroU32::new(120).unwrap();

/// How to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeConfig {
    /// Address to listen on (default 127.0.0.1).
    pub address: IpAddr,
    /// Port (default [`DEFAULT_PORT`]; 0 picks a free one).
    pub port: u16,
    /// Whether an address other than loopback may be used (the API then
    /// answers anyone on the network who has the token).
    pub allow_remote: bool,
    /// Requests a minute per token (default
    /// [`DEFAULT_REQUESTS_PER_MINUTE`]).
    pub requests_per_minute: NonZeroU32,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            address: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            allow_remote: false,
            requests_per_minute: DEFAULT_REQUESTS_PER_MINUTE,
        }
    }
}

/// Why the server did not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address is not loopback and `allow_remote` was not set.
    #[error(
        "{0} is not a loopback address: serving other computers needs --allow-remote \
         (anyone who can reach it and has the token can spend on your providers)"
    )]
    RemoteNotAllowed(IpAddr),
    /// The address could not be bound (in use, not this computer's…).
    #[error("could not listen on {address}: {source}")]
    Bind {
        /// The address asked for.
        address: SocketAddr,
        /// The system's error.
        source: std::io::Error,
    },
    /// The token could not be read or made.
    #[error(transparent)]
    Token(#[from] TokenError),
}

/// A server that is listening.
#[derive(Debug)]
pub struct RunningServer {
    address: SocketAddr,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// The address it listens on (with the port chosen when 0 was asked).
    #[must_use]
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Waits until the server has stopped (after its shutdown token fired
    /// and the requests in flight ended).
    ///
    /// # Errors
    /// The accept loop's I/O error; a panic of the server task as
    /// [`std::io::ErrorKind::Other`].
    pub async fn wait(self) -> std::io::Result<()> {
        self.task.await.map_err(std::io::Error::other)?
    }
}

/// The API's routes, behind the token, the rate limit and the body limit;
/// each request is noted in `clients` by its `User-Agent`.
pub fn router(engine: Engine, auth: Auth, rate: RateLimit, clients: Clients) -> Router {
    let api = Router::new()
        .route("/v1/models", get(models::handle))
        .merge(super::chat_completions::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(engine)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(rate, rate::limit))
        .layer(middleware::from_fn_with_state(clients, note_client));
    auth::protect(api, auth)
}

/// Notes the request's app (after the token check: only apps that have
/// the token are listed).
async fn note_client(
    State(clients): State<Clients>,
    request: Request,
    next: middleware::Next,
) -> Response {
    let name = super::chat_completions::client_name(request.headers());
    let name = name.strip_prefix("api:").unwrap_or(&name);
    clients.request(ClientKind::Api, name);
    next.run(request).await
}

/// Starts serving `engine` as `config` says, with the token from the
/// engine's keyring (made on first use), until `shutdown` fires.
///
/// # Errors
/// [`ServeError::RemoteNotAllowed`], [`ServeError::Token`],
/// [`ServeError::Bind`].
pub async fn start(
    engine: Engine,
    config: ServeConfig,
    shutdown: CancellationToken,
) -> Result<RunningServer, ServeError> {
    start_with(engine, config, Clients::default(), shutdown).await
}

/// [`start`], noting the apps that use it in `clients` (the window keeps
/// one list across restarts).
///
/// # Errors
/// As [`start`].
pub async fn start_with(
    engine: Engine,
    config: ServeConfig,
    clients: Clients,
    shutdown: CancellationToken,
) -> Result<RunningServer, ServeError> {
    if !config.address.is_loopback() && !config.allow_remote {
        return Err(ServeError::RemoteNotAllowed(config.address));
    }
    let token = auth::token(engine.providers().keys().as_ref()).await?;
    crate::serve::alerts::notify_completion_alerts(&engine, shutdown.clone());
    let rate = RateLimit::per_minute(config.requests_per_minute);
    let mcp = McpServer::new(
        engine.clone(),
        ServeOptions {
            read_only: false,
            database: valechat_core::paths::database_path().ok(),
            clients: Some(clients.clone()),
        },
    );
    // MCP at /mcp behind the same token and rate limit; its own layer
    // refuses hosts (unless other computers are served) and origins that
    // are not loopback.
    let remote = config.allow_remote && !config.address.is_loopback();
    let mcp = crate::serve::mcp::http::router(mcp, shutdown.clone(), remote)
        .layer(middleware::from_fn_with_state(rate.clone(), rate::limit));
    // The WebSocket stream at /v1/ws, its turns on the same engine and
    // tools (each call approved by the client), behind the same token
    // (also accepted as a subprotocol there) and rate limit (the upgrade,
    // then each `send`).
    let ws = crate::serve::ws::router(
        TurnHub::offering_engine_tools(engine.clone()),
        clients.clone(),
        shutdown.clone(),
        Some(rate.clone()),
    )
    .layer(middleware::from_fn_with_state(rate.clone(), rate::limit));
    let app = router(engine, Auth::new(&token), rate, clients)
        .merge(auth::protect(mcp, Auth::new(&token)))
        .merge(auth::protect(ws, Auth::new(&token)))
        .merge(super::web::routes());
    let wanted = SocketAddr::new(config.address, config.port);
    let listener = tokio::net::TcpListener::bind(wanted)
        .await
        .map_err(|source| ServeError::Bind {
            address: wanted,
            source,
        })?;
    let address = listener.local_addr().map_err(|source| ServeError::Bind {
        address: wanted,
        source,
    })?;
    tracing::info!(%address, "serving the API");
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await
    });
    Ok(RunningServer { address, task })
}

/// 404 for a path the API does not have.
async fn not_found(uri: Uri) -> ApiError {
    ApiError {
        code: Some("unknown_url"),
        ..ApiError::new(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            format!("Unknown request URL: {}.", uri.path()),
        )
    }
}

/// 405 for a path asked with the wrong method.
async fn method_not_allowed(uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid_request_error",
        format!("{} does not take this method.", uri.path()),
    )
}
