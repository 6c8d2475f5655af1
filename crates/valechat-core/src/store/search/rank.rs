//! bm25 (<https://sqlite.org/fts5.html#the_bm25_function>, k1 = 1.2,
//! b = 0.75, as FTS5 computes it) over the ranked candidates, from their
//! text. How many messages hold each word (its IDF) is estimated from the
//! newest [`SAMPLE`] messages instead of counted over the whole index,
//! which FTS5's `rank` does first, 25–35 ms for a word found in most of
//! 1,000,000 messages. With one word the IDF changes no order and is not
//! estimated.

use diesel::SqliteConnection;

use super::query::{self, Candidate};
use super::snippet::Terms;

/// Messages (the newest) the IDF of each word is estimated over.
pub(super) const SAMPLE: i64 = 20_000;

const K1: f64 = 1.2;
const B: f64 = 0.75;

/// The IDF of each of `terms` (in [`Terms::all`] order): `ln((N − n +
/// 0.5) / (n + 0.5))`, at least 1e-6 as in FTS5, with N the messages and
/// n those holding the word, estimated from the newest [`SAMPLE`]. The
/// last word (a prefix) is counted as the whole word typed.
pub(super) fn idf(conn: &mut SqliteConnection, terms: &Terms) -> diesel::QueryResult<Vec<f64>> {
    let words: Vec<&str> = terms.all().map(|(w, _)| w).collect();
    if words.len() < 2 {
        return Ok(vec![1.0; words.len()]);
    }
    let newest = query::newest_id(conn)?;
    let sampled = SAMPLE.min(newest).max(1);
    #[allow(clippy::cast_precision_loss)]
    let (all, sampled_f) = (newest.max(1) as f64, sampled as f64);
    words
        .into_iter()
        .map(|w| {
            let holding = query::holding(conn, w, newest - sampled)?;
            #[allow(clippy::cast_precision_loss)]
            let n = holding as f64 * all / sampled_f;
            let idf = ((all - n + 0.5) / (n + 0.5)).ln();
            Ok(if idf > 0.0 { idf } else { 1e-6 })
        })
        .collect()
}

/// The ids of `candidates`, best first by bm25 (ties: lower id first).
pub(super) fn order(candidates: &[Candidate], terms: &Terms, idf: &[f64]) -> Vec<i64> {
    let counted: Vec<(i64, Vec<usize>, usize)> = candidates
        .iter()
        .map(|c| {
            let (frequencies, length) = terms.frequencies(&c.content);
            (c.id, frequencies, length)
        })
        .collect();
    #[allow(clippy::cast_precision_loss)]
    let average =
        counted.iter().map(|c| c.2).sum::<usize>().max(1) as f64 / counted.len().max(1) as f64;
    let mut scored: Vec<(f64, i64)> = counted
        .into_iter()
        .map(|(id, frequencies, length)| {
            #[allow(clippy::cast_precision_loss)]
            let length = length as f64;
            let score: f64 = frequencies
                .iter()
                .zip(idf)
                .map(|(&f, idf)| {
                    #[allow(clippy::cast_precision_loss)]
                    let f = f as f64;
                    idf * f * (K1 + 1.0) / (f + K1 * (1.0 - B + B * length / average))
                })
                .sum();
            (score, id)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, id)| id).collect()
}
