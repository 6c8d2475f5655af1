//! Typed provider errors: what went wrong talking to a model server.

use std::time::Duration;

/// A failure talking to a provider, classified so the UI and the retry logic
/// can act on it (HTTP status mapping follows the OpenAI API error docs).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProviderError {
    /// HTTP 401/403: the API key is missing, wrong or lacks permission.
    #[error("the server rejected the API key: {message}")]
    Unauthorized {
        /// Server's message.
        message: String,
    },
    /// HTTP 404: unknown model or wrong base URL.
    #[error("not found (unknown model or wrong base URL): {message}")]
    NotFound {
        /// Server's message.
        message: String,
    },
    /// HTTP 429: rate limited or out of quota.
    #[error("rate limited: {message}")]
    RateLimited {
        /// Server's message.
        message: String,
        /// Delay the server asked for (`retry-after-ms` / `retry-after`), if any.
        retry_after: Option<Duration>,
        /// `insufficient_quota` and similar: retrying will not help.
        quota_exhausted: bool,
    },
    /// HTTP 400/413/422: the server refused the request as malformed.
    #[error("the server refused the request ({status}): {message}")]
    BadRequest {
        /// HTTP status code.
        status: u16,
        /// Server's message.
        message: String,
    },
    /// HTTP 5xx (and 529 overloaded).
    #[error("server error ({status}): {message}")]
    Server {
        /// HTTP status code.
        status: u16,
        /// Server's message.
        message: String,
    },
    /// Any other unexpected HTTP status.
    #[error("unexpected HTTP status {status}: {message}")]
    Http {
        /// HTTP status code.
        status: u16,
        /// Server's message.
        message: String,
    },
    /// The host could not be reached, or the connection broke (including mid-stream).
    #[error("connection failed: {0}")]
    Connection(String),
    /// A timeout elapsed (connect, first byte or idle between chunks).
    #[error("timed out: {0}")]
    Timeout(String),
    /// The server sent something that is not the documented format.
    #[error("malformed response from the server: {0}")]
    Malformed(String),
    /// An error object arrived inside an otherwise successful stream.
    #[error("the server reported an error mid-stream: {message}")]
    Stream {
        /// Server's message.
        message: String,
    },
    /// The server sent more than a bound of [`limits`](crate::provider::limits)
    /// allows (a line, an event, a body, a reply): the words say which and
    /// how much ("the server sent a line of 17 MiB or more; the limit is 16 MiB").
    #[error("{0}")]
    TooLarge(String),
    /// The configuration cannot make a request (bad base URL and the like).
    #[error("invalid provider configuration: {0}")]
    Config(String),
    /// The protocol does not offer what was asked (Anthropic has no
    /// embeddings API): the words say what and what to use instead.
    #[error("not supported: {0}")]
    Unsupported(String),
    /// The caller cancelled the request.
    #[error("cancelled")]
    Cancelled,
}

impl ProviderError {
    /// Whether trying the same request again may succeed (connect errors,
    /// timeouts, 408, 429 without exhausted quota, 5xx). Never true for 400/401/403/404.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RateLimited {
                quota_exhausted, ..
            } => !quota_exhausted,
            // 408 Request Timeout: the server gave up waiting; a new request may pass.
            Self::Server { .. }
            | Self::Connection(_)
            | Self::Timeout(_)
            | Self::Http { status: 408, .. } => true,
            _ => false,
        }
    }
}

/// Longest piece of a payload quoted in an error message, in characters.
pub(crate) const QUOTE_LIMIT: usize = 200;

/// `text` cut to [`QUOTE_LIMIT`] characters (on a character boundary), with
/// `…` when cut: how error messages quote what a server sent.
pub(crate) fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_LIMIT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_cuts_on_char_boundaries() {
        let text = "é".repeat(QUOTE_LIMIT + 5);
        let quoted = quote(&text);
        assert_eq!(quoted.chars().count(), QUOTE_LIMIT + 1);
        assert!(quoted.ends_with('…'));
        assert_eq!(quote("short"), "short");
    }
}
