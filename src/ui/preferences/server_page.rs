//! Preferences → Server: the local API server the window runs while it is
//! open ([`ApiServerHost`]): on or off, its port, whether other computers
//! may reach it, what it is doing, and the access token every request
//! needs (shown, copied, regenerated). The settings are stored in
//! GSettings ([`ServerSettings`]); the token in the keyring
//! ([`crate::serve::auth`]).
//!
//! ```text
//! adw::PreferencesPage "Server"
//! ├─ adw::PreferencesGroup "Local API Server"
//! │  ├─ adw::ActionRow "Serve While ValeChat Is Open" + gtk::Switch
//! │  ├─ adw::ActionRow "Status" (address, or why it did not start) + Copy
//! │  ├─ adw::ActionRow "Port" + gtk::SpinButton (1024–65535)
//! │  └─ adw::ActionRow "Allow Other Computers" + gtk::Switch (warning)
//! ├─ adw::PreferencesGroup "Access Token"
//! │  └─ adw::ActionRow "Token" (hidden until shown) + Show, Copy, Regenerate…
//! └─ adw::PreferencesGroup "Connected Apps" (one row per app)
//! ```

mod clients;
mod status;
mod token;

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{Component, ComponentParts, ComponentSender, adw, gtk};
use valechat_core::chat::Engine;

use crate::ui::api_server::settings::MIN_PORT;
use crate::ui::api_server::{ApiServerHost, ServerSettings, ServerStatus};
use crate::ui::spin_row::spin_row;

/// The page's state.
pub struct ServerPage {
    engine: Engine,
    host: ApiServerHost,
    settings: ServerSettings,
    status: ServerStatus,
    /// The token once read from the keyring (shown or copied).
    token: Option<String>,
    revealed: bool,
}

impl std::fmt::Debug for ServerPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerPage")
            .field("settings", &self.settings)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// What the page is told.
#[derive(Debug)]
pub enum ServerPageInput {
    /// A switch or the port changed: store the settings and apply them.
    Edited,
    /// Show or hide the token.
    Reveal(bool),
    /// Copy the token to the clipboard.
    CopyToken,
    /// Copy the API's base URL to the clipboard.
    CopyAddress,
    /// Open the reference web client (`/`) in the browser.
    OpenWebClient,
    /// Ask before making a new token.
    AskRegenerate,
    /// The person confirmed: make a new token and restart the server.
    Regenerate,
}

/// What the page tells the Preferences window.
#[derive(Debug)]
pub enum ServerPageOutput {
    /// A message for a toast.
    Toast(String),
}

/// Results of the page's background work.
#[derive(Debug)]
pub enum ServerPageCommand {
    /// The server's status changed.
    Status(ServerStatus),
    /// The apps using the server changed.
    Clients(Vec<crate::serve::clients::ClientInfo>),
    /// The token was read (made on first use) to show or copy, or the
    /// error in words; `copy` says which.
    Token {
        /// The token or the error.
        result: Result<String, String>,
        /// Copy it (else show it).
        copy: bool,
    },
    /// A new token was made, or the error in words.
    Regenerated(Result<String, String>),
}

/// Widgets the page updates.
#[derive(Debug)]
pub struct ServerPageWidgets {
    enabled: gtk::Switch,
    port: gtk::SpinButton,
    remote: gtk::Switch,
    status: status::StatusRow,
    token: token::TokenRow,
    clients: clients::ClientsGroup,
}

impl Component for ServerPage {
    type CommandOutput = ServerPageCommand;
    type Input = ServerPageInput;
    type Output = ServerPageOutput;
    type Init = (Engine, ApiServerHost);
    type Root = adw::PreferencesPage;
    type Widgets = ServerPageWidgets;

    fn init_root() -> Self::Root {
        adw::PreferencesPage::builder()
            .title(gettext("Server"))
            .icon_name("network-transmit-receive-symbolic")
            .build()
    }

    fn init(
        (engine, host): Self::Init,
        root: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        let settings = ServerSettings::load();
        let group = adw::PreferencesGroup::builder()
            .title(gettext("Local API Server"))
            .description(gettext(
                "Other apps on this computer can use your providers through an OpenAI-compatible API, a WebSocket stream and MCP. Their requests are billed and count against your spending limits like your own.",
            ))
            .build();
        let enabled = switch_row(
            &group,
            &gettext("Serve While ValeChat Is Open"),
            &gettext("Starts the server now and each time ValeChat opens"),
        );
        enabled.set_active(settings.enabled);
        let status = status::StatusRow::new(&group, &sender);
        let (port_row, port) = spin_row(
            &gettext("Port"),
            &gettext("The TCP port apps connect to"),
            (f64::from(MIN_PORT), f64::from(u16::MAX), 1.0),
        );
        port.set_value(f64::from(settings.port));
        group.add(&port_row);
        let remote = switch_row(
            &group,
            &gettext("Allow Other Computers"),
            &gettext(
                "Listen on every network, not only this computer. Anyone who can reach it and has the token can spend on your providers.",
            ),
        );
        remote.set_active(settings.allow_remote);
        root.add(&group);
        let token = token::TokenRow::new(&root, &sender);
        let clients = clients::ClientsGroup::new(&root);

        for switch in [&enabled, &remote] {
            let s = sender.clone();
            switch.connect_active_notify(move |_| s.input(ServerPageInput::Edited));
        }
        let s = sender.clone();
        port.connect_value_changed(move |_| s.input(ServerPageInput::Edited));

        follow(&sender, host.status(), ServerPageCommand::Status);
        follow(&sender, host.clients(), ServerPageCommand::Clients);

        let model = ServerPage {
            engine,
            host,
            settings,
            status: ServerStatus::Off,
            token: None,
            revealed: false,
        };
        let widgets = ServerPageWidgets {
            enabled,
            port,
            remote,
            status,
            token,
            clients,
        };
        ComponentParts { model, widgets }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: ServerPageInput,
        sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        match message {
            ServerPageInput::Edited => {
                // The spin range is 1024–65535: the value fits a u16.
                #[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
                let port = widgets.port.value().round() as u16;
                let settings = ServerSettings {
                    enabled: widgets.enabled.is_active(),
                    port,
                    allow_remote: widgets.remote.is_active(),
                };
                if settings != self.settings {
                    self.settings = settings;
                    settings.store();
                    self.host.apply(settings);
                }
            }
            ServerPageInput::Reveal(show) => {
                self.revealed = show;
                if show && self.token.is_none() {
                    self.read_token(&sender, false);
                }
                widgets.token.show(self.token.as_deref(), self.revealed);
            }
            ServerPageInput::CopyToken => match &self.token {
                Some(token) => copy(root, token, &sender, &gettext("Token copied")),
                None => self.read_token(&sender, true),
            },
            ServerPageInput::CopyAddress => {
                if let Some(url) = status::base_url(&self.status) {
                    copy(root, &url, &sender, &gettext("Address copied"));
                }
            }
            ServerPageInput::OpenWebClient => {
                if let Some(url) = status::web_client_url(&self.status) {
                    // gtk::UriLauncher needs GTK 4.10; we target 4.8 (DESIGN.md).
                    #[allow(deprecated)]
                    gtk::show_uri(
                        root.root().and_downcast_ref::<gtk::Window>(),
                        &url,
                        gtk::gdk::CURRENT_TIME,
                    );
                }
            }
            ServerPageInput::AskRegenerate => token::confirm_regenerate(root, &sender),
            ServerPageInput::Regenerate => {
                let keys = self.engine.providers().keys().clone();
                sender.oneshot_command(async move {
                    ServerPageCommand::Regenerated(
                        crate::serve::auth::regenerate(keys.as_ref())
                            .await
                            .map_err(|e| e.to_string()),
                    )
                });
            }
        }
    }

    fn update_cmd_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: ServerPageCommand,
        sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        match message {
            ServerPageCommand::Status(status) => {
                widgets.status.show(&status);
                self.status = status;
            }
            ServerPageCommand::Clients(list) => widgets.clients.show(&list),
            ServerPageCommand::Token {
                result,
                copy: then_copy,
            } => match result {
                Ok(token) => {
                    if then_copy {
                        copy(root, &token, &sender, &gettext("Token copied"));
                    }
                    self.token = Some(token);
                    widgets.token.show(self.token.as_deref(), self.revealed);
                }
                Err(e) => toast(&sender, &e),
            },
            ServerPageCommand::Regenerated(result) => match result {
                Ok(token) => {
                    self.token = Some(token);
                    widgets.token.show(self.token.as_deref(), self.revealed);
                    // A running server keeps the token it started with.
                    if self.settings.enabled {
                        self.host.apply(self.settings);
                    }
                    toast(
                        &sender,
                        &gettext("New token made: apps using the old one are refused"),
                    );
                }
                Err(e) => toast(&sender, &e),
            },
        }
    }
}

impl ServerPage {
    /// Reads the token from the keyring (making it on first use).
    fn read_token(&self, sender: &ComponentSender<Self>, copy: bool) {
        let keys = self.engine.providers().keys().clone();
        sender.oneshot_command(async move {
            ServerPageCommand::Token {
                result: crate::serve::auth::token(keys.as_ref())
                    .await
                    .map_err(|e| e.to_string()),
                copy,
            }
        });
    }
}

/// Sends each value of `changes` (the current one first) to the page as
/// `wrap(value)`, until the page goes away.
fn follow<T: Clone + Send + Sync + 'static>(
    sender: &ComponentSender<ServerPage>,
    mut changes: tokio::sync::watch::Receiver<T>,
    wrap: fn(T) -> ServerPageCommand,
) {
    sender.command(move |out, shutdown| {
        shutdown
            .register(async move {
                loop {
                    let now = changes.borrow_and_update().clone();
                    if out.send(wrap(now)).is_err() || changes.changed().await.is_err() {
                        break;
                    }
                }
            })
            .drop_on_shutdown()
    });
}

/// Adds a row titled `title` with a switch to `group`; returns the switch.
fn switch_row(group: &adw::PreferencesGroup, title: &str, subtitle: &str) -> gtk::Switch {
    let switch: gtk::Switch = crate::ui::a11y::labelled("GtkSwitch", title).unwrap_or_default();
    switch.set_valign(gtk::Align::Center);
    let row = adw::ActionRow::builder()
        .title(title)
        .subtitle(subtitle)
        .activatable_widget(&switch)
        .build();
    row.add_suffix(&switch);
    group.add(&row);
    switch
}

/// Puts `text` on the clipboard and says `done` in a toast.
fn copy(root: &adw::PreferencesPage, text: &str, sender: &ComponentSender<ServerPage>, done: &str) {
    root.clipboard().set_text(text);
    toast(sender, done);
}

fn toast(sender: &ComponentSender<ServerPage>, text: &str) {
    let _ = sender.output(ServerPageOutput::Toast(text.to_owned()));
}
