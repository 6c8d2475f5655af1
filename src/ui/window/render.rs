//! Bringing the window's header and page in line with its state, toasts,
//! and handing the engine to the components that need it.

use gettextrs::gettext;
use relm4::adw;
use relm4::adw::prelude::*;
use relm4::prelude::*;

use super::{Window, WindowWidgets, startup};
use crate::ui::conversation_view::ConversationViewInput;
use crate::ui::model_picker::ModelPickerInput;
use crate::ui::provider_form::ProviderFormInput;
use crate::ui::workspace_folders::WorkspaceFoldersInput;
use valechat_core::chat::Engine;

impl Window {
    /// Brings the title, page and composer in line with the state.
    pub(super) fn render(&self, widgets: &WindowWidgets) {
        startup::show_page(&widgets.stack, &widgets.loading_spinner, self.page);
        let chatting = self.page == "chat";
        widgets.title.set_visible(chatting);
        self.model_picker.widget().set_visible(chatting);
        self.settings_popover.widget().set_visible(chatting);
        let title = match &self.current {
            Some(c) if !c.title.is_empty() => c.title.clone(),
            _ => gettext("New Conversation"),
        };
        widgets.title.set_title(&title);
        let provider = self
            .current_model()
            .and_then(|(p, _)| self.providers.iter().find(|x| x.id == p))
            .map(|p| p.name.clone())
            .unwrap_or_default();
        let subtitle = match self.total {
            Some(total) => crate::i18n::gettext_f(
                "{provider} · {total} in this conversation",
                &[
                    ("provider", &provider),
                    ("total", &valechat_core::format::format_usd(total)),
                ],
            ),
            None => provider,
        };
        let subtitle = match self.assistant_label() {
            Some(assistant) if subtitle.is_empty() => assistant,
            Some(assistant) => crate::i18n::gettext_f(
                "{assistant} · {details}",
                &[("assistant", &assistant), ("details", &subtitle)],
            ),
            None => subtitle,
        };
        widgets.title.set_subtitle(&subtitle);
        self.emit_view(ConversationViewInput::SetTarget {
            target: self.target(),
            ready: self.current_model().is_some(),
            model: self.current_model().map(|(_, model)| model),
        });
    }

    /// Shows `text` in a toast: over the messages, above the composer,
    /// while a conversation is shown (a toast at the window's foot would
    /// cover Send), else at the foot of the window.
    pub(super) fn toast(&self, widgets: &WindowWidgets, text: &str) {
        if self.page == "chat" && self.view.is_some() {
            self.emit_view(ConversationViewInput::ShowToast(text.to_owned()));
            return;
        }
        let toast = adw::Toast::new(text);
        toast.set_timeout(6);
        crate::ui::a11y::add_toast(&widgets.toasts, toast, |t| {
            widgets.toasts.add_toast(t.clone());
        });
    }

    pub(super) fn set_engine(&mut self, engine: Engine) {
        self.folders
            .emit(WorkspaceFoldersInput::SetEngine(engine.clone()));
        self.settings_popover.emit(
            crate::ui::conversation_settings::ConversationSettingsInput::SetEngine(engine.clone()),
        );
        if let Some(form) = &self.provider_form {
            form.emit(ProviderFormInput::SetEngine(engine.clone()));
        }
        self.model_picker
            .emit(ModelPickerInput::SetEngine(engine.clone()));
        self.engine = Some(engine);
    }
}
