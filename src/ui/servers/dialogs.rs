//! The MCP Servers window's dialogs: the Remove confirmation and the file
//! choosers (the working folder of a stdio server, a configuration file to
//! import servers from).

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{ComponentSender, adw, gtk};

use super::{Servers, ServersCommand, ServersInput, actions};
use crate::i18n::gettext_f;
use crate::ui::file_chooser;

impl Servers {
    pub(super) fn ask_remove(&self, root: &adw::Window, sender: &ComponentSender<Self>, id: &str) {
        let name = self.name_of(id);
        let dialog = adw::MessageDialog::new(
            Some(root),
            Some(&gettext_f("Remove {name}?", &[("name", &name)])),
            Some(&gettext(
                "The server is stopped and its settings, secrets and tool permissions are deleted.",
            )),
        );
        dialog.add_response("cancel", &gettext("_Cancel"));
        dialog.add_response("remove", &gettext("_Remove"));
        dialog.set_response_appearance("remove", adw::ResponseAppearance::Destructive);
        dialog.set_default_response(Some("cancel"));
        dialog.set_close_response("cancel");
        let (s, id) = (sender.clone(), id.to_owned());
        dialog.connect_response(Some("remove"), move |_, _| {
            s.input(ServersInput::Remove(id.clone()));
        });
        dialog.present();
    }

    pub(super) fn choose_folder(&mut self, sender: &ComponentSender<Self>, root: &adw::Window) {
        let chooser = gtk::FileChooserNative::new(
            Some(&gettext("Choose the Working Folder")),
            Some(root),
            gtk::FileChooserAction::SelectFolder,
            Some(&gettext("_Select")),
            Some(&gettext("_Cancel")),
        );
        let s = sender.clone();
        chooser.connect_response(move |chooser, response| {
            if response == gtk::ResponseType::Accept
                && let Some(path) = chooser.file().and_then(|f| f.path())
            {
                s.input(ServersInput::FolderChosen(path.display().to_string()));
            }
        });
        file_chooser::show_until_answered(&chooser);
    }

    pub(super) fn choose_file(&mut self, sender: &ComponentSender<Self>, root: &adw::Window) {
        let chooser = gtk::FileChooserNative::new(
            Some(&gettext("Choose a Configuration File")),
            Some(root),
            gtk::FileChooserAction::Open,
            Some(&gettext("_Open")),
            Some(&gettext("_Cancel")),
        );
        let filter = gtk::FileFilter::new();
        filter.set_name(Some(&gettext("JSON files")));
        filter.add_mime_type("application/json");
        filter.add_pattern("*.json");
        chooser.add_filter(&filter);
        let (s, known) = (sender.clone(), self.configs.clone());
        chooser.connect_response(move |chooser, response| {
            if response == gtk::ResponseType::Accept
                && let Some(path) = chooser.file().and_then(|f| f.path())
            {
                let known = known.clone();
                s.oneshot_command(async move {
                    let (found, notes) = tokio::task::spawn_blocking(move || {
                        actions::candidates(&[(gettext("File"), path)], &known)
                    })
                    .await
                    .unwrap_or_default();
                    ServersCommand::Candidates(found, notes)
                });
            }
        });
        file_chooser::show_until_answered(&chooser);
    }
}
