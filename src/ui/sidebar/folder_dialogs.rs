//! The folder dialogs of the sidebar: New Folder / Rename Folder (a
//! name), Delete Folder? (saying the conversations are kept) and Move to
//! Folder (No Folder, every folder, New Folder…). Each is transient for
//! the window and destroyed when answered, as `sidebar::dialogs`.

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{ComponentSender, adw, gtk};

use super::organise::OrganiseInput;
use super::{Sidebar, SidebarInput};
use crate::i18n::{gettext_f, ngettext_f};
use valechat_core::store::{Conversation, Folder};

/// The window `widget` is in.
fn parent(widget: &gtk::Box) -> Option<gtk::Window> {
    widget.root().and_downcast::<gtk::Window>()
}

/// Asks for a folder's name: a new folder (`folder` `None`; then moves
/// conversation `then` into it) or a new name for `folder`.
pub(super) fn ask_name(
    widget: &gtk::Box,
    folder: Option<&Folder>,
    then: Option<i64>,
    sender: &ComponentSender<Sidebar>,
) {
    let (heading, verb) = match folder {
        Some(_) => (gettext("Rename Folder"), gettext("Rename")),
        None => (gettext("New Folder"), gettext("Create")),
    };
    let dialog = adw::MessageDialog::new(parent(widget).as_ref(), Some(&heading), None);
    let entry = gtk::Entry::builder()
        .text(folder.map(|f| f.name.as_str()).unwrap_or_default())
        .activates_default(true)
        .build();
    crate::ui::a11y::relabel(entry.upcast_ref(), &gettext("Folder Name"));
    dialog.set_extra_child(Some(&entry));
    dialog.add_response("cancel", &gettext("Cancel"));
    dialog.add_response("ok", &verb);
    dialog.set_response_appearance("ok", adw::ResponseAppearance::Suggested);
    dialog.set_default_response(Some("ok"));
    dialog.set_close_response("cancel");
    dialog.set_response_enabled("ok", !entry.text().trim().is_empty());
    let d = dialog.downgrade();
    entry.connect_changed(move |entry| {
        if let Some(d) = d.upgrade() {
            d.set_response_enabled("ok", !entry.text().trim().is_empty());
        }
    });
    let id = folder.map(|f| f.id);
    let sender = sender.clone();
    dialog.connect_response(None, move |_, response| {
        let name = entry.text().trim().to_owned();
        if response != "ok" || name.is_empty() {
            return;
        }
        sender.input(SidebarInput::Organise(match id {
            Some(id) => OrganiseInput::RenameFolder(id, name),
            None => OrganiseInput::CreateFolder(name, then),
        }));
    });
    dialog.present();
}

/// Asks to confirm deleting `folder`, which holds `count` listed
/// conversations: they are kept.
pub(super) fn ask_delete(
    widget: &gtk::Box,
    folder: &Folder,
    count: usize,
    sender: &ComponentSender<Sidebar>,
) {
    let body = ngettext_f(
        "“{name}” will be deleted. Its conversation is kept and listed without a folder.",
        "“{name}” will be deleted. Its {count} conversations are kept and listed without a folder.",
        u32::try_from(count).unwrap_or(u32::MAX),
        &[("name", &folder.name), ("count", &count.to_string())],
    );
    let dialog = adw::MessageDialog::new(
        parent(widget).as_ref(),
        Some(&gettext("Delete Folder?")),
        Some(&body),
    );
    dialog.add_response("cancel", &gettext("Cancel"));
    dialog.add_response("delete", &gettext("Delete"));
    dialog.set_response_appearance("delete", adw::ResponseAppearance::Destructive);
    dialog.set_default_response(Some("cancel"));
    dialog.set_close_response("cancel");
    let id = folder.id;
    let sender = sender.clone();
    dialog.connect_response(None, move |_, response| {
        if response == "delete" {
            sender.input(SidebarInput::Organise(OrganiseInput::DeleteFolder(id)));
        }
    });
    dialog.present();
}

/// Move to…: a list of "No Folder" and every folder (activating one moves
/// the conversation there), and New Folder….
pub(super) fn ask_move(
    widget: &gtk::Box,
    c: &Conversation,
    title: &str,
    folders: &[Folder],
    sender: &ComponentSender<Sidebar>,
) {
    let dialog = adw::MessageDialog::new(
        parent(widget).as_ref(),
        Some(&gettext("Move to Folder")),
        Some(&gettext_f(
            "Where should “{title}” go?",
            &[("title", title)],
        )),
    );
    let list = gtk::ListBox::builder()
        .selection_mode(gtk::SelectionMode::None)
        .css_classes(["boxed-list"])
        .build();
    crate::ui::a11y::relabel(list.upcast_ref(), &gettext("Folders"));
    let mut targets = vec![None];
    targets.extend(folders.iter().map(|f| Some(f.id)));
    for target in &targets {
        let name = match target {
            None => gettext("No Folder"),
            Some(id) => folders
                .iter()
                .find(|f| f.id == *id)
                .map(|f| f.name.clone())
                .unwrap_or_default(),
        };
        let row = adw::ActionRow::builder()
            .title(&name)
            .activatable(true)
            .build();
        let icon = if *target == c.folder_id {
            "object-select-symbolic"
        } else if target.is_some() {
            "folder-symbolic"
        } else {
            "window-close-symbolic"
        };
        row.add_prefix(&gtk::Image::from_icon_name(icon));
        list.append(&row);
    }
    dialog.set_extra_child(Some(&list));
    dialog.add_response("cancel", &gettext("Cancel"));
    dialog.add_response("new", &gettext("New Folder…"));
    dialog.set_close_response("cancel");
    let id = c.id;
    let s = sender.clone();
    let d = dialog.downgrade();
    list.connect_row_activated(move |_, row| {
        let target = usize::try_from(row.index())
            .ok()
            .and_then(|i| targets.get(i).copied());
        if let Some(target) = target {
            s.input(SidebarInput::Organise(OrganiseInput::Move(id, target)));
        }
        if let Some(d) = d.upgrade() {
            d.close();
        }
    });
    let sender = sender.clone();
    dialog.connect_response(None, move |_, response| {
        if response == "new" {
            sender.input(SidebarInput::Organise(OrganiseInput::AskNewFolder(Some(
                id,
            ))));
        }
    });
    dialog.present();
}
