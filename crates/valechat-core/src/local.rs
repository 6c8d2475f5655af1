//! Models on this computer (DESIGN.md, "Models on this computer"): the
//! library of GGUF files ([`library`]: import, download, metadata, memory
//! estimate). The runtime that loads and runs them lives beside it.

pub mod library;
