//! OpenAI's chat completion request (`CreateChatCompletionRequest` in
//! `openai-openapi.yaml`) as far as ValeChat's engine can honour it, and its
//! translation to a [`CompletionRequest`].
//!
//! Honoured: `model` (`provider/model`), `messages` (roles `system`,
//! `developer` — sent as system —, `user`, `assistant`, `tool`; content as a
//! string or text parts; images in user messages as `image_url` parts with
//! `data:` URLs), `tools` (functions), `tool_choice`, assistant
//! `tool_calls`, `temperature`, `top_p`, `seed`, `max_tokens` /
//! `max_completion_tokens`, `stream`, `stream_options.include_usage`.
//! Refused with 400 rather than silently dropped, since the reply would not
//! be what was asked: `stop` (the engine has no stop sequences), `n` other
//! than 1, `response_format` other than `text`, images by `http(s)` URL (the
//! server does not fetch), and any content part other than text or image.
//! Other fields (`user`, `store`, `metadata`, `logprobs` false…) are ignored.

mod messages;
mod tools;

use serde::Deserialize;
use serde_json::Value;
use valechat_core::chat::CompletionRequest;

pub use messages::{Content, ImageUrl, Part, WireFunctionCall, WireMessage, WireToolCall};
pub use tools::{WireFunction, WireTool};

use crate::serve::http::errors::ApiError;

/// The request body.
#[derive(Debug, Clone, Deserialize)]
pub struct ChatCompletionRequest {
    /// `provider/model`, as `GET /v1/models` lists them.
    pub model: String,
    /// The conversation, oldest first.
    pub messages: Vec<WireMessage>,
    /// 0–2.
    #[serde(default)]
    pub temperature: Option<f32>,
    /// (0, 1].
    #[serde(default)]
    pub top_p: Option<f32>,
    /// Sampling seed (0 to 4,294,967,295 here).
    #[serde(default)]
    pub seed: Option<i64>,
    /// Upper bound on output tokens (the older name).
    #[serde(default)]
    pub max_tokens: Option<u32>,
    /// Upper bound on output tokens; wins over `max_tokens`.
    #[serde(default)]
    pub max_completion_tokens: Option<u32>,
    /// Answer as server-sent events.
    #[serde(default)]
    pub stream: Option<bool>,
    /// `include_usage`: a last chunk with the usage.
    #[serde(default)]
    pub stream_options: Option<StreamOptions>,
    /// Functions the model may call (never run by ValeChat here).
    #[serde(default)]
    pub tools: Option<Vec<WireTool>>,
    /// `"auto"`, `"none"`, `"required"` or `{"type":"function","function":{"name"}}`.
    #[serde(default)]
    pub tool_choice: Option<Value>,
    /// Stop sequences: refused unless null or empty.
    #[serde(default)]
    pub stop: Option<Value>,
    /// Number of choices: only 1.
    #[serde(default)]
    pub n: Option<u32>,
    /// Only `{"type":"text"}`.
    #[serde(default)]
    pub response_format: Option<Value>,
}

/// `stream_options`.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct StreamOptions {
    /// Send a last chunk with the request's usage.
    #[serde(default)]
    pub include_usage: bool,
}

impl ChatCompletionRequest {
    /// Whether the answer is streamed.
    #[must_use]
    pub fn streams(&self) -> bool {
        self.stream.unwrap_or(false)
    }

    /// Whether a streamed answer ends with a usage chunk.
    #[must_use]
    pub fn include_usage(&self) -> bool {
        self.stream_options.is_some_and(|o| o.include_usage)
    }

    /// The engine's request, for `client` (recorded with the usage).
    ///
    /// # Errors
    /// 404 `model_not_found` when `model` is not `provider/model`; 400 for
    /// what the module documentation lists as refused, and values out of
    /// range.
    pub fn into_completion(self, client: String) -> Result<CompletionRequest, ApiError> {
        self.check_unsupported()?;
        let Some((provider, model)) = self
            .model
            .split_once('/')
            .filter(|(p, m)| !p.is_empty() && !m.is_empty())
        else {
            return Err(ApiError::model_not_found(format!(
                "The model `{}` does not exist: models are named `provider/model`, as GET /v1/models lists them.",
                self.model
            )));
        };
        if let Some(t) = self.temperature
            && !(0.0..=2.0).contains(&t)
        {
            return Err(ApiError::invalid_request(
                format!("temperature must be between 0 and 2, not {t}."),
                Some("temperature"),
            ));
        }
        if let Some(p) = self.top_p
            && !(p > 0.0 && p <= 1.0)
        {
            return Err(ApiError::invalid_request(
                format!("top_p must be above 0 and at most 1, not {p}."),
                Some("top_p"),
            ));
        }
        let seed = self
            .seed
            .map(|s| {
                u32::try_from(s).map_err(|_| {
                    ApiError::invalid_request(
                        format!("seed must be between 0 and 4294967295, not {s}."),
                        Some("seed"),
                    )
                })
            })
            .transpose()?;
        let mut request = CompletionRequest::new(
            provider.to_owned(),
            model.to_owned(),
            messages::messages(self.messages)?,
        );
        request.max_output_tokens = self.max_completion_tokens.or(self.max_tokens);
        request.temperature = self.temperature;
        request.sampling.top_p = self.top_p;
        request.sampling.seed = seed;
        request.tools = tools::tools(self.tools.unwrap_or_default())?;
        request.tool_choice = tools::tool_choice(self.tool_choice.as_ref())?;
        request.client = Some(client);
        Ok(request)
    }

    /// Refuses `stop`, `n` and `response_format` the engine cannot honour.
    fn check_unsupported(&self) -> Result<(), ApiError> {
        let stop_given = match &self.stop {
            None | Some(Value::Null) => false,
            Some(Value::Array(a)) => !a.is_empty(),
            Some(_) => true,
        };
        if stop_given {
            return Err(ApiError::invalid_request(
                "stop sequences are not supported by this server.",
                Some("stop"),
            ));
        }
        if self.n.is_some_and(|n| n != 1) {
            return Err(ApiError::invalid_request(
                "Only one choice (n = 1) is supported by this server.",
                Some("n"),
            ));
        }
        if let Some(format) = &self.response_format
            && !format.is_null()
            && format.get("type").and_then(Value::as_str) != Some("text")
        {
            return Err(ApiError::invalid_request(
                "Only the text response format is supported by this server.",
                Some("response_format"),
            ));
        }
        if self.messages.is_empty() {
            return Err(ApiError::invalid_request(
                "messages must not be empty.",
                Some("messages"),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
