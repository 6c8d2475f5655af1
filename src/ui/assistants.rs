//! Assistants in the window (issue 14, part 3): the menu of assistants
//! beside the New Conversation button, their label (emoji and name), and
//! the Add / Edit dialog (`assistants/dialog.rs`) that Preferences →
//! Assistants (`ui/preferences/assistants.rs`) opens.
//!
//! The menu is one `gio::Menu` per (GTK's one) thread: the sidebar's
//! button shows it, and whoever reads the assistants refills it
//! ([`fill_menu`]). Its items activate `win.new-conversation-from` with
//! the assistant's id.

pub mod dialog;

use gettextrs::gettext;
use relm4::gtk::gio;
use relm4::gtk::prelude::*;

use valechat_core::store::Assistant;

thread_local! {
    static MENU: gio::Menu = gio::Menu::new();
}

/// The menu of assistants to start a new conversation from (filled by
/// [`fill_menu`]).
pub fn menu() -> gio::Menu {
    MENU.with(Clone::clone)
}

/// Refills the menu: one item per assistant, then Manage Assistants….
pub fn fill_menu(assistants: &[Assistant]) {
    MENU.with(|menu| {
        menu.remove_all();
        let list = gio::Menu::new();
        for a in assistants {
            let item = gio::MenuItem::new(Some(&label(a)), None);
            item.set_action_and_target_value(
                Some("win.new-conversation-from"),
                Some(&a.id.to_variant()),
            );
            list.append_item(&item);
        }
        menu.append_section(None, &list);
        let manage = gio::Menu::new();
        manage.append(
            Some(&gettext("Manage Assistants…")),
            Some("win.preferences"),
        );
        menu.append_section(None, &manage);
    });
}

/// How an assistant is named on screen: its emoji, a space and its name
/// (the name alone without an emoji).
pub fn label(a: &Assistant) -> String {
    with_icon(&a.icon, &a.name)
}

/// `icon name`, or `name` when `icon` is empty.
pub fn with_icon(icon: &str, name: &str) -> String {
    if icon.is_empty() {
        name.to_owned()
    } else {
        format!("{icon} {name}")
    }
}
