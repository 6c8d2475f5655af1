//! The sidebar: the conversations, grouped (pinned, folders, then by
//! day: `groups`), with search (Ctrl+F), moving between them (Ctrl+PgUp /
//! Ctrl+PgDn), Rename, Delete, Pin, Archive and Move to… (`organise`).
//!
//! ```text
//! gtk::Box (vertical)
//! ├─ adw::HeaderBar: New Conversation, Search Conversations, Main Menu
//! ├─ gtk::SearchBar └─ gtk::SearchEntry, search filters (`search_filter`)
//! └─ gtk::Stack
//!    ├─ "list"  gtk::ScrolledWindow
//!    │  ├─ gtk::ListBox of ConversationRow (group titles and folder
//!    │  │  headers as the rows' headers)
//!    │  └─ the messages found (`results`, while searching)
//!    └─ "empty" adw::StatusPage (no conversations yet)
//! ```
//!
//! The window says which conversation is open ([`SidebarInput::SetOpen`])
//! and when the list may have changed ([`SidebarInput::Refresh`]); the
//! sidebar reads the list itself and tells the window what the user chose
//! through [`SidebarOutput`].

mod dialogs;
mod folder_dialogs;
mod folders;
mod groups;
mod listing;
mod messages;
mod organise;
mod results;
mod search;
mod search_filter;

pub use messages::{OrganiseInput, SidebarCommand, SidebarInput, SidebarOutput};

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::factory::FactoryVecDeque;
use relm4::prelude::*;
use relm4::{adw, gtk};

use crate::ui::conversation_row::{ConversationRow, ConversationRowOutput};
use crate::ui::window::{
    AboutAction, AddProviderAction, BillingAction, ExportAllAction, ImportAction,
    NewConversationAction, PreferencesAction, QuitAction, ShortcutsAction, ShowServersAction,
};
use valechat_core::chat::{Engine, EngineError};
use valechat_core::store::{Conversation, Folder, Listing};

/// The sidebar's state.
pub struct Sidebar {
    engine: Option<Engine>,
    rows: FactoryVecDeque<ConversationRow>,
    /// The conversation open in the window.
    open: Option<i64>,
    /// Ignore row-selected signals while the list is rebuilt.
    selecting: bool,
    /// Which rows the search shows.
    filter: search::SidebarFilter,
    /// Groups, folders, archived ones shown or not.
    organiser: organise::Organiser,
    /// The messages the search found.
    found: results::ResultsList,
    /// The search's filters.
    search_filter: search_filter::FilterPopover,
}

#[relm4::component(pub)]
impl Component for Sidebar {
    type CommandOutput = SidebarCommand;
    type Input = SidebarInput;
    type Output = SidebarOutput;
    type Init = ();

    view! {
        #[root]
        gtk::Box {
            set_orientation: gtk::Orientation::Vertical,
            set_width_request: 260,

            #[name = "header"]
            adw::HeaderBar {
                set_show_end_title_buttons: false,
                #[wrap(Some)]
                set_title_widget = &adw::WindowTitle {
                    set_title: &gettext("ValeChat"),
                },
                #[local_ref]
                pack_start = new_button -> gtk::Button {
                    set_icon_name: "list-add-symbolic",
                    set_tooltip_text: Some(&gettext("New Conversation")),
                    set_action_name: Some("win.new-conversation"),
                },
                #[local_ref]
                pack_start = assistants_button -> gtk::MenuButton {
                    set_icon_name: "pan-down-symbolic",
                    set_tooltip_text: Some(&gettext("New Conversation From an Assistant")),
                    set_menu_model: Some(&crate::ui::assistants::menu()),
                },
                #[local_ref]
                pack_end = search_button -> gtk::ToggleButton {
                    set_icon_name: "system-search-symbolic",
                    set_tooltip_text: Some(&gettext("Search Conversations")),
                },
                #[local_ref]
                pack_end = main_menu_button -> gtk::MenuButton {
                    set_icon_name: "open-menu-symbolic",
                    set_tooltip_text: Some(&gettext("Main Menu")),
                    set_menu_model: Some(&main_menu),
                },
            },
            #[name = "search_bar"]
            gtk::SearchBar {
                #[wrap(Some)]
                set_child = &gtk::Box {
                set_spacing: 6,
                #[local_ref]
                search_entry -> gtk::SearchEntry {
                    set_hexpand: true,
                    set_placeholder_text: Some(&gettext("Search conversations")),
                    connect_search_changed[sender] => move |entry| {
                        sender.input(SidebarInput::Search(entry.text().into()));
                    },
                    connect_activate[sender] => move |_| {
                        sender.input(SidebarInput::Move(1));
                    },
                },
                #[local_ref]
                filter_button -> gtk::MenuButton {},
                },
            },
            #[name = "pages"]
            gtk::Stack {
                set_vexpand: true,

                add_named[Some("list")] = &gtk::ScrolledWindow {
                    set_hscrollbar_policy: gtk::PolicyType::Never,
                    gtk::Box {
                    set_orientation: gtk::Orientation::Vertical,
                    #[local_ref]
                    list -> gtk::ListBox {
                        add_css_class: "navigation-sidebar",
                        connect_row_selected[sender] => move |_, row| {
                            if let Some(row) = row {
                                sender.input(SidebarInput::RowSelected(row.index()));
                            }
                        },
                        connect_row_activated[sender] => move |_, _| {
                            let _ = sender.output(SidebarOutput::Activated);
                        },
                    },
                    #[local_ref]
                    found -> gtk::Box {},
                    },
                },
                add_named[Some("empty")] = &adw::StatusPage {
                    add_css_class: "compact",
                    set_icon_name: Some("chat-message-new-symbolic"),
                    set_title: &gettext("No Conversations Yet"),
                    set_description: Some(&gettext("Your conversations will be listed here. Type a message to start one.")),
                },
            },
        }
    }

    menu! {
        main_menu: {
            section! {
                &gettext("New Conversation") => NewConversationAction,
                &gettext("Add Provider…") => AddProviderAction,
            },
            section! {
                &gettext("Import Conversations…") => ImportAction,
                &gettext("Export All…") => ExportAllAction,
            },
            section! {
                &gettext("Billing") => BillingAction,
                &gettext("MCP Servers") => ShowServersAction,
                &gettext("Preferences") => PreferencesAction,
                &gettext("Keyboard Shortcuts") => ShortcutsAction,
                &gettext("About ValeChat") => AboutAction,
                &gettext("Quit") => QuitAction,
            }
        }
    }

    fn init((): (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let rows = FactoryVecDeque::builder()
            .launch(gtk::ListBox::default())
            .forward(sender.input_sender(), |out| match out {
                ConversationRowOutput::Rename(id) => SidebarInput::AskRename(id),
                ConversationRowOutput::Delete(id) => SidebarInput::AskDelete(id),
                ConversationRowOutput::Export(id) => SidebarInput::AskExport(id),
                ConversationRowOutput::Organise(input) => SidebarInput::Organise(input),
            });
        let organiser = organise::Organiser::install(rows.widget(), &root, &sender);
        let model = Sidebar {
            engine: None,
            rows,
            open: None,
            selecting: false,
            filter: search::SidebarFilter::default(),
            organiser,
            found: results::ResultsList::new(sender.input_sender().clone()),
            search_filter: search_filter::FilterPopover::new(sender.input_sender()),
        };
        let new_button: &gtk::Button =
            &crate::ui::a11y::labelled("GtkButton", &gettext("New Conversation"))
                .unwrap_or_default();
        let assistants_button: &gtk::MenuButton = &crate::ui::a11y::labelled(
            "GtkMenuButton",
            &gettext("New Conversation From an Assistant"),
        )
        .unwrap_or_default();
        let main_menu_button: &gtk::MenuButton =
            &crate::ui::a11y::labelled("GtkMenuButton", &gettext("Main Menu")).unwrap_or_default();
        let search_button: &gtk::ToggleButton =
            &crate::ui::a11y::labelled("GtkToggleButton", &gettext("Search Conversations"))
                .unwrap_or_default();
        let search_entry: &gtk::SearchEntry =
            &crate::ui::a11y::labelled("GtkSearchEntry", &gettext("Search conversations"))
                .unwrap_or_default();
        let list = model.rows.widget();
        let found = &model.found.widget().clone();
        let filter_button = &model.search_filter.button().clone();
        let widgets = view_output!();
        search::connect_bar(&widgets.search_bar, search_button, search_entry);
        organise::Organiser::add_to_menu(main_menu_button);
        ComponentParts { model, widgets }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::Input,
        sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        match message {
            SidebarInput::SetEngine(engine) => self.engine = Some(engine),
            SidebarInput::Show(list) => {
                self.show(list, None, &sender);
                self.show_page(widgets);
                // The folders, and the list as they group it.
                self.refresh(&sender);
            }
            SidebarInput::Refresh => self.refresh(&sender),
            SidebarInput::SetOpen(id) => {
                self.open = id;
                self.select_open();
            }
            SidebarInput::FocusSearch => {
                widgets.search_bar.set_search_mode(true);
                widgets.search_entry.grab_focus();
            }
            SidebarInput::Move(step) => search::select_neighbour(self.rows.widget(), step),
            SidebarInput::Search(query) => self.search(query, &sender),
            SidebarInput::SearchFilterChanged => self.search_filter_changed(&sender),
            SidebarInput::ActivateFound(index) => self.activate_found(index, &sender),
            SidebarInput::RowSelected(index) => {
                if self.selecting {
                    return;
                }
                let conversation = usize::try_from(index)
                    .ok()
                    .and_then(|i| self.rows.get(i))
                    .map(|row| row.conversation.clone());
                if let Some(c) = conversation
                    && self.open != Some(c.id)
                {
                    self.open = Some(c.id);
                    let _ = sender.output(SidebarOutput::Open(c));
                }
            }
            SidebarInput::AskRename(id) => dialogs::ask_rename(root, id, &self.title(id), &sender),
            SidebarInput::AskDelete(id) => dialogs::ask_delete(root, id, &self.title(id), &sender),
            SidebarInput::AskExport(id) => {
                let _ = sender.output(SidebarOutput::Export(id, self.title(id)));
            }
            SidebarInput::Rename(id, title) => {
                self.store_then_refresh(&sender, move |engine| async move {
                    engine.store().rename_conversation(id, &title).await
                });
            }
            SidebarInput::Delete(id) => {
                let _ = sender.output(SidebarOutput::Deleting(id));
                self.store_then_refresh(&sender, move |engine| async move {
                    engine.store().delete_conversation(id).await
                });
            }
            SidebarInput::Organise(input) => self.organise(input, root, &sender),
            SidebarInput::SetFolded(folded) => widgets.header.set_show_end_title_buttons(folded),
        }
    }

    fn update_cmd_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::CommandOutput,
        sender: ComponentSender<Self>,
        _root: &Self::Root,
    ) {
        match message {
            SidebarCommand::Listed(list, folders) => {
                self.show(list, Some(folders), &sender);
                self.show_page(widgets);
            }
            SidebarCommand::Hits(query, ids) => self.search_hits(&query, ids),
            SidebarCommand::Found(query, filter, offset, results) => {
                self.found.append(&query, &filter, offset, &results);
            }
            SidebarCommand::Reveal(c, message_id) => self.reveal(c, message_id, &sender),
            SidebarCommand::Failed(error) => {
                let _ = sender.output(SidebarOutput::Toast(error));
            }
        }
    }
}
