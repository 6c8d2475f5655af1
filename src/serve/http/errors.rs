//! Errors as OpenAI's API returns them: a status code and the body
//! `{"error":{"message","type","param","code"}}` (OpenAI API reference,
//! "Error codes"; `ErrorResponse` in `openai-openapi.yaml`). The texts are
//! protocol content and stay English.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use valechat_core::chat::EngineError;
use valechat_core::provider::ProviderError;

/// One error answer of the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// What went wrong, in English.
    pub message: String,
    /// OpenAI's `type`: `invalid_request_error`, `authentication_error`,
    /// `rate_limit_exceeded`, `insufficient_quota`, `api_error`.
    pub kind: &'static str,
    /// The request field at fault (`model`, `messages`), when one is.
    pub param: Option<String>,
    /// OpenAI's `code` (`model_not_found`, `invalid_api_key`…), when one fits.
    pub code: Option<&'static str>,
    /// Seconds for the `Retry-After` header (429 of the rate limit).
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    /// An error with no `param`, `code` or `Retry-After`.
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            kind,
            param: None,
            code: None,
            retry_after_secs: None,
        }
    }

    /// 400 `invalid_request_error` about the request field `param` (if any).
    pub fn invalid_request(message: impl Into<String>, param: Option<&str>) -> Self {
        Self {
            param: param.map(str::to_owned),
            ..Self::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
        }
    }

    /// 404 `model_not_found` for the requested `model`.
    pub fn model_not_found(message: impl Into<String>) -> Self {
        Self {
            param: Some("model".to_owned()),
            code: Some("model_not_found"),
            ..Self::new(StatusCode::NOT_FOUND, "invalid_request_error", message)
        }
    }

    /// 401 for a missing or wrong bearer token (sent with
    /// `WWW-Authenticate: Bearer`).
    #[must_use]
    pub fn unauthorized(message: &str) -> Self {
        Self {
            code: Some("invalid_api_key"),
            ..Self::new(StatusCode::UNAUTHORIZED, "authentication_error", message)
        }
    }

    /// The `error` object alone, as sent in an SSE error event.
    #[must_use]
    pub fn body(&self) -> Value {
        json!({
            "error": {
                "message": self.message,
                "type": self.kind,
                "param": self.param,
                "code": self.code,
            }
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        let headers = response.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(secs) = self.retry_after_secs {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        // A spent limit does not pass by retrying: the official clients
        // honour this header (openai-python `_should_retry`).
        if self.kind == "insufficient_quota" {
            headers.insert("x-should-retry", HeaderValue::from_static("false"));
        }
        response
    }
}

/// The HTTP status and OpenAI error for an engine error.
///
/// A hard spending limit is 429 `insufficient_quota`, as OpenAI answers a
/// spent quota: clients written for OpenAI already read it as "stop, this
/// will not pass by itself" (402 would be truer HTTP, but no OpenAI client
/// knows it). Failures of the provider behind ValeChat are 502, except
/// those that are the request's own fault (400, 404) or a rate limit
/// (429); a key the provider refused is ValeChat's configuration, so 502
/// too, never 401 (which would blame the client's token).
impl From<EngineError> for ApiError {
    fn from(error: EngineError) -> Self {
        let message = error.to_string();
        match error {
            EngineError::UnknownProvider(_) => Self::model_not_found(message),
            EngineError::LimitReached(_)
            | EngineError::LimitCutOff(_)
            | EngineError::UnpricedUnderLimit { .. } => Self {
                code: Some("insufficient_quota"),
                ..Self::new(StatusCode::TOO_MANY_REQUESTS, "insufficient_quota", message)
            },
            EngineError::EmptyMessage
            | EngineError::ImagesNotSupported { .. }
            | EngineError::Attachment(_) => Self::invalid_request(message, Some("messages")),
            EngineError::Secret(_) => {
                Self::new(StatusCode::SERVICE_UNAVAILABLE, "api_error", message)
            }
            EngineError::Provider(provider) => from_provider(provider, message),
            _ => Self::new(StatusCode::INTERNAL_SERVER_ERROR, "api_error", message),
        }
    }
}

/// The answer for a provider's failure (`message` is its English text).
fn from_provider(error: ProviderError, message: String) -> ApiError {
    match error {
        ProviderError::Config(_) | ProviderError::BadRequest { .. } => {
            ApiError::invalid_request(message, None)
        }
        ProviderError::NotFound { .. } => ApiError::model_not_found(message),
        ProviderError::RateLimited {
            retry_after,
            quota_exhausted,
            ..
        } => ApiError {
            code: Some(if quota_exhausted {
                "insufficient_quota"
            } else {
                "rate_limit_exceeded"
            }),
            retry_after_secs: retry_after.map(|d| d.as_secs().max(1)),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                if quota_exhausted {
                    "insufficient_quota"
                } else {
                    "rate_limit_exceeded"
                },
                message,
            )
        },
        _ => ApiError {
            code: Some("upstream_error"),
            ..ApiError::new(StatusCode::BAD_GATEWAY, "api_error", message)
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_has_openais_four_fields() {
        let error = ApiError::model_not_found("no such model");
        assert_eq!(
            error.body(),
            json!({"error": {"message": "no such model", "type": "invalid_request_error",
                             "param": "model", "code": "model_not_found"}})
        );
    }

    #[test]
    fn engine_errors_get_openais_statuses() {
        let unknown = ApiError::from(EngineError::UnknownProvider("x".into()));
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        let upstream = ApiError::from(EngineError::Provider(ProviderError::Connection(
            "refused".into(),
        )));
        assert_eq!(upstream.status, StatusCode::BAD_GATEWAY);
        let refused_key = ApiError::from(EngineError::Provider(ProviderError::Unauthorized {
            message: "bad key".into(),
        }));
        assert_eq!(refused_key.status, StatusCode::BAD_GATEWAY);
        let tool_choice = ApiError::from(EngineError::Provider(ProviderError::Config(
            "no tools".into(),
        )));
        assert_eq!(tool_choice.status, StatusCode::BAD_REQUEST);
    }

    #[test]
    fn a_401_asks_for_a_bearer_token() {
        let response = ApiError::unauthorized("missing").into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
    }
}
