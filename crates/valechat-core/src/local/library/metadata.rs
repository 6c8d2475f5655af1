//! What the library shows about a model, from its GGUF header
//! ([`super::gguf`]): llama.cpp's metadata keys (gguf-py's `constants.py`:
//! `general.*`, `{architecture}.*`, `tokenizer.chat_template`).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use super::gguf::{self, GgufError, Header};
pub use crate::model::local_model::ModelMetadata;

/// Why a file's metadata could not be read.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    /// The header is not a readable GGUF header.
    #[error("{path}: {error}")]
    Gguf {
        /// The file.
        path: String,
        /// What is wrong.
        error: GgufError,
    },
    /// The header has no `general.architecture`.
    #[error("{0}: the GGUF header names no architecture (general.architecture)")]
    NoArchitecture(String),
}

/// Reads the metadata of the GGUF file at `path` (its header only).
///
/// # Errors
/// [`MetadataError::Gguf`] when the file cannot be opened or its header is
/// not valid GGUF (wrong magic, truncated, corrupt);
/// [`MetadataError::NoArchitecture`].
pub fn read(path: &Path) -> Result<ModelMetadata, MetadataError> {
    let shown = path.display().to_string();
    let wrap = |error: GgufError| MetadataError::Gguf {
        path: shown.clone(),
        error,
    };
    let file = File::open(path).map_err(|e| wrap(e.into()))?;
    let size = file.metadata().map_err(|e| wrap(e.into()))?.len();
    let header =
        gguf::read_header(BufReader::with_capacity(64 * 1024, file), size).map_err(wrap)?;
    from_header(&header, size).ok_or(MetadataError::NoArchitecture(shown))
}

/// The metadata of `header`, a file of `size_bytes`; `None` without
/// `general.architecture`.
#[must_use]
pub fn from_header(header: &Header, size_bytes: u64) -> Option<ModelMetadata> {
    let m = &header.metadata;
    let architecture = m.get("general.architecture")?.as_str()?.to_owned();
    let text = |key: &str| m.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let number = |key: &str| {
        m.get(&format!("{architecture}.{key}"))
            .and_then(gguf::Value::as_u64)
    };
    let parameters = header
        .tensors
        .iter()
        .fold(0u64, |n, t| n.saturating_add(t.elements()));
    let quantization = m
        .get("general.file_type")
        .and_then(gguf::Value::as_u64)
        .map_or_else(|| dominant_type(header), file_type_name);
    Some(ModelMetadata {
        name: text("general.name"),
        parameters,
        quantization,
        context_length: number("context_length"),
        embedding_length: number("embedding_length"),
        layers: number("block_count"),
        attention_heads: number("attention.head_count"),
        kv_heads: number("attention.head_count_kv"),
        key_length: number("attention.key_length"),
        value_length: number("attention.value_length"),
        chat_template: text("tokenizer.chat_template"),
        license: text("general.license"),
        size_bytes,
        architecture,
    })
}

/// The GGML type holding most parameters, by name.
fn dominant_type(header: &Header) -> String {
    let mut counts = std::collections::BTreeMap::<u32, u64>::new();
    for t in &header.tensors {
        let n = counts.entry(t.ggml_type).or_default();
        *n = n.saturating_add(t.elements());
    }
    counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map_or_else(|| "unknown".to_owned(), |(ty, _)| ggml_type_name(ty))
}

/// The name of a `llama_ftype` (`general.file_type`), as llama.cpp's
/// `llama_model_ftype_name` gives it without `MOSTLY_`.
#[must_use]
pub fn file_type_name(ftype: u64) -> String {
    let name = match ftype {
        0 => "F32",
        1 => "F16",
        2 => "Q4_0",
        3 => "Q4_1",
        7 => "Q8_0",
        8 => "Q5_0",
        9 => "Q5_1",
        10 => "Q2_K",
        11 => "Q3_K_S",
        12 => "Q3_K_M",
        13 => "Q3_K_L",
        14 => "Q4_K_S",
        15 => "Q4_K_M",
        16 => "Q5_K_S",
        17 => "Q5_K_M",
        18 => "Q6_K",
        19 => "IQ2_XXS",
        20 => "IQ2_XS",
        21 => "Q2_K_S",
        22 => "IQ3_XS",
        23 => "IQ3_XXS",
        24 => "IQ1_S",
        25 => "IQ4_NL",
        26 => "IQ3_S",
        27 => "IQ3_M",
        28 => "IQ2_S",
        29 => "IQ2_M",
        30 => "IQ4_XS",
        31 => "IQ1_M",
        32 => "BF16",
        36 => "TQ1_0",
        37 => "TQ2_0",
        other => return format!("file type {other}"),
    };
    name.to_owned()
}

/// The name of a GGML tensor type (`ggml_type`).
#[must_use]
pub fn ggml_type_name(ty: u32) -> String {
    let name = match ty {
        0 => "F32",
        1 => "F16",
        2 => "Q4_0",
        3 => "Q4_1",
        6 => "Q5_0",
        7 => "Q5_1",
        8 => "Q8_0",
        9 => "Q8_1",
        10 => "Q2_K",
        11 => "Q3_K",
        12 => "Q4_K",
        13 => "Q5_K",
        14 => "Q6_K",
        15 => "Q8_K",
        16 => "IQ2_XXS",
        17 => "IQ2_XS",
        18 => "IQ3_XXS",
        19 => "IQ1_S",
        20 => "IQ4_NL",
        21 => "IQ3_S",
        22 => "IQ2_S",
        23 => "IQ4_XS",
        24 => "I8",
        25 => "I16",
        26 => "I32",
        27 => "I64",
        28 => "F64",
        29 => "IQ1_M",
        30 => "BF16",
        34 => "TQ1_0",
        35 => "TQ2_0",
        other => return format!("GGML type {other}"),
    };
    name.to_owned()
}
