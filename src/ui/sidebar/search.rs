//! The sidebar's conversation search (Ctrl+F) and moving between
//! conversations (Ctrl+PgUp / Ctrl+PgDn).
//!
//! A conversation stays in the list when every typed word occurs in its
//! title (case-insensitively, at once) or when the store's full-text search
//! ([`valechat_core::store::Store::search_messages`]) finds the words in one of
//! its messages (a moment later, from a command). [`SidebarFilter`] hides
//! the other rows of the `gtk::ListBox`; rows are matched by index.
//!
//! Under the conversations, the messages found are listed with their
//! snippets (`results`, [`valechat_core::store::Store::search`], narrowed
//! by the filters of `search_filter`); activating one opens its
//! conversation on that message's branch and jumps to it.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use gettextrs::gettext;
use relm4::gtk;
use relm4::gtk::prelude::*;

use super::results::{Entry, PAGE};
use super::{Sidebar, SidebarCommand, SidebarOutput};
use valechat_core::chat::{Engine, EngineError};
use valechat_core::store::{Conversation, StoreError};

/// Most messages the full-text search returns for one query.
const MESSAGE_HITS: u32 = 500;

/// The search and the rows it applies to.
#[derive(Debug, Default)]
struct FilterState {
    /// The typed words, lower-cased; empty shows every row.
    words: Vec<String>,
    /// The query the words came from, as typed.
    query: String,
    /// Conversations with a message matching `query`.
    message_hits: HashSet<i64>,
    /// Id and lower-cased title of each row, in list order.
    rows: Vec<(i64, String)>,
}

impl FilterState {
    fn shows(&self, index: usize) -> bool {
        if self.words.is_empty() {
            return true;
        }
        let Some((id, title)) = self.rows.get(index) else {
            return true;
        };
        self.message_hits.contains(id) || self.words.iter().all(|w| title.contains(w.as_str()))
    }
}

/// Which sidebar rows the search shows.
#[derive(Debug, Clone, Default)]
pub(super) struct SidebarFilter(Rc<RefCell<FilterState>>);

impl SidebarFilter {
    /// Shows the rows of `list` that match and hides the others. Hidden
    /// (rather than filtered with `gtk_list_box_set_filter_func`, which
    /// only unmaps them) so that assistive technologies skip them too.
    pub(super) fn apply(&self, list: &gtk::ListBox) {
        let state = self.0.borrow();
        let mut index = 0;
        while let Some(row) = list.row_at_index(index) {
            row.set_visible(usize::try_from(index).map_or(true, |i| state.shows(i)));
            index += 1;
        }
    }

    /// Records the rows' ids and titles (after the list was rebuilt).
    pub(super) fn set_rows(&self, rows: Vec<(i64, String)>) {
        self.0.borrow_mut().rows = rows
            .into_iter()
            .map(|(id, title)| (id, title.to_lowercase()))
            .collect();
    }

    /// Starts filtering by `query` (titles only until message hits arrive).
    /// Returns whether the query changed.
    fn set_query(&self, query: &str) -> bool {
        let mut state = self.0.borrow_mut();
        if state.query == query {
            return false;
        }
        state.query = query.to_owned();
        state.words = query.split_whitespace().map(str::to_lowercase).collect();
        state.message_hits.clear();
        true
    }

    /// Adds message hits for `query`; ignored if the query changed since.
    fn set_hits(&self, query: &str, hits: HashSet<i64>) -> bool {
        let mut state = self.0.borrow_mut();
        if state.query != query {
            return false;
        }
        state.message_hits = hits;
        true
    }
}

/// Ties the header's search toggle to the search bar, and clears the
/// search when the bar closes (Escape, or the toggle).
pub(super) fn connect_bar(
    bar: &gtk::SearchBar,
    toggle: &gtk::ToggleButton,
    entry: &gtk::SearchEntry,
) {
    bar.connect_entry(entry);
    toggle
        .bind_property("active", bar, "search-mode-enabled")
        .bidirectional()
        .sync_create()
        .build();
    let entry = entry.clone();
    bar.connect_search_mode_enabled_notify(move |bar| {
        if !bar.is_search_mode() {
            entry.set_text("");
        }
    });
}

impl Sidebar {
    /// The search text changed: filter by title now and look for `query` in
    /// the messages in the background.
    pub(super) fn search(&mut self, query: String, sender: &relm4::ComponentSender<Self>) {
        if !self.filter.set_query(&query) {
            return;
        }
        self.filter.apply(self.rows.widget());
        self.found.reset(&query, &self.search_filter.filter());
        let Some(engine) = self.engine.clone() else {
            return;
        };
        if query.trim().is_empty() {
            return;
        }
        self.read_found(sender);
        sender.oneshot_command(async move {
            match engine.store().search_messages(&query, MESSAGE_HITS).await {
                Ok(hits) => SidebarCommand::Hits(
                    query,
                    hits.into_iter().map(|h| h.conversation_id).collect(),
                ),
                Err(e) => SidebarCommand::Failed(EngineError::from(e).user_message()),
            }
        });
    }

    /// The filters changed: search again.
    pub(super) fn search_filter_changed(&mut self, sender: &relm4::ComponentSender<Self>) {
        let (query, ..) = self.found.next_page();
        self.found.reset(&query, &self.search_filter.filter());
        if !query.trim().is_empty() {
            self.read_found(sender);
        }
    }

    /// Reads the next page of messages found (the first after a reset).
    fn read_found(&self, sender: &relm4::ComponentSender<Self>) {
        let Some(engine) = self.engine.clone() else {
            return;
        };
        let (query, filter, page) = self.found.next_page();
        sender.oneshot_command(async move {
            match engine.store().search(&query, &filter, page, PAGE).await {
                Ok(results) => SidebarCommand::Found(query, filter, page, results),
                Err(e) => SidebarCommand::Failed(EngineError::from(e).user_message()),
            }
        });
    }

    /// Row `index` of the results was activated: open its message (on its
    /// branch) or read more.
    pub(super) fn activate_found(&mut self, index: i32, sender: &relm4::ComponentSender<Self>) {
        match self.found.entry(index) {
            Some(Entry::More) => self.read_found(sender),
            Some(Entry::Found(conversation_id, message_id)) => {
                let Some(engine) = self.engine.clone() else {
                    return;
                };
                sender.oneshot_command(async move {
                    match on_branch_of(&engine, conversation_id, message_id).await {
                        Ok(Some(c)) => SidebarCommand::Reveal(c, message_id),
                        Ok(None) => SidebarCommand::Failed(gettext(
                            "This message was deleted after the search found it",
                        )),
                        Err(e) => SidebarCommand::Failed(EngineError::from(e).user_message()),
                    }
                });
            }
            Some(Entry::Group) | None => {}
        }
    }

    /// A search result's conversation is ready on its message's branch:
    /// select it and ask the window to open it at the message.
    pub(super) fn reveal(
        &mut self,
        c: Conversation,
        message_id: i64,
        sender: &relm4::ComponentSender<Self>,
    ) {
        self.open = Some(c.id);
        self.select_open();
        let _ = sender.output(SidebarOutput::OpenAt(c, message_id, self.found.words()));
        let _ = sender.output(SidebarOutput::Activated);
    }

    /// Offers the models of the conversations listed in the filters.
    pub(super) fn offer_models(&mut self) {
        let pairs = self
            .rows
            .iter()
            .filter_map(|row| {
                let c = &row.conversation;
                Some((c.provider_id.clone()?, c.model.clone()?))
            })
            .collect();
        self.search_filter.set_models(pairs);
    }

    /// Message hits arrived for `query`.
    pub(super) fn search_hits(&self, query: &str, ids: Vec<i64>) {
        if self.filter.set_hits(query, ids.into_iter().collect()) {
            self.filter.apply(self.rows.widget());
        }
    }
}

/// Conversation `conversation_id` with message `message_id` on its active
/// branch (switched to the branch through the message if it was on
/// another); `None` if either was deleted since the search.
async fn on_branch_of(
    engine: &Engine,
    conversation_id: i64,
    message_id: i64,
) -> Result<Option<Conversation>, StoreError> {
    let store = engine.store();
    if store.message(message_id).await?.is_none() {
        return Ok(None);
    }
    let shown = store.active_path(conversation_id).await?;
    if !shown.iter().any(|m| m.id == message_id) {
        store.switch_branch(message_id).await?;
    }
    store.get_conversation(conversation_id).await
}

/// Selects the visible row `step` rows away from the selected one in `list`
/// (`-1`: previous, `1`: next); from no selection, the first or last.
pub(super) fn select_neighbour(list: &gtk::ListBox, step: i32) {
    let mut index = list
        .selected_row()
        .map_or(if step > 0 { -1 } else { i32::MAX }, |r| r.index());
    if index == i32::MAX {
        // Start past the last row: count them.
        index = 0;
        while list.row_at_index(index).is_some() {
            index += 1;
        }
    }
    loop {
        index += step.signum();
        let Some(row) = list.row_at_index(index) else {
            return;
        };
        if row.is_visible() {
            list.select_row(Some(&row));
            row.grab_focus();
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(rows: &[(i64, &str)]) -> SidebarFilter {
        let f = SidebarFilter::default();
        f.set_rows(rows.iter().map(|(id, t)| (*id, (*t).to_owned())).collect());
        f
    }

    #[test]
    fn every_word_must_be_in_the_title() {
        let f = filter(&[(1, "Trip to Iceland"), (2, "Rust lifetimes")]);
        assert!(f.set_query("iceland TRIP"));
        assert!(f.0.borrow().shows(0));
        assert!(!f.0.borrow().shows(1));
        assert!(f.set_query("trip rust"));
        assert!(!f.0.borrow().shows(0));
    }

    #[test]
    fn message_hits_show_rows_for_the_current_query_only() {
        let f = filter(&[(1, "Trip"), (2, "Rust")]);
        f.set_query("borrow");
        assert!(!f.0.borrow().shows(1));
        assert!(!f.set_hits("borr", HashSet::from([2])));
        assert!(!f.0.borrow().shows(1));
        assert!(f.set_hits("borrow", HashSet::from([2])));
        assert!(f.0.borrow().shows(1));
        assert!(!f.0.borrow().shows(0));
        // A new query forgets the old hits.
        f.set_query("borrow checker");
        assert!(!f.0.borrow().shows(1));
    }

    #[test]
    fn an_empty_query_shows_everything() {
        let f = filter(&[(1, "Trip")]);
        assert!(!f.set_query(""));
        assert!(f.0.borrow().shows(0));
        f.set_query("zzz");
        assert!(!f.0.borrow().shows(0));
        f.set_query("   ");
        assert!(f.0.borrow().shows(0));
    }
}
