//! Google Gemini API protocol: [`GeminiProvider`].
//!
//! Speaks `POST {base}/models/{model}:streamGenerateContent?alt=sse` and
//! `GET {base}/models` of the Gemini API (`v1beta`), as documented in the
//! Gemini API reference (`models.streamGenerateContent`, `models.list`).
//! Request and response shapes are in [`wire`], the event mapping in
//! [`mapper`], the SSE handling in [`stream`], error classification in
//! [`http_error`].
//!
//! No retries happen here: errors are typed ([`ProviderError`]) for the retry
//! layer above. The API key travels only in a sensitive `x-goog-api-key`
//! header, never in the URL (where it would end up in logs and error
//! messages), and is never logged or printed.

pub mod http_error;
pub mod mapper;
pub mod stream;
pub mod wire;

use std::fmt;
use std::time::Duration;

use futures::TryStreamExt;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::core::provider::{ChatProvider, ChatRequest, ChatStream, ModelInfo, ProviderError};
use wire::{GenerateRequest, ModelList};

/// The public Gemini API root.
pub const DEFAULT_BASE_URL: &str = "https://generativelanguage.googleapis.com/v1beta";
/// Default time allowed to open the TCP/TLS connection.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed between two pieces of a response.
const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(120);
/// Header carrying the API key.
const API_KEY_HEADER: &str = "x-goog-api-key";
/// Models asked for per `models.list` page (the API's maximum is 1000).
const PAGE_SIZE: u32 = 200;
/// Pages of `models.list` followed at most, so a looping token cannot hang the picker.
const MAX_PAGES: usize = 20;
/// Prefix of model resource names (`models/gemini-2.5-flash`).
const MODEL_PREFIX: &str = "models/";

/// How to reach the Gemini API.
#[derive(Clone)]
pub struct GeminiConfig {
    /// API root including the version ([`DEFAULT_BASE_URL`]); a trailing `/` is ignored.
    pub base_url: String,
    /// API key, sent as `x-goog-api-key`; `None` sends none (the server answers 403).
    pub api_key: Option<String>,
    /// Time allowed to connect (TCP and TLS).
    pub connect_timeout: Duration,
    /// Time allowed for the response headers and between two body pieces.
    pub idle_timeout: Duration,
    /// Extra request headers, name then value.
    pub extra_headers: Vec<(String, String)>,
}

impl GeminiConfig {
    /// A configuration with a 10 s connect timeout, a 120 s idle timeout and
    /// no extra headers; an empty (or blank) `base_url` means [`DEFAULT_BASE_URL`].
    pub fn new(base_url: impl Into<String>, api_key: Option<String>) -> Self {
        let base_url = base_url.into();
        Self {
            base_url: if base_url.trim().is_empty() {
                DEFAULT_BASE_URL.to_owned()
            } else {
                base_url
            },
            api_key,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            extra_headers: Vec::new(),
        }
    }
}

impl fmt::Debug for GeminiConfig {
    /// Prints everything but the key, which shows as `<redacted>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeminiConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("connect_timeout", &self.connect_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("extra_headers", &self.extra_headers)
            .finish()
    }
}

/// A [`ChatProvider`] for the Gemini API. Cheap to share (`reqwest::Client`
/// pools connections internally).
#[derive(Debug)]
pub struct GeminiProvider {
    client: reqwest::Client,
    /// Base URL without trailing `/`.
    base: Url,
    /// `x-goog-api-key` (marked sensitive) and extra headers, sent on every request.
    headers: HeaderMap,
    idle_timeout: Duration,
}

impl GeminiProvider {
    /// Validates `config` and builds the HTTP client.
    ///
    /// # Errors
    /// [`ProviderError::Config`] when the base URL is not an absolute
    /// `http`/`https` URL without query, a header name or value (or the key)
    /// is not valid in HTTP, or the TLS client cannot be built.
    pub fn new(config: GeminiConfig) -> Result<Self, ProviderError> {
        let base = normalise_base_url(&config.base_url)?;
        let mut headers = HeaderMap::new();
        for (name, value) in &config.extra_headers {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| ProviderError::Config(format!("invalid header name {name:?}: {e}")))?;
            let value = HeaderValue::from_str(value).map_err(|e| {
                ProviderError::Config(format!("invalid value for header {name:?}: {e}"))
            })?;
            headers.insert(header, value);
        }
        if let Some(key) = config.api_key.as_deref().filter(|k| !k.is_empty()) {
            let mut value = HeaderValue::from_str(key).map_err(|_| {
                ProviderError::Config("the API key contains characters not allowed in HTTP".into())
            })?;
            value.set_sensitive(true);
            headers.insert(API_KEY_HEADER, value);
        }
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("ValeChat/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ProviderError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            client,
            base,
            headers,
            idle_timeout: config.idle_timeout,
        })
    }

    /// The normalised base URL (no trailing `/`).
    pub fn base_url(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    /// `{base}/models/{model}:streamGenerateContent?alt=sse`; `model` may be
    /// given as `gemini-…` or as its resource name `models/gemini-…`, and is
    /// percent-encoded as one path segment.
    ///
    /// # Errors
    /// [`ProviderError::Config`] when `model` is empty.
    pub fn stream_url(&self, model: &str) -> Result<Url, ProviderError> {
        let id = model.trim();
        let id = id.strip_prefix(MODEL_PREFIX).unwrap_or(id);
        if id.is_empty() {
            return Err(ProviderError::Config(format!(
                "no Gemini model given (got {model:?})"
            )));
        }
        let mut url = self.endpoint(&["models", &format!("{id}:streamGenerateContent")])?;
        url.set_query(Some("alt=sse"));
        Ok(url)
    }

    /// The base URL with `segments` appended.
    fn endpoint(&self, segments: &[&str]) -> Result<Url, ProviderError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| ProviderError::Config(format!("base URL {} has no path", self.base)))?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    /// Sends `request`, waiting at most the idle timeout for the response
    /// headers, and maps a non-success status to its typed error.
    async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, ProviderError> {
        let pending = request.headers(self.headers.clone()).send();
        let response = tokio::time::timeout(self.idle_timeout, pending)
            .await
            .map_err(|_| {
                ProviderError::Timeout(format!(
                    "no response from {} within {} ms",
                    self.base_url(),
                    self.idle_timeout.as_millis()
                ))
            })?
            .map_err(|e| http_error::from_reqwest(&e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let headers = response.headers().clone();
        let body = self.read_text(response).await.unwrap_or_default();
        tracing::debug!(status = status.as_u16(), base = %self.base_url(), "Gemini returned an error status");
        Err(http_error::from_status(status.as_u16(), &headers, &body))
    }

    /// Reads a whole (small) body as text, bounded by the idle timeout.
    async fn read_text(&self, response: reqwest::Response) -> Result<String, ProviderError> {
        tokio::time::timeout(self.idle_timeout, response.text())
            .await
            .map_err(|_| {
                ProviderError::Timeout(format!(
                    "response body from {} not complete within {} ms",
                    self.base_url(),
                    self.idle_timeout.as_millis()
                ))
            })?
            .map_err(|e| http_error::from_reqwest(&e))
    }

    /// Fetches one page of `models.list`.
    async fn model_page(&self, token: Option<&str>) -> Result<ModelList, ProviderError> {
        let mut url = self.endpoint(&["models"])?;
        url.query_pairs_mut()
            .append_pair("pageSize", &PAGE_SIZE.to_string());
        if let Some(token) = token {
            url.query_pairs_mut().append_pair("pageToken", token);
        }
        let response = self.send(self.client.get(url)).await?;
        let text = self.read_text(response).await?;
        serde_json::from_str(&text).map_err(|e| {
            ProviderError::Malformed(format!(
                "model list is not {{\"models\":[{{\"name\",…}}]}} ({e}): {}",
                mapper::quote(&text)
            ))
        })
    }
}

#[async_trait::async_trait]
impl ChatProvider for GeminiProvider {
    async fn stream_chat(
        &self,
        request: ChatRequest,
        cancel: CancellationToken,
    ) -> Result<ChatStream, ProviderError> {
        let url = self.stream_url(&request.model)?;
        let body = GenerateRequest::new(&request);
        let builder = self
            .client
            .post(url)
            .header(ACCEPT, "text/event-stream")
            .json(&body);
        let response = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(ProviderError::Cancelled),
            response = self.send(builder) => response?,
        };
        if is_json(response.headers()) {
            // A proxy or an older endpoint may answer with one JSON document.
            let text = self.read_text(response).await?;
            return Err(non_stream_reply(&text));
        }
        let bytes = response
            .bytes_stream()
            .map_err(|e| http_error::from_reqwest(&e));
        Ok(stream::chat_event_stream(bytes, self.idle_timeout, cancel))
    }

    /// Lists the models that serve `generateContent`, following
    /// `nextPageToken` for at most 20 pages; ids lose their `models/` prefix.
    async fn list_models(&self) -> Result<Vec<ModelInfo>, ProviderError> {
        let mut models = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self.model_page(token.as_deref()).await?;
            models.extend(
                page.models
                    .into_iter()
                    .filter(|m| {
                        m.supported_generation_methods
                            .iter()
                            .any(|g| g == "generateContent")
                    })
                    .map(|m| ModelInfo {
                        id: m
                            .name
                            .strip_prefix(MODEL_PREFIX)
                            .unwrap_or(&m.name)
                            .to_owned(),
                        owned_by: None,
                    }),
            );
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(next) if token.as_deref() != Some(next.as_str()) => token = Some(next),
                _ => {
                    token = None;
                    break;
                }
            }
        }
        if token.is_some() {
            tracing::warn!(pages = MAX_PAGES, "Gemini model list truncated");
        }
        models.sort_by(|a, b| a.id.cmp(&b.id));
        models.dedup_by(|a, b| a.id == b.id);
        Ok(models)
    }
}

/// Checks that `raw` is an absolute `http`/`https` URL without query or
/// fragment, and strips trailing `/`.
fn normalise_base_url(raw: &str) -> Result<Url, ProviderError> {
    let trimmed = raw.trim().trim_end_matches('/');
    let url = Url::parse(trimmed)
        .map_err(|e| ProviderError::Config(format!("invalid base URL {raw:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ProviderError::Config(format!(
            "base URL {raw:?} must be an http:// or https:// URL with a host"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ProviderError::Config(format!(
            "base URL {raw:?} must not have a query or fragment (the key goes in a header)"
        )));
    }
    Ok(url)
}

/// Whether the response is `application/json` rather than an event stream.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"))
}

/// The error for a 200 reply that is one JSON document instead of a stream.
fn non_stream_reply(text: &str) -> ProviderError {
    let value: Option<serde_json::Value> = serde_json::from_str(text).ok();
    match value.as_ref().and_then(|v| v.get("error")) {
        Some(error) => ProviderError::Stream {
            message: mapper::error_message(error),
        },
        None => ProviderError::Malformed(format!(
            "expected an event stream, got JSON: {}",
            mapper::quote(text)
        )),
    }
}

#[cfg(test)]
#[path = "gemini/provider_tests.rs"]
mod tests;
