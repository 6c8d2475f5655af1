//! The message list: a `gtk::ListView` over the conversation's rows
//! (Relm4's `TypedListView`), so only the messages on screen have widgets
//! however long the conversation (issue 12: 10,000 messages open without
//! building 10,000 widget trees).
//!
//! GTK 4.8's list view keeps widgets for up to 200 items around the one it
//! shows, whatever fits on screen, so a conversation opened whole built
//! about 200 rows of markdown before its first frame. The list therefore
//! holds only the rows read so far: a conversation opens with its last
//! [`FIRST_ROWS`] messages, and earlier pages of [`EARLIER_BATCH`] are read
//! from the store and put in front as the user scrolls up to them
//! ([`MessageList::prepend`]), as chat timelines load history.
//!
//! Positions are the rows' places in the list.

use relm4::gtk;
use relm4::gtk::prelude::*;
use relm4::typed_view::list::TypedListView;

use crate::ui::message_row::MessageRow;
use valechat_core::provider::Role;

/// How many of the last messages an opened conversation reads and shows
/// at first: more than a tall window holds of short messages.
pub(super) const FIRST_ROWS: usize = 16;

/// How many earlier messages are read and put in front of the list each
/// time the user nears its top.
pub(super) const EARLIER_BATCH: usize = 24;

/// The rows of the conversation shown, in order. The last row is told it
/// is last (only it offers Retry); a reply right after another reply is
/// told it continues that turn (one author heading per turn).
pub(super) struct MessageList {
    rows: TypedListView<MessageRow, gtk::NoSelection>,
}

impl std::fmt::Debug for MessageList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageList")
            .field("rows", &self.rows.len())
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

    /// Number of rows.
    fn len(&self) -> u32 {
        self.rows.len()
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
            let first_new = previous.map_or(0, |i| i + 1);
            self.mark_turns(first_new..self.len());
        }
    }

    /// Replaces every row with `rows` (an opened conversation).
    pub(super) fn replace(&mut self, rows: Vec<MessageRow>) {
        self.clear();
        self.extend(rows);
    }

    /// Puts `rows` (earlier messages, in order) in front of the list, in
    /// one change of the list model; the rows on screen stay where they
    /// are.
    pub(super) fn prepend(&mut self, rows: Vec<MessageRow>) {
        let was_empty = self.len() == 0;
        // The store takes one row at a time at the front; the list view
        // lays out once, on the next frame.
        let count = u32::try_from(rows.len()).unwrap_or(u32::MAX);
        for row in rows.into_iter().rev() {
            self.rows.insert(0, row);
        }
        if was_empty {
            self.mark_last();
        }
        // The first row that was already there may continue the last new one.
        self.mark_turns(0..count.saturating_add(1).min(self.len()));
    }

    /// The id of the first row (the earliest message read), if any.
    pub(super) fn first_id(&self) -> Option<i64> {
        self.read(0, |row| row.id)
    }

    /// Removes the row at `position`.
    pub(super) fn remove(&mut self, position: u32) {
        self.rows.remove(position);
        self.mark_last();
        self.mark_turns(position..position.saturating_add(1).min(self.len()));
    }

    /// Keeps the first `len` rows and removes the rest (the branch below a
    /// switched, edited, regenerated or deleted message).
    pub(super) fn truncate(&mut self, len: u32) {
        let count = self.len();
        if len >= count {
            return;
        }
        for position in (len..count).rev() {
            self.rows.remove(position);
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
        (0..self.len())
            .rev()
            .find(|&i| self.read(i, &test).unwrap_or(false))
    }

    /// Tells each row in `positions` whether it is a reply right after
    /// another reply (the same turn, after tool calls).
    fn mark_turns(&mut self, positions: std::ops::Range<u32>) {
        let is_reply = |list: &Self, i: u32| {
            list.read(i, |row| row.role() == Role::Assistant)
                .unwrap_or(false)
        };
        for i in positions {
            let continues = i > 0 && is_reply(self, i) && is_reply(self, i - 1);
            if self.read(i, MessageRow::continues) != Some(continues) {
                self.update(i, |row| row.set_continues(continues));
            }
        }
    }

    fn mark_last(&mut self) {
        if let Some(i) = self.last() {
            self.update(i, |row| row.set_last(true));
        }
    }
}
