//! How long opening a conversation takes, logged at debug level
//! (`RUST_LOG=valechat::ui::conversation_view=debug`) for
//! `tools/bench-conversation.py`: the time to read it from the database and
//! the time from the click to the first frame painted with its rows.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use relm4::gtk;
use relm4::gtk::prelude::*;

/// A conversation being opened: which one, and since when.
#[derive(Debug, Clone, Copy)]
pub(super) struct Opening {
    /// The conversation's id.
    pub id: i64,
    /// When the view was asked to show it.
    pub started: Instant,
}

/// Logs `messages`, the read time `loaded` and the time from `opening` to
/// the end of the next frame `widget` paints (nothing if it is not
/// realized).
pub(super) fn log_first_paint(
    widget: &impl IsA<gtk::Widget>,
    opening: Opening,
    loaded: Duration,
    messages: usize,
) {
    if !tracing::enabled!(tracing::Level::DEBUG) {
        return;
    }
    let Some(clock) = widget.frame_clock() else {
        return;
    };
    let handler = Rc::new(RefCell::new(None));
    let own = handler.clone();
    let id = clock.connect_after_paint(move |clock| {
        tracing::debug!(
            conversation = opening.id,
            messages,
            read_ms = loaded.as_millis(),
            painted_ms = opening.started.elapsed().as_millis(),
            "conversation shown"
        );
        if let Some(id) = own.borrow_mut().take() {
            clock.disconnect(id);
        }
    });
    *handler.borrow_mut() = Some(id);
}
