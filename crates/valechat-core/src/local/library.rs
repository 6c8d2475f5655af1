//! The model library: the GGUF files ValeChat can run on this computer
//! (issue 16), each imported by copy into [`crate::paths::models_dir`],
//! referenced where it is, or downloaded from Hugging Face; their metadata
//! read from the GGUF header and kept in the database
//! (`store::local_models`); an estimate of the memory each needs.
//!
//! - [`gguf`]: a bounded reader of GGUF headers; [`metadata`]: what the
//!   library shows (architecture, parameters, quantization, context…);
//!   [`memory`]: weights + KV cache for a context length;
//! - [`files`]: import, list, remove; [`download`]: Hugging Face downloads
//!   with resume and the SHA-256 check; [`catalog`]: the curated list of
//!   small instruct models (`data/local-models.json`).
//!
//! ## Why our own GGUF reader
//! crates.io has GGUF readers, none a fit: `gguf` (0.1.2) reads the whole
//! header into a growing buffer with `nom` and is unmaintained since 2023;
//! `gguf-rs` (0.1.x, one maintainer) decodes every array (a vocabulary is
//! 150,000 strings) and allocates from the lengths in the file; `candle`'s
//! `gguf_file` and `llama-gguf` come with a whole ML framework. The header
//! is a simple format (one page of llama.cpp's docs); the reader here is
//! ~300 lines with every length bounded by the file's size, skips arrays
//! without allocating, and has a fuzz target (`fuzz/`, `gguf`) and
//! property tests (`tests.rs`): a truncated or corrupt header, a wrong
//! magic, a huge length or an unknown type is an error, never a panic.

pub mod catalog;
pub mod download;
pub mod files;
pub mod gguf;
pub mod memory;
pub mod metadata;

#[cfg(test)]
mod tests;

pub use files::{ImportMode, LibraryError, import, remove};
pub use memory::{MemoryEstimate, estimate};
pub use metadata::ModelMetadata;
