//! Showing a [`gtk::FileChooserNative`] so that nothing of it outlives its
//! answer.
//!
//! GTK does not keep a native dialog alive (GTK 4 API reference,
//! `GtkNativeDialog`: "it is your responsibility to keep a reference until
//! you are done with the object"), and outside a portal GTK 4.8 draws it
//! with a `GtkFileChooserDialog` that is only hidden when it answers and
//! lives as long as the native object. A hidden toplevel crashes GTK 4.8's
//! AT-SPI bridge (see [`crate::ui::a11y`]), so a chooser that a component
//! kept "until the next one" left that hazard behind after every Cancel.

use std::cell::RefCell;
use std::rc::Rc;

use relm4::gtk;
use relm4::gtk::prelude::*;

/// Shows `chooser` and holds it until it answers (any response, Cancel and
/// Escape included), then destroys it and drops the last reference, which
/// disposes of GTK's fallback dialog with it.
///
/// Connect the chooser's own `response` handler first: handlers run in
/// the order they were connected, so it still reads the chosen files.
pub fn show_until_answered(chooser: &gtk::FileChooserNative) {
    let held = Rc::new(RefCell::new(Some(chooser.clone())));
    chooser.connect_response(move |_, _| {
        // The emission holds its own reference until the handlers return.
        if let Some(chooser) = held.borrow_mut().take() {
            chooser.destroy();
        }
    });
    chooser.show();
}
