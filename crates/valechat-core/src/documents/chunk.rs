//! Passages → chunks of at most [`CHUNK_TOKENS`] tokens, each keeping
//! where it is in its document (a PDF page, or a line range) for the
//! citations that show it.
//!
//! `text-splitter` (DESIGN.md names it) cuts at the largest boundary that
//! fits: for Markdown (and HTML, whose headings the extractor writes as
//! Markdown) its `MarkdownSplitter` prefers headings, then blocks, then
//! sentences; for text and code its `TextSplitter` prefers blank lines,
//! then lines, then sentences and words. Code is not split by syntax
//! tree: `text-splitter`'s `CodeSplitter` needs a tree-sitter grammar per
//! language, C code compiled into the engine, and blank-line and line
//! boundaries keep functions together well enough at this size.
//!
//! Sizes are tokens of `o200k_base` (GPT-4o's tokenizer, through the
//! `tiktoken-rs` the engine's estimates use): a stable, model-independent
//! measure for the token budget of retrieval. If the tokenizer cannot be
//! built, sizes fall back to characters (4 per token).

use std::sync::OnceLock;

use text_splitter::{Characters, ChunkConfig, ChunkSizer, MarkdownSplitter, TextSplitter};
use tiktoken_rs::CoreBPE;

use super::extract::{Extracted, Format, Passage};

/// Largest chunk, in `o200k_base` tokens.
pub const CHUNK_TOKENS: usize = 256;

/// Characters per token when the tokenizer is missing.
const CHARS_PER_TOKEN: usize = 4;

/// A piece of a document, the unit that is indexed and retrieved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Its place in the document, from 0.
    pub ordinal: u32,
    /// Its text, trimmed.
    pub text: String,
    /// The PDF page it is on, from 1; `None` for other formats.
    pub page: Option<u32>,
    /// The first line of the (extracted) text it covers, from 1 (within
    /// its page for a PDF).
    pub first_line: u32,
    /// The last line it covers, from 1, inclusive.
    pub last_line: u32,
    /// Its size in `o200k_base` tokens.
    pub token_count: u32,
}

/// The shared `o200k_base` BPE, or `None` if it cannot be built (logged).
fn tokenizer() -> Option<&'static CoreBPE> {
    static BPE: OnceLock<Option<CoreBPE>> = OnceLock::new();
    BPE.get_or_init(|| match tiktoken_rs::o200k_base() {
        Ok(bpe) => Some(bpe),
        Err(error) => {
            tracing::warn!(%error, "cannot build the o200k_base tokenizer; chunks sized by characters");
            None
        }
    })
    .as_ref()
}

/// Tokens in `text` (`o200k_base`, or characters / 4 without it).
#[must_use]
pub fn count_tokens(text: &str) -> u32 {
    let n = match tokenizer() {
        Some(bpe) => bpe.encode_ordinary(text).len(),
        None => text.chars().count().div_ceil(CHARS_PER_TOKEN),
    };
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The chunks of `document`, in order, numbered from 0.
#[must_use]
pub fn chunk(document: &Extracted) -> Vec<Chunk> {
    let markdown = matches!(document.format, Format::Markdown | Format::Html);
    let mut chunks = Vec::new();
    for passage in &document.passages {
        let pieces = match tokenizer() {
            Some(bpe) => split(passage, markdown, bpe, CHUNK_TOKENS),
            None => split(
                passage,
                markdown,
                Characters,
                CHUNK_TOKENS * CHARS_PER_TOKEN,
            ),
        };
        for (first_line, last_line, text) in pieces {
            chunks.push(Chunk {
                ordinal: u32::try_from(chunks.len()).unwrap_or(u32::MAX),
                token_count: count_tokens(&text),
                text,
                page: passage.page,
                first_line,
                last_line,
            });
        }
    }
    chunks
}

/// `passage` cut into pieces of at most `capacity` (in `sizer`'s units),
/// each with its first and last line.
fn split<S: ChunkSizer>(
    passage: &Passage,
    markdown: bool,
    sizer: S,
    capacity: usize,
) -> Vec<(u32, u32, String)> {
    let config = ChunkConfig::new(capacity).with_sizer(sizer);
    let text = passage.text.as_str();
    let indices: Vec<(usize, &str)> = if markdown {
        MarkdownSplitter::new(config).chunk_indices(text).collect()
    } else {
        TextSplitter::new(config).chunk_indices(text).collect()
    };
    let mut pieces = Vec::with_capacity(indices.len());
    // Lines are counted once, moving forward: offsets only grow.
    let mut line = passage.first_line;
    let mut counted_to = 0;
    for (offset, piece) in indices {
        if piece.trim().is_empty() {
            continue;
        }
        line += newlines(&text[counted_to..offset]);
        counted_to = offset;
        let last = line + newlines(piece.trim_end());
        pieces.push((line, last, piece.trim().to_owned()));
    }
    pieces
}

/// How many `\n` are in `text`.
fn newlines(text: &str) -> u32 {
    u32::try_from(text.bytes().filter(|&b| b == b'\n').count()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    fn document(format: Format, text: &str) -> Extracted {
        Extracted {
            format,
            passages: vec![Passage {
                text: text.to_owned(),
                page: None,
                first_line: 1,
            }],
        }
    }

    #[test]
    fn chunks_fit_and_their_lines_point_at_their_text() {
        let mut text = String::new();
        for i in 1..=400 {
            let next = i + 1;
            writeln!(
                text,
                "Line {i} says that the number {i} is followed by {next}."
            )
            .unwrap();
        }
        let chunks = chunk(&document(Format::Text, &text));
        assert!(chunks.len() > 5, "{} chunks", chunks.len());
        let lines: Vec<&str> = text.lines().collect();
        for c in &chunks {
            assert!(c.token_count as usize <= CHUNK_TOKENS, "{c:?}");
            let first = lines[c.first_line as usize - 1];
            let last = lines[c.last_line as usize - 1];
            assert!(c.text.starts_with(first.trim()), "{c:?} starts at {first}");
            assert!(c.text.ends_with(last.trim()), "{c:?} ends at {last}");
        }
        assert_eq!(chunks.first().unwrap().first_line, 1);
        assert_eq!(chunks.last().unwrap().last_line, 400);
    }

    #[test]
    fn markdown_is_cut_at_headings() {
        let section = "Words about kettles and their spouts. ".repeat(25);
        let text = format!("# One\n\n{section}\n\n# Two\n\n{section}\n");
        let chunks = chunk(&document(Format::Markdown, &text));
        assert!(
            chunks.iter().any(|c| c.text.starts_with("# Two")),
            "{chunks:#?}"
        );
        let two = chunks.iter().find(|c| c.text.starts_with("# Two")).unwrap();
        assert_eq!(two.first_line, 5);
    }
}
