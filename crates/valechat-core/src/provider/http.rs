//! HTTP plumbing shared by the protocol modules: one [`HttpClient`] per
//! configured server (sending a request, opening an event stream, fetching a
//! JSON document), base-URL validation, header building, `Retry-After`
//! parsing and the status → [`ProviderError`] classification. The
//! per-server settings every protocol shares are a [`ConnectionConfig`].
//!
//! Files: `http/status` (status classification, transport errors,
//! `Retry-After`), `http/headers` (header building), `http/connection` (the
//! per-server settings), `http/bounded` (body waits), `http/body` (whole
//! bodies read with a size bound), `http/rate_limit` (rate-limit reset headers).

use std::time::Duration;

use futures::{Stream, TryStreamExt};
use reqwest::header::{ACCEPT, HeaderMap};
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::provider::ProviderError;
use crate::provider::error::quote;
use crate::provider::limits::{MAX_DOCUMENT_BYTES, MAX_ERROR_BODY_BYTES};
use crate::provider::timeouts::{self, ProviderTimeouts};
use body::read_limited;

mod body;
mod bounded;
mod connection;
mod headers;
pub mod rate_limit;
mod status;

pub use bounded::idle_bounded;
pub use connection::{ConnectionConfig, KeyHeader};
pub use headers::{header_map, is_json, secret_header};
pub use status::{classify_status, from_reqwest, plain_message, retry_after};

/// A protocol's classification of a non-success reply: `(status, headers, body)`
/// to the typed error (each protocol reads its own error body).
pub type ClassifyStatus = fn(u16, &HeaderMap, &str) -> ProviderError;

/// Default time allowed to open the TCP/TLS connection (10 s).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = timeouts::DEFAULT_CONNECT;
/// Default time allowed for the response head and the first body piece (60 s).
pub const DEFAULT_FIRST_BYTE_TIMEOUT: Duration = timeouts::DEFAULT_FIRST_BYTE;
/// Default time allowed between two body pieces (30 s).
pub const DEFAULT_IDLE_TIMEOUT: Duration = timeouts::DEFAULT_IDLE;

/// The waits applied to a streamed body: `first_piece` for the first piece
/// after the response head, `idle` between later pieces. A plain
/// [`Duration`] converts into the same wait for both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyTimeouts {
    /// Time allowed for the first body piece.
    pub first_piece: Duration,
    /// Time allowed between two later pieces.
    pub idle: Duration,
}

impl From<Duration> for BodyTimeouts {
    fn from(wait: Duration) -> Self {
        Self {
            first_piece: wait,
            idle: wait,
        }
    }
}

/// A `reqwest` client bound to one base URL, with the headers sent on every
/// request, the first-byte timeout applied to the response head and the idle
/// timeout to small bodies.
#[derive(Debug)]
pub struct HttpClient {
    client: reqwest::Client,
    /// Base URL without trailing `/`.
    base: String,
    /// The same base, parsed, for [`HttpClient::endpoint`].
    base_url: Url,
    /// Authentication (marked sensitive) and extra headers.
    headers: HeaderMap,
    first_byte_timeout: Duration,
    idle_timeout: Duration,
}

/// Redirects a provider request follows: only within the server's origin
/// ([`may_follow`](crate::model::redirect::may_follow)), at most
/// [`MAX_REDIRECTS`](crate::model::redirect::MAX_REDIRECTS); any other is
/// handed back and [`HttpClient::send`] reports it. reqwest's default
/// would follow ten anywhere, carrying `x-api-key` or `x-goog-api-key`
/// to the new host.
fn redirect_policy() -> reqwest::redirect::Policy {
    use crate::model::redirect::{MAX_REDIRECTS, may_follow};
    reqwest::redirect::Policy::custom(|attempt| {
        let from = attempt.previous().first().cloned();
        if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else if from.is_some_and(|from| may_follow(&from, attempt.url())) {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

impl HttpClient {
    /// Validates `base_url` (see [`normalise_base_url`]) and builds the client.
    ///
    /// # Errors
    /// [`ProviderError::Config`] for a bad base URL or when the TLS client cannot be built.
    pub fn new(
        base_url: &str,
        headers: HeaderMap,
        timeouts: ProviderTimeouts,
    ) -> Result<Self, ProviderError> {
        let base = normalise_base_url(base_url)?;
        let parsed = Url::parse(&base)
            .map_err(|e| ProviderError::Config(format!("invalid base URL {base_url:?}: {e}")))?;
        let client = reqwest::Client::builder()
            .connect_timeout(timeouts.connect)
            .user_agent(concat!("ValeChat/", env!("CARGO_PKG_VERSION")))
            .redirect(redirect_policy())
            .build()
            .map_err(|e| ProviderError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            client,
            base,
            base_url: parsed,
            headers,
            first_byte_timeout: timeouts.first_byte,
            idle_timeout: timeouts.idle,
        })
    }

    /// The normalised base URL (no trailing `/`).
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The time allowed between two body pieces and for reading a small body.
    #[must_use]
    pub fn idle_timeout(&self) -> Duration {
        self.idle_timeout
    }

    /// The time allowed for the response head (and the first body piece).
    #[must_use]
    pub fn first_byte_timeout(&self) -> Duration {
        self.first_byte_timeout
    }

    /// The waits for a streamed body: the first-byte timeout for its first
    /// piece, the idle timeout between later ones.
    #[must_use]
    pub fn body_timeouts(&self) -> BodyTimeouts {
        BodyTimeouts {
            first_piece: self.first_byte_timeout,
            idle: self.idle_timeout,
        }
    }

    /// A `GET {base}/{path}` request.
    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.get(format!("{}/{path}", self.base))
    }

    /// A `POST {base}/{path}` request.
    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.post(format!("{}/{path}", self.base))
    }

    /// The headers sent on every request (authentication marked sensitive).
    #[must_use]
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// `{base}/{segments…}`, each segment percent-encoded as one path
    /// segment (so a model id holding `/` or `?` stays in its segment).
    ///
    /// # Errors
    /// [`ProviderError::Config`] when the base URL cannot take a path.
    pub fn endpoint(&self, segments: &[&str]) -> Result<Url, ProviderError> {
        let mut url = self.base_url.clone();
        url.path_segments_mut()
            .map_err(|()| ProviderError::Config(format!("base URL {} has no path", self.base)))?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    /// A request of `method` to `url` (built with [`HttpClient::endpoint`]).
    pub fn request(&self, method: reqwest::Method, url: Url) -> reqwest::RequestBuilder {
        self.client.request(method, url)
    }

    /// Sends `request` with the client's headers, waiting at most the
    /// first-byte timeout for the response head; a non-success status becomes
    /// `classify(status, headers, body)`, the body read up to
    /// [`MAX_ERROR_BODY_BYTES`] (a longer one is replaced by the words
    /// saying so: "the server sent an error body of 64 MiB or more; the
    /// limit is 1 MiB").
    ///
    /// # Errors
    /// [`ProviderError::Timeout`], a transport error ([`from_reqwest`]), or the classified status.
    pub async fn send(
        &self,
        request: reqwest::RequestBuilder,
        classify: ClassifyStatus,
    ) -> Result<reqwest::Response, ProviderError> {
        let pending = request.headers(self.headers.clone()).send();
        let response = tokio::time::timeout(self.first_byte_timeout, pending)
            .await
            .map_err(|_| {
                ProviderError::Timeout(format!(
                    "no response from {} within the first-byte timeout of {} ms",
                    self.base,
                    self.first_byte_timeout.as_millis()
                ))
            })?
            .map_err(|e| from_reqwest(&e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        if status.is_redirection() {
            // Not followed (`redirect_policy`): it leads to another server.
            let target = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map_or_else(|| "elsewhere".to_owned(), quote);
            return Err(ProviderError::Config(format!(
                "{} redirects to {target}, another server; ValeChat does not send the request (and its API key) there: use that address as the base URL if you trust it",
                self.base
            )));
        }
        let headers = response.headers().clone();
        let wait = self.idle_timeout;
        let body = match read_limited(
            response,
            MAX_ERROR_BODY_BYTES,
            "an error body",
            wait,
            &self.base,
        )
        .await
        {
            Ok(body) => body,
            // The status still decides the error; the words say why there is no message.
            Err(ProviderError::TooLarge(words)) => words,
            Err(_) => String::new(),
        };
        tracing::debug!(status = status.as_u16(), base = %self.base, "provider returned an error status");
        Err(classify(status.as_u16(), &headers, &body))
    }

    /// Reads a whole (small) body as text, bounded by the idle timeout and
    /// by [`MAX_DOCUMENT_BYTES`].
    ///
    /// # Errors
    /// [`ProviderError::Timeout`], [`ProviderError::TooLarge`] or a transport error.
    pub async fn read_text(&self, response: reqwest::Response) -> Result<String, ProviderError> {
        let wait = self.idle_timeout;
        read_limited(response, MAX_DOCUMENT_BYTES, "a document", wait, &self.base).await
    }

    /// Sends `request` and parses the reply as JSON, reading at most
    /// `limit` bytes of it (a larger reply is [`ProviderError::TooLarge`]
    /// naming `what`, refused from its `Content-Length` when it has one).
    ///
    /// # Errors
    /// As [`HttpClient::fetch_json`], with `limit` for the body's bound.
    pub async fn fetch_json_up_to<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        classify: ClassifyStatus,
        limit: usize,
        what: &str,
    ) -> Result<T, ProviderError> {
        let response = self.send(request, classify).await?;
        let text = read_limited(response, limit, what, self.idle_timeout, &self.base).await?;
        serde_json::from_str(&text)
            .map_err(|e| ProviderError::Malformed(format!("{what} ({e}): {}", quote(&text))))
    }

    /// Sends a streaming `request` (with `Accept: text/event-stream`) and
    /// returns the body as byte pieces, transport failures mapped with
    /// [`from_reqwest`]; hand them to the protocol's event stream.
    ///
    /// # Errors
    /// [`ProviderError::Cancelled`] when `cancel` fires before the response
    /// head; the errors of [`HttpClient::send`]; and, when the server answers
    /// with one JSON document instead of a stream, `non_stream(body)` (or the
    /// error reading that body).
    pub async fn open_stream(
        &self,
        request: reqwest::RequestBuilder,
        classify: ClassifyStatus,
        non_stream: fn(&str) -> ProviderError,
        cancel: &CancellationToken,
    ) -> Result<
        impl Stream<Item = Result<impl AsRef<[u8]> + Send + 'static, ProviderError>> + Send + 'static,
        ProviderError,
    > {
        let request = request.header(ACCEPT, "text/event-stream");
        let response = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(ProviderError::Cancelled),
            response = self.send(request, classify) => response?,
        };
        if is_json(response.headers()) {
            // A proxy, an older endpoint or a server reporting an error may
            // answer a streaming request with one JSON document.
            let text = self.read_text(response).await?;
            return Err(non_stream(&text));
        }
        Ok(response.bytes_stream().map_err(|e| from_reqwest(&e)))
    }

    /// Sends `request` and parses the (small) reply as JSON.
    ///
    /// # Errors
    /// The errors of [`HttpClient::send`] and [`HttpClient::read_text`];
    /// [`ProviderError::Malformed`] saying `"{what} ({parse error}): {body}"`
    /// (body quoted, truncated) when the reply does not parse as `T`.
    pub async fn fetch_json<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        classify: ClassifyStatus,
        what: &str,
    ) -> Result<T, ProviderError> {
        let response = self.send(request, classify).await?;
        let text = self.read_text(response).await?;
        serde_json::from_str(&text)
            .map_err(|e| ProviderError::Malformed(format!("{what} ({e}): {}", quote(&text))))
    }
}

/// Checks that `raw` is an absolute `http`/`https` URL without query or
/// fragment, and strips surrounding blanks and trailing `/`.
///
/// # Errors
/// [`ProviderError::Config`] quoting `raw`.
pub fn normalise_base_url(raw: &str) -> Result<String, ProviderError> {
    let trimmed = raw.trim().trim_end_matches('/');
    let url = url::Url::parse(trimmed)
        .map_err(|e| ProviderError::Config(format!("invalid base URL {raw:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ProviderError::Config(format!(
            "base URL {raw:?} must be an http:// or https:// URL with a host"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ProviderError::Config(format!(
            "base URL {raw:?} must not have a query or fragment"
        )));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests;
