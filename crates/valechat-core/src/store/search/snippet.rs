//! Snippets of the messages of a results page, cut from their text here
//! rather than by FTS5's `snippet()`: `snippet()` needs the `MATCH` set
//! up again, which for a last word of four letters or more (no prefix
//! index) merges the doclist of every word it starts, 30–70 ms for a word
//! found in most of 1,000,000 messages (`cargo bench -p valechat-core
//! --bench search`).
//!
//! Words are split and compared as FTS5's `unicode61 remove_diacritics 2`
//! tokenizer does for the letters it knows (runs of letters and digits,
//! lower-cased, the accents of Latin letters folded); the window is the
//! [`SNIPPET_TOKENS`](super::SNIPPET_TOKENS) words holding the most
//! matches, cuts marked `…`, each match between
//! [`SNIPPET_MATCH_START`] and [`SNIPPET_MATCH_END`].

use super::super::models::{SNIPPET_MATCH_END, SNIPPET_MATCH_START};

/// The words a snippet marks: every word of the query, and any word that
/// starts with its last word (the prefix searched as it is typed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Terms {
    words: Vec<String>,
    prefix: Option<String>,
}

impl Terms {
    /// The terms of typed text (split as the index splits it).
    pub(super) fn new(query: &str) -> Self {
        let mut words: Vec<String> = tokens(query).into_iter().map(|t| t.folded).collect();
        let prefix = words.pop();
        Self { words, prefix }
    }

    /// Each word and whether it is the prefix (the last), in order.
    pub(super) fn all(&self) -> impl Iterator<Item = (&str, bool)> {
        self.words
            .iter()
            .map(|w| (w.as_str(), false))
            .chain(self.prefix.as_deref().map(|p| (p, true)))
    }

    /// How often each word ([`Self::all`] order) occurs in `text`, and how
    /// many words `text` has.
    pub(super) fn frequencies(&self, text: &str) -> (Vec<usize>, usize) {
        let mut counts = vec![0; self.words.len() + usize::from(self.prefix.is_some())];
        let mut length = 0;
        each_token(text, |_, _, folded| {
            length += 1;
            for (count, (word, prefix)) in counts.iter_mut().zip(self.all()) {
                if folded == word || (prefix && folded.starts_with(word)) {
                    *count += 1;
                }
            }
        });
        (counts, length)
    }

    fn matches(&self, folded: &str) -> bool {
        self.words.iter().any(|w| w == folded)
            || self
                .prefix
                .as_deref()
                .is_some_and(|p| folded.starts_with(p))
    }
}

/// A word of a text: its byte range and its folded form.
struct Token {
    start: usize,
    end: usize,
    folded: String,
}

/// The words of `text`: runs of letters and digits.
fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    each_token(text, |start, end, folded| {
        out.push(Token {
            start,
            end,
            folded: folded.to_owned(),
        });
    });
    out
}

/// Calls `found` with the byte range and folded form of each word of
/// `text` (runs of letters and digits), reusing one buffer.
fn each_token(text: &str, mut found: impl FnMut(usize, usize, &str)) {
    let mut folded = String::new();
    let mut start = None;
    let mut end = 0;
    for (at, c) in text.char_indices() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(at);
                folded.clear();
            }
            end = at + c.len_utf8();
            if c.is_ascii() {
                folded.push(c.to_ascii_lowercase());
            } else {
                folded.extend(c.to_lowercase().map(fold));
            }
        } else if let Some(from) = start.take() {
            found(from, end, &folded);
        }
    }
    if let Some(from) = start {
        found(from, end, &folded);
    }
}

/// A lower-case Latin letter without its accent (as `remove_diacritics 2`
/// folds them); other characters as they are.
fn fold(c: char) -> char {
    match c {
        'à'..='å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
        'ď' => 'd',
        'è'..='ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
        'ĥ' => 'h',
        'ì'..='ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' => 'i',
        'ĵ' => 'j',
        'ķ' => 'k',
        'ĺ' | 'ļ' | 'ľ' => 'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
        'ò'..='ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => 'o',
        'ŕ' | 'ŗ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' => 's',
        'ţ' | 'ť' => 't',
        'ù'..='ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
        'ŵ' => 'w',
        'ý' | 'ÿ' | 'ŷ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        other => other,
    }
}

/// A few words of `text` around the most matches of `terms`: at most
/// `window` words, `…` where the text is cut, each match marked.
pub(super) fn snippet(text: &str, terms: &Terms, window: usize) -> String {
    let tokens = tokens(text);
    let matched: Vec<bool> = tokens.iter().map(|t| terms.matches(&t.folded)).collect();
    let window = window.max(1);
    // The first window with the most matches.
    let mut first = 0;
    if tokens.len() > window {
        let mut best = 0;
        for start in 0..=tokens.len() - window {
            let count = matched[start..start + window]
                .iter()
                .filter(|m| **m)
                .count();
            if count > best {
                best = count;
                first = start;
            }
        }
    }
    let last = (first + window).min(tokens.len());
    let from = if first == 0 { 0 } else { tokens[first].start };
    let to = if last == tokens.len() {
        text.len()
    } else {
        tokens[last - 1].end
    };
    let mut out = String::with_capacity(to - from + 16);
    if first > 0 {
        out.push('…');
    }
    let mut at = from;
    for (token, _) in tokens[first..last]
        .iter()
        .zip(&matched[first..last])
        .filter(|(_, m)| **m)
    {
        out.push_str(&text[at..token.start]);
        out.push_str(SNIPPET_MATCH_START);
        out.push_str(&text[token.start..token.end]);
        out.push_str(SNIPPET_MATCH_END);
        at = token.end;
    }
    out.push_str(&text[at..to]);
    if last < tokens.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(s: &str) -> String {
        s.replace(SNIPPET_MATCH_START, "[")
            .replace(SNIPPET_MATCH_END, "]")
    }

    #[test]
    fn marks_words_and_the_last_as_a_prefix() {
        let terms = Terms::new("GLACIER walk");
        assert_eq!(
            marked(&snippet(
                "A glacier is a slow river of ice; glacier walks need crampons.",
                &terms,
                12
            )),
            "A [glacier] is a slow river of ice; [glacier] [walks] need crampons."
        );
        // Accents folded; "glaciers" is not "glacier" (not the last word).
        assert_eq!(
            marked(&snippet("Glaciers, Gláciér!", &Terms::new("glacier x"), 12)),
            "Glaciers, [Gláciér]!"
        );
    }

    #[test]
    fn cuts_around_the_most_matches() {
        let text = "one two three four five six seven eight nine ten";
        assert_eq!(
            marked(&snippet(text, &Terms::new("six eight"), 4)),
            "…five [six] seven [eight]…"
        );
        assert_eq!(
            marked(&snippet(text, &Terms::new("one"), 3)),
            "[one] two three…"
        );
        assert_eq!(
            marked(&snippet(text, &Terms::new("ten"), 3)),
            "…eight nine [ten]"
        );
        assert_eq!(snippet("", &Terms::new("x"), 3), "");
        assert_eq!(marked(&snippet("- x -", &Terms::new("x"), 3)), "- [x] -");
    }
}
