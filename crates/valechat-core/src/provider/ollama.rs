//! Ollama's native API: [`OllamaProvider`].
//!
//! Speaks `POST {base}/api/chat` (NDJSON streaming), `GET {base}/api/tags`
//! (installed models), `POST {base}/api/show` (model details, context
//! length) and `POST {base}/api/pull` (download with progress), as
//! documented in Ollama's `docs/api.md`. Request and response shapes are in
//! [`wire`], the chat mapping in [`mapper`], the NDJSON framing in
//! [`stream`], model listings, details and pull progress in [`models`].
//!
//! The base URL is the server root (`http://localhost:11434`), not the
//! OpenAI-compatible `/v1`: a pasted `…/v1` (or `…/api`) is accepted and
//! stripped. Ollama needs no key; one given is sent as a sensitive bearer
//! token for servers behind an authenticating proxy, and never logged or
//! printed. No retries happen here: errors are typed ([`ProviderError`])
//! for the retry layer above.

pub mod mapper;
pub mod models;
pub mod request;
pub mod stream;
pub mod wire;

use futures::{StreamExt, TryStreamExt};
use reqwest::header::{ACCEPT, HeaderMap};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::provider::http::{self, ConnectionConfig, HttpClient, KeyHeader, plain_message};
use crate::provider::{ChatProvider, ChatRequest, ChatStream, ModelInfo, ProviderError};
use mapper::ChatMapper;
pub use models::{InstalledModel, ModelDetails, PullProgress};
use models::{PullMapper, parse_show, parse_tags};
use request::ChatBody;
use stream::{ItemStream, ndjson_stream};
use wire::{ModelBody, error_text};

/// Where a local Ollama listens.
pub const DEFAULT_BASE_URL: &str = "http://localhost:11434";
/// Path suffixes users paste that are not the server root (OpenAI-compatible
/// API, native API prefix); stripped from the base URL.
const STRIPPED_SUFFIXES: [&str; 2] = ["/v1", "/api"];
/// Media type of Ollama's streamed replies.
/// How many installed models [`ChatProvider::list_models`] asks `/api/show` about.
pub const SHOW_LIMIT: usize = 50;

/// How many `/api/show` requests [`ChatProvider::list_models`] keeps in flight.
pub const SHOW_CONCURRENCY: usize = 4;

const NDJSON: &str = "application/x-ndjson";

/// Least silence allowed between two pull progress lines (5 minutes):
/// Ollama says nothing while it verifies the digest of a large download.
pub const PULL_MIN_IDLE: std::time::Duration = std::time::Duration::from_secs(300);

/// The progress of a model download: [`PullProgress`] items until the
/// `success` step, or an error as the last item.
pub type PullStream = ItemStream<PullProgress>;

/// How to reach one Ollama server: `base_url` is the server root (empty or
/// blank means [`DEFAULT_BASE_URL`]; a trailing `/`, `/v1` or `/api` is
/// ignored); the key, for a server behind an authenticating proxy, is sent as
/// a Bearer token (`None`, the usual case, sends no `Authorization` header).
pub type OllamaConfig = ConnectionConfig;

/// A [`ChatProvider`] for one Ollama server, with Ollama's own model
/// management on top. Cheap to share (`reqwest::Client` pools connections).
#[derive(Debug)]
pub struct OllamaProvider {
    /// Client bound to the server root, sending Authorization (sensitive) and extra headers.
    http: HttpClient,
}

impl OllamaProvider {
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
    pub fn new(config: OllamaConfig) -> Result<Self, ProviderError> {
        let base = server_root(config.base_url_or(DEFAULT_BASE_URL))?;
        let http = HttpClient::connect(&config, &base, KeyHeader::Bearer, HeaderMap::new())?;
        Ok(Self { http })
    }

    /// The HTTP client (base URL, key header, timeouts), for the
    /// embeddings of the same server (`provider::embeddings`).
    pub(crate) fn http(&self) -> &HttpClient {
        &self.http
    }

    /// The normalised server root (no trailing `/`, `/v1` or `/api`).
    #[must_use]
    pub fn base_url(&self) -> &str {
        self.http.base_url()
    }

    /// The models installed on the server (`GET /api/tags`), sorted by name.
    ///
    /// # Errors
    /// A transport or HTTP error, or [`ProviderError::Malformed`] for a body
    /// that is not `{"models":[…]}`.
    pub async fn installed_models(&self) -> Result<Vec<InstalledModel>, ProviderError> {
        let response = self
            .http
            .send(self.http.get("api/tags"), from_status)
            .await?;
        let text = self.http.read_text(response).await?;
        parse_tags(&text)
    }

    /// Details of `model` (`POST /api/show`): context length, parameter
    /// size, quantization, family and capabilities.
    ///
    /// # Errors
    /// [`ProviderError::NotFound`] for a model that is not installed, a
    /// transport or HTTP error, or [`ProviderError::Malformed`].
    pub async fn show(&self, model: &str) -> Result<ModelDetails, ProviderError> {
        let body = ModelBody {
            model,
            stream: None,
        };
        let builder = self.http.post("api/show").json(&body);
        let response = self.http.send(builder, from_status).await?;
        let text = self.http.read_text(response).await?;
        parse_show(model, &text)
    }

    /// [`OllamaProvider::show`] for `model`, `None` (logged) when it fails.
    async fn details_or_unknown(&self, model: String) -> Option<ModelDetails> {
        match self.show(&model).await {
            Ok(details) => Some(details),
            Err(e) => {
                tracing::debug!(%model, error = %e, "no Ollama model details");
                None
            }
        }
    }

    /// Starts downloading `model` (`POST /api/pull`, streamed): the stream
    /// yields each status line as a [`PullProgress`] (byte counts per layer)
    /// and ends after `success`. An `{"error"}` line ends it with
    /// [`ProviderError::Stream`]; cancelling `cancel` ends it with
    /// [`ProviderError::Cancelled`] and closes the connection (Ollama keeps
    /// what it downloaded and resumes on the next pull).
    /// Between two lines it waits the idle timeout, but at least
    /// [`PULL_MIN_IDLE`].
    ///
    /// # Errors
    /// Errors before the first line (HTTP status, unreachable host) are
    /// returned here; later ones arrive as the stream's last item.
    pub async fn pull(
        &self,
        model: &str,
        cancel: CancellationToken,
    ) -> Result<PullStream, ProviderError> {
        let body = ModelBody {
            model,
            stream: Some(true),
        };
        let builder = self
            .http
            .post("api/pull")
            .header(ACCEPT, NDJSON)
            .json(&body);
        let response = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(ProviderError::Cancelled),
            response = self.http.send(builder, from_status) => response?,
        };
        let bytes = response.bytes_stream().map_err(|e| http::from_reqwest(&e));
        Ok(ndjson_stream(
            bytes,
            PullMapper::new(),
            http::BodyTimeouts {
                idle: self.http.idle_timeout().max(PULL_MIN_IDLE),
                ..self.http.body_timeouts()
            },
            cancel,
        ))
    }
}

#[async_trait::async_trait]
impl ChatProvider for OllamaProvider {
    async fn stream_chat(
        &self,
        request: ChatRequest,
        cancel: CancellationToken,
    ) -> Result<ChatStream, ProviderError> {
        request.check_tool_choice()?;
        let body = ChatBody::streaming(&request);
        let builder = self
            .http
            .post("api/chat")
            .header(ACCEPT, NDJSON)
            .json(&body);
        let response = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(ProviderError::Cancelled),
            response = self.http.send(builder, from_status) => response?,
        };
        let bytes = response.bytes_stream().map_err(|e| http::from_reqwest(&e));
        Ok(ndjson_stream(
            bytes,
            ChatMapper::new(),
            self.http.body_timeouts(),
            cancel,
        ))
    }

    /// The installed models (see [`OllamaProvider::installed_models`]),
    /// without owner. Context length and tool/vision support come from
    /// [`OllamaProvider::show`], asked for the first [`SHOW_LIMIT`] models
    /// only, at most [`SHOW_CONCURRENCY`] at a time; a model whose details
    /// fail (or beyond the limit) keeps them unknown.
    async fn list_models(&self) -> Result<Vec<ModelInfo>, ProviderError> {
        let installed = self.installed_models().await?;
        let names: Vec<String> = installed
            .iter()
            .take(SHOW_LIMIT)
            .map(|m| m.name.clone())
            .collect();
        let details: Vec<Option<ModelDetails>> = futures::stream::iter(names)
            .map(|name| self.details_or_unknown(name))
            .buffered(SHOW_CONCURRENCY)
            .collect()
            .await;
        let mut details = details.into_iter();
        Ok(installed
            .into_iter()
            .map(|m| models::model_info(m, details.next().flatten()))
            .collect())
    }
}

/// `raw` validated, without a trailing `/`, `/v1` or `/api`.
fn server_root(raw: &str) -> Result<String, ProviderError> {
    let mut base = http::normalise_base_url(raw)?;
    for suffix in STRIPPED_SUFFIXES {
        if let Some(root) = base.strip_suffix(suffix) {
            base = root.trim_end_matches('/').to_owned();
            break;
        }
    }
    Ok(base)
}

/// The typed error for a non-success `status`: the message from Ollama's
/// `{"error":"…"}` body (or the plain body), the variant from the shared
/// status classification (404 → [`ProviderError::NotFound`] for an unknown model).
#[must_use]
pub fn from_status(status: u16, headers: &HeaderMap, body: &str) -> ProviderError {
    let message = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("error").map(error_text))
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| plain_message(status, body));
    http::classify_status(status, headers, message, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_loses_v1_and_api_suffixes() {
        let root = |raw: &str| server_root(raw).unwrap();
        assert_eq!(root("http://localhost:11434/v1/"), "http://localhost:11434");
        assert_eq!(root("http://localhost:11434/api"), "http://localhost:11434");
        assert_eq!(root("https://h.test/ollama/v1"), "https://h.test/ollama");
        assert_eq!(root(" http://h:11434 "), "http://h:11434");
        assert_eq!(root("http://h/v10"), "http://h/v10");
        assert!(matches!(
            server_root("localhost:11434"),
            Err(ProviderError::Config(_))
        ));
        let blank = OllamaProvider::new(OllamaConfig::new(" ", None)).unwrap();
        assert_eq!(blank.base_url(), DEFAULT_BASE_URL);
    }

    #[test]
    fn debug_output_never_shows_the_key() {
        let config = OllamaConfig::new("http://h:11434", Some("proxy-secret-9".into()));
        assert!(!format!("{config:?}").contains("proxy-secret-9"));
        let provider = OllamaProvider::new(config).unwrap();
        assert!(!format!("{provider:?}").contains("proxy-secret-9"));
    }

    #[test]
    fn error_bodies_give_message_and_variant() {
        let body = r#"{"error":"model \"x\" not found, try pulling it first"}"#;
        assert_eq!(
            from_status(404, &HeaderMap::new(), body),
            ProviderError::NotFound {
                message: r#"model "x" not found, try pulling it first"#.into()
            }
        );
        assert!(matches!(
            from_status(500, &HeaderMap::new(), r#"{"error":"out of memory"}"#),
            ProviderError::Server { status: 500, message } if message == "out of memory"
        ));
        assert!(matches!(
            from_status(401, &HeaderMap::new(), "unauthorized\n"),
            ProviderError::Unauthorized { message } if message == "unauthorized"
        ));
        assert!(matches!(
            from_status(502, &HeaderMap::new(), ""),
            ProviderError::Server { message, .. } if message == "Bad Gateway"
        ));
    }
}
