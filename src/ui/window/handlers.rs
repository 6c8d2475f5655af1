//! The window's reactions to input and to finished background work.

use relm4::gtk::prelude::*;
use relm4::{ComponentController, ComponentSender, adw};

use super::{Window, WindowCommand, WindowInput, WindowWidgets};
use crate::ui::conversation_settings::{ConversationSettingsInput, ServersOf};
use crate::ui::conversation_view::ConversationViewInput;
use crate::ui::model_picker::ModelPickerInput;
use crate::ui::provider_form::ProviderFormInput;
use crate::ui::questions::QuestionsInput;
use crate::ui::sidebar::SidebarInput;
use crate::ui::workspace_folders::WorkspaceFoldersInput;
use valechat_core::chat::{EngineError, McpServerChoice};
use valechat_core::store::{Conversation, ConversationSettings};

impl Window {
    pub(super) fn handle_input(
        &mut self,
        widgets: &WindowWidgets,
        message: WindowInput,
        sender: &ComponentSender<Self>,
        root: &adw::ApplicationWindow,
    ) {
        match message {
            WindowInput::NewConversation => self.new_conversation_from(None, sender),
            WindowInput::NewConversationFrom(id) => self.new_conversation_from(Some(id), sender),
            WindowInput::Open(c) => {
                if self.current.as_ref().map(|x| x.id) != Some(c.id) {
                    self.read_conversation_assistant(c.id, sender);
                    self.open(Some(c));
                }
            }
            WindowInput::OpenAt(c, message_id, words) => {
                // Opened again even if shown: its branch may have changed.
                self.open(Some(c));
                self.emit_view(ConversationViewInput::Reveal(message_id, words));
            }
            WindowInput::OpenUpdated(c) => {
                if let Some(current) = self.current.as_mut()
                    && current.id == c.id
                {
                    current.title = c.title;
                }
            }
            WindowInput::Deleting(id) => {
                if self.current.as_ref().is_some_and(|c| c.id == id) {
                    self.stop();
                    self.open(None);
                }
            }
            WindowInput::RestoreDraft(draft) => {
                self.emit_view(ConversationViewInput::RestoreDraft(draft));
            }
            WindowInput::SendAnyway(draft) => {
                self.emit_view(ConversationViewInput::SendAnyway(draft));
            }
            WindowInput::Stop => self.stop(),
            WindowInput::Created(conversation) => {
                self.created_from_assistant();
                self.next_settings = ConversationSettings::default();
                self.next_folders.clear();
                self.next_servers = McpServerChoice::Default;
                if self.current.is_none() {
                    self.folders
                        .emit(WorkspaceFoldersInput::Created(conversation.id));
                    self.settings_popover
                        .emit(ConversationSettingsInput::Open(ServersOf::Stored(
                            conversation.id,
                        )));
                    super::state::set_last_conversation(Some(conversation.id));
                    self.sidebar
                        .emit(SidebarInput::SetOpen(Some(conversation.id)));
                    self.current = Some(conversation);
                }
                self.refresh_conversations();
            }
            WindowInput::Replying(on) => {
                self.replying = on;
                if !on {
                    if self.quit_when_done.get() {
                        sender.input(WindowInput::Quit);
                    }
                    self.refresh_conversations();
                }
            }
            WindowInput::RefreshConversations => self.refresh_conversations(),
            WindowInput::Total(total) => self.total = total,
            WindowInput::LimitRefused(explanation, draft) => {
                self.ask_send_anyway(root, &explanation, draft, sender);
            }
            WindowInput::SettingsChanged(settings) => self.apply_settings(settings, sender),
            WindowInput::PendingFolders(folders) => self.next_folders = folders,
            WindowInput::PendingServers(choice) => self.next_servers = choice,
            WindowInput::ShowSettings => self.settings_popover.widget().popup(),
            WindowInput::ModelChosen(provider_id, model) => match self.regenerate_with.take() {
                Some(id) => {
                    // The picker shows the conversation's model again.
                    self.model_picker
                        .emit(ModelPickerInput::SetCurrent(self.current_model()));
                    self.emit_view(ConversationViewInput::RegenerateWithModel(
                        id,
                        provider_id,
                        model,
                    ));
                }
                None => {
                    self.choose_model(provider_id, model, sender);
                    self.emit_view(ConversationViewInput::Focus);
                }
            },
            WindowInput::ChooseModelFor(id) => {
                self.regenerate_with = Some(id);
                self.model_picker.widget().popup();
            }
            WindowInput::PickerClosed => self.regenerate_with = None,
            WindowInput::ProviderAdded(provider) => {
                let added = crate::i18n::gettext_f("Added {name}", &[("name", &provider.name)]);
                if let Some(form) = &self.provider_form {
                    form.emit(ProviderFormInput::Reset);
                }
                self.providers.push(provider);
                self.providers.sort_by(|a, b| a.name.cmp(&b.name));
                self.model_picker
                    .emit(ModelPickerInput::SetProviders(self.providers.clone()));
                if self.page == "first-run" {
                    self.page = "chat";
                    self.build_page(widgets, sender);
                }
                // On the page it leads to, so it stays clear of the composer.
                self.toast(widgets, &added);
                self.provider_dialog = None;
                // Open the picker so that the user chooses a model right away.
                if self.current_model().is_none() {
                    self.model_picker.widget().popup();
                }
            }
            WindowInput::ShowAddProvider => self.show_add_provider(root, sender),
            WindowInput::ShowPreferences => self.show_preferences(root, sender),
            WindowInput::ShowBilling => self.show_billing(root),
            WindowInput::ShowServers => self.show_servers(root),
            WindowInput::ReloadProviders => {
                if let Some(engine) = self.engine.clone() {
                    sender.oneshot_command(async move {
                        match engine.store().list_providers().await {
                            Ok(list) => WindowCommand::Providers(list),
                            Err(e) => WindowCommand::Failed(EngineError::from(e).user_message()),
                        }
                    });
                    // A removed provider leaves its conversations without one.
                    self.refresh_conversations();
                }
            }
            WindowInput::ReloadLocalModels => self.reload_local_models(sender),
            WindowInput::ShowLocalModels => self.show_local_models(root, sender),
            WindowInput::LocalModelAdded(model) => self.local_model_added(&model, widgets, sender),
            WindowInput::ShowAbout => super::dialogs::show_about(root),
            WindowInput::ShowModelPicker => {
                if self.page == "chat" {
                    self.model_picker.widget().popup();
                }
            }
            WindowInput::FocusSearch => {
                // The search bar is in the sidebar: a narrow window shows it.
                super::panes::show_sidebar(widgets);
                self.sidebar.emit(SidebarInput::FocusSearch);
            }
            WindowInput::MoveSelection(step) => self.sidebar.emit(SidebarInput::Move(step)),
            WindowInput::ShowShortcuts => super::shortcuts::show(root),
            WindowInput::Quit => {
                super::state::save_geometry(root);
                self.quit(sender);
            }
            WindowInput::CloseRequested => {
                if self.replying {
                    // The reply goes on and is stored; the app quits when
                    // it ends. The window is minimized, not hidden: GTK
                    // 4.8's accessibility bridge crashes on a hidden
                    // toplevel (see `ui::a11y`), and a window in the dock
                    // says that something still runs. Bringing it back
                    // (or launching ValeChat again) keeps the app open.
                    self.quit_when_done.set(true);
                    root.minimize();
                } else {
                    self.quit(sender);
                }
            }
            WindowInput::Shown => self.quit_when_done.set(false),
            WindowInput::Toast(text) => self.toast(widgets, &text),
            WindowInput::ResourceUpdated(server, uri) => {
                self.emit_view(ConversationViewInput::ResourceChanged(server, uri));
            }
            WindowInput::EraLearned(learned) => super::startup::remember_era(*learned, sender),
            WindowInput::Folded(folded) => self.set_folded(widgets, folded),
            WindowInput::ShowSidebar => super::panes::show_sidebar(widgets),
            WindowInput::ShowContent => super::panes::show_content(widgets),
            WindowInput::Export(scope) => self.ask_export(scope, sender, root),
            WindowInput::AskImport => self.ask_import(sender, root),
            WindowInput::ChooserClosed => self.transfer.forget_chooser(),
            WindowInput::Import(path) => self.start_import(path, sender, root),
            WindowInput::Imported => self.refresh_conversations(),
        }
    }

    pub(super) fn handle_command(
        &mut self,
        widgets: &WindowWidgets,
        message: WindowCommand,
        sender: &ComponentSender<Self>,
        root: &adw::ApplicationWindow,
    ) {
        match message {
            WindowCommand::Started(Ok(loaded)) => {
                self.emit_view(ConversationViewInput::SetEngine(
                    loaded.engine.clone(),
                    loaded.servers.clone(),
                ));
                self.questions
                    .emit(QuestionsInput::SetServers(loaded.servers.clone()));
                self.servers = Some(loaded.servers);
                self.sidebar
                    .emit(SidebarInput::SetEngine(loaded.engine.clone()));
                crate::local_dbus::export::register(&loaded.engine);
                // Preferences → Local Models' idle time (the engine starts
                // with its default); nothing to set in a build without it.
                let _ =
                    loaded
                        .engine
                        .set_local_idle_unload(crate::ui::settings::idle_unload_after(
                            crate::ui::settings::local_idle_unload_minutes(),
                        ));
                self.start_api_server(&loaded.engine);
                self.set_engine(loaded.engine);
                self.reload_assistants(sender);
                self.local_models = loaded.local_models;
                self.set_providers(loaded.providers);
                self.page = if !self.can_chat() {
                    "first-run"
                } else {
                    "chat"
                };
                // Reopen the conversation that was open when the app closed.
                let last = super::state::last_conversation()
                    .and_then(|id| loaded.conversations.iter().find(|c| c.id == id).cloned());
                let restored = last.is_some() && self.page == "chat";
                self.open(last.filter(|_| restored));
                if let Some(id) = self.current.as_ref().map(|c| c.id) {
                    self.read_conversation_assistant(id, sender);
                }
                self.sidebar.emit(SidebarInput::Show(loaded.conversations));
            }
            WindowCommand::LoadingSlow => {
                widgets.loading_spinner.set_spinning(self.page == "loading");
            }
            WindowCommand::Started(Err(e)) => {
                widgets.startup_error.set_label(&e);
                self.page = "error";
            }
            WindowCommand::Providers(list) => self.set_providers(list),
            WindowCommand::LocalModels(count) => self.set_local_models(count),
            WindowCommand::ConversationsChanged => self.refresh_conversations(),
            WindowCommand::Failed(error) | WindowCommand::Exported(error) => {
                self.toast(widgets, &error);
            }
            WindowCommand::Done => {}
            WindowCommand::ServersStopped => {
                relm4::gtk::prelude::ApplicationExt::quit(&relm4::main_application());
            }
            WindowCommand::Quit => self.handle_input(widgets, WindowInput::Quit, sender, root),
            WindowCommand::Assistant(answer) => self.handle_assistant(answer, widgets),
        }
    }

    /// Shows conversation `c` (or a new, unsaved one) with an empty message list.
    pub(super) fn open(&mut self, c: Option<Conversation>) {
        let settings = c
            .as_ref()
            .map_or_else(|| self.next_settings.clone(), ConversationSettings::of);
        self.settings_popover
            .emit(ConversationSettingsInput::Show(settings));
        let servers = match &c {
            Some(c) => ServersOf::Stored(c.id),
            None => ServersOf::New(self.new_servers()),
        };
        self.settings_popover
            .emit(ConversationSettingsInput::Open(servers));
        let provider = match &c {
            Some(c) => c.provider_id.clone(),
            None => self.next_model.as_ref().map(|(p, _)| p.clone()),
        };
        self.settings_popover
            .emit(ConversationSettingsInput::Provider(provider));
        // A new conversation starts without workspace folders; an opened
        // one shows its own once read.
        self.folders
            .emit(WorkspaceFoldersInput::Open(c.as_ref().map(|c| c.id)));
        super::state::set_last_conversation(c.as_ref().map(|c| c.id));
        self.sidebar
            .emit(SidebarInput::SetOpen(c.as_ref().map(|c| c.id)));
        self.emit_view(ConversationViewInput::Open(c.as_ref().map(|c| c.id)));
        self.current = c;
        self.shown_assistant = None;
        self.total = None;
        let current = self.current_model();
        self.model_picker
            .emit(ModelPickerInput::SetCurrent(current));
    }

    /// Stores new settings for the open conversation, or keeps them for the
    /// next new one.
    fn apply_settings(&mut self, settings: ConversationSettings, sender: &ComponentSender<Self>) {
        let Some(c) = self.current.as_mut() else {
            self.next_settings = settings;
            return;
        };
        c.system_prompt.clone_from(&settings.system_prompt);
        c.temperature = settings.temperature;
        c.max_output_tokens = settings.max_output_tokens;
        if let Some(p) = settings.sampling {
            let p = p.clamped();
            c.top_p = p.top_p;
            c.top_k = p.top_k.and_then(|k| i32::try_from(k).ok());
            c.min_p = p.min_p;
            c.repeat_penalty = p.repeat_penalty;
            c.seed = p.seed.map(i64::from);
        }
        let (id, Some(engine)) = (c.id, self.engine.clone()) else {
            return;
        };
        sender.oneshot_command(async move {
            match engine.store().set_conversation_settings(id, settings).await {
                Ok(()) => WindowCommand::Done,
                Err(e) => WindowCommand::Failed(EngineError::from(e).user_message()),
            }
        });
    }

    fn choose_model(&mut self, provider_id: String, model: String, sender: &ComponentSender<Self>) {
        let Some(engine) = self.engine.clone() else {
            return;
        };
        self.next_model = Some((provider_id.clone(), model.clone()));
        self.settings_popover
            .emit(ConversationSettingsInput::Provider(Some(
                provider_id.clone(),
            )));
        if let Some(c) = self.current.as_mut() {
            c.provider_id = Some(provider_id.clone());
            c.model = Some(model.clone());
            let id = c.id;
            let (p, m) = (provider_id.clone(), model.clone());
            let engine = engine.clone();
            sender.oneshot_command(async move {
                match engine
                    .store()
                    .set_conversation_model(id, Some(&p), Some(&m))
                    .await
                {
                    Ok(()) => WindowCommand::ConversationsChanged,
                    Err(e) => WindowCommand::Failed(EngineError::from(e).user_message()),
                }
            });
        }
        // Remember the choice as the provider's default for new conversations.
        if let Some(provider) = self.providers.iter_mut().find(|p| p.id == provider_id) {
            provider.default_model = Some(model);
            let provider = provider.clone();
            sender.oneshot_command(async move {
                match engine.store().update_provider(&provider).await {
                    Ok(()) => WindowCommand::Done,
                    Err(e) => WindowCommand::Failed(EngineError::from(e).user_message()),
                }
            });
        }
    }

    /// Has the sidebar read the conversations again.
    pub(super) fn refresh_conversations(&self) {
        self.sidebar.emit(SidebarInput::Refresh);
    }
}
