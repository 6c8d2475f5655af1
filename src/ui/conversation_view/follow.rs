//! Sticky scrolling of the conversation, as GNOME Text Editor's and
//! Fractal's timelines do: while the user is at the end, the view follows
//! the end as the conversation grows (a reply streaming, a tool-call row
//! expanding, a code block laid out late); once they scroll up to read, it
//! stays where they are and a "Jump to the End" button appears over it.
//!
//! The view moves on the frame after the content grew, never inside the
//! size allocation that changed the adjustment's upper bound: a value set
//! there was lost for the allocation under way, which left the last lines
//! below the visible area while the scrollbar stood at the bottom (issue
//! 18, bug 1).

use std::cell::Cell;
use std::rc::Rc;

use relm4::gtk::{self, glib, prelude::*};

/// How close to the end (pixels) still counts as "at the end".
const END_SLACK: f64 = 48.0;

/// The conversation's scrolled window, following its end. Cheap to clone.
#[derive(Clone, Debug)]
pub struct FollowEnd {
    inner: Rc<Inner>,
}

#[derive(Debug)]
struct Inner {
    scroller: gtk::ScrolledWindow,
    jump: gtk::Button,
    /// Whether the view follows the end (the user is at the end).
    sticky: Cell<bool>,
    /// Whether a move to the end waits for the next frame.
    pending: Cell<bool>,
}

impl FollowEnd {
    /// Makes `scroller` follow its end, and `jump` (a button over it, hidden
    /// at the end) take the user back to the end.
    pub fn attach(scroller: &gtk::ScrolledWindow, jump: &gtk::Button) -> Self {
        let follow = Self {
            inner: Rc::new(Inner {
                scroller: scroller.clone(),
                jump: jump.clone(),
                sticky: Cell::new(true),
                pending: Cell::new(false),
            }),
        };
        let adjustment = scroller.vadjustment();
        let weak = Rc::downgrade(&follow.inner);
        adjustment.connect_value_changed(move |adjustment| {
            if let Some(inner) = weak.upgrade() {
                // While a move is pending the content is growing under the
                // view: that is not the user scrolling away.
                if !inner.pending.get() {
                    inner.sticky.set(at_end(adjustment));
                }
                inner.update_jump();
            }
        });
        for property in ["upper", "page-size"] {
            let weak = Rc::downgrade(&follow.inner);
            adjustment.connect_notify_local(Some(property), move |_, _| {
                if let Some(inner) = weak.upgrade() {
                    Inner::follow(&inner);
                }
            });
        }
        let weak = Rc::downgrade(&follow.inner);
        jump.connect_clicked(move |_| {
            if let Some(inner) = weak.upgrade() {
                inner.sticky.set(true);
                Inner::follow(&inner);
            }
        });
        follow
    }

    /// Stops following the end (the view is about to move to a message
    /// above, e.g. a search result), until the user scrolls back to it.
    pub fn stay(&self) {
        self.inner.sticky.set(false);
        self.inner.update_jump();
    }

    /// Goes to the end and follows it again (a conversation opened, a
    /// message sent), whatever the user had scrolled to.
    pub fn scroll_to_end(&self) {
        self.inner.sticky.set(true);
        Inner::follow(&self.inner);
    }
}

impl Inner {
    /// Moves to the end on the next frame if the view follows it; one move
    /// however often the content changes before then.
    fn follow(inner: &Rc<Self>) {
        inner.update_jump();
        if !inner.sticky.get() || inner.pending.replace(true) {
            return;
        }
        let weak = Rc::downgrade(inner);
        inner.scroller.add_tick_callback(move |_, _| {
            if let Some(inner) = weak.upgrade() {
                inner.pending.set(false);
                if inner.sticky.get() {
                    let adjustment = inner.scroller.vadjustment();
                    adjustment.set_value(adjustment.upper() - adjustment.page_size());
                }
                inner.update_jump();
            }
            glib::ControlFlow::Break
        });
    }

    /// Shows the jump button only while the end is out of view and not
    /// about to be followed.
    fn update_jump(&self) {
        let away = !self.sticky.get() && !at_end(&self.scroller.vadjustment());
        if self.jump.is_visible() != away {
            self.jump.set_visible(away);
        }
    }
}

/// Whether the view shows the end of the content (within [`END_SLACK`]).
fn at_end(adjustment: &gtk::Adjustment) -> bool {
    adjustment.value() + adjustment.page_size() >= adjustment.upper() - END_SLACK
}
