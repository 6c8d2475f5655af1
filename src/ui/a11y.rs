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
