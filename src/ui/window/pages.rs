//! The stack's two big pages, built the first time they show.
//!
//! A window opens on the "loading" page while the engine opens in the
//! background; then it shows either the first-run form (no provider yet) or
//! the conversation view, rarely both in one session. Building each when
//! its page is first shown keeps both out of the first frame (in a profile
//! of a first start they took a third of `Window::init`'s time and 0.7 MiB
//! of heap), and out of memory for as long as the page is never needed: a returning user never
//! builds the first-run form, a first start builds no conversation view
//! (nor its chat worker thread) before a provider is added.
//!
//! The first-run page offers a model on this computer (downloaded or
//! imported, in the [`crate::ui::local_models_window`]) above the provider
//! form.
//!
//! Until its page exists, input meant for the conversation view has nothing
//! to act on and is dropped ([`Window::emit_view`]); when it is built it
//! gets the engine, the MCP servers and the open conversation at once.

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::prelude::*;
use relm4::{adw, gtk};

use super::{Window, WindowInput, WindowWidgets};
use crate::ui::conversation_view::{
    ConversationView, ConversationViewInput, ConversationViewOutput,
};
use crate::ui::provider_form::{ProviderForm, ProviderFormInput, ProviderFormOutput};

impl Window {
    /// Builds the page the window is about to show, if it is not built yet.
    pub(super) fn build_page(&mut self, widgets: &WindowWidgets, sender: &ComponentSender<Self>) {
        match self.page {
            "chat" if self.view.is_none() => self.build_view(widgets, sender),
            "first-run" if self.provider_form.is_none() => self.build_form(widgets, sender),
            _ => {}
        }
    }

    /// Sends `input` to the conversation view, if it is built.
    pub(super) fn emit_view(&self, input: ConversationViewInput) {
        if let Some(view) = &self.view {
            // Through the sender, which only warns if the view is gone (it
            // can be, while the application quits).
            view.sender().emit(input);
        }
    }

    fn build_view(&mut self, widgets: &WindowWidgets, sender: &ComponentSender<Self>) {
        let view = ConversationView::builder()
            .launch(())
            .forward(sender.input_sender(), |out| match out {
                ConversationViewOutput::Created(c) => WindowInput::Created(c),
                ConversationViewOutput::Replying(on) => WindowInput::Replying(on),
                ConversationViewOutput::Stored => WindowInput::RefreshConversations,
                ConversationViewOutput::Total(total) => WindowInput::Total(total),
                ConversationViewOutput::LimitRefused(explanation, draft) => {
                    WindowInput::LimitRefused(explanation, draft)
                }
                ConversationViewOutput::Toast(text) => WindowInput::Toast(text),
                ConversationViewOutput::ChooseModelFor(id) => WindowInput::ChooseModelFor(id),
            });
        // Hidden until `startup::show_page` shows it, as every page is.
        view.widget().set_visible(false);
        widgets.stack.add_named(view.widget(), Some("chat"));
        if let (Some(engine), Some(servers)) = (&self.engine, &self.servers) {
            view.emit(ConversationViewInput::SetEngine(
                engine.clone(),
                servers.clone(),
            ));
        }
        view.emit(ConversationViewInput::Open(
            self.current.as_ref().map(|c| c.id),
        ));
        self.view = Some(view);
    }

    fn build_form(&mut self, widgets: &WindowWidgets, sender: &ComponentSender<Self>) {
        let form =
            ProviderForm::builder()
                .launch(())
                .forward(sender.input_sender(), |out| match out {
                    ProviderFormOutput::Added(p) => WindowInput::ProviderAdded(p),
                });
        let choices = gtk::Box::new(gtk::Orientation::Vertical, 12);
        choices.append(&local_choice(sender));
        let or = gtk::Label::builder()
            .label(gettext("Or Add a Provider"))
            .xalign(0.0)
            .margin_top(12)
            .css_classes(["heading"])
            .build();
        choices.append(&or);
        choices.append(form.widget());
        widgets.first_run_form.set_child(Some(&choices));
        if let Some(engine) = &self.engine {
            form.emit(ProviderFormInput::SetEngine(engine.clone()));
        }
        self.provider_form = Some(form);
    }
}

/// "Use a Model on This Computer": a row whose Choose… opens the window
/// of curated models and Import Model File…. No icon: the first-run page
/// draws no SVG (`tests/ui/test_startup.py`).
fn local_choice(sender: &ComponentSender<Window>) -> gtk::ListBox {
    let title = gettext("Use a Model on This Computer");
    let row = adw::ActionRow::builder()
        .title(&title)
        .subtitle(gettext(
            "Private and offline, with no account or key: download a small model, or import a .gguf file you have.",
        ))
        .build();
    let choose: gtk::Button = crate::ui::a11y::labelled("GtkButton", &title).unwrap_or_default();
    choose.set_label(&gettext("Choose…"));
    choose.set_valign(gtk::Align::Center);
    let input = sender.input_sender().clone();
    choose.connect_clicked(move |_| input.emit(WindowInput::ShowLocalModels));
    row.add_suffix(&choose);
    row.set_activatable_widget(Some(&choose));
    let list = gtk::ListBox::builder()
        .css_classes(["boxed-list"])
        .selection_mode(gtk::SelectionMode::None)
        .build();
    list.append(&row);
    list
}
