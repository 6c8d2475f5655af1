//! One configured provider in Preferences → Providers: an expander row with
//! its status and enable switch, and inside it name, base URL, API key, Test
//! Connection and Remove.
//!
//! ```text
//! adw::ExpanderRow (title: name, subtitle: base URL · protocol)
//! ├─ action: status dot + label, gtk::Switch (enabled)
//! ├─ adw::EntryRow "Name"        (applied on apply / Enter)
//! ├─ adw::EntryRow "Base URL"    (applied on apply / Enter)
//! ├─ adw::PasswordEntryRow "API Key (…1234)" + Save
//! ├─ adw::ActionRow "Connection" + Test Connection, Remove
//! ├─ adw::ActionRow "Models" + Download Model… (Ollama only; see `pull_dialog`)
//! └─ adw::ActionRow × 3 + gtk::SpinButton: connect, first reply, idle timeouts (s)
//! ```

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::factory::{DynamicIndex, FactoryComponent, FactorySender};
use relm4::{Component, adw, gtk};

use crate::i18n::{gettext_f, ngettext_f};
use valechat_core::chat::{Engine, ProviderUpdate};
use valechat_core::provider::timeouts::ProviderTimeouts;
use valechat_core::store::Provider;

mod pull_dialog;
mod timeouts;
mod view;

/// A provider row's state.
#[derive(Debug)]
pub struct ProviderRow {
    engine: Engine,
    provider: Provider,
    /// This row's place in the factory (for [`ProviderRowOutput::Removed`]).
    index: DynamicIndex,
    /// The stored key's hint ("…1234"), `None` without a key.
    key_hint: Option<String>,
    /// The stored timeouts; `None` until they have been read.
    timeouts: Option<ProviderTimeouts>,
    /// The last Test Connection (or save) result: text, and whether it is an error.
    feedback: Option<(String, bool)>,
    busy: bool,
    /// A one-second tick is scheduled to count an open breaker down.
    ticking: bool,
    /// The Download Model dialog, kept until the next one opens.
    pull_dialog: Option<relm4::Controller<pull_dialog::PullDialog>>,
}

impl ProviderRow {
    /// The provider shown, as last stored.
    pub fn provider(&self) -> &Provider {
        &self.provider
    }
}

/// What a row is asked to do (by its own widgets).
#[derive(Debug)]
pub enum ProviderRowInput {
    /// Offer the provider in the model picker, or not.
    SetEnabled(bool),
    /// Store the name typed in the Name row.
    Rename(String),
    /// Store the URL typed in the Base URL row.
    ChangeBaseUrl(String),
    /// Store the key typed in the API Key row (empty: remove the stored key).
    SaveKey(String),
    /// A timeout spin button changed: store the three shown values.
    TimeoutsEdited,
    /// List the server's models with the stored configuration.
    TestConnection,
    /// Open the Download Model dialog (Ollama providers).
    DownloadModel,
    /// A model finished downloading: say so and list the models again.
    ModelDownloaded(String),
    /// Ask to confirm removing the provider.
    AskRemove,
    /// Remove the provider and its key (confirmed).
    Remove,
    /// Show the circuit breaker's current state.
    RefreshState,
}

/// What a row tells Preferences.
#[derive(Debug)]
pub enum ProviderRowOutput {
    /// The provider's stored configuration changed (name, URL, enabled, key).
    Changed,
    /// The provider was removed; drop the row at this index.
    Removed(DynamicIndex),
    /// Show `text` as a toast (errors of background work).
    Toast(String),
}

/// Results of a row's background work.
#[derive(Debug)]
pub enum ProviderRowCommand {
    /// The stored key's hint was read.
    Hint(Option<String>),
    /// The stored timeouts were read.
    Timeouts(ProviderTimeouts),
    /// A change was stored (the provider as stored, its key hint), or failed.
    Saved(Result<(Provider, Option<String>), String>),
    /// Test Connection finished: the model count, or the error.
    Tested(Result<usize, String>),
    /// Removal finished (or failed with this message).
    Removed(Result<(), String>),
    /// A second passed (an open breaker counts down).
    Tick,
}

/// Widgets a row updates.
#[derive(Debug)]
pub struct ProviderRowWidgets {
    root: adw::ExpanderRow,
    dot: gtk::Label,
    status: gtk::Label,
    name: adw::EntryRow,
    base_url: adw::EntryRow,
    api_key: adw::PasswordEntryRow,
    connection: adw::ActionRow,
    test: gtk::Button,
    remove: gtk::Button,
    timeouts: timeouts::TimeoutRows,
}

impl FactoryComponent for ProviderRow {
    type ParentWidget = adw::PreferencesGroup;
    type CommandOutput = ProviderRowCommand;
    type Input = ProviderRowInput;
    type Output = ProviderRowOutput;
    type Init = (Engine, Provider);
    type Root = adw::ExpanderRow;
    type Widgets = ProviderRowWidgets;
    type Index = DynamicIndex;

    fn init_model(
        (engine, provider): Self::Init,
        index: &DynamicIndex,
        sender: FactorySender<Self>,
    ) -> Self {
        let (e, id) = (engine.clone(), provider.id.clone());
        sender.oneshot_command(async move {
            ProviderRowCommand::Hint(e.providers().api_key_hint(&id).await.ok().flatten())
        });
        let (e, id) = (engine.clone(), provider.id.clone());
        sender.oneshot_command(async move {
            ProviderRowCommand::Timeouts(e.providers().timeouts(&id).await.unwrap_or_default())
        });
        Self {
            engine,
            provider,
            index: index.clone(),
            key_hint: None,
            timeouts: None,
            feedback: None,
            busy: false,
            ticking: false,
            pull_dialog: None,
        }
    }

    fn init_root(&self) -> Self::Root {
        adw::ExpanderRow::new()
    }

    fn init_widgets(
        &mut self,
        _index: &DynamicIndex,
        root: Self::Root,
        _: &gtk::Widget,
        sender: FactorySender<Self>,
    ) -> Self::Widgets {
        let widgets = view::build(self, root, &sender);
        self.render(&widgets, &sender);
        widgets
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::Input,
        sender: FactorySender<Self>,
    ) {
        let id = self.provider.id.clone();
        let engine = self.engine.clone();
        match message {
            ProviderRowInput::SetEnabled(on) => {
                if on != self.provider.enabled {
                    self.save(
                        &sender,
                        ProviderUpdate {
                            enabled: Some(on),
                            ..ProviderUpdate::default()
                        },
                    );
                }
            }
            ProviderRowInput::Rename(name) => self.save(
                &sender,
                ProviderUpdate {
                    name: Some(name),
                    ..ProviderUpdate::default()
                },
            ),
            ProviderRowInput::ChangeBaseUrl(url) => self.save(
                &sender,
                ProviderUpdate {
                    base_url: Some(url),
                    ..ProviderUpdate::default()
                },
            ),
            ProviderRowInput::SaveKey(key) => {
                self.busy = true;
                sender.oneshot_command(async move {
                    let key = Some(key).filter(|k| !k.trim().is_empty());
                    let saved = async {
                        let provider = engine.providers().set_api_key(&id, key.as_deref()).await?;
                        let hint = engine.providers().api_key_hint(&id).await?;
                        Ok((provider, hint))
                    };
                    ProviderRowCommand::Saved(
                        saved
                            .await
                            .map_err(|e: valechat_core::chat::EngineError| e.user_message()),
                    )
                });
            }
            ProviderRowInput::TimeoutsEdited => {
                let edited = self
                    .timeouts
                    .and_then(|stored| widgets.timeouts.edited(stored));
                if let Some(timeouts) = edited {
                    self.timeouts = Some(timeouts);
                    self.save(
                        &sender,
                        ProviderUpdate {
                            timeouts: Some(timeouts),
                            ..ProviderUpdate::default()
                        },
                    );
                }
            }
            ProviderRowInput::TestConnection => {
                self.busy = true;
                self.feedback = Some((gettext("Connecting…"), false));
                sender.oneshot_command(async move {
                    let result = engine
                        .providers()
                        .test(&id)
                        .await
                        .map(|models| models.len())
                        .map_err(|e| e.user_message());
                    ProviderRowCommand::Tested(result)
                });
            }
            ProviderRowInput::DownloadModel => {
                let parent = widgets
                    .root
                    .root()
                    .and_then(|r| r.downcast::<gtk::Window>().ok());
                let init = pull_dialog::PullDialogInit {
                    parent,
                    engine,
                    provider_id: id,
                    provider_name: self.provider.name.clone(),
                };
                let dialog = pull_dialog::PullDialog::builder().launch(init).forward(
                    sender.input_sender(),
                    |output| {
                        let pull_dialog::PullDialogOutput::Downloaded(model) = output;
                        ProviderRowInput::ModelDownloaded(model)
                    },
                );
                self.pull_dialog = Some(dialog);
            }
            ProviderRowInput::ModelDownloaded(model) => {
                let _ = sender.output(ProviderRowOutput::Toast(gettext_f(
                    "Downloaded “{model}”",
                    &[("model", &model)],
                )));
                // The picker lists models afresh when it opens; the row's
                // count shows the new one now.
                let _ = sender.output(ProviderRowOutput::Changed);
                sender.input(ProviderRowInput::TestConnection);
            }
            ProviderRowInput::AskRemove => self.ask_remove(&widgets.root, &sender),
            ProviderRowInput::Remove => {
                self.busy = true;
                sender.oneshot_command(async move {
                    ProviderRowCommand::Removed(
                        engine
                            .providers()
                            .remove(&id)
                            .await
                            .map_err(|e| e.user_message()),
                    )
                });
            }
            ProviderRowInput::RefreshState => {}
        }
        self.render(widgets, &sender);
    }

    fn update_cmd_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::CommandOutput,
        sender: FactorySender<Self>,
    ) {
        match message {
            ProviderRowCommand::Hint(hint) => self.key_hint = hint,
            ProviderRowCommand::Timeouts(timeouts) => {
                self.timeouts = Some(timeouts);
                widgets.timeouts.show(timeouts);
            }
            ProviderRowCommand::Saved(Ok((provider, hint))) => {
                self.busy = false;
                self.provider = provider;
                self.key_hint = hint;
                widgets.api_key.set_text("");
                view::set_if_changed(&widgets.name, &self.provider.name);
                view::set_if_changed(&widgets.base_url, &self.provider.base_url);
                let _ = sender.output(ProviderRowOutput::Changed);
            }
            ProviderRowCommand::Saved(Err(e)) => {
                self.busy = false;
                let _ = sender.output(ProviderRowOutput::Toast(e));
            }
            ProviderRowCommand::Tested(result) => {
                self.busy = false;
                self.feedback = Some(match result {
                    Ok(n) => (
                        ngettext_f(
                            "Connected: {count} model",
                            "Connected: {count} models",
                            u32::try_from(n).unwrap_or(u32::MAX),
                            &[("count", &n.to_string())],
                        ),
                        false,
                    ),
                    Err(e) => (e, true),
                });
            }
            ProviderRowCommand::Removed(Ok(())) => {
                let _ = sender.output(ProviderRowOutput::Removed(self.index.clone()));
            }
            ProviderRowCommand::Removed(Err(e)) => {
                self.busy = false;
                let _ = sender.output(ProviderRowOutput::Toast(e));
            }
            ProviderRowCommand::Tick => self.ticking = false,
        }
        self.render(widgets, &sender);
    }
}

impl ProviderRow {
    /// Stores `update` in the background; the row shows the stored result.
    fn save(&mut self, sender: &FactorySender<Self>, update: ProviderUpdate) {
        let (engine, id, hint) = (
            self.engine.clone(),
            self.provider.id.clone(),
            self.key_hint.clone(),
        );
        self.busy = true;
        sender.oneshot_command(async move {
            ProviderRowCommand::Saved(
                engine
                    .providers()
                    .update(&id, update)
                    .await
                    .map(|p| (p, hint))
                    .map_err(|e| e.user_message()),
            )
        });
    }
}
