//! Reasoning in a local model's generated text: models that think before
//! they answer (Qwen 3, `QwQ`, DeepSeek-R1 distills) write
//! `<think>…</think>` first, then the reply. [`ReasoningSplitter`] splits
//! the streamed text into reasoning and reply text, so the reasoning goes
//! where a cloud provider's goes (`ChatEvent::ReasoningDelta`, stored in
//! `messages.reasoning`, shown folded) and never into the reply.
//!
//! Which models: those whose chat template names the `<think>` tag
//! ([`thinks`]). Where the reasoning starts: at an opening tag at the start
//! of the reply (after white space), or at once when the template's
//! generation prompt already ends with the opening tag (DeepSeek-R1's
//! templates write `<think>\n` themselves: [`ReasoningSplitter::new`] with
//! `open`). Text after the closing tag is the reply, without the blank
//! lines the model writes after the tag. A reply that does not start with
//! the tag is all reply; a reasoning that never closes (the output limit,
//! Stop) stays reasoning. Tags split across tokens are recognised: text
//! that could be the start of a tag is held back until it is known.

/// The opening tag.
const OPEN: &str = "<think>";
/// The closing tag.
const CLOSE: &str = "</think>";

/// Whether a chat template makes its model think in `<think>` tags.
#[must_use]
pub fn thinks(template: &str) -> bool {
    template.contains(OPEN) || template.contains(CLOSE)
}

/// Whether a rendered prompt ends inside an open `<think>` (its generation
/// prompt wrote the opening tag), so the reply starts with reasoning.
#[must_use]
pub fn prompt_opens_reasoning(prompt: &str) -> bool {
    let end = prompt.trim_end();
    end.ends_with(OPEN)
}

/// A piece of generated text: reasoning, or reply text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Text inside `<think>…</think>`.
    Reasoning(String),
    /// The reply.
    Text(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start: white space, then maybe the opening tag.
    Start,
    /// Inside the reasoning.
    Reasoning,
    /// Just after the closing tag: newlines are dropped.
    Closed,
    /// The reply.
    Reply,
}

/// Splits streamed text into [`Part`]s (see the module documentation).
#[derive(Debug)]
pub struct ReasoningSplitter {
    state: State,
    /// Text held until it is known whether it starts a tag.
    held: String,
}

impl ReasoningSplitter {
    /// A splitter for one reply; `open`: the prompt already opened the
    /// reasoning ([`prompt_opens_reasoning`]).
    #[must_use]
    pub fn new(open: bool) -> Self {
        Self {
            state: if open { State::Reasoning } else { State::Start },
            held: String::new(),
        }
    }

    /// The parts `text` completes, in order; text that may start a tag is
    /// held for the next call or [`Self::finish`].
    pub fn push(&mut self, text: &str) -> Vec<Part> {
        self.held.push_str(text);
        let mut parts = Vec::new();
        loop {
            match self.state {
                State::Start => {
                    let rest = self.held.trim_start();
                    if let Some(after) = rest.strip_prefix(OPEN) {
                        self.held = after.to_owned();
                        self.state = State::Reasoning;
                    } else if OPEN.starts_with(rest) {
                        return parts; // empty or a tag's beginning: wait.
                    } else {
                        self.state = State::Reply;
                    }
                }
                State::Reasoning => {
                    if let Some(at) = self.held.find(CLOSE) {
                        let reasoning = self.held[..at].to_owned();
                        self.held = self.held[at + CLOSE.len()..].to_owned();
                        push_part(&mut parts, Part::Reasoning(reasoning));
                        self.state = State::Closed;
                    } else {
                        let keep = tag_start_len(&self.held, CLOSE);
                        let cut = self.held.len() - keep;
                        let reasoning: String = self.held.drain(..cut).collect();
                        push_part(&mut parts, Part::Reasoning(reasoning));
                        return parts;
                    }
                }
                State::Closed => {
                    let rest = self.held.trim_start_matches(['\n', '\r']);
                    if rest.is_empty() {
                        self.held.clear();
                        return parts;
                    }
                    self.held = rest.to_owned();
                    self.state = State::Reply;
                }
                State::Reply => {
                    let text = std::mem::take(&mut self.held);
                    push_part(&mut parts, Part::Text(text));
                    return parts;
                }
            }
        }
    }

    /// What is still held, at the end of the reply: a tag's beginning that
    /// never completed is text of the part it is in.
    pub fn finish(&mut self) -> Vec<Part> {
        let held = std::mem::take(&mut self.held);
        let mut parts = Vec::new();
        match self.state {
            State::Reasoning => push_part(&mut parts, Part::Reasoning(held)),
            State::Start | State::Reply => push_part(&mut parts, Part::Text(held)),
            State::Closed => {}
        }
        parts
    }
}

/// Adds `part` unless its text is empty.
fn push_part(parts: &mut Vec<Part>, part: Part) {
    let empty = match &part {
        Part::Reasoning(t) | Part::Text(t) => t.is_empty(),
    };
    if !empty {
        parts.push(part);
    }
}

/// The length of the longest end of `text` that begins `tag` (a tag that
/// may be completed by the next piece).
fn tag_start_len(text: &str, tag: &str) -> usize {
    (1..tag.len().min(text.len() + 1))
        .rev()
        .find(|&n| {
            text.is_char_boundary(text.len() - n) && tag.starts_with(&text[text.len() - n..])
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::{Part, ReasoningSplitter, prompt_opens_reasoning, thinks};

    /// Feeds `pieces` and merges adjacent parts of one kind.
    fn split(open: bool, pieces: &[&str]) -> Vec<Part> {
        let mut splitter = ReasoningSplitter::new(open);
        let mut parts: Vec<Part> = Vec::new();
        let all = pieces
            .iter()
            .flat_map(|p| splitter.push(p))
            .collect::<Vec<_>>()
            .into_iter()
            .chain(splitter.finish());
        for part in all {
            match (parts.last_mut(), part) {
                (Some(Part::Reasoning(a)), Part::Reasoning(b))
                | (Some(Part::Text(a)), Part::Text(b)) => {
                    a.push_str(&b);
                }
                (_, part) => parts.push(part),
            }
        }
        parts
    }

    fn reasoning(s: &str) -> Part {
        Part::Reasoning(s.to_owned())
    }

    fn text(s: &str) -> Part {
        Part::Text(s.to_owned())
    }

    #[test]
    fn reasoning_then_reply_whole_or_token_by_token() {
        let whole = "<think>\nThe user greets.\n</think>\n\nHello!";
        let expected = [reasoning("\nThe user greets.\n"), text("Hello!")];
        assert_eq!(split(false, &[whole]), expected);
        let chars: Vec<String> = whole.chars().map(String::from).collect();
        let pieces: Vec<&str> = chars.iter().map(String::as_str).collect();
        assert_eq!(split(false, &pieces), expected);
        assert_eq!(
            split(false, &["<thi", "nk>a</th", "ink", ">\n", "\nb"]),
            [reasoning("a"), text("b")]
        );
    }

    #[test]
    fn a_reply_without_the_tag_is_all_reply() {
        assert_eq!(
            split(false, &["Hello", " <think> is a tag"]),
            [text("Hello <think> is a tag")]
        );
        assert_eq!(split(false, &["<th", "ey>"]), [text("<they>")]);
        assert_eq!(split(false, &["<th"]), [text("<th")]);
    }

    #[test]
    fn an_opened_prompt_starts_in_reasoning_and_an_unclosed_one_stays_reasoning() {
        assert_eq!(
            split(true, &["step 1", "</think>\n\nDone"]),
            [reasoning("step 1"), text("Done")]
        );
        assert_eq!(split(true, &["step 1 </thi"]), [reasoning("step 1 </thi")]);
        assert_eq!(split(false, &["  <think>x"]), [reasoning("x")]);
    }

    #[test]
    fn the_reply_keeps_its_own_newlines_and_later_tags() {
        assert_eq!(
            split(false, &["<think>r</think>\n\nline 1\n\nline 2 </think>"]),
            [reasoning("r"), text("line 1\n\nline 2 </think>")]
        );
    }

    #[test]
    fn templates_and_prompts_that_think() {
        assert!(thinks(
            "{{- '<|im_start|>assistant\\n<think>\\n\\n</think>' }}"
        ));
        assert!(!thinks("{{- '<|im_start|>assistant\\n' }}"));
        assert!(prompt_opens_reasoning("<｜Assistant｜><think>\n"));
        assert!(!prompt_opens_reasoning("<|im_start|>assistant\n"));
        assert!(!prompt_opens_reasoning("<think>\n\n</think>\n\n"));
    }
}
