//! A conversation in the sidebar: its title and model, with Rename and
//! Delete in its menu (a `GMenuModel` whose items activate the row's
//! `row.rename` and `row.delete` actions, which the row turns into its
//! Output).

use gettextrs::gettext;
use relm4::factory::{DynamicIndex, FactoryComponent, FactorySender, FactoryView};
use relm4::gtk;
use relm4::gtk::prelude::*;

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
}

/// Widgets of a sidebar row.
#[derive(Debug)]
pub struct ConversationRowWidgets {
    title: gtk::Label,
    subtitle: gtk::Label,
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

        let menu: gtk::MenuButton =
            crate::ui::a11y::labelled("GtkMenuButton", &gettext("Conversation Menu"))
                .unwrap_or_default();
        menu.set_icon_name("view-more-symbolic");
        menu.set_menu_model(Some(&row_menu()));
        menu.set_valign(gtk::Align::Center);
        menu.add_css_class("flat");
        menu.set_tooltip_text(Some(&gettext("Conversation Menu")));
        root.insert_action_group("row", Some(&row_actions(self.conversation.id, &sender)));
        root.append(&labels);
        root.append(&menu);
        let widgets = ConversationRowWidgets { title, subtitle };
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
    }
}

/// The conversation menu: Rename… and Export…, then Delete in a section of
/// its own.
fn row_menu() -> gtk::gio::Menu {
    let menu = gtk::gio::Menu::new();
    menu.append(Some(&gettext("Rename…")), Some("row.rename"));
    menu.append(Some(&gettext("Export…")), Some("row.export"));
    let destructive = gtk::gio::Menu::new();
    destructive.append(Some(&gettext("Delete")), Some("row.delete"));
    menu.append_section(None, &destructive);
    menu
}

/// The row's `row.*` actions: each asks the sidebar, through the row's
/// Output, to rename, export or delete conversation `id`.
fn row_actions(id: i64, sender: &FactorySender<ConversationRow>) -> gtk::gio::SimpleActionGroup {
    let group = gtk::gio::SimpleActionGroup::new();
    type Output = fn(i64) -> ConversationRowOutput;
    let outputs: [(&str, Output); 3] = [
        ("rename", ConversationRowOutput::Rename),
        ("export", ConversationRowOutput::Export),
        ("delete", ConversationRowOutput::Delete),
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
