//! A conversation in the sidebar: its title and model, with Rename…,
//! Pin/Unpin, Move to…, Archive/Unarchive and Delete in its menu (a
//! `GMenuModel` whose items activate the row's `row.*` actions, which the
//! row turns into its Output). The row can be dragged onto a folder (it
//! carries the conversation's id, an `i64`).

use gettextrs::gettext;
use relm4::factory::{DynamicIndex, FactoryComponent, FactorySender, FactoryView};
use relm4::gtk;
use relm4::gtk::prelude::*;

use crate::ui::sidebar::OrganiseInput;
use valechat_core::store::Conversation;

/// A sidebar row's model.
#[derive(Debug)]
pub struct ConversationRow {
    /// The conversation shown.
    pub conversation: Conversation,
}

impl ConversationRow {
    /// The title to show: the stored title, or "New Conversation" before the first message names it.
    pub fn display_title(&self) -> String {
        if self.conversation.title.trim().is_empty() {
            gettext("New Conversation")
        } else {
            self.conversation.title.clone()
        }
    }
}

/// Changes the parent pushes to a row.
#[derive(Debug)]
pub enum ConversationRowInput {
    /// The conversation was renamed or its model changed.
    Update(Conversation),
}

/// What a row asks of the window.
#[derive(Debug)]
pub enum ConversationRowOutput {
    /// Ask for a new title for conversation `id`.
    Rename(i64),
    /// Ask to delete conversation `id`.
    Delete(i64),
    /// Export conversation `id` (Export…).
    Export(i64),
    /// Pin/unpin, archive/unarchive, Move to….
    Organise(OrganiseInput),
}

/// Widgets of a sidebar row.
#[derive(Debug)]
pub struct ConversationRowWidgets {
    title: gtk::Label,
    subtitle: gtk::Label,
    pin: gtk::Image,
    menu: gtk::MenuButton,
}

impl FactoryComponent for ConversationRow {
    type ParentWidget = gtk::ListBox;
    type CommandOutput = ();
    type Input = ConversationRowInput;
    type Output = ConversationRowOutput;
    type Init = Conversation;
    type Root = gtk::Box;
    type Widgets = ConversationRowWidgets;
    type Index = DynamicIndex;

    fn init_model(conversation: Conversation, _: &DynamicIndex, _: FactorySender<Self>) -> Self {
        Self { conversation }
    }

    fn init_root(&self) -> Self::Root {
        gtk::Box::builder()
            .orientation(gtk::Orientation::Horizontal)
            .spacing(6)
            .margin_top(6)
            .margin_bottom(6)
            .margin_start(6)
            .margin_end(6)
            .build()
    }

    fn init_widgets(
        &mut self,
        _index: &DynamicIndex,
        root: Self::Root,
        _returned: &<Self::ParentWidget as FactoryView>::ReturnedWidget,
        sender: FactorySender<Self>,
    ) -> Self::Widgets {
        let labels = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .hexpand(true)
            .build();
        let title = gtk::Label::builder()
            .xalign(0.0)
            .ellipsize(gtk::pango::EllipsizeMode::End)
            .build();
        let subtitle = gtk::Label::builder()
            .xalign(0.0)
            .ellipsize(gtk::pango::EllipsizeMode::End)
            .css_classes(["caption", "dim-label"])
            .build();
        labels.append(&title);
        labels.append(&subtitle);
        let pin = gtk::Image::from_icon_name("view-pin-symbolic");
        pin.set_valign(gtk::Align::Center);
        pin.add_css_class("dim-label");
        pin.set_tooltip_text(Some(&gettext("Pinned")));

        let menu: gtk::MenuButton =
            crate::ui::a11y::labelled("GtkMenuButton", &gettext("Conversation Menu"))
                .unwrap_or_default();
        menu.set_icon_name("view-more-symbolic");
        menu.set_menu_model(Some(&row_menu(&self.conversation)));
        menu.set_valign(gtk::Align::Center);
        menu.add_css_class("flat");
        menu.set_tooltip_text(Some(&gettext("Conversation Menu")));
        root.insert_action_group("row", Some(&row_actions(self.conversation.id, &sender)));
        root.append(&labels);
        root.append(&pin);
        root.append(&menu);
        root.add_controller(drag_source(self.conversation.id));
        let widgets = ConversationRowWidgets {
            title,
            subtitle,
            pin,
            menu,
        };
        self.render(&widgets);
        widgets
    }

    fn update(&mut self, message: Self::Input, _sender: FactorySender<Self>) {
        match message {
            ConversationRowInput::Update(c) => self.conversation = c,
        }
    }

    fn update_view(&self, widgets: &mut Self::Widgets, _sender: FactorySender<Self>) {
        self.render(widgets);
    }
}

impl ConversationRow {
    fn render(&self, widgets: &ConversationRowWidgets) {
        let title = self.display_title();
        widgets.title.set_label(&title);
        widgets
            .subtitle
            .set_label(self.conversation.model.as_deref().unwrap_or_default());
        widgets.pin.set_visible(self.conversation.pinned);
        widgets
            .menu
            .set_menu_model(Some(&row_menu(&self.conversation)));
    }
}

/// The conversation menu: Rename…, Pin or Unpin, Move to…, Export…, then
/// Archive or Unarchive, then Delete in a section of its own.
fn row_menu(c: &Conversation) -> gtk::gio::Menu {
    let menu = gtk::gio::Menu::new();
    menu.append(Some(&gettext("Rename…")), Some("row.rename"));
    let pin = if c.pinned {
        gettext("Unpin")
    } else {
        gettext("Pin")
    };
    menu.append(Some(&pin), Some("row.pin"));
    menu.append(Some(&gettext("Move to…")), Some("row.move"));
    menu.append(Some(&gettext("Export…")), Some("row.export"));
    let archive = gtk::gio::Menu::new();
    let label = if c.archived {
        gettext("Unarchive")
    } else {
        gettext("Archive")
    };
    archive.append(Some(&label), Some("row.archive"));
    menu.append_section(None, &archive);
    let destructive = gtk::gio::Menu::new();
    destructive.append(Some(&gettext("Delete")), Some("row.delete"));
    menu.append_section(None, &destructive);
    menu
}

/// What a `row.*` action sends for a conversation id.
type RowAction = fn(i64) -> ConversationRowOutput;

/// The row's `row.*` actions: each asks the sidebar, through the row's
/// Output, to act on conversation `id`.
fn row_actions(id: i64, sender: &FactorySender<ConversationRow>) -> gtk::gio::SimpleActionGroup {
    let group = gtk::gio::SimpleActionGroup::new();
    let outputs: [(&str, RowAction); 6] = [
        ("rename", ConversationRowOutput::Rename),
        ("export", ConversationRowOutput::Export),
        ("delete", ConversationRowOutput::Delete),
        ("pin", |id| {
            ConversationRowOutput::Organise(OrganiseInput::TogglePin(id))
        }),
        ("archive", |id| {
            ConversationRowOutput::Organise(OrganiseInput::ToggleArchive(id))
        }),
        ("move", |id| {
            ConversationRowOutput::Organise(OrganiseInput::AskMove(id))
        }),
    ];
    for (name, output) in outputs {
        let action = gtk::gio::SimpleAction::new(name, None);
        let sender = sender.clone();
        action.connect_activate(move |_, _| {
            let _ = sender.output(output(id));
        });
        group.add_action(&action);
    }
    group
}

/// A drag source carrying conversation `id`, drawn as the row.
fn drag_source(id: i64) -> gtk::DragSource {
    let source = gtk::DragSource::builder()
        .actions(gtk::gdk::DragAction::MOVE)
        .build();
    source
        .connect_prepare(move |_, _, _| Some(gtk::gdk::ContentProvider::for_value(&id.to_value())));
    source.connect_drag_begin(|source, _| {
        if let Some(widget) = source.widget() {
            let icon = gtk::WidgetPaintable::new(Some(&widget));
            source.set_icon(Some(&icon), 0, 0);
        }
    });
    source
}
