//! The group's rows and its folder chooser.

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{ComponentSender, adw, gtk};

use super::{WorkspaceFolders, WorkspaceFoldersInput, WorkspaceFoldersWidgets};
use crate::i18n::gettext_f;
use valechat_core::mcp::WorkspaceRoot;

/// Shows `folders`: rows of folders already shown in the same place are
/// kept (fewer widgets destroyed under the accessibility bus), the rest
/// are rebuilt; a placeholder row stands in for an empty list.
pub(super) fn show(
    group: &adw::PreferencesGroup,
    widgets: &mut WorkspaceFoldersWidgets,
    folders: &[WorkspaceRoot],
    sender: &ComponentSender<WorkspaceFolders>,
) {
    let kept = widgets
        .rows
        .iter()
        .zip(folders)
        .take_while(|((shown, _), folder)| shown.as_ref() == Some(*folder))
        .count();
    for (_, row) in widgets.rows.drain(kept..) {
        group.remove(&row);
    }
    if folders.is_empty() {
        let empty = adw::ActionRow::builder()
            .title(gettext("No folders"))
            .css_classes(["dim-label"])
            .build();
        group.add(&empty);
        widgets.rows.push((None, empty));
        return;
    }
    for folder in &folders[kept..] {
        let row = folder_row(folder, sender);
        group.add(&row);
        widgets.rows.push((Some(folder.clone()), row));
    }
}

/// A row for `folder`: name, path, and a Remove button named after it.
fn folder_row(
    folder: &WorkspaceRoot,
    sender: &ComponentSender<WorkspaceFolders>,
) -> adw::ActionRow {
    let row = adw::ActionRow::builder()
        .title(glib_escape(&folder.name))
        .subtitle(glib_escape(&folder.path.to_string_lossy()))
        .build();
    let label = gettext_f("Remove “{folder}”", &[("folder", &folder.name)]);
    let remove: gtk::Button = crate::ui::a11y::labelled("GtkButton", &label).unwrap_or_default();
    remove.set_icon_name("user-trash-symbolic");
    remove.set_tooltip_text(Some(&label));
    remove.set_valign(gtk::Align::Center);
    remove.add_css_class("flat");
    let path = folder.path.clone();
    let input = sender.input_sender().clone();
    remove.connect_clicked(move |_| input.emit(WorkspaceFoldersInput::Remove(path.clone())));
    row.add_suffix(&remove);
    row
}

/// Row titles and subtitles are Pango markup in libadwaita 1.2.
fn glib_escape(text: &str) -> String {
    relm4::gtk::glib::markup_escape_text(text).to_string()
}

/// Opens a folder chooser over `parent`; the answer comes back as
/// [`WorkspaceFoldersInput::Chosen`]. Keep the returned dialog alive until
/// it answers.
pub(super) fn choose_folder(
    parent: Option<&gtk::Window>,
    sender: relm4::Sender<WorkspaceFoldersInput>,
) -> gtk::FileChooserNative {
    let chooser = gtk::FileChooserNative::new(
        Some(&gettext("Add Workspace Folder")),
        parent,
        gtk::FileChooserAction::SelectFolder,
        Some(&gettext("_Add")),
        Some(&gettext("_Cancel")),
    );
    chooser.set_modal(true);
    chooser.connect_response(move |chooser, response| {
        let path = (response == gtk::ResponseType::Accept)
            .then(|| chooser.file().and_then(|file| file.path()))
            .flatten();
        sender.emit(WorkspaceFoldersInput::Chosen(path));
    });
    chooser.show();
    chooser
}
