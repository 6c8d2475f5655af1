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
pub mod request;
pub mod schema;
pub mod stream;
pub mod wire;

use reqwest::Method;
use reqwest::header::HeaderMap;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::provider::error::quote;
use crate::provider::http::{ConnectionConfig, HttpClient, KeyHeader};
use crate::provider::{ChatProvider, ChatRequest, ChatStream, ModelInfo, ProviderError};
use request::GenerateRequest;
use wire::ModelList;

/// The public Gemini API root.
pub const DEFAULT_BASE_URL: &str = "https://generativelanguage.googleapis.com/v1beta";
/// Header carrying the API key.
const API_KEY_HEADER: &str = "x-goog-api-key";
/// Models asked for per `models.list` page (the API's maximum is 1000).
const PAGE_SIZE: u32 = 200;
/// Pages of `models.list` followed at most, so a looping token cannot hang the picker.
const MAX_PAGES: usize = 20;
/// Prefix of model resource names (`models/gemini-2.5-flash`).
const MODEL_PREFIX: &str = "models/";

/// How to reach the Gemini API.
#[derive(Clone, Debug)]
pub struct GeminiConfig {
    /// `base_url` is the API root including the version ([`DEFAULT_BASE_URL`]);
    /// the key is sent as `x-goog-api-key` (`None` sends none, the server answers 403).
    pub connection: ConnectionConfig,
}

impl GeminiConfig {
    /// A configuration with a 10 s connect timeout, a 120 s idle timeout and
    /// no extra headers; an empty (or blank) `base_url` means [`DEFAULT_BASE_URL`].
    pub fn new(base_url: impl Into<String>, api_key: Option<String>) -> Self {
        Self {
            connection: ConnectionConfig::with_default_base(base_url, api_key, DEFAULT_BASE_URL),
        }
    }
}

/// A [`ChatProvider`] for the Gemini API. Cheap to share (`reqwest::Client`
/// pools connections internally).
#[derive(Debug)]
pub struct GeminiProvider {
    /// Client bound to the base URL, sending `x-goog-api-key` (sensitive) and extra headers.
    http: HttpClient,
}

impl GeminiProvider {
    /// Validates `config` and builds the HTTP client.
    ///
    /// # Errors
    /// [`ProviderError::Config`] when the base URL is not an absolute
    /// `http`/`https` URL without query, a header name or value (or the key)
    /// is not valid in HTTP, or the TLS client cannot be built.
    #[allow(
        clippy::needless_pass_by_value,
        reason = "the provider is built from a configuration the caller hands over"
    )]
    pub fn new(config: GeminiConfig) -> Result<Self, ProviderError> {
        let connection = &config.connection;
        let http = HttpClient::connect(
            connection,
            &connection.base_url,
            KeyHeader::Named(API_KEY_HEADER),
            HeaderMap::new(),
        )?;
        Ok(Self { http })
    }

    /// The HTTP client (base URL, key header, timeouts), for the
    /// embeddings of the same server (`provider::embeddings`).
    pub(crate) fn http(&self) -> &HttpClient {
        &self.http
    }

    /// The normalised base URL (no trailing `/`).
    #[must_use]
    pub fn base_url(&self) -> &str {
        self.http.base_url()
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
        let mut url = self
            .http
            .endpoint(&["models", &format!("{id}:streamGenerateContent")])?;
        url.set_query(Some("alt=sse"));
        Ok(url)
    }

    /// Fetches one page of `models.list`.
    async fn model_page(&self, token: Option<&str>) -> Result<ModelList, ProviderError> {
        let mut url = self.http.endpoint(&["models"])?;
        url.query_pairs_mut()
            .append_pair("pageSize", &PAGE_SIZE.to_string());
        if let Some(token) = token {
            url.query_pairs_mut().append_pair("pageToken", token);
        }
        self.http
            .fetch_json(
                self.http.request(Method::GET, url),
                http_error::from_status,
                r#"model list is not {"models":[{"name",…}]}"#,
            )
            .await
    }
}

#[async_trait::async_trait]
impl ChatProvider for GeminiProvider {
    async fn stream_chat(
        &self,
        request: ChatRequest,
        cancel: CancellationToken,
    ) -> Result<ChatStream, ProviderError> {
        request.check_tool_choice()?;
        let url = self.stream_url(&request.model)?;
        let body = GenerateRequest::new(&request);
        let builder = self.http.request(Method::POST, url).json(&body);
        // A proxy or an older endpoint may answer with one JSON document.
        let bytes = self
            .http
            .open_stream(builder, http_error::from_status, non_stream_reply, &cancel)
            .await?;
        Ok(stream::chat_event_stream(
            bytes,
            self.http.body_timeouts(),
            cancel,
        ))
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
                        display_name: m.display_name.filter(|n| !n.trim().is_empty()),
                        context_length: m.input_token_limit.filter(|n| *n > 0),
                        max_output_tokens: m.output_token_limit.filter(|n| *n > 0),
                        ..ModelInfo::default()
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

/// The error for a 200 reply that is one JSON document instead of a stream.
fn non_stream_reply(text: &str) -> ProviderError {
    let value: Option<serde_json::Value> = serde_json::from_str(text).ok();
    match value.as_ref().and_then(|v| v.get("error")) {
        Some(error) => ProviderError::Stream {
            message: mapper::error_message(error),
        },
        None => ProviderError::Malformed(format!(
            "expected an event stream, got JSON: {}",
            quote(text)
        )),
    }
}

#[cfg(test)]
#[path = "gemini/provider_tests.rs"]
mod tests;
