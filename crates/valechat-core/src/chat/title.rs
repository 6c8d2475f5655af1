//! Naming a conversation after its first message.

/// Maximum length of a derived title, in characters.
pub const MAX_TITLE_CHARS: usize = 120;

/// A title from the first user message: its first non-empty line,
/// whitespace collapsed, cut at a word boundary to at most
/// `MAX_TITLE_CHARS` (120) characters.
///
/// No ellipsis is stored: the title is the user's words, shown ellipsized
/// where it does not fit (the sidebar, the header) and offered as it is
/// by Rename (issue 18, bug 8: a stored "…" showed up there).
#[must_use]
pub fn title_from_prompt(prompt: &str) -> String {
    let line = prompt
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    let collapsed = line.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= MAX_TITLE_CHARS {
        return collapsed;
    }
    let cut: String = collapsed.chars().take(MAX_TITLE_CHARS + 1).collect();
    // Cut at the last space within the limit (the character after the
    // limit is kept in `cut` so that a word ending right at it stays whole).
    let at_word = match cut.rfind(' ') {
        Some(i) if cut[..i].chars().count() > MAX_TITLE_CHARS / 2 => &cut[..i],
        _ => {
            &cut[..cut
                .char_indices()
                .nth(MAX_TITLE_CHARS)
                .map_or(cut.len(), |(i, _)| i)]
        }
    };
    at_word.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_prompt_is_kept() {
        assert_eq!(title_from_prompt("  Hello   world \nsecond"), "Hello world");
    }

    #[test]
    fn long_prompt_is_cut_at_a_word_without_an_ellipsis() {
        let prompt = "Explain the difference between a mutex and a semaphore in operating systems, \
                      with an example in Rust and one in C, and say when a condition variable is better";
        let t = title_from_prompt(prompt);
        assert!(!t.contains('…'), "{t}");
        assert!(t.chars().count() <= MAX_TITLE_CHARS, "{t}");
        assert_eq!(
            t,
            "Explain the difference between a mutex and a semaphore in operating systems, with an \
             example in Rust and one in C, and"
        );
    }

    #[test]
    fn a_word_ending_at_the_limit_stays_whole() {
        let word = "x".repeat(MAX_TITLE_CHARS - 4);
        let t = title_from_prompt(&format!("abc {word} more words"));
        assert_eq!(t, format!("abc {word}"));
    }

    #[test]
    fn leading_blank_lines_are_skipped() {
        assert_eq!(title_from_prompt("\n\n  \nfoo"), "foo");
    }

    #[test]
    fn multibyte_text_is_cut_on_char_boundaries() {
        let t = title_from_prompt(&"日本語".repeat(40));
        assert_eq!(t.chars().count(), MAX_TITLE_CHARS);
    }
}
