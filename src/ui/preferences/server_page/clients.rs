//! The "Connected Apps" group of Preferences → Server: the apps using the
//! local API server now or in the last ten minutes
//! ([`crate::serve::clients`]), each with how it talks to the server, its
//! requests and when it was last heard from.

use std::time::UNIX_EPOCH;

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{adw, gtk};
use valechat_core::format::{format_count, format_date_time};

use crate::i18n::{gettext_f, ngettext_f};
use crate::serve::clients::{ClientInfo, ClientKind};

/// The group and the rows it shows.
#[derive(Debug)]
pub struct ClientsGroup {
    group: adw::PreferencesGroup,
    rows: Vec<adw::ActionRow>,
    empty: adw::ActionRow,
}

impl ClientsGroup {
    /// Adds the group to `page`, showing that no app has connected.
    pub fn new(page: &adw::PreferencesPage) -> Self {
        let group = adw::PreferencesGroup::builder()
            .title(gettext("Connected Apps"))
            .description(gettext(
                "Apps using the server now or in the last ten minutes",
            ))
            .build();
        let empty = adw::ActionRow::builder()
            .title(gettext("No apps yet"))
            .build();
        empty.add_css_class("dim-label");
        group.add(&empty);
        page.add(&group);
        Self {
            group,
            rows: Vec::new(),
            empty,
        }
    }

    /// Shows `clients` (open connections first, as the list comes).
    pub fn show(&mut self, clients: &[ClientInfo]) {
        for row in self.rows.drain(..) {
            self.group.remove(&row);
        }
        self.empty.set_visible(clients.is_empty());
        for client in clients {
            let row = adw::ActionRow::builder()
                .title(client.name.as_str())
                .subtitle(subtitle(client))
                .build();
            let icon = gtk::Image::from_icon_name(match client.kind {
                ClientKind::Api => "network-server-symbolic",
                ClientKind::WebSocket => "network-transmit-receive-symbolic",
                ClientKind::Mcp => "applications-engineering-symbolic",
            });
            row.add_prefix(&icon);
            self.group.add(&row);
            self.rows.push(row);
        }
    }
}

/// "OpenAI-compatible API · 3 requests · last at 8 Dec 2026, 14:03", or
/// "WebSocket · connected now".
fn subtitle(client: &ClientInfo) -> String {
    let how = match client.kind {
        ClientKind::Api => gettext("OpenAI-compatible API"),
        ClientKind::WebSocket => gettext("WebSocket stream"),
        ClientKind::Mcp => gettext("MCP"),
    };
    if client.open > 0 {
        return gettext_f("{how} · connected now", &[("how", &how)]);
    }
    let requests = ngettext_f(
        "{n} request",
        "{n} requests",
        u32::try_from(client.requests).unwrap_or(u32::MAX),
        &[("n", &format_count(client.requests))],
    );
    let at_ms = client
        .last_seen
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    gettext_f(
        "{how} · {requests} · last at {time}",
        &[
            ("how", &how),
            ("requests", &requests),
            ("time", &format_date_time(at_ms)),
        ],
    )
}
