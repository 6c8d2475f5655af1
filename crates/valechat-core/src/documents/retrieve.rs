//! Free text → a library's best chunks by BM25, within a token budget.
//!
//! The query is not FTS5 syntax: its words (runs of letters and digits,
//! as FTS5's `unicode61` tokenizer cuts them) are each quoted and joined
//! by `OR`, so quotes, `*`, `-`, `NEAR`, `AND` or brackets in a question
//! are plain text and never an error, and a chunk need not hold every
//! word of a question to be found (BM25 ranks those that hold more, and
//! rarer, words first). Common English words that carry no meaning in a
//! question ("what", "the", "is"…) are left out when other words remain.
//! This differs from the conversation search (`store::search`), where
//! every typed word must match.
//!
//! Hits keep their rank (from 1) and score so that a second ranked list
//! (vector similarity, next) can be fused by reciprocal rank.

use std::collections::HashSet;
use std::path::PathBuf;

use crate::store::{ChunkMatch, Store, StoreError};

/// Hits returned by default.
pub const DEFAULT_TOP_K: u32 = 5;

/// Words left out of a question when others remain (lower case).
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "how",
    "i", "in", "is", "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "what",
    "when", "where", "which", "who", "why", "with", "you", "my", "me", "we", "there", "their",
    "has", "have", "should", "would", "will", "into", "about", "than", "then", "so", "if", "not",
    "no", "them", "they", "these", "those", "get", "use", "used",
];

/// How many chunks to look at and how many tokens they may add up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrieveOptions {
    /// Most hits.
    pub top_k: u32,
    /// Most `o200k_base` tokens of hit text together; `None`: no limit.
    pub token_budget: Option<u32>,
}

impl Default for RetrieveOptions {
    fn default() -> Self {
        Self {
            top_k: DEFAULT_TOP_K,
            token_budget: None,
        }
    }
}

/// A retrieved chunk.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Hit {
    /// Its rank, from 1 (best).
    pub rank: u32,
    /// BM25 score (SQLite's `bm25()` negated: higher is better).
    pub score: f64,
    /// The document's absolute path.
    pub path: PathBuf,
    /// `document_chunks.id` (the key vectors will share).
    pub chunk_id: i64,
    /// Its place in the document, from 0.
    pub ordinal: u32,
    /// The PDF page, from 1.
    pub page: Option<u32>,
    /// First line of the (extracted) text, from 1.
    pub first_line: u32,
    /// Last line, inclusive.
    pub last_line: u32,
    /// `o200k_base` tokens.
    pub token_count: u32,
    /// The chunk's text.
    pub text: String,
}

impl Hit {
    fn from_match(rank: u32, m: ChunkMatch) -> Self {
        let unsigned = |n: i32| u32::try_from(n).unwrap_or(0);
        Self {
            rank,
            score: m.score,
            path: m.path(),
            chunk_id: m.chunk_id,
            ordinal: unsigned(m.ordinal),
            page: m.page.map(unsigned),
            first_line: unsigned(m.first_line),
            last_line: unsigned(m.last_line),
            token_count: unsigned(m.token_count),
            text: m.text,
        }
    }
}

/// The FTS5 expression for free text: its words quoted and joined by
/// `OR`, stop words left out unless nothing else remains; `None` when
/// the text has no word.
#[must_use]
pub fn fts_expression(query: &str) -> Option<String> {
    let mut seen = HashSet::new();
    let words: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| seen.insert(w.clone()))
        .collect();
    let meaningful: Vec<&String> = words
        .iter()
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .collect();
    let chosen: Vec<&String> = if meaningful.is_empty() {
        words.iter().collect()
    } else {
        meaningful
    };
    if chosen.is_empty() {
        return None;
    }
    Some(
        chosen
            .iter()
            .map(|w| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(" OR "),
    )
}

/// The best chunks of library `library_id` for `query`, best first: at
/// most `options.top_k`, taken in rank order while they fit the token
/// budget (a hit that does not fit is passed over for the next ones).
/// Empty for a query without words.
///
/// # Errors
/// [`StoreError`] from the database.
pub async fn retrieve(
    store: &Store,
    library_id: i64,
    query: &str,
    options: RetrieveOptions,
) -> Result<Vec<Hit>, StoreError> {
    let Some(expression) = fts_expression(query) else {
        return Ok(Vec::new());
    };
    // With a budget, look further down the list for hits that fit.
    let limit = if options.token_budget.is_some() {
        options.top_k.saturating_mul(4)
    } else {
        options.top_k
    };
    let matches = store.match_chunks(library_id, &expression, limit).await?;
    let mut hits = Vec::new();
    let mut tokens: u64 = 0;
    for m in matches {
        if hits.len() >= options.top_k as usize {
            break;
        }
        let size = u64::try_from(m.token_count).unwrap_or(0);
        if let Some(budget) = options.token_budget
            && tokens + size > u64::from(budget)
        {
            continue;
        }
        tokens += size;
        let rank = u32::try_from(hits.len() + 1).unwrap_or(u32::MAX);
        hits.push(Hit::from_match(rank, m));
    }
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_and_punctuation_are_plain_words() {
        assert_eq!(
            fts_expression(r#"What is "NEAR(a b)" -x AND y*?"#).as_deref(),
            Some(r#""near" OR "b" OR "x" OR "y""#)
        );
        assert_eq!(
            fts_expression("the is").as_deref(),
            Some(r#""the" OR "is""#)
        );
        assert_eq!(fts_expression("  ?!* \" "), None);
    }
}
