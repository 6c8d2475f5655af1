//! Request bodies: at most [`MAX_BODY_BYTES`], JSON, refused in OpenAI's
//! error shape (413 over the limit, 400 when not the expected JSON).

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::errors::ApiError;

/// Largest request body accepted, in bytes (8 MiB: a long conversation with
/// a few images as data URLs).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// A JSON body of type `T`, read within [`MAX_BODY_BYTES`].
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "invalid_request_error",
                        format!(
                            "The request body is larger than the server accepts ({} MiB).",
                            MAX_BODY_BYTES / (1024 * 1024)
                        ),
                    )
                } else {
                    ApiError::invalid_request(
                        format!("Could not read the request body: {}", rejection.body_text()),
                        None,
                    )
                }
            })?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| {
            ApiError::invalid_request(format!("The request body is not valid: {e}."), None)
        })
    }
}
