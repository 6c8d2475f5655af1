//! A model of the library as a row: its name, what it is and what it
//! takes (`text::model_details`), and its menu (Show in Files, Remove…),
//! whose items activate the row's `model.*` actions; the confirmation
//! before a removal, which says what becomes of the file.

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::prelude::*;
use relm4::{adw, gtk};

use super::{LocalModels, LocalModelsInput, text};
use crate::i18n::gettext_f;
use valechat_core::store::LocalModel;

/// The row of `m`, whose menu sends `sender` its inputs.
pub fn model_row(m: &LocalModel, sender: &ComponentSender<LocalModels>) -> adw::ActionRow {
    let row = adw::ActionRow::builder()
        .use_markup(false)
        .title(m.display_name())
        .subtitle(text::model_details(m))
        .build();
    let menu_name = gettext_f("Menu of {name}", &[("name", &m.display_name())]);
    let menu: gtk::MenuButton =
        crate::ui::a11y::labelled("GtkMenuButton", &menu_name).unwrap_or_default();
    menu.set_icon_name("view-more-symbolic");
    menu.set_tooltip_text(Some(&gettext("Model Menu")));
    menu.set_valign(gtk::Align::Center);
    menu.add_css_class("flat");
    let items = gtk::gio::Menu::new();
    items.append(Some(&gettext("Show in Files")), Some("model.show"));
    let destructive = gtk::gio::Menu::new();
    destructive.append(Some(&gettext("Remove…")), Some("model.remove"));
    items.append_section(None, &destructive);
    menu.set_menu_model(Some(&items));
    row.add_suffix(&menu);
    row.insert_action_group("model", Some(&actions(m.id, sender)));
    row
}

/// The `model.*` actions of the row of model `id`.
fn actions(id: i64, sender: &ComponentSender<LocalModels>) -> gtk::gio::SimpleActionGroup {
    let group = gtk::gio::SimpleActionGroup::new();
    type ToInput = fn(i64) -> LocalModelsInput;
    let inputs: [(&str, ToInput); 2] = [
        ("show", LocalModelsInput::ShowInFiles),
        ("remove", LocalModelsInput::AskRemove),
    ];
    for (name, input) in inputs {
        let action = gtk::gio::SimpleAction::new(name, None);
        let sender = sender.clone();
        action.connect_activate(move |_, _| sender.input(input(id)));
        group.add_action(&action);
    }
    group
}

/// Asks before removing `m`, saying whether its file is deleted (copied or
/// downloaded into ValeChat's folder) or kept (referenced where it is);
/// Remove sends [`LocalModelsInput::Remove`].
pub fn confirm_remove(
    m: &LocalModel,
    root: &adw::PreferencesPage,
    sender: &ComponentSender<LocalModels>,
) {
    let parent = root.root().and_downcast::<gtk::Window>();
    let path = m.path.display().to_string();
    let body = if m.origin.owns_file() {
        gettext_f(
            "Its file is deleted: {path}. This cannot be undone.",
            &[("path", &path)],
        )
    } else {
        gettext_f(
            "Its file stays where it is: {path}. Only ValeChat's entry is removed.",
            &[("path", &path)],
        )
    };
    let dialog = adw::MessageDialog::new(
        parent.as_ref(),
        Some(&gettext_f("Remove {name}?", &[("name", &m.display_name())])),
        Some(&body),
    );
    dialog.add_response("cancel", &gettext("Cancel"));
    dialog.add_response("remove", &gettext("Remove"));
    dialog.set_response_appearance("remove", adw::ResponseAppearance::Destructive);
    dialog.set_default_response(Some("cancel"));
    dialog.set_close_response("cancel");
    let (id, s) = (m.id, sender.clone());
    dialog.connect_response(None, move |_, response| {
        if response == "remove" {
            s.input(LocalModelsInput::Remove(id));
        }
    });
    dialog.present();
}

/// Says that `file` was not imported and why (a dialog over the page's
/// window: the reason names the file's path and can be long).
pub fn import_refused(file: &str, reason: &str, root: &adw::PreferencesPage) {
    let parent = root.root().and_downcast::<gtk::Window>();
    let dialog = adw::MessageDialog::new(
        parent.as_ref(),
        Some(&gettext_f("Cannot Import “{file}”", &[("file", file)])),
        Some(reason),
    );
    dialog.add_response("close", &gettext("Close"));
    dialog.set_default_response(Some("close"));
    dialog.set_close_response("close");
    dialog.present();
}

/// Shows `m`'s file in the file manager (`org.freedesktop.FileManager1`'s
/// `ShowItems`, which selects it), else opens its folder.
pub fn show_in_files(m: &LocalModel) {
    let file = gtk::gio::File::for_path(&m.path);
    let folder = m
        .path
        .parent()
        .map(|p| gtk::gio::File::for_path(p).uri().to_string());
    let open_folder = move || {
        if let Some(uri) = &folder
            && let Err(e) =
                gtk::gio::AppInfo::launch_default_for_uri(uri, None::<&gtk::gio::AppLaunchContext>)
        {
            tracing::warn!("cannot open the models folder: {e}");
        }
    };
    let Some(bus) = gtk::gio::Application::default().and_then(|a| a.dbus_connection()) else {
        open_folder();
        return;
    };
    let uris = vec![file.uri().to_string()];
    bus.call(
        Some("org.freedesktop.FileManager1"),
        "/org/freedesktop/FileManager1",
        "org.freedesktop.FileManager1",
        "ShowItems",
        Some(&(uris, String::new()).to_variant()),
        None,
        gtk::gio::DBusCallFlags::NONE,
        3000,
        None::<&gtk::gio::Cancellable>,
        move |answer| {
            if answer.is_err() {
                open_folder();
            }
        },
    );
}
