//! The message list: a `gtk::ListView` over the conversation's rows
//! (Relm4's `TypedListView`), so only the messages on screen have widgets
//! however long the conversation (issue 12: 10,000 messages open without
//! building 10,000 widget trees).
//!
//! GTK 4.8's list view keeps widgets for up to 200 items around the one it
//! shows, whatever fits on screen, so a conversation opened whole built
//! about 200 rows of markdown before its first frame. The list therefore
//! holds only the end of a long conversation at first
//! ([`FIRST_ROWS`]); the rows before it wait in `earlier`, and come into
//! the list [`EARLIER_BATCH`] at a time as the user scrolls up to them
//! ([`MessageList::show_earlier`]), as chat timelines load history.
//!
//! Positions are the rows' places in the whole conversation, wherever the
//! row is kept.

use relm4::gtk;
use relm4::gtk::prelude::*;
use relm4::typed_view::list::TypedListView;

use crate::ui::message_row::MessageRow;

/// How many of the last rows an opened conversation shows at first: more
/// than a tall window holds of short messages.
pub(super) const FIRST_ROWS: usize = 16;

/// How many earlier rows come into the list each time the user nears its
/// top.
pub(super) const EARLIER_BATCH: usize = 24;

/// The rows of the conversation shown, in order. The last row is told it
/// is last (only it offers Retry).
pub(super) struct MessageList {
    rows: TypedListView<MessageRow, gtk::NoSelection>,
    /// The rows before the list's first one, in order, not yet in the list.
    earlier: Vec<MessageRow>,
}

impl std::fmt::Debug for MessageList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageList")
            .field("shown", &self.rows.len())
            .field("earlier", &self.earlier.len())
            .finish()
    }
}

impl MessageList {
    /// An empty list.
    pub(super) fn new() -> Self {
        let rows = TypedListView::<MessageRow, gtk::NoSelection>::new();
        rows.view
            .add_css_class(crate::ui::appearance::CONVERSATION_VIEW_CLASS);
        rows.view.add_css_class("conversation");
        Self {
            rows,
            earlier: Vec::new(),
        }
    }

    /// The list view.
    pub(super) fn widget(&self) -> &gtk::ListView {
        &self.rows.view
    }

    /// Removes every row.
    pub(super) fn clear(&mut self) {
        self.earlier.clear();
        self.rows.clear();
    }

    /// Number of rows, in the list or waiting before it.
    fn len(&self) -> u32 {
        u32::try_from(self.earlier.len())
            .unwrap_or(u32::MAX)
            .saturating_add(self.rows.len())
    }

    /// Number of rows waiting before the list's first one.
    fn offset(&self) -> u32 {
        u32::try_from(self.earlier.len()).unwrap_or(u32::MAX)
    }

    /// Position of the last row, if any.
    pub(super) fn last(&self) -> Option<u32> {
        self.len().checked_sub(1)
    }

    /// Appends `row` as the new last row.
    pub(super) fn push(&mut self, row: MessageRow) {
        self.extend(std::iter::once(row));
    }

    /// Appends `rows` in order (one change of the list model).
    pub(super) fn extend(&mut self, rows: impl IntoIterator<Item = MessageRow>) {
        let previous = self.last();
        self.rows.extend_from_iter(rows);
        if previous != self.last() {
            if let Some(i) = previous {
                self.update(i, |row| row.set_last(false));
            }
            self.mark_last();
        }
    }

    /// Replaces every row with `rows` (an opened conversation): the last
    /// [`FIRST_ROWS`] go into the list, the others wait before it.
    pub(super) fn replace(&mut self, mut rows: Vec<MessageRow>) {
        self.clear();
        let first_shown = rows.len().saturating_sub(FIRST_ROWS);
        let shown = rows.split_off(first_shown);
        self.earlier = rows;
        self.extend(shown);
    }

    /// Whether rows wait before the list's first one.
    pub(super) fn has_earlier(&self) -> bool {
        !self.earlier.is_empty()
    }

    /// Moves up to [`EARLIER_BATCH`] of the rows waiting before the list
    /// into it, in one change of the list model; the rows on screen stay
    /// where they are. Returns how many came in.
    pub(super) fn show_earlier(&mut self) -> usize {
        let from = self.earlier.len().saturating_sub(EARLIER_BATCH);
        let batch = self.earlier.split_off(from);
        let count = batch.len();
        // The store takes one row at a time at the front; the list view
        // lays out once, on the next frame.
        for row in batch.into_iter().rev() {
            self.rows.insert(0, row);
        }
        count
    }

    /// Removes the row at `position`.
    pub(super) fn remove(&mut self, position: u32) {
        match position.checked_sub(self.offset()) {
            Some(shown) => self.rows.remove(shown),
            None => {
                self.earlier.remove(position as usize);
            }
        }
        self.mark_last();
    }

    /// Changes the row at `position` with `change` and draws the change if
    /// the row is on screen; `None` if there is no such row.
    pub(super) fn update<R>(
        &mut self,
        position: u32,
        change: impl FnOnce(&mut MessageRow) -> R,
    ) -> Option<R> {
        let Some(shown) = position.checked_sub(self.offset()) else {
            return self.earlier.get_mut(position as usize).map(change);
        };
        let item = self.rows.get(shown)?;
        let mut row = item.borrow_mut();
        let result = change(&mut row);
        row.refresh();
        Some(result)
    }

    /// Reads the row at `position`.
    pub(super) fn read<R>(&self, position: u32, read: impl FnOnce(&MessageRow) -> R) -> Option<R> {
        match position.checked_sub(self.offset()) {
            Some(shown) => self.rows.get(shown).map(|item| read(&item.borrow())),
            None => self.earlier.get(position as usize).map(read),
        }
    }

    /// Position of the last row that matches `test`, searching from the end
    /// (where live rows are).
    pub(super) fn rposition(&self, test: impl Fn(&MessageRow) -> bool) -> Option<u32> {
        (0..self.len())
            .rev()
            .find(|&i| self.read(i, &test).unwrap_or(false))
    }

    /// The conversation's total cost so far, USD, once anything was billed.
    pub(super) fn total(&self) -> Option<rust_decimal::Decimal> {
        (0..self.len())
            .filter_map(|i| self.read(i, MessageRow::cost).flatten())
            .reduce(|a, b| a + b)
    }

    fn mark_last(&mut self) {
        if let Some(i) = self.last() {
            self.update(i, |row| row.set_last(true));
        }
    }
}
