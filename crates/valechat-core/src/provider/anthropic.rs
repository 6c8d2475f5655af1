//! Anthropic Messages protocol: [`AnthropicProvider`].
//!
//! Speaks `POST {base}/messages` with `stream: true` and `GET {base}/models`
//! (paginated with `after_id`), as documented in the Anthropic API
//! reference, sending `x-api-key` and `anthropic-version` on every request.
//! The request rules (top-level `system`, alternating turns, required
//! `max_tokens`) are in [`mapper`], the event rules in [`mapper`] and
//! [`stream`], the error mapping in [`http_error`].
//!
//! No retries happen here: errors are typed ([`ProviderError`]) for the retry
//! layer above. The API key is only ever placed in a sensitive `x-api-key`
//! header and never logged or printed.

pub mod http_error;
pub mod mapper;
pub mod request;
pub mod stream;
pub mod wire;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tokio_util::sync::CancellationToken;

use crate::provider::error::quote;
use crate::provider::http::{ConnectionConfig, HttpClient, KeyHeader};
use crate::provider::{ChatProvider, ChatRequest, ChatStream, ModelInfo, ProviderError};
use wire::{ErrorEnvelope, ModelPage};

/// The public API root.
pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com/v1";
/// The `anthropic-version` sent unless configured otherwise.
pub const DEFAULT_API_VERSION: &str = "2023-06-01";
/// Most model-list pages fetched (100 models each) before giving up on `has_more`.
const MAX_MODEL_PAGES: usize = 20;
/// Models asked for per page (the API's maximum).
const MODEL_PAGE_SIZE: u32 = 100;

/// How to reach the Anthropic API (or a proxy speaking it).
#[derive(Clone, Debug)]
pub struct AnthropicConfig {
    /// `base_url` is the API root including the version, [`DEFAULT_BASE_URL`]
    /// by default; the key is sent as `x-api-key` (`None` sends no key, for a
    /// proxy adding its own); extra headers carry e.g. `anthropic-beta`.
    pub connection: ConnectionConfig,
    /// Sent as `anthropic-version`, [`DEFAULT_API_VERSION`] by default.
    pub api_version: String,
}

impl AnthropicConfig {
    /// A configuration for `base_url` (blank means [`DEFAULT_BASE_URL`]) with
    /// the default API version, a 10 s connect timeout, a 120 s idle timeout
    /// and no extra headers.
    pub fn new(base_url: impl Into<String>, api_key: Option<String>) -> Self {
        Self {
            connection: ConnectionConfig::with_default_base(base_url, api_key, DEFAULT_BASE_URL),
            api_version: DEFAULT_API_VERSION.to_owned(),
        }
    }
}

/// A [`ChatProvider`] for the Anthropic Messages API. Cheap to share
/// (`reqwest::Client` pools connections internally).
#[derive(Debug)]
pub struct AnthropicProvider {
    /// Client bound to the base URL, sending the key (sensitive), version and extra headers.
    http: HttpClient,
}

impl AnthropicProvider {
    /// Validates `config` and builds the HTTP client.
    ///
    /// # Errors
    /// [`ProviderError::Config`] when the base URL is not an absolute
    /// `http`/`https` URL, a header name or value (or the key or version) is
    /// not valid in HTTP, or the TLS client cannot be built.
    #[allow(
        clippy::needless_pass_by_value,
        reason = "the provider is built from a configuration the caller hands over"
    )]
    pub fn new(config: AnthropicConfig) -> Result<Self, ProviderError> {
        let version = HeaderValue::from_str(config.api_version.trim()).map_err(|e| {
            ProviderError::Config(format!(
                "invalid anthropic-version {:?}: {e}",
                config.api_version
            ))
        })?;
        let mut headers = HeaderMap::new();
        headers.insert(HeaderName::from_static("anthropic-version"), version);
        let connection = &config.connection;
        let http = HttpClient::connect(
            connection,
            &connection.base_url,
            KeyHeader::Named("x-api-key"),
            headers,
        )?;
        Ok(Self { http })
    }

    /// The normalised base URL (no trailing `/`).
    #[must_use]
    pub fn base_url(&self) -> &str {
        self.http.base_url()
    }

    /// Fetches one page of `GET {base}/models`, after `after_id` if given.
    async fn model_page(&self, after_id: Option<&str>) -> Result<ModelPage, ProviderError> {
        let mut query: Vec<(&str, String)> = vec![("limit", MODEL_PAGE_SIZE.to_string())];
        if let Some(after) = after_id {
            query.push(("after_id", after.to_owned()));
        }
        self.http
            .fetch_json(
                self.http.get("models").query(&query),
                http_error::from_status,
                r#"model list is not {"data":[{"id",…}],"has_more","last_id"}"#,
            )
            .await
    }
}

#[async_trait::async_trait]
impl ChatProvider for AnthropicProvider {
    async fn stream_chat(
        &self,
        request: ChatRequest,
        cancel: CancellationToken,
    ) -> Result<ChatStream, ProviderError> {
        request.check_tool_choice()?;
        let body = request::messages_request(&request);
        let builder = self.http.post("messages").json(&body);
        // A proxy may answer with one JSON object instead of a stream.
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

    async fn list_models(&self) -> Result<Vec<ModelInfo>, ProviderError> {
        let mut models = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..MAX_MODEL_PAGES {
            let page = self.model_page(after.as_deref()).await?;
            models.extend(page.data.into_iter().map(|m| ModelInfo {
                id: m.id,
                display_name: m.display_name.filter(|n| !n.trim().is_empty()),
                ..ModelInfo::default()
            }));
            match page.last_id.filter(|id| page.has_more && !id.is_empty()) {
                Some(last) if after.as_deref() != Some(&last) => after = Some(last),
                _ => {
                    after = None;
                    break;
                }
            }
        }
        if after.is_some() {
            tracing::warn!(
                base = %self.http.base_url(),
                "model list still has more after {MAX_MODEL_PAGES} pages; keeping those read"
            );
        }
        models.sort_by(|a, b| a.id.cmp(&b.id));
        models.dedup_by(|a, b| a.id == b.id);
        Ok(models)
    }
}

/// The error for a 200 reply that is one JSON document instead of a stream.
fn non_stream_reply(text: &str) -> ProviderError {
    match serde_json::from_str::<ErrorEnvelope>(text) {
        Ok(envelope) => mapper::stream_error(&envelope.error),
        Err(_) => ProviderError::Malformed(format!(
            "expected an event stream, got JSON: {}",
            quote(text)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_base_url_means_the_public_api() {
        let config = AnthropicConfig::new(" ", None);
        assert_eq!(config.connection.base_url, DEFAULT_BASE_URL);
        assert_eq!(config.api_version, "2023-06-01");
        let provider = AnthropicProvider::new(config).unwrap();
        assert_eq!(provider.base_url(), "https://api.anthropic.com/v1");
        let config = AnthropicConfig::new("http://127.0.0.1:9/v1/", None);
        assert_eq!(
            AnthropicProvider::new(config).unwrap().base_url(),
            "http://127.0.0.1:9/v1"
        );
    }

    #[test]
    fn debug_output_never_shows_the_key() {
        let config = AnthropicConfig::new("", Some("sk-ant-secret-123".into()));
        assert!(!format!("{config:?}").contains("sk-ant-secret-123"));
        let provider = AnthropicProvider::new(config).unwrap();
        assert!(!format!("{provider:?}").contains("sk-ant-secret-123"));
    }

    #[test]
    fn invalid_key_version_or_header_is_a_config_error() {
        let mut config = AnthropicConfig::new("", Some("bad\nkey".into()));
        assert!(matches!(
            AnthropicProvider::new(config.clone()),
            Err(ProviderError::Config(_))
        ));
        config.connection.api_key = None;
        config.api_version = "2023\n06".into();
        assert!(matches!(
            AnthropicProvider::new(config.clone()),
            Err(ProviderError::Config(_))
        ));
        config.api_version = DEFAULT_API_VERSION.into();
        config.connection.extra_headers = vec![("bad header".into(), "v".into())];
        assert!(matches!(
            AnthropicProvider::new(config),
            Err(ProviderError::Config(_))
        ));
    }

    #[test]
    fn json_reply_to_a_stream_request_is_classified() {
        assert_eq!(
            non_stream_reply(
                r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#
            ),
            ProviderError::Server {
                status: 529,
                message: "Overloaded".into()
            }
        );
        assert!(matches!(
            non_stream_reply(r#"{"id":"msg_1"}"#),
            ProviderError::Malformed(_)
        ));
    }
}
