//! Jumping to a message a search found ([`ConversationViewInput::Reveal`]):
//! the conversation is open (on the message's branch: the sidebar switched
//! it before), its earlier pages are read until the message is among the
//! rows, then the list scrolls to it, the row is highlighted for
//! [`FLASH`] and the searched words are marked in its text (see
//! `message_row::found`) until another conversation is opened.

use std::time::Duration;

use relm4::ComponentSender;
use relm4::gtk::{self, glib, prelude::*};

use super::{ConversationView, ConversationViewInput};

/// How long the row jumped to stays highlighted.
const FLASH: Duration = Duration::from_secs(3);

/// When the list scrolls to the row, after the jump: the list view places
/// rows it has not measured yet by an estimate of their height, so it
/// scrolls again once the rows around the first place were laid out.
const SCROLLS: [Duration; 3] = [
    Duration::ZERO,
    Duration::from_millis(200),
    Duration::from_millis(600),
];

/// How long after a jump the list scrolls to the row again whenever its
/// height changes (rows measured for the first time move it), on a busy
/// machine as on an idle one; the user's own scrolling changes the
/// adjustment's value, not its height, and is left alone.
const SETTLING: Duration = Duration::from_secs(2);

/// Scrolls `list` to the row at `position` now, after [`SCROLLS`], and
/// each time the list's height changes during [`SETTLING`].
fn scroll_until_settled(list: &gtk::ListView, position: u32) {
    let scroll = {
        let list = list.clone();
        move || {
            let _ = list.activate_action("list.scroll-to-item", Some(&position.to_variant()));
        }
    };
    for delay in SCROLLS {
        // After the next frames: rows read just now are laid out first.
        let scroll = scroll.clone();
        glib::timeout_add_local_once(delay, scroll);
    }
    if let Some(adjustment) = list.vadjustment() {
        let handler = adjustment.connect_changed(move |_| scroll());
        let handler = std::cell::Cell::new(Some(handler));
        glib::timeout_add_local_once(SETTLING, move || {
            if let Some(handler) = handler.take() {
                adjustment.disconnect(handler);
            }
        });
    }
}

/// A message to jump to once its rows are read.
#[derive(Debug)]
pub(super) struct Pending {
    message_id: i64,
    words: Vec<String>,
}

impl ConversationView {
    /// Jumps to message `message_id` of the conversation shown (or being
    /// opened) and marks `words` in it.
    pub(super) fn reveal(
        &mut self,
        message_id: i64,
        words: Vec<String>,
        sender: &ComponentSender<Self>,
    ) {
        self.revealing = Some(Pending { message_id, words });
        self.continue_reveal(sender);
    }

    /// Called after each page read: scrolls to the message if its row is
    /// there, or reads the page before the first row.
    pub(super) fn continue_reveal(&mut self, sender: &ComponentSender<Self>) {
        let Some(pending) = &self.revealing else {
            return;
        };
        let id = pending.message_id;
        if let Some(position) = self.messages.rposition(|row| row.id == id) {
            let words = self.revealing.take().map(|p| p.words).unwrap_or_default();
            self.messages.update(position, |row| row.set_found(words));
            if let Some(follow) = &self.follow {
                follow.stay();
            }
            scroll_until_settled(self.messages.widget(), position);
            let input = sender.input_sender().clone();
            glib::timeout_add_local_once(FLASH, move || {
                input.emit(ConversationViewInput::EndFlash(id));
            });
        } else if self.messages.first_id().is_some() {
            if self.more_before {
                self.show_earlier(sender);
            } else {
                // Not on this branch (deleted since it was found).
                self.revealing = None;
            }
        }
    }

    /// Ends the highlight of the row of message `id`, if it is still shown.
    pub(super) fn end_flash(&mut self, id: i64) {
        if let Some(position) = self.messages.rposition(|row| row.id == id) {
            self.messages
                .update(position, crate::ui::message_row::MessageRow::end_flash);
        }
    }
}
