//! The main window: conversation sidebar, conversation view, composer,
//! model picker, and the first-run page.
//!
//! ```text
//! adw::ApplicationWindow
//! └─ adw::ToastOverlay
//!    └─ adw::Leaflet (folds below about 600 px: one pane at a time)
//!       ├─ Sidebar (header with New, Search and the main menu; conversations)
//!       ├─ gtk::Separator
//!       └─ content: adw::HeaderBar (Back, title, ModelPicker, settings) + Stack
//!          ├─ "loading"   spinner
//!          ├─ "first-run" adw::StatusPage: Use a Model on This Computer
//!          │              (LocalModelsWindow), then ProviderForm
//!          └─ "chat"      ConversationView (messages + composer)
//! ```
//!
//! The first-run form and the conversation view are built the first time
//! their page shows (`pages`).
//!
//! Which pane shows in a narrow window, and which header carries the
//! window buttons, is `panes`' business.
//!
//! The window decides which conversation is open and where the next message
//! goes (model, settings, the pending workspace folders that
//! `WorkspaceFolders` reports); the conversation view shows it
//! and runs its replies (see `ui::conversation_view`). Every engine call
//! runs as a component command.

mod assistant;
mod dialogs;
mod handlers;
mod local;
mod messages;
mod pages;
mod panes;
mod providers;
mod quit;
mod render;
mod shortcuts;
mod startup;
mod state;
mod target;
mod transfer;

pub(crate) use messages::{
    AboutAction, AddProviderAction, BillingAction, ExportAllAction, ImportAction,
    ModelPickerAction, NewConversationAction, NextConversationAction, PreferencesAction,
    PreviousConversationAction, QuitAction, SearchAction, ShortcutsAction, ShowServersAction,
    StopAction, WindowActions,
};
pub use messages::{LearnedEra, WindowCommand, WindowInput};

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::prelude::*;
use relm4::{adw, gtk};

use crate::ui::conversation_settings::{ConversationSettingsOutput, ConversationSettingsPopover};
use crate::ui::conversation_view::ConversationView;
use crate::ui::model_picker::{ModelPicker, ModelPickerOutput};
use crate::ui::preferences::Preferences;
use crate::ui::provider_form::ProviderForm;
use crate::ui::sidebar::{Sidebar, SidebarOutput};
use crate::ui::workspace_folders::{WorkspaceFolders, WorkspaceFoldersOutput};
use valechat_core::chat::Engine;
use valechat_core::store::{Conversation, ConversationSettings, Provider};

/// The window's state.
pub struct Window {
    engine: Option<Engine>,
    providers: Vec<Provider>,
    /// The conversation list, search, Rename and Delete.
    sidebar: Controller<Sidebar>,
    /// The open conversation's messages and composer, built the first
    /// time the "chat" page shows.
    view: Option<Controller<ConversationView>>,
    /// A reply is running (in the conversation shown or another).
    replying: bool,
    /// The open conversation's cost so far, USD, once anything was billed.
    total: Option<rust_decimal::Decimal>,
    /// The open conversation; `None` for a new one not yet sent.
    current: Option<Conversation>,
    /// Provider and model for the next new conversation.
    next_model: Option<(String, String)>,
    /// The assistant the next new conversation starts from.
    next_assistant: Option<valechat_core::store::Assistant>,
    /// The assistant the open conversation started from (its header).
    shown_assistant: Option<valechat_core::store::ConversationAssistant>,
    model_picker: Controller<ModelPicker>,
    /// The reply to regenerate with the model chosen next in the picker
    /// (Regenerate With…), until the picker closes.
    regenerate_with: Option<i64>,
    settings_popover: Controller<ConversationSettingsPopover>,
    /// Settings for the next new conversation (applied when it is created).
    next_settings: ConversationSettings,
    /// Workspace folders of the new conversation on screen (stored when
    /// it is created).
    next_folders: Vec<valechat_core::mcp::WorkspaceRoot>,
    /// MCP servers chosen for the next new conversation (stored when it is
    /// created).
    next_servers: valechat_core::chat::McpServerChoice,
    /// The workspace folders of the conversation on screen, which every
    /// MCP server sees as roots (shown in the settings popover).
    folders: Controller<WorkspaceFolders>,
    /// The first-run page's form, built the first time that page shows.
    provider_form: Option<Controller<ProviderForm>>,
    /// How many models the library of models on this computer holds
    /// (with none and no provider, the first-run page shows).
    local_models: usize,
    /// The curated models' downloads, which outlive Preferences and the
    /// first-run window that show them.
    downloads: crate::ui::model_downloads::Downloads,
    /// The first-run page's "Use a Model on This Computer" window.
    local_window: Option<Controller<crate::ui::local_models_window::LocalModelsWindow>>,
    page: &'static str,
    /// The open Add Provider dialog, if any.
    provider_dialog: Option<dialogs::ProviderDialog>,
    /// The Preferences window, created when first shown.
    preferences: Option<Controller<Preferences>>,
    /// The local API server run while the window is open, once the
    /// engine is open (Preferences → Server).
    api_server: Option<crate::ui::api_server::ApiServerHost>,
    /// The MCP Servers window, created when first shown.
    servers_window: Option<Controller<crate::ui::servers::Servers>>,
    /// The MCP servers, once the engine is open.
    servers: Option<valechat_core::mcp::McpServers>,
    /// Quit was asked for and the servers are shutting down.
    quitting: bool,
    /// The window was closed during a reply: it is minimized and the app
    /// quits when the reply ends (unless the window is brought back).
    /// Shared with the window's `is-active` handler, which says so only
    /// then: an input at every change of the active window would disturb
    /// the focus of the windows it opens.
    quit_when_done: std::rc::Rc<std::cell::Cell<bool>>,
    /// The Billing window, created when first shown.
    billing: Option<Controller<crate::ui::billing::Billing>>,
    /// Export and import: the open file chooser and Import window.
    transfer: transfer::Transfers,
    /// Tool-call and sampling approvals, elicitations and sign-ins: the
    /// dialogs of questions for the user.
    questions: Controller<crate::ui::questions::Questions>,
}

#[relm4::component(pub)]
impl Component for Window {
    type CommandOutput = WindowCommand;
    type Input = WindowInput;
    type Output = ();
    type Init = ();

    view! {
        #[root]
        adw::ApplicationWindow {
            set_title: Some(&gettext("ValeChat")),
            set_default_width: 1000,
            set_default_height: 720,
            set_width_request: 360,

            #[name = "toasts"]
            adw::ToastOverlay {
                #[name = "leaflet"]
                adw::Leaflet {
                    set_can_navigate_back: true,
                    set_fold_threshold_policy: adw::FoldThresholdPolicy::Minimum,
                    append: model.sidebar.widget(),
                    append = &gtk::Separator {
                        set_orientation: gtk::Orientation::Vertical,
                    } -> {
                        set_navigatable: false,
                    },
                    #[name = "content"]
                    append = &gtk::Box {
                        set_orientation: gtk::Orientation::Vertical,
                        set_hexpand: true,
                        set_width_request: 360,

                        #[name = "content_header"]
                        adw::HeaderBar {
                            set_show_start_title_buttons: false,
                            #[local_ref]
                            pack_start = back_button -> gtk::Button {
                                set_icon_name: "go-previous-symbolic",
                                set_tooltip_text: Some(&gettext("Back")),
                                set_visible: false,
                                connect_clicked => WindowInput::ShowSidebar,
                            },
                            #[wrap(Some)]
                            #[name = "title"]
                            set_title_widget = &adw::WindowTitle {},
                            pack_end: model.model_picker.widget(),
                            pack_end: model.settings_popover.widget(),
                        },

                        #[name = "stack"]
                        gtk::Stack {
                            set_vexpand: true,
                            // Only the page shown counts towards the window's
                            // width, so that it can be 360 px wide.
                            set_hhomogeneous: false,
                            set_transition_type: gtk::StackTransitionType::Crossfade,

                            #[name = "loading_spinner"]
                            add_named[Some("loading")] = &gtk::Spinner {
                                set_spinning: false,
                                set_halign: gtk::Align::Center,
                                set_valign: gtk::Align::Center,
                                set_size_request: (32, 32),
                            },
                            add_named[Some("first-run")] = &adw::StatusPage {
                                set_visible: false,
                                set_icon_name: Some(crate::config::APP_ID),
                                set_title: &gettext("Welcome to ValeChat"),
                                set_description: Some(&gettext("Chat with a model on this computer, or add a provider: a cloud service with its API key, or a local server such as Ollama, LM Studio or llama.cpp.")),
                                #[wrap(Some)]
                                #[name = "first_run_form"]
                                set_child = &adw::Clamp {
                                    set_maximum_size: 520,
                                },
                            },
                            add_named[Some("error")] = &adw::StatusPage {
                                set_visible: false,
                                set_icon_name: Some("dialog-error-symbolic"),
                                set_title: &gettext("ValeChat Could Not Start"),
                                #[name = "startup_error"]
                                #[wrap(Some)]
                                set_child = &gtk::Label {
                                    set_wrap: true,
                                    set_selectable: true,
                                },
                            },
                        },
                    },
                },
            },
        }
    }

    fn init((): (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let sidebar =
            Sidebar::builder()
                .launch(())
                .forward(sender.input_sender(), |out| match out {
                    SidebarOutput::Open(c) => WindowInput::Open(c),
                    SidebarOutput::OpenUpdated(c) => WindowInput::OpenUpdated(c),
                    SidebarOutput::Deleting(id) => WindowInput::Deleting(id),
                    SidebarOutput::Toast(text) => WindowInput::Toast(text),
                    SidebarOutput::Export(id, title) => {
                        WindowInput::Export(crate::ui::transfer::export::Scope::One(id, title))
                    }
                    SidebarOutput::ExportFolder(id, name) => {
                        WindowInput::Export(crate::ui::transfer::export::Scope::Folder(id, name))
                    }
                    SidebarOutput::OpenAt(c, id, words) => WindowInput::OpenAt(c, id, words),
                    SidebarOutput::Activated => WindowInput::ShowContent,
                });
        let model_picker =
            ModelPicker::builder()
                .launch(())
                .forward(sender.input_sender(), |out| match out {
                    ModelPickerOutput::Selected { provider_id, model } => {
                        WindowInput::ModelChosen(provider_id, model)
                    }
                    ModelPickerOutput::Closed => WindowInput::PickerClosed,
                });
        let roots = valechat_core::mcp::RootsSource::default();
        let folders = WorkspaceFolders::builder().launch(roots.clone()).forward(
            sender.input_sender(),
            |out| match out {
                WorkspaceFoldersOutput::Pending(folders) => WindowInput::PendingFolders(folders),
                WorkspaceFoldersOutput::Failed(sentence) => WindowInput::Toast(sentence),
                WorkspaceFoldersOutput::ChooserClosed => WindowInput::ShowSettings,
            },
        );
        let settings_popover = ConversationSettingsPopover::builder()
            .launch(folders.widget().clone().upcast())
            .forward(sender.input_sender(), |out| match out {
                ConversationSettingsOutput::Changed(s) => WindowInput::SettingsChanged(s),
                ConversationSettingsOutput::PendingServers(c) => WindowInput::PendingServers(c),
                ConversationSettingsOutput::Failed(sentence) => WindowInput::Toast(sentence),
            });
        let model = Window {
            engine: None,
            providers: Vec::new(),
            sidebar,
            view: None,
            replying: false,
            total: None,
            current: None,
            next_model: None,
            next_assistant: None,
            shown_assistant: None,
            model_picker,
            regenerate_with: None,
            settings_popover,
            next_settings: ConversationSettings::default(),
            next_folders: Vec::new(),
            next_servers: valechat_core::chat::McpServerChoice::Default,
            folders,
            provider_form: None,
            local_models: 0,
            downloads: local::downloads(&sender),
            local_window: None,
            page: "loading",
            provider_dialog: None,
            preferences: None,
            api_server: None,
            billing: None,
            transfer: transfer::Transfers::default(),
            servers_window: None,
            questions: crate::ui::questions::Questions::builder()
                .launch(root.clone())
                .detach(),
            servers: None,
            quitting: false,
            quit_when_done: std::rc::Rc::default(),
        };
        let back_button: &gtk::Button =
            &crate::ui::a11y::labelled("GtkButton", &gettext("Back")).unwrap_or_default();
        let widgets = view_output!();
        panes::connect(&widgets, &sender);
        startup::install_actions(&root, &sender);
        startup::quit_on_signals(&sender);
        startup::spin_if_slow(&sender);
        if crate::config::is_development() {
            root.add_css_class("devel");
        }
        state::restore(&root);
        let questions = model.questions.sender().clone();
        let window = sender.input_sender().clone();
        sender.oneshot_command(async move {
            WindowCommand::Started(startup::load(questions, window, roots).await)
        });
        let s = sender.clone();
        root.connect_close_request(move |window| {
            state::save_geometry(window);
            // Closing the window quits through the same path as Ctrl+Q (so
            // MCP servers are shut down first), once a running reply is done.
            s.input(WindowInput::CloseRequested);
            gtk::glib::Propagation::Stop
        });
        let s = sender.clone();
        let closed = model.quit_when_done.clone();
        root.connect_is_active_notify(move |window| {
            if window.is_active() && closed.get() {
                s.input(WindowInput::Shown);
            }
        });
        ComponentParts { model, widgets }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::Input,
        sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        self.handle_input(widgets, message, &sender, root);
        self.build_page(widgets, &sender);
        self.render(widgets);
    }

    fn update_cmd_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::CommandOutput,
        sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        self.handle_command(widgets, message, &sender, root);
        self.build_page(widgets, &sender);
        self.render(widgets);
    }
}
