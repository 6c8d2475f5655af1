//! Documents (issue 17): extraction of each format from the fixtures in
//! `tests/fixtures/documents/`, chunk positions, the knowledge-library
//! store (indexing, resuming, re-indexing) and BM25 retrieval quality.

#[path = "documents/extract.rs"]
mod extract;
#[path = "documents/index.rs"]
mod index;
#[path = "documents/recall.rs"]
mod recall;

use std::path::PathBuf;

/// `tests/fixtures/documents/NAME` at the workspace's root.
#[must_use]
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/documents")
        .join(name)
}
