//! The main window: conversation sidebar, conversation view, composer,
//! model picker, and the first-run page.
//!
//! ```text
//! adw::ApplicationWindow
//! └─ adw::ToastOverlay
//!    └─ gtk::Paned
//!       ├─ sidebar: adw::HeaderBar (New, menu) + ListBox of ConversationRow
//!       └─ content: adw::HeaderBar (title, ModelPicker) + Stack
//!          ├─ "loading"   spinner
//!          ├─ "first-run" adw::StatusPage with ProviderForm
//!          └─ "chat"      messages (MessageRow factory) + Composer
//! ```
//!
//! Every engine call runs as a command; a reply's events arrive as command
//! outputs and text reaches the view at most once per frame (see `turns`).

mod approval;
mod dialogs;
mod handlers;
mod startup;
mod turns;

pub use approval::DialogApprover;

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::factory::FactoryVecDeque;
use relm4::prelude::*;
use relm4::{adw, gtk};
use tokio_util::sync::CancellationToken;

use crate::core::chat::{Engine, TurnEvent};
use crate::core::store::{Conversation, ConversationSettings, Provider};
use crate::ui::composer::{Composer, ComposerInput, ComposerOutput};
use crate::ui::conversation_row::{ConversationRow, ConversationRowOutput};
use crate::ui::conversation_settings::{ConversationSettingsOutput, ConversationSettingsPopover};
use crate::ui::message_row::{MessageRow, MessageRowOutput};
use crate::ui::model_picker::{ModelPicker, ModelPickerInput, ModelPickerOutput};
use crate::ui::preferences::Preferences;
use crate::ui::provider_form::{ProviderForm, ProviderFormInput, ProviderFormOutput};

/// The reply being streamed into the view.
#[derive(Debug)]
pub(crate) struct Streaming {
    conversation_id: Option<i64>,
    cancel: Option<CancellationToken>,
    /// Text received but not yet shown (flushed once per frame).
    pending_text: String,
    pending_reasoning: String,
    /// A frame callback is already scheduled.
    flush_scheduled: bool,
    /// Images of the user message being sent, shown on its row once stored.
    user_images: Vec<crate::core::provider::Attachment>,
}

/// The window's state.
pub struct Window {
    engine: Option<Engine>,
    providers: Vec<Provider>,
    conversations: FactoryVecDeque<ConversationRow>,
    messages: FactoryVecDeque<MessageRow>,
    /// The open conversation; `None` for a new one not yet sent.
    current: Option<Conversation>,
    /// Provider and model for the next new conversation.
    next_model: Option<(String, String)>,
    streaming: Option<Streaming>,
    composer: Controller<Composer>,
    model_picker: Controller<ModelPicker>,
    settings_popover: Controller<ConversationSettingsPopover>,
    /// Settings for the next new conversation (applied when it is created).
    next_settings: ConversationSettings,
    provider_form: Controller<ProviderForm>,
    page: &'static str,
    /// Ignore row-selected signals while the list is rebuilt.
    selecting: bool,
    /// The open Add Provider dialog, if any.
    provider_dialog: Option<dialogs::ProviderDialog>,
    /// The Preferences window, created when first shown.
    preferences: Option<Controller<Preferences>>,
    /// The MCP Servers window, created when first shown.
    servers_window: Option<Controller<crate::ui::servers::Servers>>,
    /// The MCP servers, once the engine is open.
    servers: Option<crate::core::mcp::McpServers>,
    /// Quit was asked for and the servers are shutting down.
    quitting: bool,
    /// Open tool-call approval dialogs, by tool-call row id.
    approvals: std::rc::Rc<std::cell::RefCell<approval::OpenApprovals>>,
}

/// Messages the window accepts.
#[derive(Debug)]
pub enum WindowInput {
    /// Start a new conversation (nothing is stored until the first message).
    NewConversation,
    /// Open the sidebar's row `index`.
    SelectRow(i32),
    /// Ask for a new title for conversation `id`.
    RenameConversation(i64),
    /// Store `title` for conversation `id`.
    ApplyRename(i64, String),
    /// Ask to delete conversation `id`.
    DeleteConversation(i64),
    /// Delete conversation `id` after confirmation.
    ConfirmDelete(i64),
    /// The composer asks to send `text` with these images.
    Send(String, Vec<crate::core::provider::Attachment>),
    /// Give a draft back to the composer.
    RestoreDraft(String, Vec<crate::core::provider::Attachment>),
    /// Send `text` and images once over a hard spending limit.
    SendAnyway(String, Vec<crate::core::provider::Attachment>),
    /// Stop the running reply.
    Stop,
    /// Retry the last failed reply.
    Retry,
    /// A model was chosen in the picker.
    ModelChosen(String, String),
    /// The conversation settings popover reported new settings.
    SettingsChanged(ConversationSettings),
    /// A provider was added.
    ProviderAdded(Provider),
    /// Show the Add Provider dialog.
    ShowAddProvider,
    /// Show the Preferences window (Ctrl+comma).
    ShowPreferences,
    /// Show the MCP Servers window.
    ShowServers,
    /// Providers were edited in Preferences: reload them.
    ReloadProviders,
    /// Show the About dialog.
    ShowAbout,
    /// Open the model picker (Ctrl+K).
    ShowModelPicker,
    /// Stop any reply, shut the MCP servers down and quit (Ctrl+Q,
    /// closing the window, SIGTERM).
    Quit,
    /// Show text the frame clock callback collected.
    FlushStream,
    /// Show a toast with `text`.
    Toast(String),
    /// The engine asks whether a tool call may run.
    ApproveToolCall(
        Box<crate::core::chat::ApprovalRequest>,
        approval::ApprovalReply,
    ),
    /// The engine no longer waits for the approval of tool call `id`.
    DismissApproval(i64),
}

/// Results of background work.
#[derive(Debug)]
pub enum WindowCommand {
    /// The engine opened (or failed to).
    Started(Result<startup::Loaded, String>),
    /// Fresh list of conversations (after a change).
    Conversations(Vec<Conversation>),
    /// Fresh list of providers.
    Providers(Vec<Provider>),
    /// Everything shown of an opened conversation.
    Messages(Box<handlers::LoadedConversation>),
    /// A conversation was created for the first message.
    Created(Conversation),
    /// A turn started; its cancellation token.
    TurnStarted(CancellationToken),
    /// An event of the running turn.
    Turn(TurnEvent),
    /// A send could not start: the error, and the text and images to give back.
    SendFailed(
        String,
        Option<(String, Vec<crate::core::provider::Attachment>)>,
    ),
    /// A hard spending limit refused the send: the explanation, and the
    /// text and images to send anyway or give back.
    LimitRefused(
        String,
        Option<(String, Vec<crate::core::provider::Attachment>)>,
    ),
    /// A background call failed with this message.
    Failed(String),
    /// Nothing to do (a background call succeeded silently).
    Done,
    /// The MCP servers are down: end the application.
    ServersStopped,
    /// SIGTERM or SIGINT arrived: quit like the Quit action.
    Quit,
}

relm4::new_action_group!(pub(crate) WindowActions, "win");
relm4::new_stateless_action!(pub(crate) NewConversationAction, WindowActions, "new-conversation");
relm4::new_stateless_action!(pub(crate) AddProviderAction, WindowActions, "add-provider");
relm4::new_stateless_action!(pub(crate) AboutAction, WindowActions, "about");
relm4::new_stateless_action!(pub(crate) PreferencesAction, WindowActions, "preferences");
relm4::new_stateless_action!(pub(crate) ShowServersAction, WindowActions, "show-servers");
relm4::new_stateless_action!(pub(crate) StopAction, WindowActions, "stop");
relm4::new_stateless_action!(pub(crate) ModelPickerAction, WindowActions, "model-picker");
relm4::new_stateless_action!(pub(crate) QuitAction, WindowActions, "quit");

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
                gtk::Paned {
                    set_position: 280,
                    set_shrink_start_child: false,
                    set_resize_start_child: false,

                    #[wrap(Some)]
                    set_start_child = &gtk::Box {
                        set_orientation: gtk::Orientation::Vertical,
                        set_width_request: 220,

                        adw::HeaderBar {
                            set_show_end_title_buttons: false,
                            #[wrap(Some)]
                            set_title_widget = &adw::WindowTitle {
                                set_title: &gettext("ValeChat"),
                            },
                            pack_start = &gtk::Button {
                                set_icon_name: "list-add-symbolic",
                                set_tooltip_text: Some(&gettext("New Conversation")),
                                set_action_name: Some("win.new-conversation"),
                            },
                            #[local_ref]
                            pack_end = main_menu_button -> gtk::MenuButton {
                                set_icon_name: "open-menu-symbolic",
                                set_tooltip_text: Some(&gettext("Main Menu")),
                                set_menu_model: Some(&main_menu),
                            },
                        },
                        gtk::ScrolledWindow {
                            set_vexpand: true,
                            set_hscrollbar_policy: gtk::PolicyType::Never,
                            #[local_ref]
                            conversation_list -> gtk::ListBox {
                                add_css_class: "navigation-sidebar",
                                connect_row_selected[sender] => move |_, row| {
                                    if let Some(row) = row {
                                        sender.input(WindowInput::SelectRow(row.index()));
                                    }
                                },
                            },
                        },
                    },

                    #[wrap(Some)]
                    set_end_child = &gtk::Box {
                        set_orientation: gtk::Orientation::Vertical,
                        set_width_request: 360,

                        adw::HeaderBar {
                            set_show_start_title_buttons: false,
                            #[wrap(Some)]
                            #[name = "title"]
                            set_title_widget = &adw::WindowTitle {},
                            pack_end: model.model_picker.widget(),
                            pack_end: model.settings_popover.widget(),
                        },

                        #[name = "stack"]
                        gtk::Stack {
                            set_vexpand: true,
                            set_transition_type: gtk::StackTransitionType::Crossfade,

                            add_named[Some("loading")] = &gtk::Spinner {
                                set_spinning: true,
                                set_halign: gtk::Align::Center,
                                set_valign: gtk::Align::Center,
                                set_size_request: (32, 32),
                            },
                            add_named[Some("first-run")] = &adw::StatusPage {
                                set_icon_name: Some(crate::config::APP_ID),
                                set_title: &gettext("Welcome to ValeChat"),
                                set_description: Some(&gettext("Add a provider to start chatting: a cloud service with its API key, or a local server such as Ollama, LM Studio or llama.cpp.")),
                                #[wrap(Some)]
                                set_child = &adw::Clamp {
                                    set_maximum_size: 520,
                                    set_child: Some(model.provider_form.widget()),
                                },
                            },
                            add_named[Some("error")] = &adw::StatusPage {
                                set_icon_name: Some("dialog-error-symbolic"),
                                set_title: &gettext("ValeChat Could Not Start"),
                                #[name = "startup_error"]
                                #[wrap(Some)]
                                set_child = &gtk::Label {
                                    set_wrap: true,
                                    set_selectable: true,
                                },
                            },
                            add_named[Some("chat")] = &gtk::Box {
                                set_orientation: gtk::Orientation::Vertical,

                                #[name = "scroller"]
                                gtk::ScrolledWindow {
                                    set_vexpand: true,
                                    set_hscrollbar_policy: gtk::PolicyType::Never,
                                    adw::Clamp {
                                        set_maximum_size: 860,
                                        set_tightening_threshold: 600,
                                        #[local_ref]
                                        message_box -> gtk::Box {
                                            set_orientation: gtk::Orientation::Vertical,
                                            set_spacing: 18,
                                            set_margin_top: 18,
                                            set_margin_bottom: 18,
                                            set_margin_start: 12,
                                            set_margin_end: 12,
                                        },
                                    },
                                },
                                append: model.composer.widget(),
                            },
                        },
                    },
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
                &gettext("MCP Servers") => ShowServersAction,
                &gettext("Preferences") => PreferencesAction,
                &gettext("About ValeChat") => AboutAction,
                &gettext("Quit") => QuitAction,
            }
        }
    }

    fn init((): (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let conversations = FactoryVecDeque::builder()
            .launch(gtk::ListBox::default())
            .forward(sender.input_sender(), |out| match out {
                ConversationRowOutput::Rename(id) => WindowInput::RenameConversation(id),
                ConversationRowOutput::Delete(id) => WindowInput::DeleteConversation(id),
            });
        let messages = FactoryVecDeque::builder()
            .launch(gtk::Box::default())
            .forward(sender.input_sender(), |out| match out {
                MessageRowOutput::Retry => WindowInput::Retry,
            });
        let composer =
            Composer::builder()
                .launch(())
                .forward(sender.input_sender(), |out| match out {
                    ComposerOutput::Send(text, images) => WindowInput::Send(text, images),
                    ComposerOutput::Notice(text) => WindowInput::Toast(text),
                    ComposerOutput::Stop => WindowInput::Stop,
                });
        let model_picker =
            ModelPicker::builder()
                .launch(())
                .forward(sender.input_sender(), |out| match out {
                    ModelPickerOutput::Selected { provider_id, model } => {
                        WindowInput::ModelChosen(provider_id, model)
                    }
                });
        let settings_popover = ConversationSettingsPopover::builder().launch(()).forward(
            sender.input_sender(),
            |out| match out {
                ConversationSettingsOutput::Changed(s) => WindowInput::SettingsChanged(s),
            },
        );
        let provider_form =
            ProviderForm::builder()
                .launch(())
                .forward(sender.input_sender(), |out| match out {
                    ProviderFormOutput::Added(p) => WindowInput::ProviderAdded(p),
                });

        let model = Window {
            engine: None,
            providers: Vec::new(),
            conversations,
            messages,
            current: None,
            next_model: None,
            streaming: None,
            composer,
            model_picker,
            settings_popover,
            next_settings: ConversationSettings::default(),
            provider_form,
            page: "loading",
            selecting: false,
            provider_dialog: None,
            preferences: None,
            servers_window: None,
            approvals: std::rc::Rc::default(),
            servers: None,
            quitting: false,
        };
        let main_menu_button: &gtk::MenuButton =
            &crate::ui::a11y::labelled("GtkMenuButton", &gettext("Main Menu")).unwrap_or_default();
        let conversation_list = model.conversations.widget();
        let message_box = model.messages.widget();
        let widgets = view_output!();
        startup::install_actions(&root, &sender);
        startup::quit_on_signals(&sender);
        if crate::config::is_development() {
            root.add_css_class("devel");
        }
        turns::follow_bottom(&widgets.scroller);
        crate::ui::composer::add_drop_target(&widgets.scroller, &model.composer);
        let approver = DialogApprover::new(sender.input_sender().clone());
        sender.oneshot_command(async { WindowCommand::Started(startup::load(approver).await) });
        let s = sender.clone();
        root.connect_close_request(move |_| {
            // Closing the window quits through the same path as Ctrl+Q, so
            // MCP servers are shut down before the process ends.
            s.input(WindowInput::Quit);
            gtk::glib::Propagation::Stop
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
        self.render(widgets);
    }
}

impl Window {
    /// Brings the title, page and composer in line with the state.
    fn render(&self, widgets: &WindowWidgets) {
        widgets.stack.set_visible_child_name(self.page);
        let chatting = self.page == "chat";
        widgets.title.set_visible(chatting);
        self.model_picker.widget().set_visible(chatting);
        self.settings_popover.widget().set_visible(chatting);
        let title = match &self.current {
            Some(c) if !c.title.is_empty() => c.title.clone(),
            _ => gettext("New Conversation"),
        };
        widgets.title.set_title(&title);
        widgets.title.set_subtitle(
            self.current_model()
                .and_then(|(p, _)| self.providers.iter().find(|x| x.id == p))
                .map(|p| p.name.as_str())
                .unwrap_or_default(),
        );
        self.composer
            .emit(ComposerInput::SetReady(self.current_model().is_some()));
        self.composer
            .emit(ComposerInput::SetBusy(self.streaming.is_some()));
    }

    /// Provider and model the next message goes to.
    fn current_model(&self) -> Option<(String, String)> {
        match &self.current {
            Some(Conversation {
                provider_id: Some(p),
                model: Some(m),
                ..
            }) => Some((p.clone(), m.clone())),
            Some(_) => None,
            None => self.next_model.clone(),
        }
    }

    fn toast(widgets: &WindowWidgets, text: &str) {
        let toast = adw::Toast::new(text);
        toast.set_timeout(6);
        widgets.toasts.add_toast(toast);
    }

    fn set_engine(&mut self, engine: Engine) {
        self.provider_form
            .emit(ProviderFormInput::SetEngine(engine.clone()));
        self.model_picker
            .emit(ModelPickerInput::SetEngine(engine.clone()));
        self.engine = Some(engine);
    }
}
