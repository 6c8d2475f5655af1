//! `POST /v1/chat/completions`: OpenAI's chat completion API over the
//! engine's stateless completion ([`Engine::stream_completion`]): reserved
//! against the spending limits, billed and recorded as usage with the
//! client's name, and nothing stored as a conversation. Any configured
//! provider answers (Anthropic, Gemini, Ollama… through the engine's own
//! protocol modules).
//!
//! [`request`] translates the body, [`response`] builds the whole answer,
//! [`stream`] the server-sent events.

pub mod request;
pub mod response;
pub mod stream;

use axum::Router;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio_util::sync::CancellationToken;
use valechat_core::chat::Engine;

use super::body::JsonBody;
use super::errors::ApiError;
use request::ChatCompletionRequest;
use response::AnswerIds;

/// The route, for the server's router.
pub fn routes() -> Router<Engine> {
    Router::new().route("/v1/chat/completions", post(handle))
}

/// Who asked, for the usage record: `api:` and the `User-Agent`'s first
/// product name (`OpenAI/Python 1.99.9` → `api:OpenAI`), or `api`.
#[must_use]
pub fn client_name(headers: &HeaderMap) -> String {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .and_then(|agent| agent.split_whitespace().next())
        .and_then(|product| product.split('/').next())
        .filter(|name| !name.is_empty())
        .map_or_else(|| "api".to_owned(), |name| format!("api:{name}"))
}

/// Answers one request, streamed or whole.
async fn handle(
    axum::extract::State(engine): axum::extract::State<Engine>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ChatCompletionRequest>,
) -> Result<Response, ApiError> {
    let streams = body.streams();
    let include_usage = body.include_usage();
    let completion = body.into_completion(client_name(&headers))?;
    let ids = AnswerIds::new(&completion.provider_id);
    let model = completion.model.clone();
    // Cancelled when this request's future or body is dropped: a client that
    // goes away stops the provider request (what it consumed is billed).
    let cancel = CancellationToken::new();
    let guard = cancel.clone().drop_guard();
    if streams {
        let events = engine.stream_completion(completion, cancel).await?;
        return Ok(stream::respond(events, ids, &model, include_usage, guard));
    }
    let completion = engine.complete(completion, cancel).await?;
    guard.disarm();
    Ok(axum::Json(response::completion_object(&ids, &completion)).into_response())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn the_client_is_named_by_its_user_agent() {
        let mut headers = HeaderMap::new();
        assert_eq!(client_name(&headers), "api");
        headers.insert(
            header::USER_AGENT,
            HeaderValue::from_static("OpenAI/Python 1.99.9"),
        );
        assert_eq!(client_name(&headers), "api:OpenAI");
        headers.insert(header::USER_AGENT, HeaderValue::from_static("curl/8.5.0"));
        assert_eq!(client_name(&headers), "api:curl");
    }
}
