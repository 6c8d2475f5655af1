//! The message list: a `gtk::ListView` over the conversation's rows
//! (Relm4's `TypedListView`), so only the messages on screen have widgets
//! however long the conversation (issue 12: 10,000 messages open without
//! building 10,000 widget trees).

use relm4::gtk;
use relm4::gtk::prelude::*;
use relm4::typed_view::list::TypedListView;

use crate::ui::message_row::MessageRow;

/// The rows of the conversation shown, in order. The last row is told it
/// is last (only it offers Retry).
pub(super) struct MessageList {
    rows: TypedListView<MessageRow, gtk::NoSelection>,
}

impl std::fmt::Debug for MessageList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageList")
            .field("len", &self.rows.len())
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
        Self { rows }
    }

    /// The list view.
    pub(super) fn widget(&self) -> &gtk::ListView {
        &self.rows.view
    }

    /// Removes every row.
    pub(super) fn clear(&mut self) {
        self.rows.clear();
    }

    /// Position of the last row, if any.
    pub(super) fn last(&self) -> Option<u32> {
        self.rows.len().checked_sub(1)
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

    /// Removes the row at `position`.
    pub(super) fn remove(&mut self, position: u32) {
        self.rows.remove(position);
        self.mark_last();
    }

    /// Changes the row at `position` with `change` and draws the change if
    /// the row is on screen; `None` if there is no such row.
    pub(super) fn update<R>(
        &self,
        position: u32,
        change: impl FnOnce(&mut MessageRow) -> R,
    ) -> Option<R> {
        let item = self.rows.get(position)?;
        let mut row = item.borrow_mut();
        let result = change(&mut row);
        row.refresh();
        Some(result)
    }

    /// Reads the row at `position`.
    pub(super) fn read<R>(&self, position: u32, read: impl FnOnce(&MessageRow) -> R) -> Option<R> {
        self.rows.get(position).map(|item| read(&item.borrow()))
    }

    /// Position of the last row that matches `test`, searching from the end
    /// (where live rows are).
    pub(super) fn rposition(&self, test: impl Fn(&MessageRow) -> bool) -> Option<u32> {
        (0..self.rows.len())
            .rev()
            .find(|&i| self.read(i, &test).unwrap_or(false))
    }

    /// The conversation's total cost so far, USD, once anything was billed.
    pub(super) fn total(&self) -> Option<rust_decimal::Decimal> {
        (0..self.rows.len())
            .filter_map(|i| self.read(i, MessageRow::cost).flatten())
            .reduce(|a, b| a + b)
    }

    fn mark_last(&self) {
        if let Some(i) = self.last() {
            self.update(i, |row| row.set_last(true));
        }
    }
}
