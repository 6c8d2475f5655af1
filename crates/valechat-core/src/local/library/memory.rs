//! The memory a model needs before it is loaded, from its metadata.

use serde::{Deserialize, Serialize};

use super::metadata::ModelMetadata;

/// Bytes per element of the KV cache: llama.cpp's default cache type is
/// F16.
const KV_BYTES_PER_ELEMENT: u64 = 2;

/// An estimate of the memory a model takes once loaded, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryEstimate {
    /// The context length it is for, in tokens.
    pub context_length: u64,
    /// The weights: the file's size (llama.cpp maps the file; the header
    /// is a few MiB at most).
    pub weights_bytes: u64,
    /// The KV cache at that context: 2 (keys and values) × layers ×
    /// context × KV heads × head length × 2 bytes (F16).
    pub kv_cache_bytes: u64,
}

impl MemoryEstimate {
    /// Weights plus KV cache. llama.cpp's compute buffers come on top
    /// (tens of MiB for small models); this is the figure to compare with
    /// the memory available, not an exact peak.
    #[must_use]
    pub fn total_bytes(&self) -> u64 {
        self.weights_bytes.saturating_add(self.kv_cache_bytes)
    }
}

/// The memory `model` needs with a context of `context_length` tokens
/// (`None`: the model's own context length, else 4,096).
///
/// Key and value lengths per head come from
/// `attention.key_length`/`value_length`, else embedding ÷ heads; KV heads
/// from `attention.head_count_kv`, else the head count. A model whose
/// header lacks the layer count or the embedding length gets a KV cache of
/// 0 (its weights only).
#[must_use]
pub fn estimate(model: &ModelMetadata, context_length: Option<u64>) -> MemoryEstimate {
    let context = context_length.or(model.context_length).unwrap_or(4096);
    let kv = kv_cache(model, context).unwrap_or(0);
    MemoryEstimate {
        context_length: context,
        weights_bytes: model.size_bytes,
        kv_cache_bytes: kv,
    }
}

fn kv_cache(model: &ModelMetadata, context: u64) -> Option<u64> {
    let layers = model.layers?;
    let heads = model.attention_heads.filter(|h| *h > 0);
    let kv_heads = model.kv_heads.or(heads)?;
    let head_length = || Some(model.embedding_length? / heads?);
    let key = model.key_length.or_else(head_length)?;
    let value = model.value_length.or(Some(key))?;
    let per_token_per_layer = kv_heads.checked_mul(key.checked_add(value)?)?;
    per_token_per_layer
        .checked_mul(layers)?
        .checked_mul(context)?
        .checked_mul(KV_BYTES_PER_ELEMENT)
}
