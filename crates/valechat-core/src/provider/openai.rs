//! OpenAI Chat Completions protocol: [`OpenAiProvider`].
//!
//! Speaks `POST {base}/chat/completions` with `stream: true` and
//! `stream_options.include_usage`, and `GET {base}/models`, as documented in
//! the OpenAI API reference. The same wire format serves OpenAI, OpenRouter,
//! Groq, DeepSeek, Mistral, LM Studio, llama.cpp server, vLLM and Ollama's
//! `/v1`; the tolerated differences are listed in [`mapper`] and [`stream`].
//!
//! No retries happen here: errors are typed ([`ProviderError`]) for the retry
//! layer above. The API key is only ever placed in a sensitive
//! `Authorization` header and never logged or printed.

pub mod http_error;
pub mod mapper;
pub mod models;
pub mod request;
pub mod stream;
pub mod wire;

use reqwest::header::HeaderMap;
use tokio_util::sync::CancellationToken;

use crate::provider::error::quote;
use crate::provider::http::{ConnectionConfig, HttpClient, KeyHeader};
use crate::provider::{ChatProvider, ChatRequest, ChatStream, ModelInfo, ProviderError};
use request::CompletionRequest;
use wire::ModelList;

/// How to reach one OpenAI-compatible server: `base_url` is the API root
/// including the version, e.g. `https://api.openai.com/v1` or
/// `http://localhost:11434/v1`; the key is sent as a Bearer token (`None`
/// sends no `Authorization` header, for local servers); extra headers carry
/// e.g. OpenRouter's `HTTP-Referer` and `X-Title`.
pub type OpenAiConfig = ConnectionConfig;

/// A [`ChatProvider`] for one OpenAI-compatible server. Cheap to share
/// (`reqwest::Client` pools connections internally).
#[derive(Debug)]
pub struct OpenAiProvider {
    /// Client bound to the base URL, sending Authorization (sensitive) and extra headers.
    http: HttpClient,
}

impl OpenAiProvider {
    /// Validates `config` and builds the HTTP client.
    ///
    /// # Errors
    /// [`ProviderError::Config`] when the base URL is not an absolute
    /// `http`/`https` URL, a header name or value (or the key) is not valid
    /// in HTTP, or the TLS client cannot be built.
    #[allow(
        clippy::needless_pass_by_value,
        reason = "the provider is built from a configuration the caller hands over"
    )]
    pub fn new(config: OpenAiConfig) -> Result<Self, ProviderError> {
        let http = HttpClient::connect(
            &config,
            &config.base_url,
            KeyHeader::Bearer,
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
}

#[async_trait::async_trait]
impl ChatProvider for OpenAiProvider {
    async fn stream_chat(
        &self,
        request: ChatRequest,
        cancel: CancellationToken,
    ) -> Result<ChatStream, ProviderError> {
        request.check_tool_choice()?;
        let mut body = CompletionRequest::streaming(&request);
        if request::is_openai_api(self.base_url()) {
            body = body.for_openai();
        }
        let builder = self.http.post("chat/completions").json(&body);
        // Some servers answer a streaming request with one JSON object
        // (usually an error) instead of an event stream.
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
        let list: ModelList = self
            .http
            .fetch_json(
                self.http.get("models"),
                http_error::from_status,
                r#"model list is not {"data":[{"id",…}]}"#,
            )
            .await?;
        let mut models: Vec<ModelInfo> = list.data.into_iter().map(models::model_info).collect();
        models.sort_by(|a, b| a.id.cmp(&b.id));
        models.dedup_by(|a, b| a.id == b.id);
        Ok(models)
    }
}

/// The error for a 200 reply that is one JSON document instead of a stream.
fn non_stream_reply(text: &str) -> ProviderError {
    let value: Option<serde_json::Value> = serde_json::from_str(text).ok();
    match value.as_ref().and_then(|v| v.get("error")) {
        Some(_) => ProviderError::Stream {
            message: mapper::error_event_message(text),
        },
        None => ProviderError::Malformed(format!(
            "expected an event stream, got JSON: {}",
            quote(text)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_key() {
        let config = OpenAiConfig::new("https://api.openai.com/v1", Some("sk-secret-123".into()));
        assert!(!format!("{config:?}").contains("sk-secret-123"));
        let provider = OpenAiProvider::new(config).unwrap();
        assert!(!format!("{provider:?}").contains("sk-secret-123"));
    }

    #[test]
    fn invalid_header_or_key_is_a_config_error() {
        let mut config = OpenAiConfig::new("https://x.test/v1", Some("bad\nkey".into()));
        assert!(matches!(
            OpenAiProvider::new(config.clone()),
            Err(ProviderError::Config(_))
        ));
        config.api_key = None;
        config.extra_headers = vec![("bad header".into(), "v".into())];
        assert!(matches!(
            OpenAiProvider::new(config),
            Err(ProviderError::Config(_))
        ));
    }

    #[test]
    fn json_reply_to_a_stream_request_is_classified() {
        assert_eq!(
            non_stream_reply(r#"{"error":{"message":"model overloaded"}}"#),
            ProviderError::Stream {
                message: "model overloaded".into()
            }
        );
        assert!(matches!(
            non_stream_reply("{}"),
            ProviderError::Malformed(_)
        ));
    }
}
