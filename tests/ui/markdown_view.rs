//! GTK tests of the markdown view: widget reuse while a reply streams, code
//! blocks, and that GTK and Pango accept every markup we produce.
//!
//! GTK may only be used from one thread, so all checks live in ONE test.
//! Needs a display: run under `xvfb-run -a cargo test --test ui`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use relm4::adw;
use relm4::gtk::{self, glib, pango, prelude::*};
use sourceview5::prelude::*;
use valechat::ui::markdown::{Block, MarkdownView, parse};

/// A reply using every construct the renderer knows.
const SAMPLE: &str = "# Title with `code` & <tags>\n\n\
Some *emphasis*, **strong**, ~~gone~~ and `Vec<u8>` with a \
[link](https://example.com/?a=1&b=\"2\") and ![alt *text*](https://example.com/i.png).\n\
Soft break here  \nhard break there.\n\n\
3. third\n4. fourth with **bold\n   - nested *one*\n   - nested [two](http://x.org)\n\n\
- [ ] task\n- [x] done\n\n\
> A quote with `x < y` and\n> > a nested quote\n\n\
```rust\nfn main() {\n    println!(\"<&>\");\n}\n```\n\n\
| Name | Value |\n|------|------:|\n| *a* | `1` |\n| b & c | [l](http://l) |\n\n\
---\n\n\
<div>raw html</div>\n\n\
[![img in link](https://i.png)](https://outer) and \u{1} control\n";

fn children(widget: &impl IsA<gtk::Widget>) -> Vec<gtk::Widget> {
    let mut out = Vec::new();
    let mut child = widget.as_ref().first_child();
    while let Some(current) = child {
        child = current.next_sibling();
        out.push(current);
    }
    out
}

fn find_source_view(widget: &gtk::Widget) -> Option<sourceview5::View> {
    if let Some(view) = widget.downcast_ref::<sourceview5::View>() {
        return Some(view.clone());
    }
    children(widget).iter().find_map(find_source_view)
}

fn code_buffer(widget: &gtk::Widget) -> sourceview5::Buffer {
    let view = find_source_view(widget).expect("a code block holds a source view");
    view.buffer()
        .downcast::<sourceview5::Buffer>()
        .expect("a sourceview5 buffer")
}

fn buffer_text(buffer: &sourceview5::Buffer) -> String {
    let (start, end) = buffer.bounds();
    buffer.text(&start, &end, false).to_string()
}

/// The widget tree as text: types, style classes, label markup, code.
fn describe(widget: &gtk::Widget, depth: usize, out: &mut String) {
    let classes = widget.css_classes().join(".");
    out.push_str(&format!(
        "{}{} .{classes}",
        "  ".repeat(depth),
        widget.type_().name()
    ));
    if let Some(label) = widget.downcast_ref::<gtk::Label>() {
        out.push_str(&format!(" {:?}", label.label()));
    }
    if let Some(view) = widget.downcast_ref::<sourceview5::View>() {
        let buffer = code_buffer(view.upcast_ref());
        let language = buffer.language().map(|l| l.id().to_string());
        out.push_str(&format!(" {language:?} {:?}", buffer_text(&buffer)));
    }
    out.push('\n');
    for child in children(widget) {
        describe(&child, depth + 1, out);
    }
}

fn tree(view: &MarkdownView) -> String {
    let mut out = String::new();
    describe(view.widget().upcast_ref(), 0, &mut out);
    out
}

fn all_markup(blocks: &[Block], out: &mut Vec<String>) {
    for block in blocks {
        match block {
            Block::Heading { markup, .. } | Block::Paragraph { markup } => out.push(markup.clone()),
            Block::List { items, .. } => items.iter().for_each(|i| all_markup(&i.blocks, out)),
            Block::Quote { blocks } => all_markup(blocks, out),
            Block::Table { header, rows } => {
                out.extend(header.iter().map(|cell| format!("<b>{cell}</b>")));
                out.extend(rows.iter().flatten().cloned());
            }
            Block::Code { .. } | Block::Rule => {}
        }
    }
}

/// GtkLabel takes `<a href>` out before handing the rest to Pango; do the same.
fn without_links(markup: &str) -> String {
    let mut out = String::new();
    let mut rest = markup;
    while let Some(start) = rest.find("<a href=\"") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 9..];
        let end = after.find("\">").expect("a closed href attribute");
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out.replace("</a>", "")
}

fn check_pango_accepts_every_prefix() {
    let ends = SAMPLE.char_indices().map(|(i, _)| i).chain([SAMPLE.len()]);
    let mut checked = 0;
    for end in ends {
        let mut markup = Vec::new();
        all_markup(&parse(&SAMPLE[..end]), &mut markup);
        for m in markup {
            let plain = without_links(&m);
            if let Err(e) = pango::parse_markup(&plain, '\0') {
                panic!("Pango rejects {plain:?} (prefix {end}): {e}");
            }
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} markup strings checked");
}

fn check_streaming_keeps_finished_blocks() {
    let mut view = MarkdownView::new();
    view.set_markdown("First paragraph with *style*.\n\nSecond gro");
    let before = children(view.widget());
    assert_eq!(before.len(), 2);
    let first = before[0].clone();
    let second = before[1].clone();

    view.set_markdown("First paragraph with *style*.\n\nSecond grows **more**");
    let after = children(view.widget());
    assert_eq!(after.len(), 2);
    assert!(
        after[0] == first,
        "the unchanged first paragraph keeps its label"
    );
    assert!(
        after[1] == second,
        "a paragraph that grows is updated in place"
    );
    let label = after[1].downcast_ref::<gtk::Label>().expect("a label");
    assert_eq!(label.label(), "Second grows <b>more</b>");
    assert!(label.is_selectable() && label.wraps() && label.uses_markup());

    // The paragraph turns into a heading: same label, heading style.
    view.set_markdown("First paragraph with *style*.\n\n## Second");
    let after = children(view.widget());
    assert!(after[0] == first);
    assert!(after[1].has_css_class("title-2"));

    // A code block replaces the heading, then streams in place.
    view.set_markdown("First paragraph with *style*.\n\n```rs\nfn main() {}\n");
    let after = children(view.widget());
    assert!(after[0] == first);
    assert!(after[1].has_css_class("md-code"));
    let code = after[1].clone();
    let buffer = code_buffer(&code);
    assert_eq!(buffer_text(&buffer), "fn main() {}");
    let language = buffer.language().expect("rs is highlighted as Rust");
    assert_eq!(language.id(), "rust");
    assert!(buffer.style_scheme().is_some(), "a style scheme is set");

    view.set_markdown(
        "First paragraph with *style*.\n\n```rs\nfn main() {}\nfn b() {}\n```\n\nEnd.",
    );
    let after = children(view.widget());
    assert_eq!(after.len(), 3);
    assert!(after[0] == first && after[1] == code);
    assert_eq!(buffer_text(&code_buffer(&code)), "fn main() {}\nfn b() {}");

    // Fewer blocks: the extra widgets go away.
    view.set_markdown("First paragraph with *style*.");
    assert_eq!(children(view.widget()), vec![first]);
}

fn check_block_widgets() {
    let mut view = MarkdownView::new();
    view.set_markdown("# Big\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n---\n\n```\nplain\n```");
    let blocks = children(view.widget());
    assert_eq!(blocks.len(), 4);
    assert!(blocks[0].has_css_class("title-1"));
    assert!(blocks[1].has_css_class("md-table"));
    let grid = blocks[1].downcast_ref::<gtk::Grid>().expect("a grid");
    let header = grid
        .child_at(1, 0)
        .and_downcast::<gtk::Label>()
        .expect("a header cell");
    assert_eq!(header.label(), "<b>B</b>");
    let cell = grid
        .child_at(0, 1)
        .and_downcast::<gtk::Label>()
        .expect("a body cell");
    assert_eq!(cell.label(), "1");
    assert!(blocks[2].is::<gtk::Separator>());
    let buffer = code_buffer(&blocks[3]);
    assert_eq!(buffer_text(&buffer), "plain");
    assert!(buffer.language().is_none());

    // A growing table keeps its grid and adds a row.
    let grid_widget = blocks[1].clone();
    view.set_markdown(
        "# Big\n\n| A | B |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\n---\n\n```\nplain\n```",
    );
    let blocks = children(view.widget());
    assert!(blocks[1] == grid_widget);
    let grid = blocks[1].downcast_ref::<gtk::Grid>().expect("a grid");
    let cell = grid
        .child_at(1, 2)
        .and_downcast::<gtk::Label>()
        .expect("a new cell");
    assert_eq!(cell.label(), "4");
}

fn check_streaming_matches_a_fresh_render(warnings: &AtomicUsize) {
    let mut streamed = MarkdownView::new();
    for (end, _) in SAMPLE.char_indices() {
        streamed.set_markdown(&SAMPLE[..end]);
    }
    streamed.set_markdown(SAMPLE);
    let mut fresh = MarkdownView::new();
    fresh.set_markdown(SAMPLE);
    assert_eq!(tree(&streamed), tree(&fresh));
    assert_eq!(
        warnings.load(Ordering::SeqCst),
        0,
        "GTK logged warnings (invalid markup?) while streaming"
    );
    let shown = tree(&fresh);
    for needle in [
        "title-1",
        "md-list",
        "md-quote",
        "md-code",
        "md-table",
        "GtkSeparator",
    ] {
        assert!(shown.contains(needle), "{needle} missing from\n{shown}");
    }
}

#[test]
fn markdown_view_under_gtk() {
    gtk::init().expect("GTK needs a display: run under xvfb-run");
    adw::init().expect("libadwaita initialises");
    let warnings = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&warnings);
    glib::log_set_writer_func(move |level, fields| {
        if matches!(
            level,
            glib::LogLevel::Warning | glib::LogLevel::Critical | glib::LogLevel::Error
        ) {
            counter.fetch_add(1, Ordering::SeqCst);
        }
        glib::log_writer_default(level, fields)
    });

    check_pango_accepts_every_prefix();
    check_streaming_keeps_finished_blocks();
    check_block_widgets();
    check_streaming_matches_a_fresh_render(&warnings);

    // The warning counter does see GTK rejecting markup.
    gtk::Label::new(None).set_markup("<b>unclosed");
    assert!(
        warnings.load(Ordering::SeqCst) > 0,
        "the log writer counts warnings"
    );
}
