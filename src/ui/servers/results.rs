//! How the MCP Servers window takes the results of its background work
//! ([`ServersCommand`]: stored configurations, details, and the outcome of
//! a save or an import) and what its watcher sees (state changes and log
//! lines).

use relm4::ComponentSender;
use relm4::adw::prelude::*;

use super::watch::WatchOutput;
use super::{Page, Servers, ServersCommand, ServersWidgets, row};
use crate::i18n::gettext_f;
use valechat_core::mcp::ServerState;

impl Servers {
    /// Takes what the watcher ([`super::watch::ServerWatch`]) saw: state
    /// changes, and the log of the server whose details are shown.
    pub(super) fn on_watch(
        &mut self,
        widgets: &mut ServersWidgets,
        seen: WatchOutput,
        sender: &ComponentSender<Self>,
    ) {
        match seen {
            WatchOutput::States(states) => {
                let before = std::mem::replace(&mut self.states, states);
                for (id, row) in &self.rows {
                    row.update(self.states.get(id));
                }
                if let Page::Details(id) = &self.page
                    && let Some(config) = self.config(id).cloned()
                    && before.get(id) != self.states.get(id)
                {
                    widgets.details.set_state(&config, self.states.get(id));
                    if matches!(self.states.get(id), Some(ServerState::Ready { .. })) {
                        self.load_details(sender, config);
                    }
                    // A (re)start opens a new log.
                    if matches!(self.states.get(id), Some(ServerState::Starting)) {
                        self.follow_log(id.clone());
                    }
                }
            }
            WatchOutput::LogReset(id, lines) => {
                if self.page == Page::Details(id) {
                    widgets.details.set_log(&lines);
                }
            }
            WatchOutput::LogLine(id, line) => {
                if self.page == Page::Details(id) {
                    widgets.details.append_log(&line);
                }
            }
        }
    }

    pub(super) fn handle_command(
        &mut self,
        widgets: &mut ServersWidgets,
        message: ServersCommand,
        sender: &ComponentSender<Self>,
    ) {
        match message {
            ServersCommand::Sandbox(available) => widgets.editor.sandbox_checked(available),
            ServersCommand::Configs(Ok(configs)) => {
                self.configs = configs;
                self.rebuild_rows(widgets, sender);
                if let Page::Details(id) | Page::Edit(Some(id)) = &self.page
                    && self.config(id).is_none()
                {
                    self.go(Page::List);
                }
            }
            ServersCommand::Configs(Err(e)) | ServersCommand::Changed(Err(e)) => {
                Self::toast(widgets, &e);
                self.reload(sender);
            }
            ServersCommand::Changed(Ok(())) => self.reload(sender),
            ServersCommand::Details(id, Ok(details)) => {
                if self.page == Page::Details(id) {
                    widgets.details.set_details(&details, sender);
                }
            }
            ServersCommand::Details(_, Err(e)) => Self::toast(widgets, &e),
            ServersCommand::Saved(result) => {
                self.busy = false;
                match result {
                    Ok(config) => {
                        Self::toast(
                            widgets,
                            &gettext_f("Saved {name}", &[("name", &config.name)]),
                        );
                        self.go(Page::List);
                        self.reload(sender);
                    }
                    Err(e) => widgets.editor.set_error(Some(&e)),
                }
            }
            ServersCommand::Candidates(found, notes) => widgets.importer.add(found, &notes),
            ServersCommand::Imported(result) => {
                self.busy = false;
                match result {
                    Ok(n) => {
                        let shown = n.to_string();
                        Self::toast(
                            widgets,
                            &crate::i18n::ngettext_f(
                                "Imported {n} server",
                                "Imported {n} servers",
                                u32::try_from(n).unwrap_or(u32::MAX),
                                &[("n", &shown)],
                            ),
                        );
                        self.go(Page::List);
                    }
                    Err(e) => Self::toast(widgets, &e),
                }
                self.reload(sender);
            }
        }
    }
    /// Replaces the list's rows with one per stored server.
    fn rebuild_rows(&mut self, widgets: &ServersWidgets, sender: &ComponentSender<Self>) {
        while let Some(child) = widgets.list.first_child() {
            widgets.list.remove(&child);
        }
        self.rows = self
            .configs
            .iter()
            .map(|config| {
                let row = row::ServerRow::new(config, sender);
                row.update(self.states.get(&config.id));
                widgets.list.append(&row.row);
                (config.id.clone(), row)
            })
            .collect();
    }
}
