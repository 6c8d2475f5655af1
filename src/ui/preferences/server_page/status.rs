//! The "Status" row of Preferences → Server: where the server listens, that
//! it is off, or why it did not start; a Copy button for the API's address
//! and an Open Web Client button for the page served at `/`.

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{ComponentSender, adw, gtk};

use super::{ServerPage, ServerPageInput};
use crate::i18n::gettext_f;
use crate::ui::api_server::ServerStatus;

/// The row and its Copy button.
#[derive(Debug)]
pub struct StatusRow {
    row: adw::ActionRow,
    copy: gtk::Button,
    open: gtk::Button,
}

impl StatusRow {
    /// Adds the row to `group`, showing "Off".
    pub fn new(group: &adw::PreferencesGroup, sender: &ComponentSender<ServerPage>) -> Self {
        let row = adw::ActionRow::builder()
            .title(gettext("Status"))
            .subtitle(gettext("Off"))
            .build();
        let copy: gtk::Button =
            crate::ui::a11y::labelled("GtkButton", &gettext("Copy Address")).unwrap_or_default();
        copy.set_icon_name("edit-copy-symbolic");
        copy.set_tooltip_text(Some(&gettext("Copy Address")));
        copy.set_valign(gtk::Align::Center);
        copy.add_css_class("flat");
        copy.set_visible(false);
        let s = sender.clone();
        copy.connect_clicked(move |_| s.input(ServerPageInput::CopyAddress));
        let open: gtk::Button =
            crate::ui::a11y::labelled("GtkButton", &gettext("Open Web Client")).unwrap_or_default();
        open.set_icon_name("web-browser-symbolic");
        open.set_tooltip_text(Some(&gettext("Open Web Client")));
        open.set_valign(gtk::Align::Center);
        open.add_css_class("flat");
        open.set_visible(false);
        let s = sender.clone();
        open.connect_clicked(move |_| s.input(ServerPageInput::OpenWebClient));
        row.add_suffix(&open);
        row.add_suffix(&copy);
        group.add(&row);
        Self { row, copy, open }
    }

    /// Shows `status`.
    pub fn show(&self, status: &ServerStatus) {
        self.row.remove_css_class("error");
        self.row.remove_css_class("warning");
        let text = match status {
            ServerStatus::Off => gettext("Off"),
            ServerStatus::Starting => gettext("Starting…"),
            ServerStatus::Running {
                address,
                remote: false,
            } => gettext_f(
                "Serving at {url}",
                &[(
                    "url",
                    &base_url(status).unwrap_or_else(|| address.to_string()),
                )],
            ),
            ServerStatus::Running {
                address,
                remote: true,
            } => {
                self.row.add_css_class("warning");
                gettext_f(
                    "Serving other computers too, on port {port}",
                    &[("port", &address.port().to_string())],
                )
            }
            ServerStatus::Failed(reason) => {
                self.row.add_css_class("error");
                reason.clone()
            }
        };
        self.row.set_subtitle(&text);
        let running = matches!(status, ServerStatus::Running { .. });
        self.copy.set_visible(running);
        self.open.set_visible(running);
    }
}

/// The OpenAI-compatible API's base URL while the server runs
/// (`http://127.0.0.1:8765/v1`; on every network, the loopback address
/// with the port, which works on this computer).
#[must_use]
pub fn base_url(status: &ServerStatus) -> Option<String> {
    match status {
        ServerStatus::Running { address, remote } => {
            let host = if *remote || address.ip().is_unspecified() {
                "127.0.0.1".to_owned()
            } else {
                address.ip().to_string()
            };
            Some(format!("http://{host}:{}/v1", address.port()))
        }
        _ => None,
    }
}

/// The reference web client's address while the server runs
/// (`http://127.0.0.1:8765/`).
#[must_use]
pub fn web_client_url(status: &ServerStatus) -> Option<String> {
    base_url(status).map(|url| format!("{}/", url.trim_end_matches("/v1")))
}
