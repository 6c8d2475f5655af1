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
//! └─ adw::ActionRow "Connection" + Test Connection, Remove
//! ```

use std::time::Duration;

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::factory::{DynamicIndex, FactoryComponent, FactorySender};
use relm4::{adw, gtk};

use crate::core::chat::{Engine, ProviderUpdate};
use crate::core::provider::ProtocolKind;
use crate::core::provider::resilient::BreakerState;
use crate::core::store::Provider;
use crate::i18n::{gettext_f, ngettext_f};

/// A provider row's state.
#[derive(Debug)]
pub struct ProviderRow {
    engine: Engine,
    provider: Provider,
    /// This row's place in the factory (for [`ProviderRowOutput::Removed`]).
    index: DynamicIndex,
    /// The stored key's hint ("…1234"), `None` without a key.
    key_hint: Option<String>,
    /// The last Test Connection (or save) result: text, and whether it is an error.
    feedback: Option<(String, bool)>,
    busy: bool,
    /// A one-second tick is scheduled to count an open breaker down.
    ticking: bool,
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
    /// List the server's models with the stored configuration.
    TestConnection,
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
            ProviderRowCommand::Hint(e.api_key_hint(&id).await.ok().flatten())
        });
        Self {
            engine,
            provider,
            index: index.clone(),
            key_hint: None,
            feedback: None,
            busy: false,
            ticking: false,
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
        let dot = gtk::Label::builder().label("●").build();
        let status = gtk::Label::builder().css_classes(["dim-label"]).build();
        let enabled: gtk::Switch =
            crate::ui::a11y::labelled("GtkSwitch", &gettext("Enabled")).unwrap_or_default();
        enabled.set_active(self.provider.enabled);
        enabled.set_valign(gtk::Align::Center);
        enabled.set_tooltip_text(Some(&gettext("Offer this provider's models")));
        let s = sender.clone();
        enabled
            .connect_active_notify(move |sw| s.input(ProviderRowInput::SetEnabled(sw.is_active())));
        // Each action goes before the ones added earlier: shown dot, status, switch.
        root.add_action(&enabled);
        root.add_action(&status);
        root.add_action(&dot);

        let name = entry_row(&gettext("Name"), &self.provider.name);
        let s = sender.clone();
        name.connect_apply(move |row| s.input(ProviderRowInput::Rename(row.text().into())));
        let base_url = entry_row(&gettext("Base URL"), &self.provider.base_url);
        let s = sender.clone();
        base_url.connect_apply(move |row| {
            s.input(ProviderRowInput::ChangeBaseUrl(row.text().into()));
        });

        let api_key = adw::PasswordEntryRow::builder()
            .title(gettext("API Key"))
            .build();
        let save = gtk::Button::builder()
            .label(gettext("Save"))
            .valign(gtk::Align::Center)
            .tooltip_text(gettext(
                "Store this key in the keyring; an empty field removes the stored key",
            ))
            .build();
        let (s, field) = (sender.clone(), api_key.clone());
        save.connect_clicked(move |_| s.input(ProviderRowInput::SaveKey(field.text().into())));
        let s = sender.clone();
        api_key.connect_entry_activated(move |row| {
            s.input(ProviderRowInput::SaveKey(row.text().into()));
        });
        api_key.add_suffix(&save);

        let connection = adw::ActionRow::builder()
            .title(gettext("Connection"))
            .build();
        let test = gtk::Button::builder()
            .label(gettext("Test Connection"))
            .valign(gtk::Align::Center)
            .build();
        let s = sender.clone();
        test.connect_clicked(move |_| s.input(ProviderRowInput::TestConnection));
        let remove = gtk::Button::builder()
            .label(gettext("Remove"))
            .valign(gtk::Align::Center)
            .css_classes(["destructive-action"])
            .build();
        let s = sender.clone();
        remove.connect_clicked(move |_| s.input(ProviderRowInput::AskRemove));
        connection.add_suffix(&test);
        connection.add_suffix(&remove);

        root.add_row(&name);
        root.add_row(&base_url);
        root.add_row(&api_key);
        root.add_row(&connection);
        let widgets = ProviderRowWidgets {
            root,
            dot,
            status,
            name,
            base_url,
            api_key,
            connection,
            test,
            remove,
        };
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
                        let provider = engine.set_api_key(&id, key.as_deref()).await?;
                        let hint = engine.api_key_hint(&id).await?;
                        Ok((provider, hint))
                    };
                    ProviderRowCommand::Saved(
                        saved
                            .await
                            .map_err(|e: crate::core::chat::EngineError| e.user_message()),
                    )
                });
            }
            ProviderRowInput::TestConnection => {
                self.busy = true;
                self.feedback = Some((gettext("Connecting…"), false));
                sender.oneshot_command(async move {
                    let result = engine
                        .test_provider(&id)
                        .await
                        .map(|models| models.len())
                        .map_err(|e| e.user_message());
                    ProviderRowCommand::Tested(result)
                });
            }
            ProviderRowInput::AskRemove => self.ask_remove(&widgets.root, &sender),
            ProviderRowInput::Remove => {
                self.busy = true;
                sender.oneshot_command(async move {
                    ProviderRowCommand::Removed(
                        engine
                            .remove_provider(&id)
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
            ProviderRowCommand::Saved(Ok((provider, hint))) => {
                self.busy = false;
                self.provider = provider;
                self.key_hint = hint;
                widgets.api_key.set_text("");
                set_if_changed(&widgets.name, &self.provider.name);
                set_if_changed(&widgets.base_url, &self.provider.base_url);
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
                    .update_provider(&id, update)
                    .await
                    .map(|p| (p, hint))
                    .map_err(|e| e.user_message()),
            )
        });
    }

    /// Asks, over the preferences window, whether to remove the provider.
    fn ask_remove(&self, row: &adw::ExpanderRow, sender: &FactorySender<Self>) {
        let parent = row.root().and_then(|r| r.downcast::<gtk::Window>().ok());
        let dialog = adw::MessageDialog::new(
            parent.as_ref(),
            Some(&gettext("Remove Provider?")),
            Some(&gettext_f(
                "“{name}” and its API key will be removed. Its conversations stay, without a model.",
                &[("name", &self.provider.name)],
            )),
        );
        dialog.add_response("cancel", &gettext("Cancel"));
        dialog.add_response("remove", &gettext("Remove"));
        dialog.set_response_appearance("remove", adw::ResponseAppearance::Destructive);
        dialog.set_default_response(Some("cancel"));
        dialog.set_close_response("cancel");
        let input = sender.input_sender().clone();
        dialog.connect_response(None, move |_, response| {
            if response == "remove" {
                input.emit(ProviderRowInput::Remove);
            }
        });
        dialog.present();
    }

    fn render(&mut self, w: &ProviderRowWidgets, sender: &FactorySender<Self>) {
        w.root.set_title(&glib_escape(&self.provider.name));
        w.root.set_subtitle(&glib_escape(&format!(
            "{} · {}",
            self.provider.base_url,
            protocol_name(&self.provider.kind)
        )));
        let title = match &self.key_hint {
            Some(hint) => gettext_f("API Key ({hint})", &[("hint", hint)]),
            None => gettext("API Key"),
        };
        w.api_key.set_title(&title);
        let (text, class) = match self.engine.provider_state(&self.provider.id) {
            BreakerState::Closed => (gettext("Ready"), "success"),
            BreakerState::HalfOpen => (gettext("Checking"), "warning"),
            BreakerState::Open { until } => {
                let secs = until
                    .saturating_duration_since(tokio::time::Instant::now())
                    .as_secs_f64()
                    .ceil();
                // Whole seconds, at most the breaker's cool-down.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let secs = secs as u64;
                if !self.ticking {
                    self.ticking = true;
                    sender.oneshot_command(async {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        ProviderRowCommand::Tick
                    });
                }
                (
                    gettext_f(
                        "Unavailable — retrying in {seconds} s",
                        &[("seconds", &secs.to_string())],
                    ),
                    "error",
                )
            }
        };
        let (text, class) = if self.provider.enabled {
            (text, class)
        } else {
            (gettext("Disabled"), "dim-label")
        };
        w.status.set_label(&text);
        w.dot.set_css_classes(&[class]);
        match &self.feedback {
            Some((text, is_error)) => {
                w.connection.set_subtitle(&glib_escape(text));
                if *is_error {
                    w.connection.add_css_class("error");
                } else {
                    w.connection.remove_css_class("error");
                }
            }
            None => w.connection.set_subtitle(""),
        }
        w.test.set_sensitive(!self.busy);
        w.remove.set_sensitive(!self.busy);
    }
}

/// A row to edit `text`, applied with its apply button or Enter.
fn entry_row(title: &str, text: &str) -> adw::EntryRow {
    let row = adw::EntryRow::builder().title(title).build();
    row.set_text(text);
    // After the text: setting it with the button on would show the button.
    row.set_show_apply_button(true);
    row
}

/// Shows `text` in `row` unless it is already there (setting equal text
/// would show the apply button again).
fn set_if_changed(row: &adw::EntryRow, text: &str) {
    if row.text() != text {
        row.set_text(text);
    }
}

/// Rows' titles and subtitles are Pango markup: escape user text.
fn glib_escape(text: &str) -> String {
    gtk::glib::markup_escape_text(text).to_string()
}

/// The protocol's name as the user knows it.
fn protocol_name(kind: &str) -> String {
    match ProtocolKind::parse(kind) {
        Some(ProtocolKind::OpenAiCompatible) => gettext("OpenAI-compatible"),
        Some(ProtocolKind::Anthropic) => "Anthropic".to_owned(),
        Some(ProtocolKind::Gemini) => "Google Gemini".to_owned(),
        Some(ProtocolKind::Ollama) => "Ollama".to_owned(),
        None => kind.to_owned(),
    }
}
