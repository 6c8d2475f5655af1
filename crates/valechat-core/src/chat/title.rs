//! Naming a conversation after its first message.

/// Maximum length of a derived title, in characters.
pub const MAX_TITLE_CHARS: usize = 48;

/// A short title from the first user message: its first non-empty line,
/// whitespace collapsed, cut at a word boundary to at most
/// `MAX_TITLE_CHARS` (48) characters with an ellipsis when shortened.
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
    let cut: String = collapsed.chars().take(MAX_TITLE_CHARS - 1).collect();
    let at_word = match cut.rfind(' ') {
        Some(i) if i > MAX_TITLE_CHARS / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", at_word.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_prompt_is_kept() {
        assert_eq!(title_from_prompt("  Hello   world \nsecond"), "Hello world");
    }

    #[test]
    fn long_prompt_is_cut_at_a_word() {
        let t = title_from_prompt(
            "Explain the difference between a mutex and a semaphore in operating systems please",
        );
        assert!(t.ends_with('…'), "{t}");
        assert!(t.chars().count() <= MAX_TITLE_CHARS, "{t}");
        assert_eq!(t, "Explain the difference between a mutex and a…");
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
