//! Markdown text → a flat list of [`Block`]s ready to be drawn.
//!
//! Pure Rust, no GTK: parsing follows CommonMark plus the GitHub extensions
//! tables, strikethrough and task lists (pulldown-cmark 0.13), and every
//! piece of text in the result is already Pango markup (see [`super::pango`]).
//!
//! The output is valid markup for any input, including every prefix of a
//! message that is still streaming: an open code fence is a code block that
//! runs to the end, a half-written `**bold` is literal text, and the inline
//! renderer closes whatever it opened.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag};

use super::pango::{InlineMarkup, escape, is_inline};

/// One block of a rendered message, compared by value so that the view can
/// keep the widgets of blocks that did not change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A heading; `level` is 1 to 6, `markup` is Pango markup.
    Heading {
        /// 1 (`#`) to 6 (`######`).
        level: u8,
        /// The heading's inline content as Pango markup.
        markup: String,
    },
    /// A paragraph of inline content, as Pango markup.
    Paragraph {
        /// Pango markup; soft breaks are spaces, hard breaks newlines.
        markup: String,
    },
    /// A bulleted or numbered list.
    List {
        /// Whether items are numbered.
        ordered: bool,
        /// The number of the first item (1 for bulleted lists).
        start: u64,
        /// The items, in order.
        items: Vec<ListItem>,
    },
    /// A block quote holding other blocks.
    Quote {
        /// The quoted blocks.
        blocks: Vec<Block>,
    },
    /// A fenced or indented code block: raw text, not markup.
    Code {
        /// The first word of the fence's info string (` ```rust ` → `rust`),
        /// `None` for an indented block or a bare fence.
        language: Option<String>,
        /// The code, without the final line break.
        text: String,
    },
    /// A thematic break (`---`).
    Rule,
    /// A GitHub-style table; cells are Pango markup.
    Table {
        /// The header row's cells.
        header: Vec<String>,
        /// The body rows' cells.
        rows: Vec<Vec<String>>,
    },
}

/// One item of a [`Block::List`]: its content as blocks, usually a single
/// paragraph, possibly followed by nested lists.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListItem {
    /// The item's blocks (the text of a tight item is a `Paragraph`).
    pub blocks: Vec<Block>,
}

/// The pulldown-cmark extensions ValeChat renders.
fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// Parses markdown `text` into blocks.
///
/// Never fails: any text is valid markdown. Every `markup` field and table
/// cell of the result is well formed Pango markup.
pub fn parse(text: &str) -> Vec<Block> {
    let mut events = Parser::new_ext(text, options()).peekable();
    parse_blocks(&mut events)
}

type Events<'a> = std::iter::Peekable<Parser<'a>>;

/// Reads blocks until the end of the enclosing container (whose `End` event
/// it consumes) or of the input.
fn parse_blocks(events: &mut Events<'_>) -> Vec<Block> {
    let mut blocks = Vec::new();
    while let Some(event) = events.peek() {
        if is_inline(event) {
            // The text of a tight list item comes without a paragraph.
            let markup = collect_inline(events);
            blocks.push(Block::Paragraph { markup });
            continue;
        }
        let Some(event) = events.next() else { break };
        match event {
            Event::End(_) => break,
            Event::Rule => blocks.push(Block::Rule),
            Event::Html(html) => blocks.push(Block::Paragraph {
                markup: escape(html.trim_end()),
            }),
            Event::Start(tag) => blocks.extend(parse_container(tag, events)),
            // Inline events were handled above.
            _ => {}
        }
    }
    blocks
}

/// Parses the block that `tag` starts, up to and including its end.
fn parse_container(tag: Tag<'_>, events: &mut Events<'_>) -> Vec<Block> {
    match tag {
        Tag::Paragraph => vec![Block::Paragraph {
            markup: inline_then_end(events),
        }],
        Tag::Heading { level, .. } => vec![Block::Heading {
            level: heading_level(level),
            markup: inline_then_end(events),
        }],
        Tag::BlockQuote(_) => vec![Block::Quote {
            blocks: parse_blocks(events),
        }],
        Tag::CodeBlock(kind) => {
            let language = match kind {
                CodeBlockKind::Fenced(info) => info
                    .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                    .next()
                    .filter(|word| !word.is_empty())
                    .map(str::to_owned),
                CodeBlockKind::Indented => None,
            };
            let mut text = raw_text_until_end(events);
            if text.ends_with('\n') {
                text.pop();
            }
            vec![Block::Code { language, text }]
        }
        Tag::HtmlBlock => {
            let html = raw_text_until_end(events);
            vec![Block::Paragraph {
                markup: escape(html.trim_end()),
            }]
        }
        Tag::List(start) => vec![parse_list(start, events)],
        Tag::Table(_) => vec![parse_table(events)],
        // Footnote definitions, definition lists, metadata: show the content.
        _ => parse_blocks(events),
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Renders the inline events at the head of `events`.
fn collect_inline(events: &mut Events<'_>) -> String {
    let mut markup = InlineMarkup::new();
    while let Some(event) = events.next_if(is_inline) {
        markup.push(&event);
    }
    markup.finish()
}

/// Renders inline content, then consumes the `End` of the block holding it.
fn inline_then_end(events: &mut Events<'_>) -> String {
    let markup = collect_inline(events);
    events.next_if(|event| matches!(event, Event::End(_)));
    markup
}

/// Concatenates the raw text of a code or HTML block, consuming its end.
fn raw_text_until_end(events: &mut Events<'_>) -> String {
    let mut text = String::new();
    for event in events.by_ref() {
        match event {
            Event::Text(chunk) | Event::Html(chunk) => text.push_str(&chunk),
            Event::End(_) => break,
            _ => {}
        }
    }
    text
}

fn parse_list(start: Option<u64>, events: &mut Events<'_>) -> Block {
    let mut items = Vec::new();
    while let Some(event) = events.next() {
        match event {
            Event::Start(Tag::Item) => items.push(ListItem {
                blocks: parse_blocks(events),
            }),
            Event::End(_) => break,
            _ => {}
        }
    }
    Block::List {
        ordered: start.is_some(),
        start: start.unwrap_or(1),
        items,
    }
}

fn parse_table(events: &mut Events<'_>) -> Block {
    let mut header = Vec::new();
    let mut rows = Vec::new();
    while let Some(event) = events.next() {
        match event {
            Event::Start(Tag::TableHead) => header = parse_row(events),
            Event::Start(Tag::TableRow) => rows.push(parse_row(events)),
            Event::End(_) => break,
            _ => {}
        }
    }
    Block::Table { header, rows }
}

/// Reads the cells of a header or body row, consuming the row's end.
fn parse_row(events: &mut Events<'_>) -> Vec<String> {
    let mut cells = Vec::new();
    while let Some(event) = events.next() {
        match event {
            Event::Start(Tag::TableCell) => cells.push(inline_then_end(events)),
            Event::End(_) => break,
            _ => {}
        }
    }
    cells
}

#[cfg(test)]
mod tests;
