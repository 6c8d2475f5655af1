//! OpenAI-compatible embeddings: `POST {base}/embeddings` with
//! `{"model", "input": [texts], "encoding_format": "float"}`, answered by
//! `{"data": [{"index", "embedding": [floats]}], "model", "usage":
//! {"prompt_tokens"}}` (OpenAI API reference, "Create embeddings"). The
//! same request serves OpenAI, Mistral (`mistral-embed`), OpenRouter and
//! other OpenAI-compatible servers; `usage` may be absent (then the input
//! tokens are unknown) and `data` is put in `index` order when the server
//! sends indices.

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use super::{EmbeddingProvider, EmbeddingRequest, Embeddings, in_batches};
use crate::provider::ProviderError;
use crate::provider::limits::MAX_EMBEDDINGS_REPLY_BYTES;
use crate::provider::openai::{OpenAiProvider, http_error};

/// Most inputs sent in one request (512). OpenAI accepts up to 2,048, but
/// 2,048 vectors of 3,072 dimensions as JSON text (about 120 MB) would pass
/// [`MAX_EMBEDDINGS_REPLY_BYTES`]; 512 stay near a quarter of it.
pub const MAX_BATCH: usize = 512;

#[derive(Serialize)]
struct Body<'a> {
    model: &'a str,
    input: &'a [String],
    encoding_format: &'static str,
}

#[derive(Deserialize)]
struct Reply {
    data: Vec<Item>,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    index: Option<usize>,
    embedding: Vec<f32>,
}

#[derive(Deserialize)]
struct WireUsage {
    #[serde(default)]
    prompt_tokens: Option<u64>,
}

#[async_trait::async_trait]
impl EmbeddingProvider for OpenAiProvider {
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
                encoding_format: "float",
            };
            let mut reply: Reply = http
                .fetch_json_up_to(
                    http.post("embeddings").json(&body),
                    http_error::from_status,
                    MAX_EMBEDDINGS_REPLY_BYTES,
                    r#"an embeddings reply ({"data":[{"embedding":[…]}]})"#,
                )
                .await?;
            if reply.data.iter().all(|item| item.index.is_some()) {
                reply.data.sort_by_key(|item| item.index);
            }
            Ok(Embeddings {
                vectors: reply.data.into_iter().map(|item| item.embedding).collect(),
                input_tokens: reply.usage.and_then(|u| u.prompt_tokens),
                model: reply.model.unwrap_or_else(|| model.to_owned()),
            })
        })
        .await
    }
}
