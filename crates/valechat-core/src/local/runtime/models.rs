//! The models the runner has loaded: load (with a check of the file first),
//! unload, list, tokenize, embed, acceleration info.

use std::collections::BTreeMap;
use std::io::Read;
use std::num::NonZeroU32;
use std::path::Path;

use llama_cpp_2::context::params::{LlamaContextParams, LlamaPoolingType};
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::token::LlamaToken;

use super::cache::{KvCache, ModelCell};
use super::log;
use crate::local::protocol::{Acceleration, Loaded, RunnerError};

/// Context length when the load request names none: the model's trained
/// length, capped here (a 128 K context would take gigabytes of KV cache).
pub(super) const DEFAULT_CONTEXT_CAP: u32 = 4096;

/// One loaded model.
pub(super) struct LoadedModel {
    pub(super) name: String,
    pub(super) path: String,
    /// The model and its kept context (the KV cache between replies).
    pub(super) cell: ModelCell,
    pub(super) context_length: u32,
    pub(super) threads: i32,
    gpu_layers: u32,
}

impl LoadedModel {
    /// The llama.cpp model.
    pub(super) fn model(&self) -> &LlamaModel {
        self.cell.borrow_owner()
    }

    /// Token ids of `text` under the model's own tokenizer.
    pub(super) fn tokenize(
        &self,
        text: &str,
        add_special: bool,
        parse_special: bool,
    ) -> Vec<LlamaToken> {
        self.model()
            .vocab()
            .tokenize(text.as_bytes(), add_special, parse_special)
    }
}

/// The loaded models by name, and the llama.cpp back end.
pub(super) struct Models {
    backend: LlamaBackend,
    loaded: BTreeMap<String, LoadedModel>,
}

impl Models {
    pub(super) fn new(backend: LlamaBackend) -> Self {
        Self {
            backend,
            loaded: BTreeMap::new(),
        }
    }

    pub(super) fn get(&self, name: &str) -> Result<&LoadedModel, RunnerError> {
        self.loaded.get(name).ok_or_else(|| RunnerError::NotLoaded {
            model: name.to_owned(),
        })
    }

    /// The back end and the loaded model `name`, to generate with (its kept
    /// context changes).
    pub(super) fn for_generation(
        &mut self,
        name: &str,
    ) -> Result<(&LlamaBackend, &mut LoadedModel), RunnerError> {
        let loaded = self
            .loaded
            .get_mut(name)
            .ok_or_else(|| RunnerError::NotLoaded {
                model: name.to_owned(),
            })?;
        Ok((&self.backend, loaded))
    }

    pub(super) fn load(
        &mut self,
        name: &str,
        path: &str,
        context_length: Option<u32>,
        threads: Option<u32>,
        gpu_layers: u32,
    ) -> Result<(), RunnerError> {
        if self.loaded.get(name).is_some_and(|m| m.path == path) {
            return Ok(());
        }
        check_file(Path::new(path))?;
        let _ = log::take_errors();
        let params = LlamaModelParams::default().with_n_gpu_layers(gpu_layers);
        let model = LlamaModel::load_from_file(&self.backend, path, &params).map_err(|e| {
            let why = log::take_errors().join("; ");
            RunnerError::Load {
                message: if why.is_empty() {
                    format!("llama.cpp could not load {path}: {e}")
                } else {
                    format!("llama.cpp could not load {path}: {why}")
                },
            }
        })?;
        let trained = model.n_ctx_train().max(1);
        let context_length = context_length
            .unwrap_or(trained.min(DEFAULT_CONTEXT_CAP))
            .max(16);
        let threads = threads.map_or_else(available_threads, |t| t.max(1));
        self.loaded.insert(
            name.to_owned(),
            LoadedModel {
                name: name.to_owned(),
                path: path.to_owned(),
                cell: ModelCell::new(model, KvCache::empty),
                context_length,
                threads: i32::try_from(threads).unwrap_or(1),
                gpu_layers,
            },
        );
        Ok(())
    }

    pub(super) fn unload(&mut self, name: &str) -> Result<(), RunnerError> {
        self.loaded
            .remove(name)
            .map(drop)
            .ok_or_else(|| RunnerError::NotLoaded {
                model: name.to_owned(),
            })
    }

    pub(super) fn list(&self) -> Vec<Loaded> {
        self.loaded
            .values()
            .map(|m| Loaded {
                model: m.name.clone(),
                path: m.path.clone(),
                context_length: m.context_length,
                gpu_layers: m.gpu_layers,
                size_bytes: m.model().size(),
                parameters: m.model().n_params(),
            })
            .collect()
    }

    /// Mean-pooled, L2-normalised embedding of each text.
    pub(super) fn embed(&self, name: &str, texts: &[String]) -> Result<Vec<Vec<f32>>, RunnerError> {
        let loaded = self.get(name)?;
        let other = |message: String| RunnerError::Other { message };
        let params = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(loaded.context_length))
            .with_n_batch(loaded.context_length)
            .with_n_ubatch(loaded.context_length)
            .with_n_threads(loaded.threads)
            .with_n_threads_batch(loaded.threads)
            .with_embeddings(true)
            .with_pooling_type(LlamaPoolingType::Mean);
        let mut ctx = loaded
            .model()
            .new_context(&self.backend, params)
            .map_err(|e| other(format!("no embedding context for {name}: {e}")))?;
        let mut embeddings = Vec::with_capacity(texts.len());
        for text in texts {
            let tokens = loaded.tokenize(text, true, false);
            let n = u64::try_from(tokens.len()).unwrap_or(u64::MAX);
            if n > u64::from(loaded.context_length) {
                return Err(RunnerError::ContextOverflow {
                    model: name.to_owned(),
                    input_tokens: n,
                    context_length: u64::from(loaded.context_length),
                });
            }
            ctx.clear_kv_cache();
            let mut batch = LlamaBatch::new(tokens.len().max(1), 1);
            batch
                .add_sequence(&tokens, 0, false)
                .map_err(|e| other(e.to_string()))?;
            ctx.decode(&mut batch)
                .map_err(|e| other(format!("{name} could not read the text: {e}")))?;
            let vector = ctx
                .embeddings_seq_ith(0)
                .map_err(|e| other(format!("{name} gave no embedding: {e}")))?;
            let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
            embeddings.push(
                vector
                    .iter()
                    .map(|x| if norm > 0.0 { x / norm } else { *x })
                    .collect(),
            );
        }
        Ok(embeddings)
    }

    pub(super) fn acceleration(&self) -> Acceleration {
        let devices = llama_cpp_2::list_llama_ggml_backend_devices();
        Acceleration {
            cpu_features: cpu_features(),
            cpu_backend: super::backends::cpu_variant(),
            cpu_backend_file: super::backends::cpu_module(),
            threads: available_threads(),
            gpu_offload: self.backend.supports_gpu_offload(),
            devices: devices
                .into_iter()
                .map(|d| format!("{} ({}, {})", d.name, d.backend, d.description))
                .collect(),
        }
    }
}

fn available_threads() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| u32::try_from(n.get()).unwrap_or(1))
}

/// CPU features that matter to llama.cpp's kernels, as the CPU reports them.
fn cpu_features() -> Vec<String> {
    let mut found = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        let checks = [
            ("SSE3", std::arch::is_x86_feature_detected!("sse3")),
            ("AVX", std::arch::is_x86_feature_detected!("avx")),
            ("AVX2", std::arch::is_x86_feature_detected!("avx2")),
            ("FMA", std::arch::is_x86_feature_detected!("fma")),
            ("F16C", std::arch::is_x86_feature_detected!("f16c")),
            ("AVX512F", std::arch::is_x86_feature_detected!("avx512f")),
        ];
        found.extend(
            checks
                .iter()
                .filter(|(_, on)| *on)
                .map(|(name, _)| (*name).to_owned()),
        );
    }
    #[cfg(target_arch = "aarch64")]
    {
        if std::arch::is_aarch64_feature_detected!("neon") {
            found.push("NEON".to_owned());
        }
        if std::arch::is_aarch64_feature_detected!("dotprod") {
            found.push("DOTPROD".to_owned());
        }
    }
    found
}

/// Refuses what is surely not a model before llama.cpp reads it: a missing
/// path, a directory, a file without the GGUF magic.
fn check_file(path: &Path) -> Result<(), RunnerError> {
    let shown = path.display();
    let load = |message: String| RunnerError::Load { message };
    let mut file =
        std::fs::File::open(path).map_err(|e| load(format!("cannot open {shown}: {e}")))?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(load(format!("{shown} is a folder, not a GGUF model file")));
    }
    let mut magic = [0_u8; 4];
    if file.read_exact(&mut magic).is_err() || &magic != b"GGUF" {
        return Err(load(format!(
            "{shown} is not a GGUF model file (no GGUF header)"
        )));
    }
    Ok(())
}
