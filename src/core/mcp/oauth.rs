//! OAuth 2.1 for streamable HTTP servers, through rmcp's `auth` feature.
//!
//! Spec followed: MCP 2025-11-25 "Authorization" (RFC 9728 protected
//! resource metadata, RFC 8414 / OIDC discovery, PKCE S256, RFC 8707
//! `resource`, client registration by pre-registration, Client ID Metadata
//! Documents or Dynamic Client Registration, scope selection and step-up)
//! plus the 2025-03-26 fallbacks; rmcp's [`OAuthState`] and
//! [`AuthorizationManager`] do the protocol work.
//!
//! [`OAuthHttpClient`] wraps rmcp's reqwest client as a
//! [`StreamableHttpClient`]: a request answered `401` runs the whole
//! authorization (seeded with the `WWW-Authenticate` challenge) and is sent
//! again with the new token; a `403 insufficient_scope` asks for the union of
//! the granted and the challenged scopes (step-up) and retries. At most
//! [`OAuthSettings::max_authorizations`] authorizations run back to back
//! without a successful request in between, so a server that never accepts
//! the token cannot loop. The user's part (consent in a browser) is an
//! [`Authorizer`]; [`HeadlessAuthorizer`] is the non-interactive one for
//! authorization servers that redirect at once (test servers, the MCP
//! conformance suite).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::BoxStream;
use reqwest013::header::{HeaderName, HeaderValue};
use rmcp::model::ClientJsonRpcMessage;
use rmcp::transport::auth::{
    AuthError, AuthorizationCallback, AuthorizationManager, AuthorizationRequest, OAuthState,
};
use rmcp::transport::streamable_http_client::{
    SseError, StreamableHttpClient, StreamableHttpError, StreamableHttpPostResponse,
};
use sse_stream::Sse;

/// Longest the headless authorizer waits for the authorization endpoint.
const HEADLESS_TIMEOUT: Duration = Duration::from_secs(10);

/// Takes the user through an authorization URL (the app opens a browser and
/// listens on the redirect URI).
#[async_trait::async_trait]
pub trait Authorizer: Send + Sync {
    /// Lets the user approve `auth_url`; returns the URL the authorization
    /// server redirected to (`redirect_uri?code=…&state=…`), or
    /// `Err(reason)` when the user or the server refused.
    async fn authorize(&self, auth_url: &str, redirect_uri: &str) -> Result<String, String>;
}

/// An [`Authorizer`] without a user: GETs the authorization URL without
/// following redirects and returns the `Location` it answers with. Only
/// useful with authorization servers that approve at once.
#[derive(Debug, Default, Clone, Copy)]
pub struct HeadlessAuthorizer;

#[async_trait::async_trait]
impl Authorizer for HeadlessAuthorizer {
    async fn authorize(&self, auth_url: &str, redirect_uri: &str) -> Result<String, String> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(HEADLESS_TIMEOUT)
            .build()
            .map_err(|e| format!("could not build an HTTP client: {e}"))?;
        let response = client
            .get(auth_url)
            .send()
            .await
            .map_err(|e| format!("GET {auth_url} failed: {e}"))?;
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                format!(
                    "the authorization endpoint answered {} without a redirect to {redirect_uri}",
                    response.status()
                )
            })?;
        // A relative Location is resolved against the request URL.
        let url = response.url().join(location).map_err(|e| e.to_string())?;
        Ok(url.to_string())
    }
}

/// How ValeChat identifies itself to authorization servers and who approves.
#[derive(Clone)]
pub struct OAuthSettings {
    /// Redirect URI registered for the client, e.g.
    /// `http://127.0.0.1:8765/callback`.
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
            .finish_non_exhaustive()
    }
}

/// What one connection learned: the authorized manager and its token.
#[derive(Default)]
struct AuthState {
    manager: Option<AuthorizationManager>,
    token: Option<String>,
    /// Authorizations since the last request that was not refused.
    attempts: u32,
}

struct Shared {
    resource: String,
    settings: OAuthSettings,
    state: tokio::sync::Mutex<AuthState>,
}

/// rmcp's reqwest client plus OAuth (see the module doc). Without settings
/// it only forwards.
#[derive(Clone)]
pub struct OAuthHttpClient {
    inner: reqwest013::Client,
    shared: Option<Arc<Shared>>,
}

/// The transport error type of [`OAuthHttpClient`].
type HttpError = StreamableHttpError<reqwest013::Error>;

/// `AuthError` as a transport error.
fn auth_error(error: AuthError) -> HttpError {
    StreamableHttpError::Auth(error)
}

impl OAuthHttpClient {
    /// A client for the MCP endpoint `resource`, authorizing with `settings`
    /// when given.
    pub fn new(resource: &str, settings: Option<OAuthSettings>) -> Self {
        Self {
            inner: reqwest013::Client::default(),
            shared: settings.map(|settings| {
                Arc::new(Shared {
                    resource: resource.to_owned(),
                    settings,
                    state: tokio::sync::Mutex::new(AuthState::default()),
                })
            }),
        }
    }

    /// Runs `call` with the current token; on 401 authorizes, on 403
    /// `insufficient_scope` steps up, then runs it again.
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
            if state.attempts >= shared.settings.max_authorizations {
                return result;
            }
            state.attempts += 1;
            let token = match step_up {
                Some(Some(scope)) if state.manager.is_some() => {
                    shared.step_up(&mut state, &scope).await
                }
                _ => shared.authorize(&mut state, &challenge).await,
            }
            .map_err(auth_error)?;
            state.token = Some(token);
        }
    }
}

impl Shared {
    /// The whole authorization for `challenge`; returns the access token.
    async fn authorize(&self, state: &mut AuthState, challenge: &str) -> Result<String, AuthError> {
        let settings = &self.settings;
        let mut oauth = OAuthState::new(self.resource.as_str(), None).await?;
        let mut request = AuthorizationRequest::new(settings.redirect_uri.clone())
            .with_client_name(settings.client_name.clone())
            .with_initial_scope_selection()
            .with_challenge(challenge);
        if let Some(url) = &settings.client_metadata_url {
            request = request.with_client_metadata_url(url.clone());
        }
        if let Some(id) = &settings.client_id {
            request = request.with_preregistered_client(id.clone());
            if let Some(secret) = &settings.client_secret {
                request = request.with_client_secret(secret.clone());
            }
        }
        oauth.start_authorization(request).await?;
        let auth_url = oauth.get_authorization_url().await?;
        let callback = settings
            .authorizer
            .authorize(&auth_url, &settings.redirect_uri)
            .await
            .map_err(AuthError::AuthorizationFailed)?;
        oauth.handle_callback_url(&callback).await?;
        let manager = oauth.into_authorization_manager().ok_or_else(|| {
            AuthError::InternalError("no authorized manager after the callback".into())
        })?;
        let token = manager.get_access_token().await?;
        state.manager = Some(manager);
        Ok(token)
    }

    /// Step-up to the granted scopes plus `scope`; returns the new token.
    async fn step_up(&self, state: &mut AuthState, scope: &str) -> Result<String, AuthError> {
        let manager = state
            .manager
            .as_ref()
            .ok_or_else(|| AuthError::InternalError("step-up before authorization".into()))?;
        let auth_url = manager.request_scope_upgrade(scope).await?;
        let callback = self
            .settings
            .authorizer
            .authorize(&auth_url, &self.settings.redirect_uri)
            .await
            .map_err(AuthError::AuthorizationFailed)?;
        let callback = AuthorizationCallback::from_redirect_url(&callback)?;
        manager
            .exchange_code_for_token_with_issuer(
                &callback.code,
                &callback.csrf_token,
                callback.issuer.as_deref(),
            )
            .await?;
        manager.get_access_token().await
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

    #[tokio::test]
    async fn headless_authorizer_returns_the_redirect() {
        use axum::response::Redirect;
        let app = axum::Router::new()
            .route(
                "/authorize",
                axum::routing::get(|| async { Redirect::to("/callback?code=c1&state=s1") }),
            )
            .route("/refuse", axum::routing::get(|| async { "no" }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let redirect = format!("http://{addr}/callback");
        let callback = HeadlessAuthorizer
            .authorize(&format!("http://{addr}/authorize?x=1"), &redirect)
            .await
            .unwrap();
        assert_eq!(callback, format!("http://{addr}/callback?code=c1&state=s1"));
        let parsed = AuthorizationCallback::from_redirect_url(&callback).unwrap();
        assert_eq!(
            (parsed.code.as_str(), parsed.csrf_token.as_str()),
            ("c1", "s1")
        );
        let refused = HeadlessAuthorizer
            .authorize(&format!("http://{addr}/refuse"), &redirect)
            .await
            .unwrap_err();
        assert!(refused.contains("200"), "{refused}");
    }
}
