//! The FTS5 expression of typed text, with the last word (searched as a
//! prefix, as it is typed) expanded into the words of the index it
//! starts.
//!
//! FTS5 has prefix indexes for 2- and 3-letter prefixes only (migration
//! `2026-12-16-000000_search_prefix`): a longer prefix (`"tavo"*`) makes
//! it read and merge, in memory, the whole doclist of every word it
//! starts before it returns a first match, 30–70 ms for the common words
//! of 1,000,000 messages. A word list instead (`("tavo" OR "tavoke")`)
//! is walked newest first and stops at the results' limit. The words come
//! from `messages_fts_vocab` (`fts5vocab`, migration
//! `2026-12-18-000000_search_vocabulary`,
//! <https://sqlite.org/fts5.html#the_fts5vocab_virtual_table_module>):
//! the [`EXPANDED_WORDS`] found in the most messages, and the word as
//! typed, always.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

/// Most words of the index the last word of a search stands for when it
/// has 4 ASCII letters or digits or more: itself and the longer words it
/// starts that are found in the most messages. Rarer words it starts are
/// not searched until more of them is typed.
pub const EXPANDED_WORDS: u32 = 64;

/// Shortest last word expanded (in letters); shorter ones are read from
/// FTS5's prefix indexes.
const EXPANDED_FROM: usize = 4;

/// Row of the vocabulary query.
#[derive(QueryableByName)]
struct Term {
    #[diesel(sql_type = Text)]
    term: String,
}

/// The FTS5 expression for typed text: each whitespace-separated word
/// quoted (so `"`, `*`, `AND`, `NEAR(` are plain text), all must match,
/// the last one also as a prefix. A last word of [`EXPANDED_FROM`] ASCII
/// letters or digits or more becomes the words of the index it starts
/// ([`expanded`]); any other stays an FTS5 prefix (`"word"*`). `None` for
/// blank text.
///
/// # Errors
/// Reading `messages_fts_vocab`.
pub(super) fn expression(conn: &mut SqliteConnection, query: &str) -> QueryResult<Option<String>> {
    let words: Vec<&str> = query.split_whitespace().collect();
    let Some((last, first)) = words.split_last() else {
        return Ok(None);
    };
    let mut parts: Vec<String> = first.iter().map(|w| quoted(w)).collect();
    parts.push(match expandable(last) {
        Some(prefix) => {
            let terms = expanded(conn, &prefix)?;
            if terms.len() == 1 {
                quoted(&terms[0])
            } else {
                let alternatives: Vec<String> = terms.iter().map(|t| quoted(t)).collect();
                format!("({})", alternatives.join(" OR "))
            }
        }
        None => format!("{}*", quoted(last)),
    });
    Ok(Some(parts.join(" AND ")))
}

/// `word` as one FTS5 string.
fn quoted(word: &str) -> String {
    format!("\"{}\"", word.replace('"', "\"\""))
}

/// The token `unicode61` makes of `word` when it is one token of
/// [`EXPANDED_FROM`] characters or more the tokenizer only lower-cases
/// (ASCII letters and digits); `None` otherwise (punctuation splits it,
/// other letters may be folded).
fn expandable(word: &str) -> Option<String> {
    (word.len() >= EXPANDED_FROM && word.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| word.to_ascii_lowercase())
}

/// The words of the index that start with `prefix` (a lower-case ASCII
/// token): `prefix` itself first, then the [`EXPANDED_WORDS`] − 1 longer
/// ones found in the most messages (ties: in alphabetical order).
///
/// `fts5vocab` counts the messages of every word it reads, and reads a
/// `term > x` range from `x` on: the range starts at `prefix` followed by
/// `0`, the smallest byte a longer token can go on with (ASCII digits and
/// letters, or the lead byte of another letter), so that the word typed,
/// often the commonest, is not counted. It ends before `prefix` with its
/// last byte incremented.
fn expanded(conn: &mut SqliteConnection, prefix: &str) -> QueryResult<Vec<String>> {
    let mut end = prefix.to_owned();
    if let Some(next) = end.pop().and_then(|c| char::from_u32(u32::from(c) + 1)) {
        end.push(next);
    }
    let rows: Vec<Term> = diesel::sql_query(
        "SELECT term FROM messages_fts_vocab WHERE term >= ?1 AND term < ?2
         ORDER BY doc DESC, term LIMIT ?3",
    )
    .bind::<Text, _>(format!("{prefix}0"))
    .bind::<Text, _>(&end)
    .bind::<BigInt, _>(i64::from(EXPANDED_WORDS) - 1)
    .load(conn)?;
    Ok(std::iter::once(prefix.to_owned())
        .chain(rows.into_iter().map(|r| r.term))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::{expandable, quoted};

    #[test]
    fn expands_ascii_words_of_four_letters_or_more() {
        assert_eq!(expandable("Tavo").as_deref(), Some("tavo"));
        assert_eq!(expandable("utf8").as_deref(), Some("utf8"));
        assert_eq!(expandable("tav"), None, "a prefix index has it");
        assert_eq!(expandable("don't"), None, "two tokens");
        assert_eq!(expandable("café"), None, "folded by the tokenizer");
        assert_eq!(quoted("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
