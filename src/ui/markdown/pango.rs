//! Inline markdown spans → Pango markup.
//!
//! Pure Rust, no GTK: this module turns the inline events of a pulldown-cmark
//! paragraph, heading or table cell into the subset of Pango markup that
//! `GtkLabel` accepts with `use-markup` (Pango's `<b>`, `<i>`, `<s>`,
//! `<tt>`, `<span>` plus GtkLabel's own `<a href="…">`).
//!
//! The output is always well formed, whatever the input: text and attribute
//! values go through [`escape`], and closing tags are only ever written from a
//! stack of the tags this renderer opened itself, so a truncated or unbalanced
//! event stream (a message still streaming) cannot leave a tag open or close
//! one twice.

use pulldown_cmark::{Event, Tag, TagEnd};

/// Pango attributes for inline code: a monospace run on a faint grey
/// background that reads on both light and dark styles.
const CODE_OPEN: &str = "<span font_family=\"monospace\" bgcolor=\"#888888\" bgalpha=\"20%\">";
const CODE_CLOSE: &str = "</span>";

/// Escapes `text` for Pango markup (text content and quoted attribute values).
///
/// `&`, `<`, `>`, `"` and `'` become entities; C0/C1 control characters other
/// than tab, line feed and carriage return become numeric character references
/// (as `g_markup_escape_text` does), and NUL becomes U+FFFD, which markup
/// cannot carry at all.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

/// Appends `text` to `out`, escaped as [`escape`] does.
pub fn push_escaped(out: &mut String, text: &str) {
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\0' => out.push('\u{FFFD}'),
            '\t' | '\n' | '\r' => out.push(ch),
            c if c.is_control() => {
                out.push_str(&format!("&#x{:x};", u32::from(c)));
            }
            c => out.push(c),
        }
    }
}

/// Whether `event` belongs inside a paragraph (text or a span-level tag), as
/// opposed to a block-level start or end.
pub fn is_inline(event: &Event<'_>) -> bool {
    match event {
        Event::Text(_)
        | Event::Code(_)
        | Event::InlineMath(_)
        | Event::DisplayMath(_)
        | Event::InlineHtml(_)
        | Event::FootnoteReference(_)
        | Event::SoftBreak
        | Event::HardBreak
        | Event::TaskListMarker(_) => true,
        Event::Start(tag) => matches!(
            tag,
            Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
                | Tag::Image { .. }
        ),
        Event::End(end) => matches!(
            end,
            TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link
                | TagEnd::Image
        ),
        Event::Html(_) | Event::Rule => false,
    }
}

/// Builds the Pango markup of one run of inline content.
///
/// Feed it inline events with [`InlineMarkup::push`] and take the result with
/// [`InlineMarkup::finish`], which closes whatever is still open.
#[derive(Debug, Default)]
pub struct InlineMarkup {
    out: String,
    /// Closing text for every span-level tag started and not yet ended; empty
    /// for tags that write nothing (a link inside a link, formatting inside
    /// an image's alt text).
    open: Vec<&'static str>,
    /// How many links are open: GtkLabel cannot nest `<a>`.
    links: usize,
    /// Each open image: its destination, and the length of the output when
    /// it started (to tell whether it had any alt text).
    images: Vec<(String, usize)>,
}

impl InlineMarkup {
    /// An empty renderer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Renders one inline event; block-level events are ignored.
    pub fn push(&mut self, event: &Event<'_>) {
        match event {
            Event::Text(text) => push_escaped(&mut self.out, text),
            Event::Code(code) => {
                if self.images.is_empty() {
                    self.out.push_str(CODE_OPEN);
                    push_escaped(&mut self.out, code);
                    self.out.push_str(CODE_CLOSE);
                } else {
                    push_escaped(&mut self.out, code);
                }
            }
            Event::InlineMath(math) | Event::DisplayMath(math) | Event::InlineHtml(math) => {
                push_escaped(&mut self.out, math);
            }
            Event::FootnoteReference(name) => {
                self.out.push_str("[^");
                push_escaped(&mut self.out, name);
                self.out.push(']');
            }
            Event::SoftBreak => self.out.push(' '),
            Event::HardBreak => self.out.push('\n'),
            Event::TaskListMarker(done) => self.out.push_str(if *done { "☑ " } else { "☐ " }),
            Event::Start(tag) => self.start(tag),
            Event::End(end) if is_inline(&Event::End(*end)) => self.end(*end),
            Event::End(_) | Event::Html(_) | Event::Rule => {}
        }
    }

    fn start(&mut self, tag: &Tag<'_>) {
        if let Tag::Image { dest_url, .. } = tag {
            // The alt text becomes the text of a link to the image.
            let close = if self.images.is_empty() && self.links == 0 && !dest_url.is_empty() {
                self.open_link(dest_url)
            } else {
                ""
            };
            self.images.push((dest_url.to_string(), self.out.len()));
            self.open.push(close);
            return;
        }
        if !self.images.is_empty() {
            // Inside alt text only the words count; nested tags still need a
            // stack entry so that their end pops the right one.
            if is_inline(&Event::Start(tag.clone())) {
                self.open.push("");
            }
            return;
        }
        let close = match tag {
            Tag::Emphasis => self.open_tag("<i>", "</i>"),
            Tag::Strong => self.open_tag("<b>", "</b>"),
            Tag::Strikethrough => self.open_tag("<s>", "</s>"),
            Tag::Superscript => self.open_tag("<sup>", "</sup>"),
            Tag::Subscript => self.open_tag("<sub>", "</sub>"),
            Tag::Link { dest_url, .. } if self.links == 0 => self.open_link(dest_url),
            Tag::Link { .. } => "",
            _ => return,
        };
        self.open.push(close);
    }

    fn open_tag(&mut self, open: &str, close: &'static str) -> &'static str {
        self.out.push_str(open);
        close
    }

    fn open_link(&mut self, url: &str) -> &'static str {
        self.links += 1;
        self.out.push_str("<a href=\"");
        push_escaped(&mut self.out, url);
        self.out.push_str("\">");
        "</a>"
    }

    fn end(&mut self, end: TagEnd) {
        let Some(close) = self.open.pop() else {
            return;
        };
        if end == TagEnd::Image
            && let Some((url, len)) = self.images.pop()
            && self.out.len() == len
        {
            // No alt text: show where the image is.
            push_escaped(&mut self.out, &url);
        }
        if close == "</a>" {
            self.links = self.links.saturating_sub(1);
        }
        self.out.push_str(close);
    }

    /// The markup written so far, with every tag still open closed.
    pub fn finish(mut self) -> String {
        while let Some(close) = self.open.pop() {
            self.out.push_str(close);
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

    use super::{InlineMarkup, escape};

    fn text(s: &'static str) -> Event<'static> {
        Event::Text(CowStr::Borrowed(s))
    }

    #[test]
    fn escape_covers_markup_characters_and_controls() {
        assert_eq!(
            escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;"
        );
        assert_eq!(
            escape("tab\tnl\n\u{7}\u{0}\u{85}"),
            "tab\tnl\n&#x7;\u{FFFD}&#x85;"
        );
    }

    #[test]
    fn finish_closes_tags_left_open_in_order() {
        let mut markup = InlineMarkup::new();
        markup.push(&Event::Start(Tag::Strong));
        markup.push(&Event::Start(Tag::Emphasis));
        markup.push(&text("x"));
        assert_eq!(markup.finish(), "<b><i>x</i></b>");
    }

    #[test]
    fn stray_ends_and_block_events_write_nothing() {
        let mut markup = InlineMarkup::new();
        markup.push(&Event::End(TagEnd::Strong));
        markup.push(&Event::Start(Tag::Paragraph));
        markup.push(&text("a"));
        markup.push(&Event::End(TagEnd::Paragraph));
        assert_eq!(markup.finish(), "a");
    }

    #[test]
    fn links_inside_links_are_flattened() {
        let link = |url: &'static str| Tag::Link {
            link_type: pulldown_cmark::LinkType::Inline,
            dest_url: CowStr::Borrowed(url),
            title: CowStr::Borrowed(""),
            id: CowStr::Borrowed(""),
        };
        let mut markup = InlineMarkup::new();
        markup.push(&Event::Start(link("http://a")));
        markup.push(&Event::Start(link("http://b")));
        markup.push(&text("t"));
        markup.push(&Event::End(TagEnd::Link));
        markup.push(&Event::End(TagEnd::Link));
        assert_eq!(markup.finish(), "<a href=\"http://a\">t</a>");
    }
}
