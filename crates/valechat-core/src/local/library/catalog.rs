//! The curated list of small instruct models offered for download
//! (`data/local-models.json`, where each fact comes from is written in its
//! `about` and each entry's `source`).

use serde::{Deserialize, Serialize};

use super::memory::{self, MemoryEstimate};
use super::metadata::ModelMetadata;

/// The list as shipped.
pub const CATALOG_JSON: &str = include_str!("../../../../../data/local-models.json");

/// Context length the catalog's memory figures are for, in tokens.
pub const CATALOG_CONTEXT: u64 = 4096;

/// One model of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogModel {
    /// A stable id, e.g. `qwen2.5-0.5b-instruct`.
    pub id: String,
    /// Its name to show.
    pub name: String,
    /// Hugging Face repository, e.g. `Qwen/Qwen2.5-0.5B-Instruct-GGUF`.
    pub repo: String,
    /// GGUF file in that repository.
    pub file: String,
    /// Approximate size of the file, MB (10^6 bytes).
    pub size_mb: u64,
    /// Licence identifier, e.g. `apache-2.0`.
    pub license: String,
    /// Number of layers.
    pub layers: u64,
    /// Number of KV heads.
    pub kv_heads: u64,
    /// Length of a head, elements.
    pub head_length: u64,
    /// Context the model was trained for, tokens.
    pub context_length: u64,
    /// Where the facts come from.
    pub source: String,
}

impl CatalogModel {
    /// The memory it needs at [`CATALOG_CONTEXT`] tokens, computed as for
    /// a file in the library ([`memory::estimate`]).
    #[must_use]
    pub fn memory(&self) -> MemoryEstimate {
        let as_metadata = ModelMetadata {
            architecture: String::new(),
            name: Some(self.name.clone()),
            parameters: 0,
            quantization: String::new(),
            context_length: Some(self.context_length),
            embedding_length: None,
            layers: Some(self.layers),
            attention_heads: None,
            kv_heads: Some(self.kv_heads),
            key_length: Some(self.head_length),
            value_length: Some(self.head_length),
            chat_template: None,
            license: Some(self.license.clone()),
            size_bytes: self.size_mb.saturating_mul(1_000_000),
        };
        memory::estimate(&as_metadata, Some(CATALOG_CONTEXT))
    }
}

#[derive(Deserialize)]
struct File {
    models: Vec<CatalogModel>,
}

/// The curated models, in the file's order.
///
/// # Panics
/// Never for the shipped file (a test parses it).
#[must_use]
pub fn models() -> Vec<CatalogModel> {
    serde_json::from_str::<File>(CATALOG_JSON)
        .map(|f| f.models)
        .expect("data/local-models.json is valid (tested)")
}
