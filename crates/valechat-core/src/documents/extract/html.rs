//! HTML → its main text.
//!
//! `scraper` (html5ever, the HTML5 parsing algorithm browsers follow, so
//! broken markup parses as a browser would) and a walk of our own rather
//! than a readability port or `html2text`: the readability crates on
//! crates.io are unmaintained or pull in an HTTP client, and `html2text`
//! renders the whole page (menus, footers, link lists) as a terminal
//! would. The walk takes `<main>`, else the first `<article>`, else
//! `<body>`, and leaves out what is not the page's text: `script`,
//! `style`, `nav`, `header`, `footer`, `aside`, `form`, `noscript`,
//! `template`, `svg`. Block elements (paragraphs, headings, list items,
//! table rows…) end a line; headings are kept as Markdown `#` lines so
//! the text keeps its outline.

use scraper::{ElementRef, Html, Node, Selector};

/// Elements whose content is not the page's text.
const LEFT_OUT: &[&str] = &[
    "script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template", "svg",
    "button", "iframe",
];

/// Elements that end a line.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "li",
    "tr",
    "br",
    "pre",
    "blockquote",
    "dt",
    "dd",
    "figcaption",
    "table",
    "ul",
    "ol",
    "dl",
    "hr",
];

/// The main text of the HTML document `html`, lines separated by `\n`
/// with no blank runs longer than one line.
#[must_use]
pub fn main_text(html: &str) -> String {
    let document = Html::parse_document(html);
    let root = ["main", "article", "body"]
        .iter()
        .filter_map(|name| Selector::parse(name).ok())
        .find_map(|selector| document.select(&selector).next());
    let mut out = String::new();
    match root {
        Some(root) => walk(root, &mut out),
        None => walk(document.root_element(), &mut out),
    }
    tidy(&out)
}

/// Appends the text under `element` to `out`.
fn walk(element: ElementRef<'_>, out: &mut String) {
    for child in element.children() {
        match child.value() {
            Node::Text(text) => {
                let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
                if !collapsed.is_empty() {
                    if text.starts_with(char::is_whitespace) && !out.ends_with([' ', '\n']) {
                        out.push(' ');
                    }
                    out.push_str(&collapsed);
                    if text.ends_with(char::is_whitespace) {
                        out.push(' ');
                    }
                }
            }
            Node::Element(e) => {
                let name = e.name();
                if LEFT_OUT.contains(&name) {
                    continue;
                }
                let Some(child) = ElementRef::wrap(child) else {
                    continue;
                };
                if let Some(level) = heading_level(name) {
                    out.push_str("\n\n");
                    out.push_str(&"#".repeat(level));
                    out.push(' ');
                    walk(child, out);
                    out.push_str("\n\n");
                } else if BLOCKS.contains(&name) {
                    end_line(out);
                    walk(child, out);
                    end_line(out);
                } else {
                    walk(child, out);
                }
            }
            _ => {}
        }
    }
}

/// Ends `out`'s current line, if it has one.
fn end_line(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// 1–6 for `h1`–`h6`.
fn heading_level(name: &str) -> Option<usize> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

/// Lines trimmed, runs of blank lines made one.
fn tidy(text: &str) -> String {
    let mut out = String::new();
    let mut blank = true;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            if !blank {
                out.push('\n');
            }
            blank = true;
        } else {
            out.push_str(line);
            out.push('\n');
            blank = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_main_text_and_leaves_out_the_menus() {
        let html = "<html><head><title>T</title><style>p{}</style></head><body>\
            <nav><a href='/'>Home</a> <a href='/x'>Menu item</a></nav>\
            <main><h1>Kettles</h1><p>A kettle <b>boils</b> water.</p>\
            <script>var x = 1;</script><ul><li>one</li><li>two</li></ul></main>\
            <footer>Copyright</footer></body></html>";
        let text = main_text(html);
        assert_eq!(text, "# Kettles\n\nA kettle boils water.\none\ntwo\n");
    }
}
