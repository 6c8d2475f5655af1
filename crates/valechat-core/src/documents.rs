//! Documents (issue 17, DESIGN.md "Documents"): files turned into passages
//! of text, cut into token-sized chunks, stored beside an FTS5 index in a
//! knowledge library, and retrieved by BM25.
//!
//! The pipeline, one module per step:
//!
//! 1. [`extract`]: a file's bytes → [`Extracted`] passages (one per PDF
//!    page; one for a text, code, Markdown, HTML, `.docx` or `.odt` file),
//!    or a [`DocumentError`] that says why not, per file;
//! 2. [`chunk`]: passages → [`chunk::Chunk`]s of at most
//!    [`chunk::CHUNK_TOKENS`] tokens (`text-splitter`, Markdown-aware),
//!    each with its page or line range;
//! 3. [`index`]: a library's files and folders walked, each changed file
//!    extracted, chunked and written with its state in one transaction
//!    (the store's `documents` repository), resumable after a kill;
//! 4. [`retrieve`]: free text → BM25-ranked hits within a token budget.
//!
//! Embeddings, vectors and hybrid (reciprocal-rank) fusion come next: a
//! library records its embedding model, chunks have stable row ids for
//! vectors to sit beside, and hits carry their rank and score.

pub mod chunk;
pub mod extract;
pub mod index;
pub mod retrieve;

mod error;

pub use error::DocumentError;
pub use extract::{Extracted, Format, MAX_FILE_BYTES, Passage, extract_bytes, extract_file};
