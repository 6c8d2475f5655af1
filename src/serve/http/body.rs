//! Request bodies: at most [`MAX_BODY_BYTES`], JSON, refused in OpenAI's
//! error shape (413 over the limit, 400 when not the expected JSON).
//!
//! A body over the limit is read on and dropped, up to [`MAX_DRAINED_BYTES`],
//! before the 413 is sent: a client still writing its body when the server
//! closes the connection would see a broken pipe instead of the answer.

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use futures::StreamExt;
use serde::de::DeserializeOwned;

use super::errors::ApiError;

/// Largest request body accepted, in bytes (8 MiB: a long conversation with
/// a few images as data URLs).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Most bytes of a refused body read (and dropped) so that its client gets
/// the 413; past it the connection is closed.
pub const MAX_DRAINED_BYTES: usize = 64 * 1024 * 1024;

/// A JSON body of type `T`, read within [`MAX_BODY_BYTES`].
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let mut stream = request.into_body().into_data_stream();
        let mut bytes = Vec::new();
        let mut seen = 0usize;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                ApiError::invalid_request(format!("Could not read the request body: {e}."), None)
            })?;
            seen = seen.saturating_add(chunk.len());
            if seen <= MAX_BODY_BYTES {
                bytes.extend_from_slice(&chunk);
            } else if seen > MAX_DRAINED_BYTES {
                break;
            }
        }
        if seen > MAX_BODY_BYTES {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request_error",
                format!(
                    "The request body is larger than the server accepts ({} MiB).",
                    MAX_BODY_BYTES / (1024 * 1024)
                ),
            ));
        }
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| {
            ApiError::invalid_request(format!("The request body is not valid: {e}."), None)
        })
    }
}
