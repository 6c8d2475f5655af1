//! Tests of the markdown → blocks parser, including a small markup validator
//! run over every prefix of a rich sample (what a streaming message shows).

use proptest::prelude::*;

use super::*;

mod validator;

use validator::validate;

fn para(markup: &str) -> Block {
    Block::Paragraph {
        markup: markup.to_owned(),
    }
}

fn item(blocks: Vec<Block>) -> ListItem {
    ListItem { blocks }
}

/// Every markup string and table cell in `blocks`, depth first.
fn all_markup(blocks: &[Block], out: &mut Vec<String>) {
    for block in blocks {
        match block {
            Block::Heading { markup, .. } | Block::Paragraph { markup } => out.push(markup.clone()),
            Block::List { items, .. } => items.iter().for_each(|i| all_markup(&i.blocks, out)),
            Block::Quote { blocks } => all_markup(blocks, out),
            Block::Table { header, rows } => {
                out.extend(header.iter().cloned());
                out.extend(rows.iter().flatten().cloned());
            }
            Block::Code { .. } | Block::Rule => {}
        }
    }
}

fn assert_valid(text: &str) {
    let mut markup = Vec::new();
    all_markup(&parse(text), &mut markup);
    for m in markup {
        if let Err(e) = validate(&m) {
            panic!("invalid markup for input {text:?}: {e}");
        }
    }
}

/// A message using every construct the renderer knows.
const RICH_SAMPLE: &str = "# Title with `code` & <tags>\n\n\
Some *emphasis*, **strong**, ***both***, ~~gone~~ and `Vec<u8>` with a \
[link](https://example.com/?a=1&b=\"2\" \"title\") and ![alt *text*](https://example.com/i.png).\n\
Soft break here  \nhard break there.\n\n\
## Lists\n\n\
3. third\n4. fourth with **bold\n   - nested *one*\n   - nested [two](http://x.org)\n\n\
- [ ] task\n- [x] done\n\n\
> A quote with `x < y` and\n> > a nested quote\n\n\
```rust\nfn main() {\n    println!(\"<&>\");\n}\n```\n\n\
| Name | Value |\n|------|------:|\n| *a* | `1` |\n| b & c | [l](http://l) |\n\n\
---\n\n\
<div>raw html</div>\n\n\
    indented code\n\n\
[![img in link](https://i.png)](https://outer) and \u{1} control\n";

#[test]
fn every_prefix_of_the_rich_sample_is_valid_markup() {
    for (end, _) in RICH_SAMPLE.char_indices() {
        assert_valid(&RICH_SAMPLE[..end]);
    }
    assert_valid(RICH_SAMPLE);
}

proptest! {
    #[test]
    fn any_markdownish_text_gives_valid_markup(text in "[a-z0-9 *_`~\\[\\]()!<>&\"'#|:/.\\-\\n\u{1}\u{0}]{0,120}") {
        assert_valid(&text);
    }
}

#[test]
fn headings_keep_their_level_and_inline_markup() {
    assert_eq!(
        parse("# One\n\n### Three *em*\n\n###### Six"),
        vec![
            Block::Heading {
                level: 1,
                markup: "One".into()
            },
            Block::Heading {
                level: 3,
                markup: "Three <i>em</i>".into()
            },
            Block::Heading {
                level: 6,
                markup: "Six".into()
            },
        ]
    );
}

#[test]
fn ordered_lists_keep_their_start_and_nest_other_lists() {
    assert_eq!(
        parse("3. one\n4. two\n   - nested *a*\n   - b\n"),
        vec![Block::List {
            ordered: true,
            start: 3,
            items: vec![
                item(vec![para("one")]),
                item(vec![
                    para("two"),
                    Block::List {
                        ordered: false,
                        start: 1,
                        items: vec![item(vec![para("nested <i>a</i>")]), item(vec![para("b")])],
                    },
                ]),
            ],
        }]
    );
}

#[test]
fn loose_list_items_hold_several_paragraphs() {
    assert_eq!(
        parse("- first\n\n  second\n- third\n"),
        vec![Block::List {
            ordered: false,
            start: 1,
            items: vec![
                item(vec![para("first"), para("second")]),
                item(vec![para("third")])
            ],
        }]
    );
}

#[test]
fn task_list_items_show_a_box() {
    assert_eq!(
        parse("- [ ] todo\n- [x] done\n"),
        vec![Block::List {
            ordered: false,
            start: 1,
            items: vec![item(vec![para("☐ todo")]), item(vec![para("☑ done")])],
        }]
    );
}

#[test]
fn emphasis_strong_and_strikethrough_nest() {
    assert_eq!(
        parse("*a* **b** ~~c~~ ***d*** **x *y***"),
        vec![para(
            "<i>a</i> <b>b</b> <s>c</s> <i><b>d</b></i> <b>x <i>y</i></b>"
        )]
    );
}

#[test]
fn links_escape_ampersands_and_quotes_in_the_url() {
    assert_eq!(
        parse("[x & y](https://e.com/?a=1&b=\"2\")"),
        vec![para(
            "<a href=\"https://e.com/?a=1&amp;b=&quot;2&quot;\">x &amp; y</a>"
        )]
    );
}

#[test]
fn inline_code_is_escaped_inside_a_monospace_span() {
    assert_eq!(
        parse("use `Vec<u8> && x` here"),
        vec![para(
            "use <span font_family=\"monospace\" bgcolor=\"#888888\" bgalpha=\"20%\">\
             Vec&lt;u8&gt; &amp;&amp; x</span> here"
        )]
    );
}

#[test]
fn text_and_inline_html_are_escaped() {
    assert_eq!(
        parse("a < b && c > d 'q' <b>no</b>"),
        vec![para(
            "a &lt; b &amp;&amp; c &gt; d &apos;q&apos; &lt;b&gt;no&lt;/b&gt;"
        )]
    );
    assert_eq!(
        parse("<div>\nhi\n</div>"),
        vec![para("&lt;div&gt;\nhi\n&lt;/div&gt;")]
    );
}

#[test]
fn control_characters_become_references() {
    assert_eq!(parse("a\u{1}b"), vec![para("a&#x1;b")]);
}

#[test]
fn soft_breaks_are_spaces_and_hard_breaks_newlines() {
    assert_eq!(parse("a\nb  \nc\\\nd"), vec![para("a b\nc\nd")]);
}

#[test]
fn images_become_a_link_on_their_alt_text() {
    assert_eq!(
        parse("![a *logo*](http://x/l.png) ![](http://x/e.png)"),
        vec![para(
            "<a href=\"http://x/l.png\">a logo</a> <a href=\"http://x/e.png\">http://x/e.png</a>"
        )]
    );
    // GtkLabel cannot nest links: an image inside a link is plain alt text.
    assert_eq!(
        parse("[![pic](i.png) more](http://o)"),
        vec![para("<a href=\"http://o\">pic more</a>")]
    );
}

#[test]
fn tables_have_a_header_and_rows_of_markup() {
    assert_eq!(
        parse("| A | *B* |\n|---|:-:|\n| 1 | `<x>` |\n| a & b | |\n"),
        vec![Block::Table {
            header: vec!["A".into(), "<i>B</i>".into()],
            rows: vec![
                vec![
                    "1".into(),
                    "<span font_family=\"monospace\" bgcolor=\"#888888\" bgalpha=\"20%\">&lt;x&gt;</span>"
                        .into()
                ],
                vec!["a &amp; b".into(), String::new()],
            ],
        }]
    );
}

#[test]
fn code_fences_keep_raw_text_and_the_language() {
    assert_eq!(
        parse(
            "```rust title=x\nfn a() -> &'static str { \"<\" }\n```\n\n```\nplain\n```\n\n    indented\n"
        ),
        vec![
            Block::Code {
                language: Some("rust".into()),
                text: "fn a() -> &'static str { \"<\" }".into()
            },
            Block::Code {
                language: None,
                text: "plain".into()
            },
            Block::Code {
                language: None,
                text: "indented".into()
            },
        ]
    );
}

#[test]
fn an_unclosed_fence_while_streaming_is_a_code_block_to_the_end() {
    assert_eq!(
        parse("Intro\n\n```py\nprint(1)\n**not bold"),
        vec![
            para("Intro"),
            Block::Code {
                language: Some("py".into()),
                text: "print(1)\n**not bold".into()
            },
        ]
    );
    assert_eq!(
        parse("Intro\n\n```"),
        vec![
            para("Intro"),
            Block::Code {
                language: None,
                text: String::new()
            }
        ]
    );
}

#[test]
fn half_written_emphasis_stays_literal() {
    assert_eq!(parse("some **bol"), vec![para("some **bol")]);
    assert_eq!(parse("a [link](http://x"), vec![para("a [link](http://x")]);
}

#[test]
fn quotes_and_rules() {
    assert_eq!(
        parse("> quoted *x*\n>\n> - item\n\n---\n"),
        vec![
            Block::Quote {
                blocks: vec![
                    para("quoted <i>x</i>"),
                    Block::List {
                        ordered: false,
                        start: 1,
                        items: vec![item(vec![para("item")])]
                    },
                ]
            },
            Block::Rule,
        ]
    );
}

#[test]
fn empty_text_has_no_blocks() {
    assert_eq!(parse(""), Vec::<Block>::new());
    assert_eq!(parse("  \n\n"), Vec::<Block>::new());
}
