//! The sidebar's dialogs: Rename Conversation and Delete Conversation?.
//! Both are transient for the window holding the sidebar and are destroyed
//! when answered (GTK 4.8's accessibility bridge crashes on hidden
//! toplevels, see `ui::a11y`).

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{ComponentSender, adw, gtk};

use super::{Sidebar, SidebarInput};
use crate::i18n::gettext_f;

/// The window `widget` is in.
fn parent(widget: &gtk::Box) -> Option<gtk::Window> {
    widget.root().and_downcast::<gtk::Window>()
}

/// Asks for a new title for conversation `id`, offering `title`.
pub(super) fn ask_rename(
    widget: &gtk::Box,
    id: i64,
    title: &str,
    sender: &ComponentSender<Sidebar>,
) {
    let dialog = adw::MessageDialog::new(
        parent(widget).as_ref(),
        Some(&gettext("Rename Conversation")),
        None,
    );
    let entry = gtk::Entry::builder()
        .text(title)
        .activates_default(true)
        .build();
    dialog.set_extra_child(Some(&entry));
    dialog.add_response("cancel", &gettext("Cancel"));
    dialog.add_response("rename", &gettext("Rename"));
    dialog.set_response_appearance("rename", adw::ResponseAppearance::Suggested);
    dialog.set_default_response(Some("rename"));
    dialog.set_close_response("cancel");
    let sender = sender.clone();
    dialog.connect_response(None, move |_, response| {
        let title = entry.text().trim().to_owned();
        if response == "rename" && !title.is_empty() {
            sender.input(SidebarInput::Rename(id, title));
        }
    });
    dialog.present();
}

/// Asks to confirm deleting conversation `id`, named `title`.
pub(super) fn ask_delete(
    widget: &gtk::Box,
    id: i64,
    title: &str,
    sender: &ComponentSender<Sidebar>,
) {
    let dialog = adw::MessageDialog::new(
        parent(widget).as_ref(),
        Some(&gettext("Delete Conversation?")),
        Some(&gettext_f(
            "“{title}” and all its messages will be deleted permanently.",
            &[("title", title)],
        )),
    );
    dialog.add_response("cancel", &gettext("Cancel"));
    dialog.add_response("delete", &gettext("Delete"));
    dialog.set_response_appearance("delete", adw::ResponseAppearance::Destructive);
    dialog.set_default_response(Some("cancel"));
    dialog.set_close_response("cancel");
    let sender = sender.clone();
    dialog.connect_response(None, move |_, response| {
        if response == "delete" {
            sender.input(SidebarInput::Delete(id));
        }
    });
    dialog.present();
}
