//! `valechat history show ID --all-branches`: a conversation's messages
//! drawn as a tree. A chain of single replies stays in one column; where a
//! message has several children (edits, regenerations) they are drawn with
//! `├─`/`└─` and their branches indented. Each line gives the message id,
//! role, model and a one-line excerpt; `*` marks the active branch.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use valechat_core::store::{Message, MessageStatus};

/// Characters of a message's excerpt.
const EXCERPT_CHARS: usize = 60;

/// The tree of `messages` (a whole conversation, any order), with the path
/// ending at `active_leaf` marked.
pub fn draw(messages: &[Message], active_leaf: Option<i64>) -> String {
    let by_id: HashMap<i64, &Message> = messages.iter().map(|m| (m.id, m)).collect();
    let mut children: HashMap<Option<i64>, Vec<&Message>> = HashMap::new();
    for m in messages {
        // A parent outside the list cannot happen (same conversation); draw
        // such a message as a root rather than lose it.
        let parent = m.parent_id.filter(|p| by_id.contains_key(p));
        children.entry(parent).or_default().push(m);
    }
    for list in children.values_mut() {
        list.sort_by_key(|m| m.id);
    }
    let mut active = HashSet::new();
    let mut at = active_leaf;
    while let Some(id) = at {
        if !active.insert(id) {
            break;
        }
        at = by_id.get(&id).and_then(|m| m.parent_id);
    }
    let drawing = Drawing {
        children: &children,
        active: &active,
    };
    let mut out = String::new();
    drawing.siblings(&mut out, children.get(&None).map_or(&[], Vec::as_slice), "");
    out
}

struct Drawing<'a> {
    children: &'a HashMap<Option<i64>, Vec<&'a Message>>,
    active: &'a HashSet<i64>,
}

impl Drawing<'_> {
    /// Draws `list` (siblings) under `prefix`: one alone continues the
    /// column, several branch.
    fn siblings(&self, out: &mut String, list: &[&Message], prefix: &str) {
        match list {
            [] => {}
            [only] => self.chain(out, only, prefix, prefix),
            many => {
                for (i, m) in many.iter().enumerate() {
                    let last = i + 1 == many.len();
                    let (first, rest) = if last {
                        ("└─ ", "   ")
                    } else {
                        ("├─ ", "│  ")
                    };
                    self.chain(
                        out,
                        m,
                        &format!("{prefix}{first}"),
                        &format!("{prefix}{rest}"),
                    );
                }
            }
        }
    }

    /// Draws `m` and its descendants: single children in a loop (a long
    /// conversation does not nest calls), branches through `siblings`.
    fn chain(&self, out: &mut String, m: &Message, first: &str, rest: &str) {
        let mut message = m;
        let mut line_prefix = first.to_owned();
        loop {
            self.line(out, message, &line_prefix);
            let kids = self
                .children
                .get(&Some(message.id))
                .map_or(&[][..], Vec::as_slice);
            match kids {
                [only] => {
                    message = only;
                    line_prefix = rest.to_owned();
                }
                _ => {
                    self.siblings(out, kids, rest);
                    return;
                }
            }
        }
    }

    fn line(&self, out: &mut String, m: &Message, prefix: &str) {
        let mark = if self.active.contains(&m.id) {
            '*'
        } else {
            ' '
        };
        let model = m
            .model
            .as_deref()
            .map(|model| format!(" ({model})"))
            .unwrap_or_default();
        let status = match m.status {
            MessageStatus::Complete => String::new(),
            other => format!(" [{}]", other.as_str()),
        };
        let _ = writeln!(
            out,
            "{mark} {prefix}#{} {}{model}{status}: {}",
            m.id,
            m.role.as_str(),
            excerpt(&m.content)
        );
    }
}

/// The text on one line, whitespace collapsed, cut at [`EXCERPT_CHARS`].
fn excerpt(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() {
        return "(no text)".to_owned();
    }
    let line = words.join(" ");
    if line.chars().count() <= EXCERPT_CHARS {
        line
    } else {
        let cut: String = line.chars().take(EXCERPT_CHARS).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use valechat_core::provider::Role;

    fn message(id: i64, parent: Option<i64>, role: Role, content: &str) -> Message {
        Message {
            id,
            conversation_id: 1,
            role,
            content: content.to_owned(),
            reasoning: String::new(),
            status: MessageStatus::Complete,
            provider_id: None,
            model: (role == Role::Assistant).then(|| "m".to_owned()),
            finish_reason: None,
            error: None,
            input_tokens: None,
            output_tokens: None,
            created_at: 0,
            updated_at: 0,
            parent_id: parent,
        }
    }

    #[test]
    fn branches_are_drawn_and_the_active_path_marked() {
        let messages = [
            message(1, None, Role::User, "Hello"),
            message(2, Some(1), Role::Assistant, "Hi\nthere"),
            message(3, Some(2), Role::User, "Two plus two?"),
            message(4, Some(3), Role::Assistant, "4"),
            message(5, Some(2), Role::User, "Three plus three?"),
            message(6, Some(5), Role::Assistant, "6"),
            message(7, Some(5), Role::Assistant, ""),
        ];
        let expected = [
            "* #1 user: Hello",
            "* #2 assistant (m): Hi there",
            "  ├─ #3 user: Two plus two?",
            "  │  #4 assistant (m): 4",
            "* └─ #5 user: Three plus three?",
            "*    ├─ #6 assistant (m): 6",
            "     └─ #7 assistant (m): (no text)",
        ];
        assert_eq!(draw(&messages, Some(6)), expected.join("\n") + "\n");
    }

    #[test]
    fn long_text_is_cut() {
        let long = "word ".repeat(40);
        let cut = excerpt(&long);
        assert!(cut.ends_with('…'), "{cut}");
        assert!(cut.chars().count() <= EXCERPT_CHARS + 1);
    }
}
