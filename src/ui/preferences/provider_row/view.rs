//! How a provider row looks: building its widgets, showing its state
//! (status dot, key hint, Test Connection result) and the Remove
//! confirmation.

use std::time::Duration;

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::factory::FactorySender;
use relm4::{adw, gtk};

use super::{ProviderRow, ProviderRowCommand, ProviderRowInput, ProviderRowWidgets};
use crate::i18n::gettext_f;
use valechat_core::provider::ProtocolKind;
use valechat_core::provider::resilient::BreakerState;

/// Builds the row's widgets inside `root` and connects them to `sender`.
pub(super) fn build(
    row: &ProviderRow,
    root: adw::ExpanderRow,
    sender: &FactorySender<ProviderRow>,
) -> ProviderRowWidgets {
    let dot = gtk::Label::builder().label("●").build();
    let status = gtk::Label::builder().css_classes(["dim-label"]).build();
    let enabled: gtk::Switch =
        crate::ui::a11y::labelled("GtkSwitch", &gettext("Enabled")).unwrap_or_default();
    enabled.set_active(row.provider.enabled);
    enabled.set_valign(gtk::Align::Center);
    enabled.set_tooltip_text(Some(&gettext("Offer this provider's models")));
    let s = sender.clone();
    enabled.connect_active_notify(move |sw| s.input(ProviderRowInput::SetEnabled(sw.is_active())));
    // Each action goes before the ones added earlier: shown dot, status, switch.
    root.add_action(&enabled);
    root.add_action(&status);
    root.add_action(&dot);

    let name = entry_row(&gettext("Name"), &row.provider.name);
    let s = sender.clone();
    name.connect_apply(move |row| s.input(ProviderRowInput::Rename(row.text().into())));
    let base_url = entry_row(&gettext("Base URL"), &row.provider.base_url);
    let s = sender.clone();
    base_url.connect_apply(move |row| {
        s.input(ProviderRowInput::ChangeBaseUrl(row.text().into()));
    });

    let api_key = adw::PasswordEntryRow::builder()
        .title(gettext("API Key"))
        .build();
    crate::ui::a11y::name_peek_button(&api_key, &gettext("Show Key"), &gettext("Hide Key"));
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
    if ProtocolKind::parse(&row.provider.kind) == Some(ProtocolKind::Ollama) {
        let models = adw::ActionRow::builder()
            .title(gettext("Models"))
            .subtitle(gettext("Download a model to this Ollama server"))
            .build();
        let download = gtk::Button::builder()
            .label(gettext("Download Model…"))
            .valign(gtk::Align::Center)
            .build();
        let s = sender.clone();
        download.connect_clicked(move |_| s.input(ProviderRowInput::DownloadModel));
        models.add_suffix(&download);
        root.add_row(&models);
    }
    let timeouts = super::timeouts::TimeoutRows::build(&root, sender);
    ProviderRowWidgets {
        root,
        dot,
        status,
        name,
        base_url,
        api_key,
        connection,
        test,
        remove,
        timeouts,
    }
}

impl ProviderRow {
    /// Asks, over the preferences window, whether to remove the provider.
    pub(super) fn ask_remove(&self, row: &adw::ExpanderRow, sender: &FactorySender<Self>) {
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

    pub(super) fn render(&mut self, w: &ProviderRowWidgets, sender: &FactorySender<Self>) {
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
        let (text, class) = match self.engine.providers().state(&self.provider.id) {
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
pub(super) fn set_if_changed(row: &adw::EntryRow, text: &str) {
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
        Some(ProtocolKind::Local) => gettext("On this computer"),
        None => kind.to_owned(),
    }
}
