//! Embeddings from the providers' APIs: [`EmbeddingProvider`] and one
//! module per wire format.
//!
//! An [`EmbeddingRequest`] (a model and texts) becomes [`Embeddings`] (one
//! vector per text, in order, and the input tokens the server reported).
//! [`openai`] speaks `POST {base}/embeddings` (OpenAI, Mistral, OpenRouter
//! and other OpenAI-compatible servers), [`gemini`]
//! `POST {base}/models/{model}:batchEmbedContents`, [`ollama`]
//! `POST {root}/api/embed`. Anthropic has no embeddings API
//! ([`ProviderError::Unsupported`]). Each protocol sends at most its own
//! batch size per request ([`openai::MAX_BATCH`], [`gemini::MAX_BATCH`],
//! [`ollama::MAX_BATCH`]) and splits a longer list transparently; every
//! reply is checked by [`check_vectors`] (one vector per input, all of one
//! dimension, every component finite). The HTTP client, key header, base
//! URL, timeouts, error mapping and the size bound of a reply
//! ([`MAX_DOCUMENT_BYTES`](crate::provider::limits::MAX_DOCUMENT_BYTES))
//! are the chat protocols'.

pub mod gemini;
pub mod ollama;
pub mod openai;

use tokio_util::sync::CancellationToken;

use crate::provider::ProviderError;

/// What to embed: `inputs` (one vector each, in order) with `model`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EmbeddingRequest {
    /// Model identifier as the server names it (`text-embedding-3-small`,
    /// `mistral-embed`, `gemini-embedding-001`, `nomic-embed-text`).
    pub model: String,
    /// The texts to embed; any number (split into batches by the protocol).
    pub inputs: Vec<String>,
}

/// What the server answered: one vector per input, in the inputs' order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Embeddings {
    /// One embedding per input; all have the same dimensions.
    pub vectors: Vec<Vec<f32>>,
    /// Input tokens the server reported for all batches together
    /// (OpenAI `usage.prompt_tokens`, Ollama `prompt_eval_count`); `None`
    /// when it reports none (Gemini, servers that leave `usage` out):
    /// estimate them then.
    pub input_tokens: Option<u64>,
    /// The model as the server named it in its reply (else as requested).
    pub model: String,
}

impl Embeddings {
    /// The vectors' dimensions (0 when there are none).
    #[must_use]
    pub fn dimensions(&self) -> usize {
        self.vectors.first().map_or(0, Vec::len)
    }

    /// Appends one batch's reply; input tokens add up while every batch
    /// reports them, and become `None` as soon as one does not.
    pub(crate) fn extend(&mut self, batch: Embeddings, first: bool) {
        self.input_tokens = if first {
            batch.input_tokens
        } else {
            self.input_tokens
                .zip(batch.input_tokens)
                .map(|(a, b)| a + b)
        };
        self.vectors.extend(batch.vectors);
        self.model = batch.model;
    }
}

/// A server that turns texts into embeddings.
#[async_trait::async_trait]
pub trait EmbeddingProvider: Send + Sync {
    /// Embeds `request.inputs` with `request.model`, in batches of the
    /// protocol's size; an empty list sends nothing.
    ///
    /// # Errors
    /// The chat protocols' errors (a status mapped by the protocol's
    /// classification, timeouts, a reply over the size bound as
    /// [`ProviderError::TooLarge`]); [`ProviderError::Malformed`] for a reply
    /// that is not the documented shape or fails [`check_vectors`];
    /// [`ProviderError::Cancelled`] when `cancel` fires;
    /// [`ProviderError::Unsupported`] for a protocol without embeddings.
    async fn embed(
        &self,
        request: EmbeddingRequest,
        cancel: CancellationToken,
    ) -> Result<Embeddings, ProviderError>;
}

/// Anthropic's answer: it has no embeddings API (Anthropic's documentation
/// points to Voyage AI).
#[must_use]
pub fn anthropic_unsupported() -> ProviderError {
    ProviderError::Unsupported(
        "Anthropic has no embeddings API; use an OpenAI, Gemini, Mistral or Ollama provider, or a model on this computer".to_owned(),
    )
}

/// Checks one batch's vectors against its `inputs` count: as many vectors
/// as inputs, all of one non-zero dimension, every component finite.
///
/// # Errors
/// [`ProviderError::Malformed`] saying which rule failed and where.
pub fn check_vectors(vectors: &[Vec<f32>], inputs: usize) -> Result<(), ProviderError> {
    if vectors.len() != inputs {
        return Err(ProviderError::Malformed(format!(
            "the server sent {} embeddings for {inputs} inputs",
            vectors.len()
        )));
    }
    let dimensions = vectors.first().map_or(0, Vec::len);
    for (index, vector) in vectors.iter().enumerate() {
        if vector.is_empty() || vector.len() != dimensions {
            return Err(ProviderError::Malformed(format!(
                "embedding {index} has {} dimensions, the first has {dimensions}",
                vector.len()
            )));
        }
        if let Some(position) = vector.iter().position(|x| !x.is_finite()) {
            return Err(ProviderError::Malformed(format!(
                "embedding {index} has a value that is not a finite number at position {position}"
            )));
        }
    }
    Ok(())
}

/// Embeds `request` in batches of at most `max_batch` inputs, one
/// `send_batch` call each (in order), stopping at the first error or when
/// `cancel` fires; each batch's reply is checked with [`check_vectors`].
pub(crate) async fn in_batches<'a, F, Fut>(
    request: &'a EmbeddingRequest,
    max_batch: usize,
    cancel: &CancellationToken,
    mut send_batch: F,
) -> Result<Embeddings, ProviderError>
where
    F: FnMut(&'a [String]) -> Fut,
    Fut: std::future::Future<Output = Result<Embeddings, ProviderError>>,
{
    let mut all = Embeddings {
        model: request.model.clone(),
        input_tokens: Some(0),
        vectors: Vec::with_capacity(request.inputs.len()),
    };
    let mut dimensions = None;
    for (number, batch) in request.inputs.chunks(max_batch.max(1)).enumerate() {
        let reply = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(ProviderError::Cancelled),
            reply = send_batch(batch) => reply?,
        };
        check_vectors(&reply.vectors, batch.len())?;
        let these = reply.dimensions();
        if *dimensions.get_or_insert(these) != these {
            return Err(ProviderError::Malformed(format!(
                "batch {} has {these} dimensions, the first had {}",
                number + 1,
                dimensions.unwrap_or_default()
            )));
        }
        all.extend(reply, number == 0);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_must_match_inputs_in_count_dimension_and_finiteness() {
        assert!(check_vectors(&[vec![1.0, 2.0], vec![3.0, 4.0]], 2).is_ok());
        let err = |v: &[Vec<f32>], n| match check_vectors(v, n) {
            Err(ProviderError::Malformed(m)) => m,
            other => panic!("{other:?}"),
        };
        assert!(err(&[vec![1.0]], 2).contains("1 embeddings for 2 inputs"));
        assert!(err(&[vec![1.0], vec![1.0, 2.0]], 2).contains("embedding 1 has 2 dimensions"));
        assert!(err(&[vec![1.0, f32::NAN]], 1).contains("not a finite number at position 1"));
        assert!(err(&[vec![]], 1).contains("0 dimensions"));
    }

    #[tokio::test]
    async fn batches_split_in_order_and_tokens_add_up() {
        let request = EmbeddingRequest {
            model: "m".into(),
            inputs: (0..5).map(|i| i.to_string()).collect(),
        };
        let mut sizes = Vec::new();
        let all = in_batches(&request, 2, &CancellationToken::new(), |batch| {
            sizes.push(batch.len());
            let vectors = batch
                .iter()
                .map(|s| vec![s.parse::<f32>().unwrap()])
                .collect();
            async move {
                Ok(Embeddings {
                    vectors,
                    input_tokens: Some(1),
                    model: "m".into(),
                })
            }
        })
        .await
        .unwrap();
        assert_eq!(sizes, [2, 2, 1]);
        assert_eq!(
            all.vectors,
            (0u8..5).map(|i| vec![f32::from(i)]).collect::<Vec<_>>()
        );
        assert_eq!(all.input_tokens, Some(3));
    }
}
