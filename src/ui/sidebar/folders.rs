//! A folder's header in the sidebar: a button that collapses or expands
//! the folder (its name, with an arrow), and a Folder Menu with Rename…
//! and Delete…; conversation rows dropped on it are filed in it.

use gettextrs::gettext;
use relm4::ComponentSender;
use relm4::gtk;
use relm4::gtk::prelude::*;
use relm4::gtk::{gdk, gio};

use super::organise::OrganiseInput;
use super::{Sidebar, SidebarInput};
use valechat_core::store::Folder;

/// The header widget of `folder` (`collapsed`: its rows are hidden;
/// `focus`: its button takes the focus once shown).
pub(super) fn header(
    folder: &Folder,
    collapsed: bool,
    focus: bool,
    sender: &ComponentSender<Sidebar>,
) -> gtk::Box {
    let id = folder.id;
    let root = gtk::Box::builder()
        .orientation(gtk::Orientation::Horizontal)
        .spacing(6)
        .margin_top(6)
        .margin_start(6)
        .margin_end(6)
        .build();
    root.add_css_class("folder-header");

    let arrow = gtk::Image::from_icon_name(if collapsed {
        "pan-end-symbolic"
    } else {
        "pan-down-symbolic"
    });
    let icon = gtk::Image::from_icon_name("folder-symbolic");
    let name = gtk::Label::builder()
        .label(&folder.name)
        .xalign(0.0)
        .hexpand(true)
        .ellipsize(gtk::pango::EllipsizeMode::End)
        .css_classes(["heading"])
        .build();
    let inner = gtk::Box::builder().spacing(6).build();
    inner.append(&arrow);
    inner.append(&icon);
    inner.append(&name);
    let toggle = gtk::Button::builder()
        .child(&inner)
        .hexpand(true)
        .css_classes(["flat"])
        .tooltip_text(if collapsed {
            gettext("Show the folder’s conversations")
        } else {
            gettext("Hide the folder’s conversations")
        })
        .build();
    crate::ui::a11y::relabel(toggle.upcast_ref(), &folder.name);
    let s = sender.clone();
    toggle.connect_clicked(move |_| {
        s.input(SidebarInput::Organise(OrganiseInput::ToggleFolder(id)));
    });

    let menu: gtk::MenuButton =
        crate::ui::a11y::labelled("GtkMenuButton", &gettext("Folder Menu")).unwrap_or_default();
    menu.set_icon_name("view-more-symbolic");
    menu.set_tooltip_text(Some(&gettext("Folder Menu")));
    menu.set_valign(gtk::Align::Center);
    menu.add_css_class("flat");
    let model = gio::Menu::new();
    model.append(Some(&gettext("Rename…")), Some("folder.rename"));
    model.append(Some(&gettext("Export…")), Some("folder.export"));
    model.append(Some(&gettext("Delete…")), Some("folder.delete"));
    menu.set_menu_model(Some(&model));
    root.insert_action_group("folder", Some(&actions(id, sender)));

    if focus {
        toggle.connect_map(|toggle| {
            toggle.grab_focus();
        });
    }
    root.append(&toggle);
    root.append(&menu);
    root.add_controller(drop_target(Some(id), sender));
    root
}

/// The header's `folder.rename`, `folder.export` and `folder.delete`
/// actions.
fn actions(id: i64, sender: &ComponentSender<Sidebar>) -> gio::SimpleActionGroup {
    let group = gio::SimpleActionGroup::new();
    for (name, input) in [
        ("rename", OrganiseInput::AskRenameFolder(id)),
        ("export", OrganiseInput::ExportFolder(id)),
        ("delete", OrganiseInput::AskDeleteFolder(id)),
    ] {
        let action = gio::SimpleAction::new(name, None);
        let sender = sender.clone();
        action.connect_activate(move |_, _| {
            sender.input(SidebarInput::Organise(input.clone()));
        });
        group.add_action(&action);
    }
    group
}

/// A drop target taking a dragged conversation row (its id, an `i64`)
/// into folder `folder` (`None`: out of any folder).
pub(super) fn drop_target(
    folder: Option<i64>,
    sender: &ComponentSender<Sidebar>,
) -> gtk::DropTarget {
    let target = gtk::DropTarget::new(i64::static_type(), gdk::DragAction::MOVE);
    let sender = sender.clone();
    target.connect_drop(move |_, value, _, _| {
        let Ok(id) = value.get::<i64>() else {
            return false;
        };
        sender.input(SidebarInput::Organise(OrganiseInput::Move(id, folder)));
        true
    });
    target
}
