//! A conversation in the sidebar: its title and model, with Rename and
//! Delete in a menu.

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

        let menu_box = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .build();
        let rename = gtk::Button::builder()
            .label(gettext("Rename…"))
            .css_classes(["flat"])
            .build();
        let delete = gtk::Button::builder()
            .label(gettext("Delete"))
            .css_classes(["flat", "destructive-action"])
            .build();
        menu_box.append(&rename);
        menu_box.append(&delete);
        let popover = gtk::Popover::builder().child(&menu_box).build();
        let menu: gtk::MenuButton =
            crate::ui::a11y::labelled("GtkMenuButton", &gettext("Conversation Menu"))
                .unwrap_or_default();
        menu.set_icon_name("view-more-symbolic");
        menu.set_popover(Some(&popover));
        menu.set_valign(gtk::Align::Center);
        menu.add_css_class("flat");
        menu.set_tooltip_text(Some(&gettext("Conversation Menu")));
        let id = self.conversation.id;
        {
            let sender = sender.clone();
            let popover = popover.clone();
            rename.connect_clicked(move |_| {
                popover.popdown();
                let _ = sender.output(ConversationRowOutput::Rename(id));
            });
        }
        delete.connect_clicked(move |_| {
            popover.popdown();
            let _ = sender.output(ConversationRowOutput::Delete(id));
        });
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
