//! The metadata of a model file on this computer (issue 16), as the model
//! library reads it from the GGUF header (`local::library::metadata`) and
//! the store keeps it (JSON in `local_models.metadata`).

use serde::{Deserialize, Serialize};

/// A model's metadata, read from its GGUF header without loading the
/// weights. Serialised as JSON in the library's database rows and by
/// `valechat models info --format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelMetadata {
    /// `general.architecture`, e.g. `llama`, `qwen2`, `gemma3`.
    pub architecture: String,
    /// `general.name`, if the file names itself.
    pub name: Option<String>,
    /// Number of parameters: the sum of the tensors' element counts.
    pub parameters: u64,
    /// Quantization: the name of `general.file_type` (llama.cpp's
    /// `llama_ftype`, e.g. `Q4_K_M`, `F16`), else the GGML type holding
    /// most of the parameters (e.g. `Q8_0`).
    pub quantization: String,
    /// `{arch}.context_length`: the context the model was trained for, in
    /// tokens.
    pub context_length: Option<u64>,
    /// `{arch}.embedding_length`: the width of the hidden state.
    pub embedding_length: Option<u64>,
    /// `{arch}.block_count`: the number of layers.
    pub layers: Option<u64>,
    /// `{arch}.attention.head_count`.
    pub attention_heads: Option<u64>,
    /// `{arch}.attention.head_count_kv` (grouped-query attention; the
    /// head count when absent).
    pub kv_heads: Option<u64>,
    /// `{arch}.attention.key_length` (per head; embedding / heads when
    /// absent).
    pub key_length: Option<u64>,
    /// `{arch}.attention.value_length` (per head; as the key length when
    /// absent).
    pub value_length: Option<u64>,
    /// `tokenizer.chat_template`, the Jinja template of the chat format.
    pub chat_template: Option<String>,
    /// `general.license`, e.g. `apache-2.0`.
    pub license: Option<String>,
    /// Size of the file on disk, in bytes.
    pub size_bytes: u64,
}
