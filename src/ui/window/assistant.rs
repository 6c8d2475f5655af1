//! The window and assistants (issue 14, part 3): a new conversation
//! started from an assistant (the New Conversation button's menu, and
//! Ctrl+N from the default assistant), the assistant's emoji and name in
//! the conversation header, and the menu of assistants kept filled.

use relm4::ComponentSender;

use super::{Window, WindowCommand, WindowWidgets};
use crate::ui::conversation_view::ConversationViewInput;
use valechat_core::chat::{EngineError, McpServerChoice};
use valechat_core::store::{Assistant, ConversationAssistant, ConversationSettings};

/// Answers of the window's assistant lookups.
#[derive(Debug)]
pub enum AssistantCommand {
    /// Start a new conversation from this assistant (`None`: without one).
    Start(Option<Assistant>),
    /// Conversation `.0` started from this assistant (`None`: none).
    OfConversation(i64, Option<ConversationAssistant>),
    /// Every assistant, for the New Conversation menu.
    Listed(Vec<Assistant>),
}

impl Window {
    /// Starts a new conversation from assistant `id`, or from the default
    /// assistant (`None`; without one, as before: the model and settings
    /// chosen last). The assistant is read in a command.
    pub(super) fn new_conversation_from(&self, id: Option<i64>, sender: &ComponentSender<Self>) {
        let Some(engine) = self.engine.clone() else {
            return;
        };
        sender.oneshot_command(async move {
            let store = engine.store();
            let found = match id {
                Some(id) => store.get_assistant(id).await,
                None => store.default_assistant().await,
            };
            match found {
                Ok(assistant) => WindowCommand::Assistant(AssistantCommand::Start(assistant)),
                Err(e) => WindowCommand::Failed(EngineError::from(e).user_message()),
            }
        });
    }

    /// Reads which assistant conversation `id` started from, for the header.
    pub(super) fn read_conversation_assistant(&self, id: i64, sender: &ComponentSender<Self>) {
        let Some(engine) = self.engine.clone() else {
            return;
        };
        sender.oneshot_command(async move {
            match engine.store().conversation_assistant(id).await {
                Ok(a) => WindowCommand::Assistant(AssistantCommand::OfConversation(id, a)),
                Err(e) => WindowCommand::Failed(EngineError::from(e).user_message()),
            }
        });
    }

    /// Reads the assistants into the New Conversation menu.
    pub(super) fn reload_assistants(&self, sender: &ComponentSender<Self>) {
        let Some(engine) = self.engine.clone() else {
            return;
        };
        sender.oneshot_command(async move {
            match engine.store().list_assistants().await {
                Ok(list) => WindowCommand::Assistant(AssistantCommand::Listed(list)),
                Err(e) => WindowCommand::Failed(EngineError::from(e).user_message()),
            }
        });
    }

    pub(super) fn handle_assistant(&mut self, message: AssistantCommand, widgets: &WindowWidgets) {
        match message {
            AssistantCommand::Start(assistant) => self.start_new(assistant, widgets),
            AssistantCommand::OfConversation(id, assistant) => {
                if self.current.as_ref().is_some_and(|c| c.id == id) {
                    self.shown_assistant = assistant;
                }
            }
            AssistantCommand::Listed(list) => crate::ui::assistants::fill_menu(&list),
        }
    }

    /// Shows a new, unsaved conversation, with `assistant`'s model and
    /// settings when given.
    fn start_new(&mut self, assistant: Option<Assistant>, widgets: &WindowWidgets) {
        if !self.has_providers() {
            return;
        }
        if assistant.is_some() || self.next_assistant.is_some() {
            // The servers chosen before went with the assistant chosen before.
            self.next_servers = McpServerChoice::Default;
        }
        match &assistant {
            Some(a) => {
                self.next_settings = a.settings();
                if let (Some(p), Some(m)) = (&a.provider_id, &a.model) {
                    self.next_model = Some((p.clone(), m.clone()));
                }
            }
            // The settings of an assistant chosen before go with it.
            None if self.next_assistant.is_some() => {
                self.next_settings = ConversationSettings::default();
            }
            None => {}
        }
        self.next_assistant = assistant;
        self.open(None);
        super::panes::show_content(widgets);
        self.emit_view(ConversationViewInput::Focus);
    }

    /// The assistant shown in the header: the open conversation's, or the
    /// new conversation's.
    pub(super) fn assistant_label(&self) -> Option<String> {
        match &self.current {
            Some(_) => self
                .shown_assistant
                .as_ref()
                .map(|a| crate::ui::assistants::with_icon(&a.icon, &a.name)),
            None => self
                .next_assistant
                .as_ref()
                .map(crate::ui::assistants::label),
        }
    }

    /// A conversation created from the new one on screen: it keeps the
    /// assistant it started from.
    pub(super) fn created_from_assistant(&mut self) {
        self.shown_assistant = self.next_assistant.take().map(|a| ConversationAssistant {
            assistant_id: Some(a.id),
            name: a.name,
            icon: a.icon,
        });
    }
}
