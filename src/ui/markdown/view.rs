//! [`MarkdownView`]: draws parsed markdown [`Block`]s with GTK widgets and
//! updates them incrementally.
//!
//! A reply streams in and `set_markdown` runs once per frame, so each update
//! compares the new blocks with the ones on screen: equal blocks keep their
//! widgets untouched, a changed block of the same kind is updated in place
//! (`set_markup`, code appended to its buffer, list items and table cells
//! reconciled one by one), and only a block whose kind changed is rebuilt.

use relm4::gtk::{self, gdk, glib, pango, prelude::*};

use super::blocks::{Block, ListItem, parse};
use super::code_block::CodeBlock;

/// Vertical space between blocks, in pixels.
const BLOCK_SPACING: i32 = 12;

/// A message body rendered from markdown.
#[derive(Debug)]
pub struct MarkdownView {
    stack: BlockStack,
    /// The markdown last rendered, to skip identical updates.
    text: String,
}

impl Default for MarkdownView {
    fn default() -> Self {
        Self::new()
    }
}

impl MarkdownView {
    /// An empty view.
    pub fn new() -> Self {
        let stack = BlockStack::new(BLOCK_SPACING);
        stack.container.add_css_class("md-view");
        Self {
            stack,
            text: String::new(),
        }
    }

    /// The vertical box holding one widget per top-level block.
    pub fn widget(&self) -> &gtk::Box {
        &self.stack.container
    }

    /// Renders `text` (CommonMark + GitHub tables, strikethrough, task lists),
    /// reusing the widgets of blocks that did not change since the last call.
    pub fn set_markdown(&mut self, text: &str) {
        if text == self.text {
            return;
        }
        self.stack.update(&parse(text));
        text.clone_into(&mut self.text);
    }
}

/// A vertical box of blocks and the blocks it currently shows.
#[derive(Debug)]
struct BlockStack {
    container: gtk::Box,
    children: Vec<(Block, BlockWidget)>,
}

impl BlockStack {
    fn new(spacing: i32) -> Self {
        Self {
            container: gtk::Box::new(gtk::Orientation::Vertical, spacing),
            children: Vec::new(),
        }
    }

    /// Makes the box show `blocks`, touching only the widgets that changed.
    fn update(&mut self, blocks: &[Block]) {
        for (index, block) in blocks.iter().enumerate() {
            match self.children.get_mut(index) {
                Some((shown, _)) if shown == block => {}
                Some((shown, widget)) => {
                    if !widget.update(block) {
                        let new = BlockWidget::new(block);
                        let old = widget.root();
                        self.container.insert_child_after(&new.root(), Some(&old));
                        self.container.remove(&old);
                        *widget = new;
                    }
                    *shown = block.clone();
                }
                None => {
                    let widget = BlockWidget::new(block);
                    self.container.append(&widget.root());
                    self.children.push((block.clone(), widget));
                }
            }
        }
        if self.children.len() > blocks.len() {
            for (_, widget) in self.children.drain(blocks.len()..) {
                self.container.remove(&widget.root());
            }
        }
    }
}

/// The widget drawing one block.
#[derive(Debug)]
enum BlockWidget {
    /// A heading or a paragraph.
    Text(gtk::Label),
    List(ListWidget),
    Quote(BlockStack),
    Code(CodeBlock),
    Rule(gtk::Separator),
    Table(TableWidget),
}

impl BlockWidget {
    fn new(block: &Block) -> Self {
        match block {
            Block::Heading { level, markup } => {
                let label = markup_label(markup);
                set_heading_level(&label, Some(*level));
                Self::Text(label)
            }
            Block::Paragraph { markup } => Self::Text(markup_label(markup)),
            Block::List { .. } => {
                let mut list = ListWidget::new();
                list.update(block);
                Self::List(list)
            }
            Block::Quote { blocks } => {
                let mut stack = BlockStack::new(BLOCK_SPACING / 2);
                // The bar on its start side and the indent are the style
                // sheet's (`.md-quote`).
                stack.container.add_css_class("md-quote");
                stack.container.add_css_class("dim-label");
                stack.update(blocks);
                Self::Quote(stack)
            }
            Block::Code { language, text } => Self::Code(CodeBlock::new(language.as_deref(), text)),
            Block::Rule => Self::Rule(gtk::Separator::new(gtk::Orientation::Horizontal)),
            Block::Table { .. } => {
                let mut table = TableWidget::new();
                table.update(block);
                Self::Table(table)
            }
        }
    }

    fn root(&self) -> gtk::Widget {
        match self {
            Self::Text(label) => label.clone().upcast(),
            Self::List(list) => list.container.clone().upcast(),
            Self::Quote(stack) => stack.container.clone().upcast(),
            Self::Code(code) => code.widget().clone().upcast(),
            Self::Rule(separator) => separator.clone().upcast(),
            Self::Table(table) => table.grid.clone().upcast(),
        }
    }

    /// Shows `block` in this widget if it is of a matching kind; returns
    /// false (and changes nothing) when the widget must be rebuilt.
    fn update(&mut self, block: &Block) -> bool {
        match (self, block) {
            (Self::Text(label), Block::Heading { level, markup }) => {
                set_heading_level(label, Some(*level));
                label.set_markup(markup);
            }
            (Self::Text(label), Block::Paragraph { markup }) => {
                set_heading_level(label, None);
                label.set_markup(markup);
            }
            (Self::List(list), Block::List { .. }) => list.update(block),
            (Self::Quote(stack), Block::Quote { blocks }) => stack.update(blocks),
            (Self::Code(code), Block::Code { language, text }) => {
                code.set_language(language.as_deref());
                code.set_text(text);
            }
            (Self::Rule(_), Block::Rule) => {}
            (Self::Table(table), Block::Table { .. }) => table.update(block),
            _ => return false,
        }
        true
    }
}

/// CSS classes for heading levels 1 to 6 (libadwaita's typography).
const HEADING_CLASSES: [&str; 6] = [
    "title-1", "title-2", "title-3", "title-4", "heading", "heading",
];

fn set_heading_level(label: &gtk::Label, level: Option<u8>) {
    let wanted = level.map(|level| HEADING_CLASSES[usize::from(level.clamp(1, 6)) - 1]);
    for class in HEADING_CLASSES {
        if Some(class) != wanted {
            label.remove_css_class(class);
        }
    }
    if let Some(class) = wanted {
        label.add_css_class(class);
    }
}

/// A wrapping, selectable label showing Pango `markup`, whose links open in
/// the default browser.
fn markup_label(markup: &str) -> gtk::Label {
    let label = gtk::Label::builder()
        .wrap(true)
        .wrap_mode(pango::WrapMode::WordChar)
        .selectable(true)
        .xalign(0.0)
        .use_markup(true)
        .build();
    label.set_markup(markup);
    label.connect_activate_link(open_link);
    label
}

/// Opens web and mail links; anything else (`file:`, app schemes, relative
/// paths) from a model's reply is ignored.
fn open_link(label: &gtk::Label, uri: &str) -> glib::Propagation {
    if is_openable(uri) {
        let window = label.root().and_downcast::<gtk::Window>();
        // gtk::UriLauncher needs GTK 4.10; we target 4.8 (DESIGN.md).
        #[allow(deprecated)]
        gtk::show_uri(window.as_ref(), uri, gdk::CURRENT_TIME);
    } else {
        tracing::debug!(uri, "not opening a link with an unsupported scheme");
    }
    glib::Propagation::Stop
}

/// Whether `uri` is an absolute http, https or mailto URL.
fn is_openable(uri: &str) -> bool {
    url::Url::parse(uri).is_ok_and(|url| matches!(url.scheme(), "http" | "https" | "mailto"))
}

/// A list: one row per item, a bullet or number beside the item's blocks.
#[derive(Debug)]
struct ListWidget {
    container: gtk::Box,
    rows: Vec<(gtk::Label, BlockStack)>,
}

impl ListWidget {
    fn new() -> Self {
        let container = gtk::Box::new(gtk::Orientation::Vertical, 4);
        container.add_css_class("md-list");
        container.set_margin_start(6);
        Self {
            container,
            rows: Vec::new(),
        }
    }

    /// Shows the items of `block` (a `Block::List`; other blocks are ignored).
    fn update(&mut self, block: &Block) {
        let Block::List {
            ordered,
            start,
            items,
        } = block
        else {
            return;
        };
        let last_number = start.saturating_add(items.len() as u64);
        let width = last_number.to_string().len() as i32 + 1;
        for (index, ListItem { blocks }) in items.iter().enumerate() {
            let bullet = if *ordered {
                format!("{}.", start.saturating_add(index as u64))
            } else {
                "•".to_owned()
            };
            if index == self.rows.len() {
                self.rows.push(self.new_row());
            }
            let (label, content) = &mut self.rows[index];
            if label.text() != bullet {
                label.set_text(&bullet);
            }
            label.set_width_chars(if *ordered { width } else { 1 });
            content.update(blocks);
        }
        for (_, content) in self.rows.drain(items.len().min(self.rows.len())..) {
            if let Some(row) = content.container.parent() {
                self.container.remove(&row);
            }
        }
    }

    fn new_row(&self) -> (gtk::Label, BlockStack) {
        let bullet = gtk::Label::builder()
            .xalign(1.0)
            .yalign(0.0)
            .valign(gtk::Align::Start)
            .build();
        let content = BlockStack::new(BLOCK_SPACING / 2);
        content.container.set_hexpand(true);
        let row = gtk::Box::new(gtk::Orientation::Horizontal, 6);
        row.append(&bullet);
        row.append(&content.container);
        self.container.append(&row);
        (bullet, content)
    }
}

/// A table: a grid of wrapping labels, the header row in bold, drawn with
/// a frame and lines between the cells (`.md-table`, `.md-cell` and the
/// `.md-after-column` / `.md-after-row` / `.md-header` classes of the
/// style sheet; the grid has no spacing so the lines meet).
#[derive(Debug)]
struct TableWidget {
    grid: gtk::Grid,
    /// Row 0 is the header; each cell keeps the markup it shows.
    cells: Vec<Vec<(gtk::Label, String)>>,
}

impl TableWidget {
    fn new() -> Self {
        let grid = gtk::Grid::builder()
            .css_classes(["md-table"])
            .halign(gtk::Align::Start)
            // Clips the header's shading to the frame's rounded corners.
            .overflow(gtk::Overflow::Hidden)
            .build();
        Self {
            grid,
            cells: Vec::new(),
        }
    }

    /// Shows the cells of `block` (a `Block::Table`; other blocks are ignored).
    fn update(&mut self, block: &Block) {
        let Block::Table { header, rows } = block else {
            return;
        };
        let header: Vec<String> = header.iter().map(|cell| format!("<b>{cell}</b>")).collect();
        let wanted: Vec<&[String]> = std::iter::once(header.as_slice())
            .chain(rows.iter().map(Vec::as_slice))
            .collect();
        for (row, cells) in wanted.iter().enumerate() {
            if row == self.cells.len() {
                self.cells.push(Vec::new());
            }
            let shown = &mut self.cells[row];
            for (column, markup) in cells.iter().enumerate() {
                match shown.get_mut(column) {
                    Some((label, current)) if current != markup => {
                        label.set_markup(markup);
                        markup.clone_into(current);
                    }
                    Some(_) => {}
                    None => {
                        let label = markup_label(markup);
                        style_cell(&label, row, column);
                        self.grid.attach(&label, column as i32, row as i32, 1, 1);
                        shown.push((label, markup.clone()));
                    }
                }
            }
            for (label, _) in shown.drain(cells.len()..) {
                self.grid.remove(&label);
            }
        }
        for row in self.cells.drain(wanted.len().min(self.cells.len())..) {
            for (label, _) in row {
                self.grid.remove(&label);
            }
        }
    }
}

/// Gives a table cell the classes that draw its lines: a line before every
/// column but the first and above every row but the header.
fn style_cell(label: &gtk::Label, row: usize, column: usize) {
    label.add_css_class("md-cell");
    if row == 0 {
        label.add_css_class("md-header");
    } else {
        label.add_css_class("md-after-row");
    }
    if column > 0 {
        label.add_css_class("md-after-column");
    }
}

#[cfg(test)]
mod tests {
    use super::is_openable;

    #[test]
    fn only_web_and_mail_links_open() {
        assert!(is_openable("https://example.com/?a=1&b=2"));
        assert!(is_openable("http://example.com"));
        assert!(is_openable("mailto:someone@example.com"));
        assert!(!is_openable("file:///etc/passwd"));
        assert!(!is_openable("relative/page.html"));
        assert!(!is_openable("javascript:alert(1)"));
    }
}
