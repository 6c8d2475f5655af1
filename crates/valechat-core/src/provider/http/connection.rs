//! How to reach one provider server: [`ConnectionConfig`] (base URL, API key,
//! timeouts, extra headers), shared by every protocol module, and
//! [`HttpClient::connect`], which turns it into a client sending the key in
//! the protocol's header ([`KeyHeader`]), marked sensitive.

use std::fmt;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName};

use super::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_FIRST_BYTE_TIMEOUT, DEFAULT_IDLE_TIMEOUT, HttpClient,
    header_map, secret_header,
};
use crate::provider::ProviderError;
use crate::provider::timeouts::ProviderTimeouts;

/// How to reach one server. `Debug` prints everything but the key, which
/// shows as `<redacted>`.
#[derive(Clone)]
pub struct ConnectionConfig {
    /// API root as the user typed it (each protocol documents its shape and
    /// default); a trailing `/` is ignored.
    pub base_url: String,
    /// The API key; `None` or an empty key sends no key header (local servers,
    /// proxies adding their own).
    pub api_key: Option<String>,
    /// Time allowed to connect (TCP and TLS); 10 s by default.
    pub connect_timeout: Duration,
    /// Time allowed for the response headers and the first body piece (a
    /// model that is still loading or thinking counts against it); 60 s by default.
    pub first_byte_timeout: Duration,
    /// Time allowed between two body pieces and for reading a small body;
    /// 30 s by default.
    pub idle_timeout: Duration,
    /// Extra request headers (`HTTP-Referer`, `anthropic-beta`…), name then value.
    pub extra_headers: Vec<(String, String)>,
}

impl ConnectionConfig {
    /// A configuration for `base_url` (kept as given) with a 10 s connect
    /// timeout, a 60 s first-byte timeout, a 30 s idle timeout and no extra
    /// headers.
    pub fn new(base_url: impl Into<String>, api_key: Option<String>) -> Self {
        Self {
            base_url: base_url.into(),
            api_key,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            first_byte_timeout: DEFAULT_FIRST_BYTE_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            extra_headers: Vec::new(),
        }
    }

    /// Replaces the three timeouts with `timeouts`.
    #[must_use]
    pub fn with_timeouts(mut self, timeouts: ProviderTimeouts) -> Self {
        self.set_timeouts(timeouts);
        self
    }

    /// Replaces the three timeouts with `timeouts`.
    pub fn set_timeouts(&mut self, timeouts: ProviderTimeouts) {
        self.connect_timeout = timeouts.connect;
        self.first_byte_timeout = timeouts.first_byte;
        self.idle_timeout = timeouts.idle;
    }

    /// The three timeouts.
    #[must_use]
    pub fn timeouts(&self) -> ProviderTimeouts {
        ProviderTimeouts {
            connect: self.connect_timeout,
            first_byte: self.first_byte_timeout,
            idle: self.idle_timeout,
        }
    }

    /// Like [`ConnectionConfig::new`], but an empty (or blank) `base_url`
    /// becomes `default_base_url`.
    pub fn with_default_base(
        base_url: impl Into<String>,
        api_key: Option<String>,
        default_base_url: &str,
    ) -> Self {
        let base_url = base_url.into();
        let base_url = if base_url.trim().is_empty() {
            default_base_url.to_owned()
        } else {
            base_url
        };
        Self::new(base_url, api_key)
    }

    /// The base URL, or `default` when it is empty (or blank).
    #[must_use]
    pub fn base_url_or<'a>(&'a self, default: &'a str) -> &'a str {
        if self.base_url.trim().is_empty() {
            default
        } else {
            &self.base_url
        }
    }
}

impl fmt::Debug for ConnectionConfig {
    /// Prints everything but the key, which shows as `<redacted>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("connect_timeout", &self.connect_timeout)
            .field("first_byte_timeout", &self.first_byte_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("extra_headers", &self.extra_headers)
            .finish()
    }
}

/// The header a protocol sends the API key in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyHeader {
    /// `Authorization: Bearer {key}` (OpenAI-compatible servers, Ollama behind a proxy).
    Bearer,
    /// `{name}: {key}`, e.g. `x-api-key` (Anthropic) or `x-goog-api-key` (Gemini);
    /// `name` must be a lowercase, valid header name.
    Named(&'static str),
}

impl HttpClient {
    /// Builds the client for `config` against `base_url` (the protocol's
    /// resolved form of `config.base_url`): the extra headers, then
    /// `protocol_headers` (which win over extra headers of the same name),
    /// then the key in `key_header`, marked sensitive, when a non-empty key is
    /// configured.
    ///
    /// # Errors
    /// [`ProviderError::Config`] when an extra header name or value, or the key,
    /// is not valid in HTTP (the key itself is never quoted), the base URL is
    /// not an absolute `http`/`https` URL without query, or the TLS client
    /// cannot be built.
    pub fn connect(
        config: &ConnectionConfig,
        base_url: &str,
        key_header: KeyHeader,
        protocol_headers: HeaderMap,
    ) -> Result<Self, ProviderError> {
        let mut headers = header_map(&config.extra_headers)?;
        headers.extend(protocol_headers);
        if let Some(key) = config.api_key.as_deref().filter(|k| !k.is_empty()) {
            let (name, value) = match key_header {
                KeyHeader::Bearer => (AUTHORIZATION, format!("Bearer {key}")),
                KeyHeader::Named(name) => (HeaderName::from_static(name), key.to_owned()),
            };
            headers.insert(name, secret_header(&value)?);
        }
        Self::new(base_url, headers, config.timeouts())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_base_takes_the_default_and_debug_hides_the_key() {
        let config = ConnectionConfig::with_default_base(" ", Some("k-secret".into()), "http://d");
        assert_eq!(config.base_url, "http://d");
        assert_eq!(config.idle_timeout, DEFAULT_IDLE_TIMEOUT);
        assert!(!format!("{config:?}").contains("k-secret"));
        let blank = ConnectionConfig::new("", None);
        assert_eq!(blank.base_url_or("http://d"), "http://d");
        assert_eq!(config.base_url_or("http://other"), "http://d");
    }

    #[test]
    fn connect_sends_the_key_sensitive_after_protocol_and_extra_headers() {
        let mut config = ConnectionConfig::new("http://h.test/v1", Some("k1".into()));
        config.extra_headers = vec![
            ("x-api-key".into(), "extra".into()),
            ("x-v".into(), "extra".into()),
        ];
        let mut protocol = HeaderMap::new();
        protocol.insert(HeaderName::from_static("x-v"), "proto".parse().unwrap());
        let client = HttpClient::connect(
            &config,
            "http://h.test/v1/",
            KeyHeader::Named("x-api-key"),
            protocol,
        )
        .unwrap();
        assert_eq!(client.base_url(), "http://h.test/v1");
        assert_eq!(client.headers()["x-v"], "proto");
        assert_eq!(client.headers()["x-api-key"], "k1");
        assert!(client.headers()["x-api-key"].is_sensitive());
        config.api_key = Some(String::new());
        let bearer = HttpClient::connect(
            &config,
            "http://h.test",
            KeyHeader::Bearer,
            HeaderMap::new(),
        )
        .unwrap();
        assert!(bearer.headers().get(AUTHORIZATION).is_none());
        config.api_key = Some("k2".into());
        let bearer = HttpClient::connect(
            &config,
            "http://h.test",
            KeyHeader::Bearer,
            HeaderMap::new(),
        )
        .unwrap();
        assert_eq!(bearer.headers()[AUTHORIZATION], "Bearer k2");
    }
}
