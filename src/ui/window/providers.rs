//! The window's list of providers: whether one is configured, and what
//! follows when the list changes (the picker, the model chosen next, the
//! first-run page).

use relm4::ComponentController;

use super::Window;
use crate::ui::model_picker::ModelPickerInput;
use valechat_core::store::Provider;

impl Window {
    /// Whether a provider other than the built-in "On this computer" is
    /// configured (the first-run page shows until one is).
    pub(super) fn has_providers(&self) -> bool {
        self.providers
            .iter()
            .any(|p| !valechat_core::chat::is_built_in(p))
    }

    /// Shows `providers` in the picker; forgets models of providers that
    /// were removed or disabled, and switches between the first-run page
    /// and the chat when the first provider arrives or the last one goes.
    pub(super) fn set_providers(&mut self, mut providers: Vec<Provider>) {
        // Every list the window hands on (the model picker, the header)
        // names "On this computer" in the user's language.
        for p in &mut providers {
            p.name = crate::reports::display_name(p);
        }
        self.providers = providers;
        let offered =
            |id: &str, providers: &[Provider]| providers.iter().any(|p| p.id == id && p.enabled);
        if self
            .next_model
            .as_ref()
            .is_some_and(|(p, _)| !offered(p, &self.providers))
        {
            self.next_model = None;
        }
        if let Some(c) = self.current.as_mut()
            && c.provider_id
                .as_deref()
                .is_some_and(|p| !self.providers.iter().any(|x| x.id == p))
        {
            c.provider_id = None;
            c.model = None;
        }
        if !self.can_chat() && self.page == "chat" {
            self.stop();
            self.open(None);
            self.page = "first-run";
        } else if self.can_chat() && self.page == "first-run" {
            self.page = "chat";
        }
        if self.next_model.is_none() {
            self.next_model = self
                .providers
                .iter()
                .filter(|p| p.enabled)
                .find_map(|p| p.default_model.clone().map(|m| (p.id.clone(), m)));
        }
        self.model_picker
            .emit(ModelPickerInput::SetProviders(self.providers.clone()));
        let current = self.current_model();
        self.model_picker
            .emit(ModelPickerInput::SetCurrent(current));
    }
}
