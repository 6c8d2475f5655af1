//! The engine's models on this computer (issue 16): which are loaded in its
//! runner and since when, unloading one, and embeddings
//! ([`Engine::loaded_local_models`], [`Engine::unload_local_model`],
//! [`Engine::embed`]).
//!
//! They act on the runner of this engine (`valechat local-runner`, started
//! by [`Engine::with_local_models`]); another process's engine has its own
//! runner (the CLI reaches the window's through D-Bus, `src/local_dbus.rs`).

use std::path::PathBuf;
use std::time::SystemTime;

use super::Engine;
use crate::local::client::RunnerClient;
use crate::local::protocol::Op;
use crate::provider::ProviderError;
use crate::store::StoreError;

/// A model loaded in the engine's runner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedLocalModel {
    /// The model id (the library's, as in `valechat models list`; or a
    /// GGUF path).
    pub id: String,
    /// The GGUF file it was loaded from.
    pub path: PathBuf,
    /// The memory it takes, in bytes: its weights plus the KV cache for its
    /// context (F16), as estimated from the GGUF header
    /// (`local::library::memory`); llama.cpp's compute buffers (tens of MiB
    /// for small models) come on top.
    pub memory_bytes: u64,
    /// The weights' size in bytes, as llama.cpp reports it.
    pub weights_bytes: u64,
    /// The context it was loaded with, in tokens.
    pub context_length: u32,
    /// Layers offloaded to the GPU.
    pub gpu_layers: u32,
    /// When it was loaded (wall clock).
    pub loaded_at: SystemTime,
    /// When a reply or an embedding last used it (wall clock; the end of the
    /// last one, or the start of one running); `None` when loaded ahead of
    /// use (`valechat models load`) and not used since.
    pub last_used: Option<SystemTime>,
}

/// Why a request about the models on this computer failed.
#[derive(Debug, thiserror::Error)]
pub enum LocalModelError {
    /// This build (or this engine) has no runner: ValeChat built without
    /// the cargo feature `local-models`, or an engine not given
    /// [`Engine::with_local_models`].
    #[error("this ValeChat was built without models on this computer (cargo feature local-models)")]
    NotInThisBuild,
    /// The model (by id) is not loaded in this engine's runner.
    #[error("model {0} is not loaded")]
    NotLoaded(String),
    /// [`Engine::embed`] was given an empty text (its 1-based position).
    #[error("text {0} is empty: there is nothing to embed")]
    EmptyText(usize),
    /// A text has more tokens than the model reads at once.
    #[error(
        "text {index} has {tokens} tokens but model {model} reads at most {limit} at a time: split it into shorter pieces"
    )]
    TextTooLong {
        /// 1-based position of the text.
        index: usize,
        /// Its tokens under the model's tokenizer (with BOS/EOS as the model asks).
        tokens: u64,
        /// The model's context length in tokens.
        limit: u32,
        /// The model id.
        model: String,
    },
    /// Loading or running the model failed (unknown model, a file that does
    /// not load or does not fit in memory, the runner dying…).
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// The library could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<super::EngineError> for LocalModelError {
    fn from(e: super::EngineError) -> Self {
        match e {
            super::EngineError::UnsupportedProtocol(_) => Self::NotInThisBuild,
            super::EngineError::Store(e) => Self::Store(e),
            super::EngineError::Provider(e) => Self::Provider(e),
            other => Self::Provider(ProviderError::Stream {
                message: other.to_string(),
            }),
        }
    }
}

impl Engine {
    /// The models loaded in this engine's runner, sorted by id; empty when
    /// its runner is not running (none is started). Never waits for a reply
    /// being generated.
    ///
    /// # Errors
    /// [`LocalModelError::NotInThisBuild`].
    pub async fn loaded_local_models(&self) -> Result<Vec<LoadedLocalModel>, LocalModelError> {
        let local = self
            .providers
            .local_runtime()
            .ok_or(LocalModelError::NotInThisBuild)?;
        let mut out = Vec::new();
        for loaded in local.client.loaded_models().await {
            let info = loaded.info;
            let (path, context) = (PathBuf::from(&info.path), info.context_length);
            let file = path.clone();
            let kv = tokio::task::spawn_blocking(move || {
                crate::local::fit::estimate_file(&file, Some(context))
            })
            .await
            .ok()
            .and_then(Result::ok)
            .map_or(0, |e| e.kv_cache_bytes);
            out.push(LoadedLocalModel {
                last_used: local.activity.last_used(&info.model),
                id: info.model,
                path,
                memory_bytes: info.size_bytes.saturating_add(kv),
                weights_bytes: info.size_bytes,
                context_length: info.context_length,
                gpu_layers: info.gpu_layers,
                loaded_at: loaded.since,
            });
        }
        Ok(out)
    }

    /// Unloads model `id` from this engine's runner, freeing its memory; a
    /// later reply loads it again.
    ///
    /// # Errors
    /// [`LocalModelError::NotInThisBuild`]; [`LocalModelError::NotLoaded`]
    /// when it is not loaded here; [`LocalModelError::Provider`] when the
    /// runner fails or dies meanwhile.
    pub async fn unload_local_model(&self, id: &str) -> Result<(), LocalModelError> {
        let local = self
            .providers
            .local_runtime()
            .ok_or(LocalModelError::NotInThisBuild)?;
        if !local.client.is_loaded(id).await {
            return Err(LocalModelError::NotLoaded(id.to_owned()));
        }
        local
            .client
            .unload(id)
            .await
            .map_err(crate::local::provider::to_provider_error)?;
        local.activity.forget(id);
        Ok(())
    }

    /// Embeddings of `texts` by model `model_id` (a library model id, or a
    /// GGUF path), loaded first if needed (after the memory check) and
    /// kept loaded like a chat model (idle unload included).
    ///
    /// One vector per text, in order, each of the model's embedding length
    /// (`n_embd`, e.g. 384 or 768; the GGUF's `*.embedding_length`): the
    /// mean of the last layer's token vectors (mean pooling, whatever
    /// pooling the GGUF names), L2-normalised (length 1, so a dot product is
    /// the cosine similarity). An embedding GGUF gives meaningful vectors; a
    /// chat model gives vectors too, of lesser use. No text: no vector, and
    /// nothing is loaded.
    ///
    /// # Errors
    /// [`LocalModelError::EmptyText`]; [`LocalModelError::TextTooLong`] when
    /// a text has more tokens than the model's context (checked for every
    /// text before any is embedded);
    /// [`LocalModelError::NotInThisBuild`]; [`LocalModelError::Provider`]
    /// for an unknown model, a file that does not load or fit, the runner
    /// failing.
    pub async fn embed(
        &self,
        model_id: &str,
        texts: &[String],
    ) -> Result<Vec<Vec<f32>>, LocalModelError> {
        let local = self
            .providers
            .local_runtime()
            .ok_or(LocalModelError::NotInThisBuild)?;
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        if let Some(empty) = texts.iter().position(|t| t.trim().is_empty()) {
            return Err(LocalModelError::EmptyText(empty + 1));
        }
        let _in_use = local.activity.begin(model_id);
        let provider = self.providers.local_provider().await?;
        provider.load(model_id).await?;
        let limit = local
            .client
            .loaded_models()
            .await
            .into_iter()
            .find(|m| m.info.model == model_id)
            .map(|m| m.info.context_length)
            .filter(|c| *c > 0);
        if let Some(limit) = limit {
            for (i, text) in texts.iter().enumerate() {
                let reply = request(
                    &local.client,
                    Op::Tokenize {
                        model: model_id.to_owned(),
                        text: text.clone(),
                        add_special: true,
                        parse_special: false,
                    },
                )
                .await?;
                let tokens = reply["tokens"].as_array().map_or(0, Vec::len);
                let tokens = u64::try_from(tokens).unwrap_or(u64::MAX);
                if tokens > u64::from(limit) {
                    return Err(LocalModelError::TextTooLong {
                        index: i + 1,
                        tokens,
                        limit,
                        model: model_id.to_owned(),
                    });
                }
            }
        }
        let reply = request(
            &local.client,
            Op::Embed {
                model: model_id.to_owned(),
                texts: texts.to_vec(),
            },
        )
        .await?;
        let vectors: Vec<Vec<f32>> = serde_json::from_value(reply["embeddings"].clone())
            .map_err(|e| ProviderError::Malformed(format!("the runner's embeddings: {e}")))?;
        if vectors.len() != texts.len() {
            return Err(ProviderError::Malformed(format!(
                "the runner gave {} embeddings for {} texts",
                vectors.len(),
                texts.len()
            ))
            .into());
        }
        Ok(vectors)
    }
}

/// Sends `op` to the runner and waits for its one reply.
async fn request(client: &RunnerClient, op: Op) -> Result<serde_json::Value, ProviderError> {
    client
        .request(op)
        .await
        .map_err(crate::local::provider::to_provider_error)
}
