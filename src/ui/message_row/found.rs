//! The words a search found, marked in a message's text as GNOME Text
//! Editor marks its search matches: a yellow background behind each
//! occurrence, over whatever markup the text has.
//!
//! The markdown body is labels with Pango markup; the marks are a
//! `pango::AttrList` set on each label (`gtk_label_set_attributes`, which
//! GTK merges with the markup's own attributes), so the text itself and its
//! markup are never touched. Code blocks (source views) are left unmarked.

use relm4::gtk::{self, pango, prelude::*};

/// Background of a match (the Adwaita palette's yellow 2, as GNOME Text
/// Editor's search matches), in 16-bit RGB.
const MATCH_BACKGROUND: (u16, u16, u16) = (0xf8f8, 0xe4e4, 0x5c5c);
/// Text over a match: dark, readable on yellow in both light and dark styles.
const MATCH_FOREGROUND: (u16, u16, u16) = (0x2424, 0x1f1f, 0x3131);

/// Marks every occurrence of `words` (case-insensitively, as whole words or
/// the start of a word, as the search matched them) in the labels under
/// `root`; an empty `words` removes the marks.
pub fn mark(root: &gtk::Widget, words: &[String]) {
    let mut child = root.first_child();
    while let Some(widget) = child {
        if let Some(label) = widget.downcast_ref::<gtk::Label>() {
            mark_label(label, words);
        }
        mark(&widget, words);
        child = widget.next_sibling();
    }
}

fn mark_label(label: &gtk::Label, words: &[String]) {
    let ranges = ranges(&label.text(), words);
    if ranges.is_empty() {
        if label.attributes().is_some() {
            label.set_attributes(None);
        }
        return;
    }
    let list = pango::AttrList::new();
    for (start, end) in ranges {
        let (Ok(start), Ok(end)) = (u32::try_from(start), u32::try_from(end)) else {
            continue;
        };
        let (r, g, b) = MATCH_BACKGROUND;
        let mut background = pango::AttrColor::new_background(r, g, b);
        background.set_start_index(start);
        background.set_end_index(end);
        list.insert(background);
        let (r, g, b) = MATCH_FOREGROUND;
        let mut foreground = pango::AttrColor::new_foreground(r, g, b);
        foreground.set_start_index(start);
        foreground.set_end_index(end);
        list.insert(foreground);
    }
    label.set_attributes(Some(&list));
}

/// Byte ranges in `text` of the words that start with one of `words`
/// (compared lower-cased; a word starts after a character that is not
/// alphanumeric). Each range covers the typed part only.
pub fn ranges(text: &str, words: &[String]) -> Vec<(usize, usize)> {
    let words: Vec<String> = words
        .iter()
        .map(|w| w.to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    let mut found = Vec::new();
    if words.is_empty() {
        return found;
    }
    let mut previous_alphanumeric = false;
    for (i, c) in text.char_indices() {
        let starts_word = c.is_alphanumeric() && !previous_alphanumeric;
        previous_alphanumeric = c.is_alphanumeric();
        if !starts_word {
            continue;
        }
        let rest = &text[i..];
        for word in &words {
            if let Some(len) = prefix_len(rest, word) {
                found.push((i, i + len));
                break;
            }
        }
    }
    found
}

/// Length in bytes of the prefix of `text` that equals `word` lower-cased,
/// if it does.
fn prefix_len(text: &str, word: &str) -> Option<usize> {
    let mut chars = text.char_indices();
    let mut end = 0;
    let mut lowered = String::new();
    while lowered.len() < word.len() {
        let (i, c) = chars.next()?;
        lowered.extend(c.to_lowercase());
        end = i + c.len_utf8();
    }
    (lowered == word).then_some(end)
}

#[cfg(test)]
mod tests {
    use super::ranges;

    #[test]
    fn words_and_prefixes_are_found_case_insensitively() {
        let words = vec!["glac".to_owned(), "ICE".to_owned()];
        let text = "Glaciers of ice; a ski glacier, icelandic";
        let found: Vec<&str> = ranges(text, &words)
            .iter()
            .map(|&(s, e)| &text[s..e])
            .collect();
        assert_eq!(found, ["Glac", "ice", "glac", "ice"]);
        assert!(
            ranges("notice", &["ice".to_owned()]).is_empty(),
            "inside a word"
        );
        assert!(ranges("anything", &[]).is_empty());
        let text = "Über über";
        let found: Vec<&str> = ranges(text, &["über".to_owned()])
            .iter()
            .map(|&(s, e)| &text[s..e])
            .collect();
        assert_eq!(found, ["Über", "über"]);
    }
}
