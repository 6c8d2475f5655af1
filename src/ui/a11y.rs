//! Accessibility on GTK 4.8.
//!
//! gtk-rs wraps `gtk_accessible_update_property` only from GTK 4.10 on, so
//! widgets that need an accessible label of their own are created from a
//! one-object GtkBuilder definition carrying `<accessibility>`.
//!
//! **No hidden windows.** GTK 4.8's AT-SPI bridge answers the application
//! root's `GetChildAtIndex` with the *last* toplevel when the index is past
//! the visible windows (an assistive technology that read `ChildCount` just
//! before a window closed asks for exactly that). A hidden toplevel has no
//! object path, and GTK builds `(so)` from a NULL path: a
//! `g_variant_new_object_path` assertion, then SIGSEGV
//! (`gtk/a11y/gtkatspiroot.c` in GTK 4.8.3). So ValeChat keeps no
//! hidden `GtkWindow` around: windows and dialogs are destroyed when closed
//! and built again when opened (Preferences, Billing, MCP Servers, Attach
//! Resource, Keyboard Shortcuts), and message dialogs keep libadwaita's
//! default of being destroyed as they answer.

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
