//! The Preferences window (Ctrl+comma): a modal adw::PreferencesWindow over
//! the main window, with the Providers and Billing pages.
//!
//! ```text
//! adw::PreferencesWindow
//! ├─ adw::PreferencesPage "Providers"
//! │  └─ adw::PreferencesGroup (header suffix: Add Provider…)
//! │     └─ ProviderRow ×n  (preferences/provider_row.rs, factory)
//! ├─ BillingPage "Billing" (preferences/billing_page.rs: limits, prices)
//! ├─ adw::PreferencesPage "Appearance" (preferences/appearance_page.rs)
//! ├─ ToolsPage "Tools" (preferences/tools_page.rs: rounds, result size)
//! ├─ AssistantsPage "Assistants" (preferences/assistants.rs)
//! ├─ LocalModels "Models on This Computer" (preferences/local_models.rs:
//! │  the model library, Import Model File…, downloads)
//! ├─ ServerPage "Server" (preferences/server_page.rs: the local API
//! │  server, its port and access token)
//! └─ subpage: adw::HeaderBar (back) + ProviderForm  (Add Provider…)
//! ```
//!
//! Every change is stored by the rows themselves through the engine; the
//! window only hears [`PreferencesOutput::ProvidersChanged`] and reloads.

pub mod appearance_page;
pub mod assistants;
pub mod billing_page;
pub mod limit_dialog;
pub mod local_models;
pub mod price_dialog;
pub mod provider_row;
pub mod server_page;
pub mod tools_page;

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::factory::{DynamicIndex, FactoryVecDeque};
use relm4::prelude::*;
use relm4::{adw, gtk};

use crate::ui::provider_form::{ProviderForm, ProviderFormInput, ProviderFormOutput};
use provider_row::{ProviderRow, ProviderRowOutput};
use valechat_core::chat::{Engine, EngineError};
use valechat_core::store::Provider;

/// The Preferences window's state.
pub struct Preferences {
    engine: Engine,
    rows: FactoryVecDeque<ProviderRow>,
    form: Controller<ProviderForm>,
    billing: Controller<billing_page::BillingPage>,
    tools: Controller<tools_page::ToolsPage>,
    assistants: Controller<assistants::AssistantsPage>,
    local_models: Controller<local_models::LocalModels>,
    /// Kept alive with the window; it reads the server's status itself.
    _server: Controller<server_page::ServerPage>,
}

impl std::fmt::Debug for Preferences {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Preferences").finish_non_exhaustive()
    }
}

/// What Preferences is asked to do.
#[derive(Debug)]
pub enum PreferencesInput {
    /// Reload the providers and bring the window up.
    Show,
    /// Show the Add Provider form.
    ShowAddProvider,
    /// Go back from the Add Provider form.
    CloseAddProvider,
    /// The form added this provider.
    ProviderAdded(Provider),
    /// A row stored a change.
    ProviderChanged,
    /// A row's provider was removed.
    ProviderRemoved(DynamicIndex),
    /// Show `text` as a toast.
    Toast(String),
    /// The library of models on this computer changed.
    LocalModelsChanged,
}

/// What Preferences tells the main window.
#[derive(Debug)]
pub enum PreferencesOutput {
    /// Providers were added, edited or removed: reload them.
    ProvidersChanged,
    /// A model was added to or removed from the library of models on
    /// this computer.
    LocalModelsChanged,
}

/// Results of background work.
#[derive(Debug)]
pub enum PreferencesCommand {
    /// The stored providers, or the error's message.
    Providers(Result<Vec<Provider>, String>),
}

/// Widgets Preferences updates.
#[derive(Debug)]
pub struct PreferencesWidgets {
    add_page: gtk::Box,
}

impl Component for Preferences {
    type CommandOutput = PreferencesCommand;
    type Input = PreferencesInput;
    type Output = PreferencesOutput;
    /// The engine, the main window's downloads registry (for the Local
    /// Models page) and its local API server (for the Server page).
    type Init = (
        Engine,
        crate::ui::model_downloads::Downloads,
        crate::ui::api_server::ApiServerHost,
    );
    type Root = adw::PreferencesWindow;
    type Widgets = PreferencesWidgets;

    fn init_root() -> Self::Root {
        adw::PreferencesWindow::builder()
            .title(gettext("Preferences"))
            .modal(true)
            .search_enabled(false)
            .default_width(640)
            .default_height(640)
            .build()
    }

    fn init(
        (engine, downloads, host): Self::Init,
        root: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        let group = adw::PreferencesGroup::builder()
            .title(gettext("Providers"))
            .description(gettext(
                "Services and local servers ValeChat talks to. API keys are kept in the system keyring.",
            ))
            .build();
        let add = gtk::Button::builder()
            .label(gettext("Add Provider…"))
            .valign(gtk::Align::Center)
            .build();
        let s = sender.clone();
        add.connect_clicked(move |_| s.input(PreferencesInput::ShowAddProvider));
        group.set_header_suffix(Some(&add));
        let page = adw::PreferencesPage::builder()
            .title(gettext("Providers"))
            .icon_name("network-server-symbolic")
            .build();
        page.add(&group);
        root.add(&page);
        root.add(&appearance_page::page());

        let rows = FactoryVecDeque::builder()
            .launch(group)
            .forward(sender.input_sender(), |out| match out {
                ProviderRowOutput::Changed => PreferencesInput::ProviderChanged,
                ProviderRowOutput::Removed(index) => PreferencesInput::ProviderRemoved(index),
                ProviderRowOutput::Toast(text) => PreferencesInput::Toast(text),
            });
        let form =
            ProviderForm::builder()
                .launch(())
                .forward(sender.input_sender(), |out| match out {
                    ProviderFormOutput::Added(p) => PreferencesInput::ProviderAdded(p),
                });
        form.emit(ProviderFormInput::SetEngine(engine.clone()));

        let add_page = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .build();
        let back: gtk::Button =
            crate::ui::a11y::labelled("GtkButton", &gettext("Back")).unwrap_or_default();
        back.set_icon_name("go-previous-symbolic");
        back.set_tooltip_text(Some(&gettext("Back")));
        let s = sender.clone();
        back.connect_clicked(move |_| s.input(PreferencesInput::CloseAddProvider));
        let header = adw::HeaderBar::builder()
            .title_widget(&adw::WindowTitle::new(&gettext("Add Provider"), ""))
            .build();
        header.pack_start(&back);
        add_page.append(&header);
        add_page.append(
            &adw::Clamp::builder()
                .maximum_size(520)
                .margin_top(12)
                .margin_bottom(18)
                .margin_start(12)
                .margin_end(12)
                .child(form.widget())
                .build(),
        );

        let billing = billing_page::BillingPage::builder()
            .launch(engine.clone())
            .forward(sender.input_sender(), |out| match out {
                billing_page::BillingPageOutput::Toast(text) => PreferencesInput::Toast(text),
            });
        root.add(billing.widget());
        let tools = tools_page::ToolsPage::builder()
            .launch(engine.clone())
            .forward(sender.input_sender(), |out| match out {
                tools_page::ToolsPageOutput::Toast(text) => PreferencesInput::Toast(text),
            });
        root.add(tools.widget());
        let assistants = assistants::AssistantsPage::builder()
            .launch(engine.clone())
            .forward(sender.input_sender(), |out| match out {
                assistants::AssistantsPageOutput::Toast(text) => PreferencesInput::Toast(text),
            });
        root.add(assistants.widget());
        let local_models = local_models::LocalModels::builder()
            .launch(local_models::LocalModelsInit {
                engine: engine.clone(),
                downloads,
            })
            .forward(sender.input_sender(), |out| match out {
                local_models::LocalModelsOutput::Toast(text) => PreferencesInput::Toast(text),
                local_models::LocalModelsOutput::Added(_)
                | local_models::LocalModelsOutput::Removed(_) => {
                    PreferencesInput::LocalModelsChanged
                }
            });
        root.add(local_models.widget());
        let server = server_page::ServerPage::builder()
            .launch((engine.clone(), host))
            .forward(sender.input_sender(), |out| match out {
                server_page::ServerPageOutput::Toast(text) => PreferencesInput::Toast(text),
            });
        root.add(server.widget());

        let model = Preferences {
            engine,
            rows,
            form,
            billing,
            tools,
            assistants,
            local_models,
            _server: server,
        };
        // The window's own search field (search is off, but the field is
        // in the accessibility tree): named like every field.
        crate::ui::a11y::relabel_first::<gtk::SearchEntry>(&root, &gettext("Search Preferences"));
        ComponentParts {
            model,
            widgets: PreferencesWidgets { add_page },
        }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::Input,
        sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        match message {
            PreferencesInput::Show => {
                self.reload(&sender);
                self.billing.emit(billing_page::BillingPageInput::Reload);
                self.tools.emit(tools_page::ToolsPageInput::Reload);
                self.assistants
                    .emit(assistants::AssistantsPageInput::Reload);
                self.local_models
                    .emit(local_models::LocalModelsInput::Reload);
                root.present();
            }
            PreferencesInput::ShowAddProvider => {
                self.form.emit(ProviderFormInput::Reset);
                root.present_subpage(&widgets.add_page);
            }
            PreferencesInput::CloseAddProvider => root.close_subpage(),
            PreferencesInput::ProviderAdded(provider) => {
                root.close_subpage();
                self.form.emit(ProviderFormInput::Reset);
                let added = adw::Toast::new(&crate::i18n::gettext_f(
                    "Added {name}",
                    &[("name", &provider.name)],
                ));
                crate::ui::a11y::add_toast(root, added, |t| root.add_toast(t.clone()));
                self.reload(&sender);
                let _ = sender.output(PreferencesOutput::ProvidersChanged);
            }
            PreferencesInput::ProviderChanged => {
                let _ = sender.output(PreferencesOutput::ProvidersChanged);
            }
            PreferencesInput::ProviderRemoved(index) => {
                self.rows.guard().remove(index.current_index());
                let _ = sender.output(PreferencesOutput::ProvidersChanged);
            }
            PreferencesInput::LocalModelsChanged => {
                let _ = sender.output(PreferencesOutput::LocalModelsChanged);
            }
            PreferencesInput::Toast(text) => {
                let toast = adw::Toast::new(&text);
                toast.set_timeout(6);
                crate::ui::a11y::add_toast(root, toast, |t| root.add_toast(t.clone()));
            }
        }
    }

    fn update_cmd_with_view(
        &mut self,
        _widgets: &mut Self::Widgets,
        message: Self::CommandOutput,
        _sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        match message {
            PreferencesCommand::Providers(Ok(list)) => {
                let mut guard = self.rows.guard();
                guard.clear();
                // "On this computer" is built in (no address, no key, not
                // removable): its models are managed on the models page.
                for provider in list
                    .into_iter()
                    .filter(|p| !valechat_core::chat::is_built_in(p))
                {
                    guard.push_back((self.engine.clone(), provider));
                }
            }
            PreferencesCommand::Providers(Err(e)) => {
                let toast = adw::Toast::new(&e);
                crate::ui::a11y::add_toast(root, toast, |t| root.add_toast(t.clone()));
            }
        }
    }
}

impl Preferences {
    /// Reads the stored providers in the background; the rows are rebuilt
    /// when they arrive.
    fn reload(&self, sender: &ComponentSender<Self>) {
        let engine = self.engine.clone();
        sender.oneshot_command(async move {
            PreferencesCommand::Providers(
                engine
                    .store()
                    .list_providers()
                    .await
                    .map_err(|e| EngineError::from(e).user_message()),
            )
        });
    }
}
