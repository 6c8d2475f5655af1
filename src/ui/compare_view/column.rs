//! One column of the compare view: its model, the reply as it streams
//! (rendered from Markdown by the conversation view's [`MarkdownView`]:
//! code blocks, lists, emphasis, links; redrawn at most once per frame,
//! reusing the widgets of the blocks that did not change), its figures
//! when done (time to first token, tokens per second, tokens, cost) and
//! "Continue with this one".
//!
//! The columns stand side by side on a wide window and become tabs on a
//! narrow one ([`Layout`]).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gettextrs::gettext;
use relm4::gtk::prelude::*;
use relm4::{adw, gtk};

use crate::i18n::gettext_f;
use crate::ui::markdown::MarkdownView;
use valechat_core::chat::ColumnSummary;
use valechat_core::format::{format_count, format_usd};

/// Narrowest width of a column side by side, pixels.
pub const COLUMN_WIDTH: i32 = 300;

/// The widgets of one drawing of a column.
#[derive(Debug)]
pub struct ColumnWidgets {
    pub root: gtk::Box,
    /// The reply, rendered from Markdown.
    body: MarkdownView,
    figures: gtk::Label,
    pub continue_button: gtk::Button,
}

impl ColumnWidgets {
    /// A column headed by `title` (the model); `on_continue` runs when its
    /// "Continue with this one" is clicked.
    pub fn new(title: &str, subtitle: &str, on_continue: impl Fn() + 'static) -> Self {
        let heading = gtk::Label::builder()
            .label(title)
            .xalign(0.0)
            .ellipsize(gtk::pango::EllipsizeMode::Middle)
            .css_classes(["heading"])
            .build();
        let provider = gtk::Label::builder()
            .label(subtitle)
            .xalign(0.0)
            .ellipsize(gtk::pango::EllipsizeMode::End)
            .css_classes(["caption", "dim-label"])
            .build();
        let body = MarkdownView::new();
        let text = body.widget();
        text.add_css_class("message-body");
        text.set_valign(gtk::Align::Start);
        text.set_margin_top(6);
        text.set_margin_bottom(6);
        text.set_margin_start(6);
        text.set_margin_end(6);
        let scroller = gtk::ScrolledWindow::builder()
            .child(text)
            .vexpand(true)
            .hscrollbar_policy(gtk::PolicyType::Never)
            .css_classes(["card"])
            .build();
        let figures = gtk::Label::builder()
            .label(gettext("Waiting for the first token…"))
            .xalign(0.0)
            .wrap(true)
            .css_classes(["caption", "dim-label", "numeric"])
            .build();
        let continue_button = gtk::Button::builder()
            .label(gettext("Continue with this one"))
            .tooltip_text(gettext(
                "Show this reply in the conversation; the others stay as its other versions",
            ))
            .sensitive(false)
            .css_classes(["pill"])
            .halign(gtk::Align::Center)
            .build();
        continue_button.connect_clicked(move |_| on_continue());
        let root = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(6)
            .hexpand(true)
            .build();
        root.append(&heading);
        root.append(&provider);
        root.append(&scroller);
        root.append(&figures);
        root.append(&continue_button);
        Self {
            root,
            body,
            figures,
            continue_button,
        }
    }

    /// Shows `text` (Markdown) as the reply so far; the blocks that did
    /// not change since the last call keep their widgets.
    pub fn set_text(&mut self, text: &str) {
        self.body.set_markdown(text);
    }

    /// Shows how the column ended; "Continue with this one" is offered
    /// when it stored a reply with text.
    pub fn set_done(&self, summary: &ColumnSummary, error: Option<&str>) {
        let figures = figures(summary);
        match error {
            Some(error) => self
                .figures
                .set_label(format!("{error}\n{figures}").trim_end()),
            None => self.figures.set_label(&figures),
        }
        let has_text = summary
            .reply
            .as_ref()
            .is_some_and(|m| !m.content.is_empty());
        self.continue_button.set_sensitive(has_text);
        if has_text {
            self.continue_button.add_css_class("suggested-action");
        }
    }

    /// Shows that the reply is streaming (its first token arrived).
    pub fn set_streaming(&self) {
        self.figures.set_label(&gettext("Answering…"));
    }
}

/// The figures of a finished column, in one line: "120 ms to first token ·
/// 35.2 tokens/s · 20 in, 4 out · $0.0003"; the parts that are unknown are
/// left out.
fn figures(summary: &ColumnSummary) -> String {
    let mut parts = Vec::new();
    if let Some(ms) = summary.first_token_ms {
        parts.push(gettext_f(
            "{ms} ms to first token",
            &[("ms", &format_count(ms))],
        ));
    }
    if let Some(rate) = summary.tokens_per_second() {
        parts.push(gettext_f(
            "{rate} tokens/s",
            &[("rate", &format!("{rate:.1}"))],
        ));
    }
    if let (Some(input), Some(output)) = (summary.input_tokens, summary.output_tokens) {
        parts.push(gettext_f(
            "{input} in, {output} out",
            &[
                ("input", &format_count(input)),
                ("output", &format_count(output)),
            ],
        ));
    }
    if let Some(cost) = summary.cost_usd {
        parts.push(format_usd(cost));
    }
    parts.join(" · ")
}

/// The two layouts of the columns: side by side when the window is wide
/// enough for all of them, else tabs with a switcher bar below. An
/// `adw::Squeezer` tells which fits (the side-by-side box asks for
/// [`COLUMN_WIDTH`] per column, whatever it holds); when that changes, the
/// columns move to the layout shown, so each exists once (and only the
/// shown one is in the accessibility tree).
#[derive(Debug, Clone)]
pub struct Layout {
    pub root: adw::Squeezer,
    wide: gtk::Box,
    tabs: adw::ViewStack,
    /// Each column's root and title, in order.
    columns: Rc<RefCell<Vec<(gtk::Box, String)>>>,
    /// Whether the columns are in `wide` (else in `tabs`).
    in_wide: Rc<Cell<bool>>,
}

impl Layout {
    /// An empty layout for `count` columns.
    pub fn new(count: usize) -> Self {
        let count = i32::try_from(count).unwrap_or(1);
        let wide = gtk::Box::builder()
            .orientation(gtk::Orientation::Horizontal)
            .spacing(12)
            .homogeneous(true)
            .margin_start(12)
            .margin_end(12)
            .margin_bottom(12)
            .width_request(count * COLUMN_WIDTH + (count - 1) * 12)
            .build();
        let tabs = adw::ViewStack::builder()
            .vexpand(true)
            .margin_start(12)
            .margin_end(12)
            .margin_bottom(6)
            .build();
        let bar = adw::ViewSwitcherBar::builder()
            .stack(&tabs)
            .reveal(true)
            .build();
        let narrow = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .build();
        narrow.append(&tabs);
        narrow.append(&bar);
        let root = adw::Squeezer::builder()
            .homogeneous(false)
            .transition_type(adw::SqueezerTransitionType::None)
            .vexpand(true)
            .build();
        root.add(&wide);
        root.add(&narrow);
        let layout = Self {
            root,
            wide,
            tabs,
            columns: Rc::default(),
            in_wide: Rc::new(Cell::new(true)),
        };
        let moved = layout.clone();
        layout.root.connect_visible_child_notify(move |squeezer| {
            let wide = squeezer.visible_child().as_ref() == Some(moved.wide.upcast_ref());
            moved.place(wide);
        });
        layout
    }

    /// Adds a column titled `title` (the tab's title).
    pub fn add(&self, column: &ColumnWidgets, title: &str) {
        let index = self.columns.borrow().len();
        self.columns
            .borrow_mut()
            .push((column.root.clone(), title.to_owned()));
        if self.in_wide.get() {
            self.wide.append(&column.root);
        } else {
            self.add_tab(index, &column.root, title);
        }
    }

    /// Moves the columns side by side (`wide`) or into the tabs.
    fn place(&self, wide: bool) {
        if self.in_wide.get() == wide {
            return;
        }
        self.in_wide.set(wide);
        let columns = self.columns.borrow();
        for (index, (root, title)) in columns.iter().enumerate() {
            if wide {
                self.tabs.remove(root);
                self.wide.append(root);
            } else {
                self.wide.remove(root);
                self.add_tab(index, root, title);
            }
        }
    }

    fn add_tab(&self, index: usize, root: &gtk::Box, title: &str) {
        let page = self
            .tabs
            .add_titled(root, Some(&format!("column-{index}")), title);
        page.set_icon_name(Some("chat-message-new-symbolic"));
    }
}
