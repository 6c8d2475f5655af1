//! [`read_limited`]: a whole (small) body read as text, at most so many
//! bytes of it, within one wait.

use std::time::Duration;

use super::from_reqwest;
use crate::provider::ProviderError;
use crate::provider::limits::too_large;

/// Reads `response`'s body as text (invalid UTF-8 replaced), failing with
/// [`ProviderError::TooLarge`] naming `what` once it is over `limit` bytes
/// (at once when its `Content-Length` says so, without reading it), and
/// with [`ProviderError::Timeout`] when the whole body takes longer than
/// `wait` (the message names `base`).
///
/// # Errors
/// [`ProviderError::TooLarge`], [`ProviderError::Timeout`], or a transport error.
pub async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
    what: &str,
    wait: Duration,
    base: &str,
) -> Result<String, ProviderError> {
    if let Some(length) = response.content_length() {
        let length = usize::try_from(length).unwrap_or(usize::MAX);
        if length > limit {
            return Err(too_large(what, length, limit));
        }
    }
    let read = async {
        let mut body = Vec::new();
        while let Some(piece) = response.chunk().await.map_err(|e| from_reqwest(&e))? {
            let total = body.len().saturating_add(piece.len());
            if total > limit {
                return Err(too_large(what, total, limit));
            }
            body.extend_from_slice(&piece);
        }
        Ok::<_, ProviderError>(String::from_utf8_lossy(&body).into_owned())
    };
    tokio::time::timeout(wait, read).await.map_err(|_| {
        ProviderError::Timeout(format!(
            "response body from {base} not complete within {} ms",
            wait.as_millis()
        ))
    })?
}
