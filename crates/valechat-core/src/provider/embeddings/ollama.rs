//! Ollama's native embeddings: `POST {root}/api/embed` with
//! `{"model", "input": [texts]}`, answered by `{"model", "embeddings":
//! [[floats]], "prompt_eval_count"}` (Ollama API, "Generate embeddings").

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use super::{EmbeddingProvider, EmbeddingRequest, Embeddings, in_batches};
use crate::provider::ProviderError;
use crate::provider::limits::MAX_EMBEDDINGS_REPLY_BYTES;
use crate::provider::ollama::{OllamaProvider, from_status};

/// Most inputs sent in one request (512): Ollama sets no limit of its own;
/// this keeps a reply under [`MAX_EMBEDDINGS_REPLY_BYTES`] and a request's
/// work short enough for the first-byte timeout on a small computer.
pub const MAX_BATCH: usize = 512;

#[derive(Serialize)]
struct Body<'a> {
    model: &'a str,
    input: &'a [String],
}

#[derive(Deserialize)]
struct Reply {
    embeddings: Vec<Vec<f32>>,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    prompt_eval_count: Option<u64>,
}

#[async_trait::async_trait]
impl EmbeddingProvider for OllamaProvider {
    async fn embed(
        &self,
        request: EmbeddingRequest,
        cancel: CancellationToken,
    ) -> Result<Embeddings, ProviderError> {
        let http = self.http();
        let model = request.model.as_str();
        in_batches(&request, MAX_BATCH, &cancel, |batch| async move {
            let body = Body {
                model,
                input: batch,
            };
            let reply: Reply = http
                .fetch_json_up_to(
                    http.post("api/embed").json(&body),
                    from_status,
                    MAX_EMBEDDINGS_REPLY_BYTES,
                    r#"an embeddings reply ({"embeddings":[[…]]})"#,
                )
                .await?;
            Ok(Embeddings {
                vectors: reply.embeddings,
                input_tokens: reply.prompt_eval_count,
                model: reply.model.unwrap_or_else(|| model.to_owned()),
            })
        })
        .await
    }
}
