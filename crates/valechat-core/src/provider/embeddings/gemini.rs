//! Gemini embeddings: `POST {base}/models/{model}:batchEmbedContents` with
//! `{"requests": [{"model": "models/{model}", "content": {"parts":
//! [{"text"}]}}]}`, answered by `{"embeddings": [{"values": [floats]}]}`
//! (Gemini API reference, "models.batchEmbedContents"). The reply has no
//! token count: [`Embeddings::input_tokens`] is `None` and the engine
//! estimates them.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use super::{EmbeddingProvider, EmbeddingRequest, Embeddings, in_batches};
use crate::provider::ProviderError;
use crate::provider::gemini::{GeminiProvider, http_error};
use crate::provider::limits::MAX_EMBEDDINGS_REPLY_BYTES;

/// Most inputs sent in one request (100, the API's limit for
/// `batchEmbedContents`).
pub const MAX_BATCH: usize = 100;

/// Prefix of model resource names (`models/gemini-embedding-001`).
const MODEL_PREFIX: &str = "models/";

#[derive(Serialize)]
struct Body<'a> {
    requests: Vec<One<'a>>,
}

#[derive(Serialize)]
struct One<'a> {
    model: &'a str,
    content: Content<'a>,
}

#[derive(Serialize)]
struct Content<'a> {
    parts: [Part<'a>; 1],
}

#[derive(Serialize)]
struct Part<'a> {
    text: &'a str,
}

#[derive(Deserialize)]
struct Reply {
    #[serde(default)]
    embeddings: Vec<Values>,
}

#[derive(Deserialize)]
struct Values {
    values: Vec<f32>,
}

#[async_trait::async_trait]
impl EmbeddingProvider for GeminiProvider {
    async fn embed(
        &self,
        request: EmbeddingRequest,
        cancel: CancellationToken,
    ) -> Result<Embeddings, ProviderError> {
        let id = request.model.trim();
        let id = id.strip_prefix(MODEL_PREFIX).unwrap_or(id).to_owned();
        if id.is_empty() {
            return Err(ProviderError::Config(format!(
                "no Gemini model given (got {:?})",
                request.model
            )));
        }
        let resource = format!("{MODEL_PREFIX}{id}");
        let http = self.http();
        let url = http.endpoint(&["models", &format!("{id}:batchEmbedContents")])?;
        let (url, resource, id) = (&url, &resource, &id);
        in_batches(&request, MAX_BATCH, &cancel, |batch| async move {
            let body = Body {
                requests: batch
                    .iter()
                    .map(|text| One {
                        model: resource,
                        content: Content {
                            parts: [Part { text }],
                        },
                    })
                    .collect(),
            };
            let reply: Reply = http
                .fetch_json_up_to(
                    http.request(Method::POST, url.clone()).json(&body),
                    http_error::from_status,
                    MAX_EMBEDDINGS_REPLY_BYTES,
                    r#"an embeddings reply ({"embeddings":[{"values":[…]}]})"#,
                )
                .await?;
            Ok(Embeddings {
                vectors: reply.embeddings.into_iter().map(|e| e.values).collect(),
                input_tokens: None,
                model: id.clone(),
            })
        })
        .await
    }
}
