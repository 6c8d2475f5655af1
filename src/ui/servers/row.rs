//! One server in the MCP Servers list: name, live state (spinner while
//! starting, counts when ready, reason and last stderr lines when failed,
//! "Needs Sign-In" when an OAuth sign-in was refused; Restart signs in again),
//! an enable switch, Restart / Edit / Remove buttons, and a click opens the
//! server's details.

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::gtk::glib;
use relm4::{ComponentSender, adw, gtk};

use super::{Servers, ServersInput};
use crate::i18n::{gettext_f, ngettext_f};
use valechat_core::mcp::{ServerConfig, ServerState};

/// The one-line state of a server: "Starting…", "Ready · 3 tools · 1
/// resource · 0 prompts", "Failed: reason", "Disabled".
pub fn state_text(state: Option<&ServerState>) -> String {
    match state {
        None | Some(ServerState::Disabled) => gettext("Disabled"),
        Some(ServerState::Starting) => gettext("Starting…"),
        Some(ServerState::Ready {
            tools,
            resources,
            prompts,
        }) => {
            // Literal ngettext_f calls, so xgettext extracts every form.
            let n32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
            let (t, r, p) = (
                tools.to_string(),
                resources.to_string(),
                prompts.to_string(),
            );
            let tools = ngettext_f("{n} tool", "{n} tools", n32(*tools), &[("n", &t)]);
            let resources = ngettext_f(
                "{n} resource",
                "{n} resources",
                n32(*resources),
                &[("n", &r)],
            );
            let prompts = ngettext_f("{n} prompt", "{n} prompts", n32(*prompts), &[("n", &p)]);
            gettext_f(
                "Ready · {tools} · {resources} · {prompts}",
                &[
                    ("tools", &tools),
                    ("resources", &resources),
                    ("prompts", &prompts),
                ],
            )
        }
        Some(ServerState::Failed { reason, .. }) => {
            gettext_f("Failed: {reason}", &[("reason", reason)])
        }
        Some(ServerState::NeedsSignIn { reason }) => {
            gettext_f("Needs Sign-In: {reason}", &[("reason", reason)])
        }
    }
}

/// The state text plus, for a failed server, its last stderr lines.
pub fn state_detail(state: Option<&ServerState>) -> String {
    let mut text = state_text(state);
    if let Some(ServerState::Failed {
        last_stderr_lines, ..
    }) = state
    {
        for line in last_stderr_lines.iter().rev().take(3).rev() {
            text.push('\n');
            text.push_str(line);
        }
    }
    text
}

/// The widgets of one row.
#[derive(Debug)]
pub struct ServerRow {
    /// The row, appended to the list.
    pub row: adw::ActionRow,
    spinner: gtk::Spinner,
    icon: gtk::Image,
}

fn icon_button(icon: &str, tooltip: &str) -> gtk::Button {
    let button = crate::ui::a11y::labelled::<gtk::Button>("GtkButton", tooltip).unwrap_or_default();
    button.set_icon_name(icon);
    button.set_tooltip_text(Some(tooltip));
    button.set_valign(gtk::Align::Center);
    button.add_css_class("flat");
    button
}

impl ServerRow {
    /// A row for `config`; its buttons talk to the window through `sender`.
    pub fn new(config: &ServerConfig, sender: &ComponentSender<Servers>) -> Self {
        let row = adw::ActionRow::builder()
            .title(glib::markup_escape_text(&config.name).as_str())
            .subtitle_lines(4)
            .activatable(true)
            .build();
        let spinner = gtk::Spinner::builder().visible(false).build();
        let icon = gtk::Image::from_icon_name("network-server-symbolic");
        row.add_prefix(&spinner);
        row.add_prefix(&icon);

        let switch = crate::ui::a11y::labelled::<gtk::Switch>(
            "GtkSwitch",
            &gettext_f("Enable {name}", &[("name", &config.name)]),
        )
        .unwrap_or_default();
        switch.set_valign(gtk::Align::Center);
        switch.set_active(config.enabled);
        let (s, id) = (sender.clone(), config.id.clone());
        switch.connect_state_set(move |_, on| {
            s.input(ServersInput::SetEnabled(id.clone(), on));
            glib::Propagation::Proceed
        });

        let restart = icon_button("view-refresh-symbolic", &gettext("Restart"));
        let (s, id) = (sender.clone(), config.id.clone());
        restart.connect_clicked(move |_| s.input(ServersInput::Restart(id.clone())));
        restart.set_sensitive(config.enabled);
        let edit = icon_button("document-edit-symbolic", &gettext("Edit"));
        let (s, id) = (sender.clone(), config.id.clone());
        edit.connect_clicked(move |_| s.input(ServersInput::ShowEdit(id.clone())));
        let remove = icon_button("user-trash-symbolic", &gettext("Remove"));
        let (s, id) = (sender.clone(), config.id.clone());
        remove.connect_clicked(move |_| s.input(ServersInput::AskRemove(id.clone())));

        row.add_suffix(&restart);
        row.add_suffix(&edit);
        row.add_suffix(&remove);
        row.add_suffix(&switch);
        row.add_suffix(&gtk::Image::from_icon_name("go-next-symbolic"));
        let (s, id) = (sender.clone(), config.id.clone());
        row.connect_activated(move |_| s.input(ServersInput::ShowDetails(id.clone())));
        Self { row, spinner, icon }
    }

    /// Shows `state`.
    pub fn update(&self, state: Option<&ServerState>) {
        let starting = matches!(state, Some(ServerState::Starting));
        self.spinner.set_visible(starting);
        self.spinner.set_spinning(starting);
        self.icon.set_visible(!starting);
        let (icon, class) = match state {
            Some(ServerState::Ready { .. }) => ("emblem-ok-symbolic", Some("success")),
            Some(ServerState::Failed { .. }) => ("dialog-error-symbolic", Some("error")),
            Some(ServerState::NeedsSignIn { .. }) => ("dialog-password-symbolic", Some("warning")),
            _ => ("network-server-symbolic", None),
        };
        self.icon.set_icon_name(Some(icon));
        for c in ["success", "error", "warning"] {
            self.icon.remove_css_class(c);
        }
        if let Some(class) = class {
            self.icon.add_css_class(class);
        }
        self.row
            .set_subtitle(glib::markup_escape_text(&state_detail(state)).as_str());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_read_as_sentences() {
        let ready = ServerState::Ready {
            tools: 13,
            resources: 1,
            prompts: 0,
        };
        assert_eq!(
            state_text(Some(&ready)),
            "Ready · 13 tools · 1 resource · 0 prompts"
        );
        assert_eq!(state_text(None), "Disabled");
        let failed = ServerState::Failed {
            reason: "exited with status 1".into(),
            last_stderr_lines: vec!["a".into(), "b".into(), "c".into(), "d".into()],
        };
        assert_eq!(
            state_detail(Some(&failed)),
            "Failed: exited with status 1\nb\nc\nd"
        );
        let refused = ServerState::NeedsSignIn {
            reason: "access was denied".into(),
        };
        assert_eq!(
            state_text(Some(&refused)),
            "Needs Sign-In: access was denied"
        );
    }
}
