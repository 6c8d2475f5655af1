//! The window's side of the models on this computer (issue 16): how many
//! the library holds (with none and no provider, the first-run page
//! shows), the first-run page's "Use a Model on This Computer" window, and
//! what happens once a model is in the library.
//!
//! Hand-over to the "On this computer" provider (`local`, wired by the
//! engine's side): [`WindowInput::LocalModelAdded`] is where a model
//! added from the first-run page arrives. It leaves the first-run page for
//! the chat and opens the model picker, as adding a provider does; the
//! picker lists the library's models once `local` is among the providers.

use relm4::gtk::prelude::*;
use relm4::prelude::*;
use relm4::{adw, gtk};

use super::{Window, WindowCommand, WindowInput, WindowWidgets};
use crate::ui::local_models_window::{
    LocalModelsWindow, LocalModelsWindowInit, LocalModelsWindowOutput,
};
use crate::ui::model_downloads::{Downloads, Report};
use valechat_core::chat::EngineError;
use valechat_core::store::LocalModel;

/// The window's downloads registry: a download that finishes while no
/// page shows it still counts in the library
/// ([`WindowInput::ReloadLocalModels`]).
pub(super) fn downloads(sender: &ComponentSender<Window>) -> Downloads {
    let downloads = Downloads::default();
    let input = sender.input_sender().clone();
    downloads.subscribe(move |_, report| match report {
        Report::Finished(_) => input.send(WindowInput::ReloadLocalModels).is_ok(),
        _ => true,
    });
    downloads
}

impl Window {
    /// Whether there is anything to chat with: a provider, or a model in
    /// the library.
    pub(super) fn can_chat(&self) -> bool {
        self.has_providers() || self.local_models > 0
    }

    /// Counts the library's models again (Preferences changed it).
    pub(super) fn reload_local_models(&self, sender: &ComponentSender<Self>) {
        let Some(engine) = self.engine.clone() else {
            return;
        };
        sender.oneshot_command(async move {
            match engine.store().local_models().await {
                Ok(models) => WindowCommand::LocalModels(models.len()),
                Err(e) => WindowCommand::Failed(EngineError::from(e).user_message()),
            }
        });
    }

    /// The library holds `count` models: switches between the first-run
    /// page and the chat as the providers do.
    pub(super) fn set_local_models(&mut self, count: usize) {
        self.local_models = count;
        self.set_providers(self.providers.clone());
    }

    /// "Use a Model on This Computer": the window with the curated models
    /// and Import Model File… (a new one each time: closed windows are
    /// destroyed, see [`crate::ui::a11y`]).
    pub(super) fn show_local_models(
        &mut self,
        root: &adw::ApplicationWindow,
        sender: &ComponentSender<Self>,
    ) {
        let Some(engine) = self.engine.clone() else {
            return;
        };
        let init = LocalModelsWindowInit {
            parent: Some(root.clone().upcast::<gtk::Window>()),
            engine,
            downloads: self.downloads.clone(),
        };
        let window = LocalModelsWindow::builder().launch(init).forward(
            sender.input_sender(),
            |LocalModelsWindowOutput::Added(model)| WindowInput::LocalModelAdded(model),
        );
        self.local_window = Some(window);
    }

    /// A model arrived in the library from the first-run page: on to the
    /// chat, with a toast, and the model picker open to choose it.
    pub(super) fn local_model_added(
        &mut self,
        model: &LocalModel,
        widgets: &WindowWidgets,
        sender: &ComponentSender<Self>,
    ) {
        self.local_models += 1;
        if self.page == "first-run" {
            self.page = "chat";
            self.build_page(widgets, sender);
        }
        let added = crate::i18n::gettext_f("Added {name}", &[("name", &model.display_name())]);
        self.toast(widgets, &added);
        self.local_window = None;
        // With a provider to list it (`local`, or another), the picker
        // opens to choose a model, as after adding a provider; with none it
        // would only say that no provider is configured.
        if self.current_model().is_none() && !self.providers.is_empty() {
            self.model_picker.widget().popup();
        }
    }
}
