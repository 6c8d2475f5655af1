//! Accessible labels on GTK 4.8.
//!
//! gtk-rs wraps `gtk_accessible_update_property` only from GTK 4.10 on, so
//! widgets that need an accessible label of their own are created from a
//! one-object GtkBuilder definition carrying `<accessibility>`.

use relm4::gtk;
use relm4::gtk::glib;
use relm4::gtk::prelude::*;

/// Creates a widget of GType `class` (e.g. `"GtkTextView"`) whose accessible
/// label is `label`. Returns `None` only if `class` does not name a `T`.
pub fn labelled<T: IsA<gtk::Widget> + IsA<glib::Object>>(class: &str, label: &str) -> Option<T> {
    let label = glib::markup_escape_text(label);
    let ui = format!(
        "<interface><object class=\"{class}\" id=\"widget\">\
         <accessibility><property name=\"label\">{label}</property></accessibility>\
         </object></interface>"
    );
    gtk::Builder::from_string(&ui).object::<T>("widget")
}

/// How long an answered dialog stays (hidden) before it is destroyed.
const RETIRE_AFTER: std::time::Duration = std::time::Duration::from_secs(2);

/// Makes an [`relm4::adw::MessageDialog`] hide when answered and be
/// destroyed a little later. GTK 4.8's AT-SPI bridge can crash when an
/// assistive technology reads a dialog that is being destroyed at that very
/// moment (a `g_variant_new_object_path` assertion on a freed accessible);
/// keeping the widget alive until the readers moved on avoids it.
pub fn retire_after_response(dialog: &relm4::adw::MessageDialog) {
    use relm4::adw::prelude::*;
    dialog.set_hide_on_close(true);
    dialog.connect_response(None, |dialog, _| {
        let dialog = dialog.clone();
        glib::timeout_add_local_once(RETIRE_AFTER, move || dialog.destroy());
    });
}
