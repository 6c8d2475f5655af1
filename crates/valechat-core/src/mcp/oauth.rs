//! OAuth 2.1 for streamable HTTP servers, through rmcp's `auth` feature.
//!
//! Spec followed: MCP 2025-11-25 "Authorization" (RFC 9728 protected
//! resource metadata, RFC 8414 / OIDC discovery, PKCE S256, RFC 8707
//! `resource`, client registration by pre-registration, Client ID Metadata
//! Documents or Dynamic Client Registration, scope selection and step-up)
//! plus the 2025-03-26 fallbacks; rmcp's `OAuthState` and
//! [`AuthorizationManager`] do the protocol work.
//!
//! [`OAuthHttpClient`] wraps rmcp's reqwest client as a
//! [`StreamableHttpClient`]: a request answered `401` first tries the tokens
//! stored in the keyring ([`OAuthSettings::keys`], `keyring`), refreshing
//! them when expired or rejected, then runs the whole authorization (seeded
//! with the `WWW-Authenticate` challenge) and is sent again with the new
//! token; a `403 insufficient_scope` asks for the union of the granted and
//! the challenged scopes (step-up) and retries. At most
//! [`OAuthSettings::max_authorizations`] authorizations run back to back
//! without a successful request in between, so a server that never accepts
//! the token cannot loop. The user's part (consent in a browser) is an
//! [`Authorizer`]: [`LoopbackAuthorizer`] (browser + loopback redirect, the
//! app) or [`HeadlessAuthorizer`] (the conformance client).
//!
//! Files: `authorizer` (the trait, headless), `loopback` and `callback` (the
//! browser flow), `keyring` (token persistence, sign-out), `flow` (the
//! authorization steps).

mod authorizer;
pub(crate) mod callback;
mod flow;
mod keyring;
mod loopback;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::stream::BoxStream;
use reqwest013::header::{HeaderName, HeaderValue};
use rmcp::model::ClientJsonRpcMessage;
use rmcp::transport::auth::AuthorizationManager;
use rmcp::transport::streamable_http_client::{
    SseError, StreamableHttpClient, StreamableHttpError, StreamableHttpPostResponse,
};
use sse_stream::Sse;
use tokio::sync::watch;

pub use authorizer::{Authorizer, Consent, HeadlessAuthorizer, OAuthServer};
pub use keyring::{KeyringCredentialStore, OAUTH_KEY, has_tokens, sign_out};
pub use loopback::{DEFAULT_TIMEOUT, LoopbackAuthorizer, OpenUrl, SignInEvent, SignInObserver};

use crate::secrets::KeyStore;

/// How ValeChat identifies itself to authorization servers and who approves.
#[derive(Clone)]
pub struct OAuthSettings {
    /// Preferred redirect URI, e.g. `http://127.0.0.1:0/callback` (port `0`:
    /// the loopback authorizer picks a free one).
    pub redirect_uri: String,
    /// Client name sent in Dynamic Client Registration.
    pub client_name: String,
    /// HTTPS URL of ValeChat's Client ID Metadata Document, used when the
    /// server advertises `client_id_metadata_document_supported`.
    pub client_metadata_url: Option<String>,
    /// Pre-registered client id (skips registration).
    pub client_id: Option<String>,
    /// Secret of the pre-registered client.
    pub client_secret: Option<String>,
    /// Who approves the authorization request.
    pub authorizer: Arc<dyn Authorizer>,
    /// Authorizations allowed back to back without a successful request
    /// (initial one plus step-ups), e.g. 3.
    pub max_authorizations: u32,
    /// Where tokens persist (slot `mcp=<server id>/oauth`); `None`: they
    /// last as long as the connection.
    pub keys: Option<Arc<dyn KeyStore>>,
}

impl std::fmt::Debug for OAuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthSettings")
            .field("redirect_uri", &self.redirect_uri)
            .field("client_name", &self.client_name)
            .field("client_metadata_url", &self.client_metadata_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "…"))
            .field("max_authorizations", &self.max_authorizations)
            .field("keys", &self.keys.is_some())
            .finish_non_exhaustive()
    }
}

/// What one connection learned: the authorized manager and its token.
#[derive(Default)]
struct AuthState {
    manager: Option<AuthorizationManager>,
    token: Option<String>,
    /// The redirect URI the client registered in this session (step-ups
    /// reuse it); `None` for tokens restored from the keyring.
    redirect_uri: Option<String>,
    /// Authorizations since the last request that was not refused.
    attempts: u32,
    /// The keyring was read.
    restored: bool,
    /// The current token came from the keyring or a refresh, and a refresh
    /// was not tried since it was refused.
    may_refresh: bool,
}

/// The per-connection side of [`OAuthHttpClient`].
struct Shared {
    resource: String,
    server: OAuthServer,
    settings: OAuthSettings,
    state: tokio::sync::Mutex<AuthState>,
    /// `true` while the user is in the browser.
    consenting: watch::Sender<bool>,
    /// Why the last authorization failed.
    failure: Arc<Mutex<Option<String>>>,
}

/// rmcp's reqwest client plus OAuth (see the module doc). Without settings
/// it only forwards.
#[derive(Clone)]
pub struct OAuthHttpClient {
    inner: reqwest013::Client,
    shared: Option<Arc<Shared>>,
}

/// What a connection attempt needs to know of its OAuth client: whether the
/// user is signing in (the handshake timeout pauses) and why an
/// authorization failed.
#[derive(Clone)]
pub struct OAuthStatus {
    consenting: Option<watch::Receiver<bool>>,
    failure: Arc<Mutex<Option<String>>>,
}

impl OAuthStatus {
    /// Why the last authorization failed (English, for
    /// `McpError::SignIn`), `None` when none did.
    pub fn failure(&self) -> Option<String> {
        self.failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Runs `future` for at most `limit`, not counting the time the user
    /// spends in the browser: the limit starts again after each sign-in.
    ///
    /// # Errors
    /// `Err(())` when the limit passed.
    pub async fn timeout<F: Future>(&self, limit: Duration, future: F) -> Result<F::Output, ()> {
        let Some(mut consenting) = self.consenting.clone() else {
            return tokio::time::timeout(limit, future).await.map_err(|_| ());
        };
        tokio::pin!(future);
        let mut deadline = tokio::time::Instant::now() + limit;
        loop {
            let waiting = *consenting.borrow_and_update();
            tokio::select! {
                output = &mut future => return Ok(output),
                () = tokio::time::sleep_until(deadline), if !waiting => return Err(()),
                changed = consenting.changed() => {
                    deadline = tokio::time::Instant::now() + limit;
                    if changed.is_err() {
                        return tokio::time::timeout_at(deadline, future).await.map_err(|_| ());
                    }
                }
            }
        }
    }
}

/// The transport error type of [`OAuthHttpClient`].
type HttpError = StreamableHttpError<reqwest013::Error>;

impl OAuthHttpClient {
    /// A client for the MCP endpoint `resource` of `server`, authorizing
    /// with `settings` when given.
    #[must_use]
    pub fn new(resource: &str, server: OAuthServer, settings: Option<OAuthSettings>) -> Self {
        Self {
            inner: super::http::client(),
            shared: settings.map(|settings| {
                Arc::new(Shared {
                    resource: resource.to_owned(),
                    server,
                    settings,
                    state: tokio::sync::Mutex::new(AuthState::default()),
                    consenting: watch::channel(false).0,
                    failure: Arc::default(),
                })
            }),
        }
    }

    /// The status handle of this client's authorizations.
    pub fn status(&self) -> OAuthStatus {
        OAuthStatus {
            consenting: self.shared.as_ref().map(|s| s.consenting.subscribe()),
            failure: self
                .shared
                .as_ref()
                .map_or_else(Arc::default, |s| s.failure.clone()),
        }
    }

    /// Runs `call` with the current token; on 401 restores, refreshes or
    /// authorizes, on 403 `insufficient_scope` steps up, then runs it again.
    async fn with_auth<T, F, Fut>(
        &self,
        configured: Option<String>,
        call: F,
    ) -> Result<T, HttpError>
    where
        F: Fn(Option<String>) -> Fut,
        Fut: Future<Output = Result<T, HttpError>>,
    {
        let Some(shared) = &self.shared else {
            return call(configured).await;
        };
        loop {
            let sent = shared.state.lock().await.token.clone();
            let result = call(sent.clone().or_else(|| configured.clone())).await;
            let (challenge, step_up) = match &result {
                Err(StreamableHttpError::AuthRequired(e)) => {
                    (e.www_authenticate_header.clone(), None)
                }
                Err(StreamableHttpError::InsufficientScope(e)) => (
                    e.www_authenticate_header.clone(),
                    Some(e.required_scope.clone()),
                ),
                _ => {
                    shared.state.lock().await.attempts = 0;
                    return result;
                }
            };
            let mut state = shared.state.lock().await;
            if state.token != sent {
                // Another request authorized meanwhile: try its token.
                continue;
            }
            if step_up.is_none() && shared.renew(&mut state).await {
                continue;
            }
            if state.attempts >= shared.settings.max_authorizations {
                return result;
            }
            state.attempts += 1;
            let token = match step_up {
                Some(Some(scope)) if state.manager.is_some() && state.redirect_uri.is_some() => {
                    shared.step_up(&mut state, &scope).await
                }
                _ => shared.authorize(&mut state, &challenge).await,
            };
            match token {
                Ok(token) => state.token = Some(token),
                Err(error) => {
                    *shared
                        .failure
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner) = Some(failure_reason(&error));
                    return Err(StreamableHttpError::Auth(error));
                }
            }
        }
    }
}

/// The sentence `McpError::SignIn` carries for a failed authorization:
/// the user's side of it as the [`Consent`] said ("the sign-in was
/// cancelled", "access was denied on the sign-in page"), without rmcp's
/// "OAuth authorization failed: " prefix; other failures as rmcp words them.
fn failure_reason(error: &rmcp::transport::auth::AuthError) -> String {
    match error {
        rmcp::transport::auth::AuthError::AuthorizationFailed(reason) => reason.clone(),
        other => other.to_string(),
    }
}

impl StreamableHttpClient for OAuthHttpClient {
    type Error = reqwest013::Error;

    async fn post_message(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<StreamableHttpPostResponse, HttpError> {
        self.with_auth(auth_header, |token| {
            self.inner.post_message(
                uri.clone(),
                message.clone(),
                session_id.clone(),
                token,
                custom_headers.clone(),
            )
        })
        .await
    }

    async fn post_message_with_max_sse_event_size(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
        max_sse_event_size: usize,
    ) -> Result<StreamableHttpPostResponse, HttpError> {
        self.with_auth(auth_header, |token| {
            self.inner.post_message_with_max_sse_event_size(
                uri.clone(),
                message.clone(),
                session_id.clone(),
                token,
                custom_headers.clone(),
                max_sse_event_size,
            )
        })
        .await
    }

    async fn delete_session(
        &self,
        uri: Arc<str>,
        session_id: Arc<str>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<(), HttpError> {
        self.with_auth(auth_header, |token| {
            self.inner.delete_session(
                uri.clone(),
                session_id.clone(),
                token,
                custom_headers.clone(),
            )
        })
        .await
    }

    async fn get_stream(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<BoxStream<'static, Result<Sse, SseError>>, HttpError> {
        self.with_auth(auth_header, |token| {
            self.inner.get_stream(
                uri.clone(),
                session_id.clone(),
                last_event_id.clone(),
                token,
                custom_headers.clone(),
            )
        })
        .await
    }

    async fn get_stream_with_max_sse_event_size(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
        max_sse_event_size: usize,
    ) -> Result<BoxStream<'static, Result<Sse, SseError>>, HttpError> {
        self.with_auth(auth_header, |token| {
            self.inner.get_stream_with_max_sse_event_size(
                uri.clone(),
                session_id.clone(),
                last_event_id.clone(),
                token,
                custom_headers.clone(),
                max_sse_event_size,
            )
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::transport::auth::AuthError;

    #[test]
    fn a_refused_consent_reads_as_its_reason() {
        let cancelled = AuthError::AuthorizationFailed("the sign-in was cancelled".into());
        assert_eq!(failure_reason(&cancelled), "the sign-in was cancelled");
        let other = AuthError::InternalError("boom".into());
        assert_eq!(failure_reason(&other), other.to_string());
    }
}
