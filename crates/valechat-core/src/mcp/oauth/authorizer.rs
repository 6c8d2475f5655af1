//! The user's part of an OAuth authorization: the [`Authorizer`] trait, its
//! one-shot [`Consent`], and [`HeadlessAuthorizer`] for authorization servers
//! that approve at once.
//!
//! An authorization runs in two steps because the redirect URI must be known
//! before the client registers (Dynamic Client Registration sends it): first
//! [`Authorizer::prepare`] reserves a redirect URI (the loopback authorizer
//! binds its port there, RFC 8252 §7.3), then, once the authorization URL is
//! built, [`Consent::approve`] takes the user through it.

use std::time::Duration;

/// Longest the headless authorizer waits for the authorization endpoint.
const HEADLESS_TIMEOUT: Duration = Duration::from_secs(10);

/// The server an authorization is for, as the user knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthServer {
    /// Server id (`ServerConfig::id`), e.g. `notion`.
    pub id: String,
    /// Display name (`ServerConfig::name`), e.g. `Notion`.
    pub name: String,
}

/// Takes the user through authorizations (the app opens a browser and
/// listens on the redirect URI).
#[async_trait::async_trait]
pub trait Authorizer: Send + Sync {
    /// Gets ready for one authorization of `server`. `redirect_uri` is the
    /// preferred redirect URI: `OAuthSettings::redirect_uri`, or for a
    /// step-up the one the client registered. Returns the consent holding the
    /// redirect URI actually used.
    ///
    /// # Errors
    /// A sentence saying why no redirect URI could be reserved.
    async fn prepare(
        &self,
        server: &OAuthServer,
        redirect_uri: &str,
    ) -> Result<Box<dyn Consent>, String>;
}

/// One authorization in progress, with its redirect URI reserved.
#[async_trait::async_trait]
pub trait Consent: Send {
    /// The redirect URI to register and send, e.g.
    /// `http://127.0.0.1:41234/callback`.
    fn redirect_uri(&self) -> &str;

    /// Lets the user approve `auth_url`; returns the URL the authorization
    /// server redirected to (`redirect_uri?code=…&state=…`).
    ///
    /// # Errors
    /// A sentence saying why: refused by the user or the server, cancelled,
    /// timed out.
    async fn approve(self: Box<Self>, auth_url: &str) -> Result<String, String>;
}

/// An [`Authorizer`] without a user: GETs the authorization URL without
/// following redirects and returns the `Location` it answers with. Only
/// useful with authorization servers that approve at once (test servers, the
/// MCP conformance suite).
#[derive(Debug, Default, Clone, Copy)]
pub struct HeadlessAuthorizer;

/// The [`Consent`] of [`HeadlessAuthorizer`].
struct HeadlessConsent {
    redirect_uri: String,
}

#[async_trait::async_trait]
impl Authorizer for HeadlessAuthorizer {
    async fn prepare(
        &self,
        _server: &OAuthServer,
        redirect_uri: &str,
    ) -> Result<Box<dyn Consent>, String> {
        Ok(Box::new(HeadlessConsent {
            redirect_uri: redirect_uri.to_owned(),
        }))
    }
}

#[async_trait::async_trait]
impl Consent for HeadlessConsent {
    fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    async fn approve(self: Box<Self>, auth_url: &str) -> Result<String, String> {
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
                    "the authorization endpoint answered {} without a redirect to {}",
                    response.status(),
                    self.redirect_uri
                )
            })?;
        // A relative Location is resolved against the request URL.
        let url = response.url().join(location).map_err(|e| e.to_string())?;
        Ok(url.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::transport::auth::AuthorizationCallback;

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
        let server = OAuthServer {
            id: "s".into(),
            name: "S".into(),
        };
        let consent = HeadlessAuthorizer
            .prepare(&server, &redirect)
            .await
            .unwrap();
        assert_eq!(consent.redirect_uri(), redirect);
        let callback = consent
            .approve(&format!("http://{addr}/authorize?x=1"))
            .await
            .unwrap();
        assert_eq!(callback, format!("http://{addr}/callback?code=c1&state=s1"));
        let parsed = AuthorizationCallback::from_redirect_url(&callback).unwrap();
        assert_eq!(
            (parsed.code.as_str(), parsed.csrf_token.as_str()),
            ("c1", "s1")
        );
        let consent = HeadlessAuthorizer
            .prepare(&server, &redirect)
            .await
            .unwrap();
        let refused = consent
            .approve(&format!("http://{addr}/refuse"))
            .await
            .unwrap_err();
        assert!(refused.contains("200"), "{refused}");
    }
}
