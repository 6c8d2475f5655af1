//! Accessibility on GTK 4.8.
//!
//! gtk-rs wraps `gtk_accessible_update_property` only from GTK 4.10 on, so
//! widgets that need an accessible label of their own are created from a
//! one-object GtkBuilder definition carrying `<accessibility>`; a widget
//! that a library built (the eye of a password row) gets its label from a
//! GtkBuilder template applied to it ([`relabel`]).
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

use gettextrs::gettext;
use relm4::gtk::glib;
use relm4::gtk::prelude::*;
use relm4::{adw, gtk};

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

/// Sets the accessible label of `widget`, already built, to `label`.
/// Returns whether GTK took it.
pub fn relabel(widget: &gtk::Widget, label: &str) -> bool {
    set_property(widget, "label", label)
}

/// Sets the accessible description of `widget`, already built, to
/// `description` (what a screen reader reads after the name).
pub fn describe(widget: &gtk::Widget, description: &str) -> bool {
    set_property(widget, "description", description)
}

/// Sets accessible property `name` of `widget`: a GtkBuilder template of
/// the widget's own type carrying only `<accessibility>`.
fn set_property(widget: &gtk::Widget, name: &str, value: &str) -> bool {
    let object_type = widget.type_();
    let Some(parent) = object_type.parent() else {
        return false;
    };
    let value = glib::markup_escape_text(value);
    let ui = format!(
        "<interface><template class=\"{}\" parent=\"{}\">\
         <accessibility><property name=\"{name}\">{value}</property></accessibility>\
         </template></interface>",
        object_type.name(),
        parent.name()
    );
    match gtk::Builder::new().extend_with_template(widget, object_type, &ui) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!("could not set an accessible {name}: {e}");
            false
        }
    }
}

/// Names the button of a password row that shows or hides the text:
/// `show`, or `hide` while the text shows (following its icon). libadwaita
/// 1.2 leaves it with no accessible name.
pub fn name_peek_button(row: &adw::PasswordEntryRow, show: &str, hide: &str) {
    let mut stack = vec![row.clone().upcast::<gtk::Widget>()];
    while let Some(widget) = stack.pop() {
        if let Some(button) = widget.downcast_ref::<gtk::Button>() {
            let (show, hide) = (show.to_owned(), hide.to_owned());
            let name = move |button: &gtk::Button| {
                let shown = button.icon_name().is_some_and(|i| i.contains("conceal"));
                relabel(button.upcast_ref(), if shown { &hide } else { &show });
            };
            name(button);
            button.connect_icon_name_notify(name);
            return;
        }
        let mut child = widget.first_child();
        while let Some(c) = child {
            child = c.next_sibling();
            stack.push(c);
        }
    }
}

/// Shows `toast` through `add` (an overlay's or a preferences window's
/// `add_toast`) and names the close buttons of the toasts inside `host`
/// ("Dismiss"): libadwaita 1.2 leaves them unnamed. A toast waiting behind
/// another gets its widget when the one before it is dismissed, so the
/// buttons are named again then.
pub fn add_toast(host: &impl IsA<gtk::Widget>, toast: adw::Toast, add: impl FnOnce(&adw::Toast)) {
    let host = host.upcast_ref::<gtk::Widget>().downgrade();
    let dismiss = gettext("Dismiss");
    toast.connect_dismissed({
        let host = host.clone();
        let dismiss = dismiss.clone();
        move |_| {
            let host = host.clone();
            let dismiss = dismiss.clone();
            glib::idle_add_local_once(move || {
                if let Some(host) = host.upgrade() {
                    name_toast_buttons(&host, &dismiss);
                }
            });
        }
    });
    add(&toast);
    if let Some(host) = host.upgrade() {
        name_toast_buttons(&host, &dismiss);
    }
}

/// Labels every button inside a toast widget under `host`.
fn name_toast_buttons(host: &gtk::Widget, label: &str) {
    let mut stack = vec![(host.clone(), false)];
    while let Some((widget, in_toast)) = stack.pop() {
        let in_toast = in_toast || widget.type_().name() == "AdwToastWidget";
        if in_toast && widget.is::<gtk::Button>() {
            relabel(&widget, label);
        }
        let mut child = widget.first_child();
        while let Some(c) = child {
            child = c.next_sibling();
            stack.push((c, in_toast));
        }
    }
}

/// Labels the first widget of type `T` under `root` (a widget a library
/// built, such as the search entry of a preferences window) `label`.
pub fn relabel_first<T: IsA<gtk::Widget>>(root: &impl IsA<gtk::Widget>, label: &str) {
    let mut stack = vec![root.clone().upcast::<gtk::Widget>()];
    while let Some(widget) = stack.pop() {
        if widget.is::<T>() {
            relabel(&widget, label);
            return;
        }
        let mut child = widget.last_child();
        while let Some(c) = child {
            child = c.prev_sibling();
            stack.push(c);
        }
    }
}
