//! The messages the sidebar's search found, under the conversations it
//! filtered: a heading, then for each conversation (best match first) its
//! title and its matching messages, each with its snippet (the match in
//! bold) and its date; "Show More Results" reads the next page.
//! Activating a message asks the sidebar to open it
//! ([`super::SidebarInput::OpenFound`]).
//!
//! ```text
//! gtk::Box .search-results (hidden while the search is empty)
//! ├─ gtk::Label  "Messages" / "No Messages Found"
//! └─ gtk::ListBox .navigation-sidebar
//!    ├─ row (not activatable)  conversation title .search-group
//!    ├─ row  snippet (Pango markup) + date and model (.caption .dim-label)
//!    └─ row  "Show More Results"
//! ```

use gettextrs::gettext;
use relm4::gtk;
use relm4::gtk::glib;
use relm4::gtk::prelude::*;

use super::SidebarInput;
use valechat_core::store::{
    MessageMatch, SNIPPET_MATCH_END, SNIPPET_MATCH_START, SearchFilter, SearchPage, SearchResults,
};

/// Messages read per page of results.
pub(super) const PAGE: u32 = 50;

/// What a row of the list stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Entry {
    /// A conversation's title (not activatable).
    Group,
    /// A message found: `(conversation id, message id)`.
    Found(i64, i64),
    /// "Show More Results".
    More,
}

/// The results list and what its rows stand for.
#[derive(Debug)]
pub(super) struct ResultsList {
    root: gtk::Box,
    heading: gtk::Label,
    list: gtk::ListBox,
    entries: Vec<Entry>,
    /// The query and filter the rows are for.
    query: String,
    filter: SearchFilter,
    /// Messages shown so far.
    shown: u32,
    /// Where the next page starts (`None` after the last page).
    next: Option<SearchPage>,
    /// The conversation of the last group shown (a page may go on with it).
    last_group: Option<i64>,
}

impl ResultsList {
    /// An empty, hidden list whose activations go to `input`.
    pub(super) fn new(input: relm4::Sender<SidebarInput>) -> Self {
        let root = gtk::Box::new(gtk::Orientation::Vertical, 0);
        root.add_css_class("search-results");
        root.set_visible(false);
        let heading = gtk::Label::new(None);
        heading.add_css_class("heading");
        heading.set_xalign(0.0);
        heading.set_margin_start(12);
        heading.set_margin_top(12);
        heading.set_margin_bottom(3);
        let list = gtk::ListBox::new();
        list.add_css_class("navigation-sidebar");
        list.set_selection_mode(gtk::SelectionMode::None);
        list.connect_row_activated(move |_, row| {
            input.emit(SidebarInput::ActivateFound(row.index()));
        });
        root.append(&heading);
        root.append(&list);
        Self {
            root,
            heading,
            list,
            entries: Vec::new(),
            query: String::new(),
            filter: SearchFilter::default(),
            shown: 0,
            next: Some(SearchPage::FIRST),
            last_group: None,
        }
    }

    /// The widget to put under the conversations.
    pub(super) fn widget(&self) -> &gtk::Box {
        &self.root
    }

    /// Forgets the rows: a new search (`query`, `filter`) is starting;
    /// hidden while `query` is blank.
    pub(super) fn reset(&mut self, query: &str, filter: &SearchFilter) {
        while let Some(row) = self.list.row_at_index(0) {
            self.list.remove(&row);
        }
        self.entries.clear();
        query.clone_into(&mut self.query);
        self.filter = filter.clone();
        self.shown = 0;
        self.next = Some(SearchPage::FIRST);
        self.last_group = None;
        self.root.set_visible(false);
    }

    /// The query, filter and start of the next page (after the last page,
    /// the first, which [`Self::append`] then ignores).
    pub(super) fn next_page(&self) -> (String, SearchFilter, SearchPage) {
        (
            self.query.clone(),
            self.filter.clone(),
            self.next.unwrap_or(SearchPage::FIRST),
        )
    }

    /// What row `index` stands for.
    pub(super) fn entry(&self, index: i32) -> Option<Entry> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.entries.get(i))
            .copied()
    }

    /// The typed words of the search shown (to mark in the message).
    pub(super) fn words(&self) -> Vec<String> {
        self.query.split_whitespace().map(str::to_owned).collect()
    }

    /// Adds a page of results for `query` and `filter` read from `page`;
    /// ignored if the search changed (or the page was added) since it was
    /// asked.
    pub(super) fn append(
        &mut self,
        query: &str,
        filter: &SearchFilter,
        page: SearchPage,
        results: &SearchResults,
    ) {
        if query != self.query || *filter != self.filter || Some(page) != self.next {
            return;
        }
        if self.entries.last() == Some(&Entry::More)
            && let Some(row) = self.list.last_child()
        {
            self.list.remove(&row);
            self.entries.pop();
        }
        for group in &results.conversations {
            if self.last_group != Some(group.conversation_id) {
                self.push(group_row(&group.title), Entry::Group);
                self.last_group = Some(group.conversation_id);
            }
            for m in &group.messages {
                self.push(
                    message_row(m),
                    Entry::Found(group.conversation_id, m.message_id),
                );
            }
        }
        self.shown = self
            .shown
            .saturating_add(u32::try_from(results.count).unwrap_or(u32::MAX));
        self.next = results.next;
        if results.next.is_some() {
            let label = gtk::Label::new(Some(&gettext("Show More Results")));
            label.set_margin_top(6);
            label.set_margin_bottom(6);
            let row = gtk::ListBoxRow::new();
            row.set_child(Some(&label));
            self.push(row, Entry::More);
        }
        self.heading.set_label(&if self.shown == 0 {
            gettext("No Messages Found")
        } else {
            gettext("Messages")
        });
        self.root.set_visible(true);
    }

    fn push(&mut self, row: gtk::ListBoxRow, entry: Entry) {
        self.list.append(&row);
        self.entries.push(entry);
    }
}

/// A conversation's title over its messages.
fn group_row(title: &str) -> gtk::ListBoxRow {
    let label = gtk::Label::new(Some(title));
    label.set_xalign(0.0);
    label.set_ellipsize(gtk::pango::EllipsizeMode::End);
    label.add_css_class("search-group");
    let row = gtk::ListBoxRow::new();
    row.set_activatable(false);
    row.set_selectable(false);
    row.set_child(Some(&label));
    row
}

/// A message found: its snippet, then its date and model.
fn message_row(m: &MessageMatch) -> gtk::ListBoxRow {
    let snippet = gtk::Label::new(None);
    snippet.set_markup(&snippet_markup(&m.snippet));
    snippet.set_xalign(0.0);
    snippet.set_wrap(true);
    snippet.set_wrap_mode(gtk::pango::WrapMode::WordChar);
    snippet.set_lines(3);
    snippet.set_ellipsize(gtk::pango::EllipsizeMode::End);
    let when = glib::DateTime::from_unix_local(m.created_at.div_euclid(1000))
        .ok()
        .and_then(|t| t.format("%x %R").ok())
        .map(String::from)
        .unwrap_or_default();
    let detail = match &m.model {
        Some(model) => format!("{when} · {model}"),
        None => when,
    };
    let caption = gtk::Label::new(Some(&detail));
    caption.set_xalign(0.0);
    caption.add_css_class("caption");
    caption.add_css_class("dim-label");
    caption.set_ellipsize(gtk::pango::EllipsizeMode::End);
    let content = gtk::Box::new(gtk::Orientation::Vertical, 3);
    content.set_margin_top(3);
    content.set_margin_bottom(3);
    content.append(&snippet);
    content.append(&caption);
    let row = gtk::ListBoxRow::new();
    row.set_child(Some(&content));
    row
}

/// Pango markup of a store snippet: the text escaped, each match in bold,
/// line breaks as spaces.
pub(super) fn snippet_markup(snippet: &str) -> String {
    let flat = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(flat.len() + 16);
    let mut rest = flat.as_str();
    while let Some(start) = rest.find(SNIPPET_MATCH_START) {
        out.push_str(&glib::markup_escape_text(&rest[..start]));
        rest = &rest[start + SNIPPET_MATCH_START.len()..];
        let end = rest.find(SNIPPET_MATCH_END).unwrap_or(rest.len());
        out.push_str("<b>");
        out.push_str(&glib::markup_escape_text(&rest[..end]));
        out.push_str("</b>");
        rest = rest.get(end + SNIPPET_MATCH_END.len()..).unwrap_or("");
    }
    out.push_str(&glib::markup_escape_text(rest));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_become_safe_markup_with_bold_matches() {
        let s = format!("…a <b>&{SNIPPET_MATCH_START}glacier{SNIPPET_MATCH_END}\nwalk");
        assert_eq!(snippet_markup(&s), "…a &lt;b&gt;&amp;<b>glacier</b> walk");
        // An unclosed mark still closes its tag.
        let s = format!("x {SNIPPET_MATCH_START}ice");
        assert_eq!(snippet_markup(&s), "x <b>ice</b>");
        assert_eq!(snippet_markup("<i>"), "&lt;i&gt;");
    }
}
