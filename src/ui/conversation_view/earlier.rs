//! Asks for the earlier rows of a long conversation when the user scrolls
//! near the top of those shown (see `list`): the view then moves the next
//! batch into the list.

use std::cell::Cell;
use std::rc::Rc;

use relm4::gtk::{self, prelude::*};

use super::ConversationViewInput;

/// Watches the conversation's scrolled window; cheap to clone.
#[derive(Clone, Debug)]
pub(super) struct EarlierTrigger {
    inner: Rc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// Earlier rows wait outside the list.
    more: Cell<bool>,
    /// The view was asked and has not answered yet.
    asked: Cell<bool>,
    input: relm4::Sender<ConversationViewInput>,
}

impl EarlierTrigger {
    /// Sends [`ConversationViewInput::ShowEarlier`] to `input` whenever
    /// `scroller` shows less than a page's height above its visible part and
    /// earlier rows wait (see [`EarlierTrigger::set_more`]).
    pub(super) fn attach(
        scroller: &gtk::ScrolledWindow,
        input: relm4::Sender<ConversationViewInput>,
    ) -> Self {
        let trigger = Self {
            inner: Rc::new(Inner {
                more: Cell::new(false),
                asked: Cell::new(false),
                input,
            }),
        };
        let adjustment = scroller.vadjustment();
        let weak = Rc::downgrade(&trigger.inner);
        adjustment.connect_value_changed(move |adjustment| {
            if let Some(inner) = weak.upgrade() {
                inner.check(adjustment);
            }
        });
        for property in ["upper", "page-size"] {
            let weak = Rc::downgrade(&trigger.inner);
            adjustment.connect_notify_local(Some(property), move |adjustment, _| {
                if let Some(inner) = weak.upgrade() {
                    inner.check(adjustment);
                }
            });
        }
        trigger
    }

    /// Says whether earlier rows wait outside the list, after the view
    /// moved a batch in or opened a conversation; the trigger may ask again.
    pub(super) fn set_more(&self, more: bool) {
        self.inner.more.set(more);
        self.inner.asked.set(false);
    }
}

impl Inner {
    fn check(&self, adjustment: &gtk::Adjustment) {
        let near_top = adjustment.value() < adjustment.page_size();
        if near_top && self.more.get() && !self.asked.replace(true) {
            self.input.emit(ConversationViewInput::ShowEarlier);
        }
    }
}
