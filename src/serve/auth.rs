//! The local API server's bearer token: made on first use, kept in the
//! keyring ([`valechat_core::secrets::SERVER_TOKEN_SLOT`]), and required on
//! every route (`Authorization: Bearer <token>`, RFC 6750 §2.1; a
//! browser's WebSocket to `/v1/ws`, which cannot set that header, offers it
//! as the subprotocol `bearer.<token>` instead).
//!
//! A token is `vc-` and 32 random bytes from the operating system in
//! URL-safe base64 without padding (46 characters in all). It is compared
//! in constant time (`subtle`), so the time of a refusal says nothing about
//! how much of a guess was right. [`protect`] puts the check in front of any
//! router: the OpenAI-compatible API's, and the MCP and WebSocket routes
//! mounted beside it.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use subtle::ConstantTimeEq;
use valechat_core::secrets::{KeyStore, SERVER_TOKEN_SLOT, SecretError};

use super::http::errors::ApiError;

/// What every token starts with, so it is recognisable in a configuration.
pub const TOKEN_PREFIX: &str = "vc-";

/// Random bytes in a token.
pub const TOKEN_BYTES: usize = 32;

/// Why the token could not be read or made.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The keyring failed (locked, no Secret Service…).
    #[error(transparent)]
    Keyring(#[from] SecretError),
    /// The operating system gave no random bytes.
    #[error("the operating system gave no random bytes for the API token: {0}")]
    Random(getrandom::Error),
}

/// A new token: [`TOKEN_PREFIX`] and [`TOKEN_BYTES`] random bytes in
/// URL-safe base64 without padding.
///
/// # Errors
/// [`TokenError::Random`].
pub fn generate() -> Result<String, TokenError> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).map_err(TokenError::Random)?;
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    Ok(format!("{TOKEN_PREFIX}{encoded}"))
}

/// The stored token, made and stored first when there is none.
///
/// # Errors
/// [`TokenError::Keyring`] when the keyring cannot be read or written;
/// [`TokenError::Random`].
pub async fn token(keys: &dyn KeyStore) -> Result<String, TokenError> {
    if let Some(token) = keys.api_key(SERVER_TOKEN_SLOT).await? {
        return Ok(token);
    }
    regenerate(keys).await
}

/// Replaces the stored token with a new one and returns it; clients holding
/// the old one are refused from then on (a running server keeps the token it
/// started with until it is restarted).
///
/// # Errors
/// As [`token`].
pub async fn regenerate(keys: &dyn KeyStore) -> Result<String, TokenError> {
    let token = generate()?;
    keys.set_api_key(SERVER_TOKEN_SLOT, &token).await?;
    Ok(token)
}

/// The token a server accepts. Cheap to clone; `Debug` hides the token.
#[derive(Clone)]
pub struct Auth {
    token: Arc<str>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth").finish_non_exhaustive()
    }
}

/// The token a request was accepted with, in its extensions for the layers
/// after [`protect`]'s (the rate limit counts per token).
#[derive(Clone)]
pub struct Authenticated(pub Arc<str>);

impl Auth {
    /// Accepts requests bearing `token`.
    #[must_use]
    pub fn new(token: &str) -> Self {
        Self {
            token: Arc::from(token),
        }
    }

    /// Whether `presented` is the token, compared in constant time (for
    /// tokens of the same length; a length differing from the token's is
    /// refused at once, which reveals only the length, the same for every
    /// token).
    #[must_use]
    pub fn accepts(&self, presented: &str) -> bool {
        bool::from(presented.as_bytes().ct_eq(self.token.as_bytes()))
    }

    /// Checks the request's `Authorization` header.
    ///
    /// # Errors
    /// A 401 [`ApiError`] saying whether the token was missing or wrong.
    pub fn check(&self, request: &Request) -> Result<(), ApiError> {
        if let Some(presented) = websocket_bearer(request) {
            return if self.accepts(presented) {
                Ok(())
            } else {
                Err(ApiError::unauthorized(
                    "Incorrect bearer token (`valechat serve token` prints the right one).",
                ))
            };
        }
        let Some(value) = request.headers().get(header::AUTHORIZATION) else {
            return Err(ApiError::unauthorized(
                "Missing bearer token: send the header `Authorization: Bearer <token>` \
                 (`valechat serve token` prints the token).",
            ));
        };
        let presented = value
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim);
        match presented {
            Some(presented) if self.accepts(presented) => Ok(()),
            _ => Err(ApiError::unauthorized(
                "Incorrect bearer token (`valechat serve token` prints the right one).",
            )),
        }
    }
}

/// The subprotocol that carries the token where a client cannot set
/// headers (a browser's `WebSocket`): `bearer.<token>` among the offered
/// `Sec-WebSocket-Protocol` values (RFC 6455 §4.1), with
/// [`crate::serve::ws::SUBPROTOCOL`] beside it for the server to choose.
pub const WEBSOCKET_BEARER_PREFIX: &str = "bearer.";

/// The token offered as a subprotocol in a WebSocket upgrade to `/v1/ws`
/// (only there: other routes take the `Authorization` header alone).
fn websocket_bearer(request: &Request) -> Option<&str> {
    if request.uri().path() != crate::serve::ws::PATH {
        return None;
    }
    request
        .headers()
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|p| p.trim().strip_prefix(WEBSOCKET_BEARER_PREFIX))
}

/// The middleware behind [`protect`]: refuses with 401 (OpenAI's error
/// shape, `WWW-Authenticate: Bearer`) unless the request bears the token;
/// lets it through with [`Authenticated`] in its extensions.
pub async fn require_bearer(
    State(auth): State<Auth>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Err(refusal) = auth.check(&request) {
        return refusal.into_response();
    }
    request
        .extensions_mut()
        .insert(Authenticated(Arc::clone(&auth.token)));
    next.run(request).await
}

/// `router` with every route (and its fallback) behind the token.
pub fn protect<S>(router: Router<S>, auth: Auth) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router.layer(middleware::from_fn_with_state(auth, require_bearer))
}

#[cfg(test)]
mod tests {
    use valechat_core::secrets::MemoryKeyStore;

    use super::*;

    #[test]
    fn tokens_are_prefixed_url_safe_and_new_each_time() {
        let one = generate().expect("token");
        let two = generate().expect("token");
        assert_ne!(one, two);
        assert!(one.starts_with(TOKEN_PREFIX), "{one}");
        assert_eq!(one.len(), TOKEN_PREFIX.len() + 43, "{one}");
        assert!(
            one[TOKEN_PREFIX.len()..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{one}"
        );
    }

    #[tokio::test]
    async fn the_token_is_made_once_then_read_and_regenerated() {
        let keys = MemoryKeyStore::new();
        let first = token(&keys).await.expect("token");
        assert_eq!(token(&keys).await.expect("again"), first);
        let second = regenerate(&keys).await.expect("regenerate");
        assert_ne!(second, first);
        assert_eq!(token(&keys).await.expect("after"), second);
    }

    #[test]
    fn only_the_exact_token_is_accepted() {
        let auth = Auth::new("vc-abc");
        assert!(auth.accepts("vc-abc"));
        assert!(!auth.accepts("vc-abd"));
        assert!(!auth.accepts("vc-ab"));
        assert!(!auth.accepts(""));
    }
}
