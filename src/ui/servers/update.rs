//! How the MCP Servers window answers its inputs and the results of its
//! background work.

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{ComponentSender, adw, gtk};
use tokio_util::sync::CancellationToken;

use super::{Page, Servers, ServersCommand, ServersInput, ServersWidgets, actions, form, row};
use crate::i18n::gettext_f;
use valechat_core::mcp::ServerState;

impl Servers {
    pub(super) fn handle_input(
        &mut self,
        widgets: &mut ServersWidgets,
        message: ServersInput,
        sender: &ComponentSender<Self>,
        root: &adw::Window,
    ) {
        match message {
            ServersInput::Show => {
                self.go(Page::List);
                self.reload(sender);
                root.present();
            }
            ServersInput::Back => self.go(Page::List),
            ServersInput::ShowAdd => {
                widgets.editor.load(&form::FormValues::default());
                self.go(Page::Edit(None));
            }
            ServersInput::ShowEdit(id) => {
                if let Some(config) = self.config(&id) {
                    widgets.editor.load(&form::values_of(config));
                    self.go(Page::Edit(Some(id)));
                }
            }
            ServersInput::TransportChanged => widgets.editor.show_kind(),
            ServersInput::ShowDetails(id) => {
                let Some(config) = self.config(&id).cloned() else {
                    return;
                };
                widgets.details.show(&config, self.states.get(&id));
                self.go(Page::Details(id.clone()));
                self.load_details(sender, config);
                self.follow_log(sender, id);
            }
            ServersInput::ShowImport => {
                widgets.importer.clear();
                self.go(Page::Import);
                let known = self.configs.clone();
                sender.oneshot_command(async move {
                    let (found, notes) = tokio::task::spawn_blocking(move || {
                        actions::candidates(&actions::discovered(), &known)
                    })
                    .await
                    .unwrap_or_default();
                    ServersCommand::Candidates(found, notes)
                });
            }
            ServersInput::ChooseImportFile => self.choose_file(sender, root),
            ServersInput::ChooseFolder => self.choose_folder(sender, root),
            ServersInput::FolderChosen(path) => widgets.editor.set_cwd(&path),
            ServersInput::Import => {
                let (chosen, enable) = widgets.importer.chosen();
                if chosen.is_empty() {
                    Self::toast(widgets, &gettext("Tick the servers to import."));
                    return;
                }
                self.busy = true;
                let (engine, servers) = (self.engine.clone(), self.servers.clone());
                sender.oneshot_command(async move {
                    ServersCommand::Imported(actions::import(engine, servers, chosen, enable).await)
                });
            }
            ServersInput::Save => self.save(widgets, sender),
            ServersInput::SetEnabled(id, on) => {
                let Some(config) = self.config(&id).cloned() else {
                    return;
                };
                let (engine, servers) = (self.engine.clone(), self.servers.clone());
                sender.oneshot_command(async move {
                    ServersCommand::Changed(actions::set_enabled(engine, servers, config, on).await)
                });
            }
            ServersInput::Restart(id) => {
                let Some(config) = self.config(&id).cloned() else {
                    return;
                };
                let servers = self.servers.clone();
                sender.oneshot_command(async move {
                    servers.start(config).await;
                    ServersCommand::Changed(Ok(()))
                });
            }
            ServersInput::AskRemove(id) => self.ask_remove(root, sender, &id),
            ServersInput::Remove(id) => {
                let Some(config) = self.config(&id).cloned() else {
                    return;
                };
                if self.page == Page::Details(id) {
                    self.go(Page::List);
                }
                let (engine, servers) = (self.engine.clone(), self.servers.clone());
                sender.oneshot_command(async move {
                    ServersCommand::Changed(actions::remove(engine, servers, config).await)
                });
            }
            ServersInput::SignOut => {
                let Page::Details(id) = &self.page else {
                    return;
                };
                let Some(config) = self.config(id).cloned() else {
                    return;
                };
                let (engine, servers) = (self.engine.clone(), self.servers.clone());
                sender.oneshot_command(async move {
                    let again = config.clone();
                    if let Err(e) = actions::sign_out(engine.clone(), servers.clone(), config).await
                    {
                        return ServersCommand::Changed(Err(e));
                    }
                    let id = again.id.clone();
                    ServersCommand::Details(id, actions::details(engine, servers, again).await)
                });
            }
            ServersInput::Revoke(tool) => {
                let Page::Details(id) = &self.page else {
                    return;
                };
                let Some(config) = self.config(id).cloned() else {
                    return;
                };
                let engine = self.engine.clone();
                let (servers, again) = (self.servers.clone(), config.clone());
                sender.oneshot_command(async move {
                    if let Err(e) = actions::revoke(engine.clone(), config, tool).await {
                        return ServersCommand::Changed(Err(e));
                    }
                    let id = again.id.clone();
                    ServersCommand::Details(id, actions::details(engine, servers, again).await)
                });
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
            ServersCommand::States(states) => {
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
                        self.follow_log(sender, id.clone());
                    }
                }
            }
            ServersCommand::Details(id, Ok(details)) => {
                if self.page == Page::Details(id) {
                    widgets.details.set_details(&details, sender);
                }
            }
            ServersCommand::Details(_, Err(e)) => Self::toast(widgets, &e),
            ServersCommand::LogReset(id, lines) => {
                if self.page == Page::Details(id) {
                    widgets.details.set_log(&lines);
                }
            }
            ServersCommand::LogLine(id, line) => {
                if self.page == Page::Details(id) {
                    widgets.details.append_log(&line);
                }
            }
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

    /// Shows `page`; leaving the details page stops following its log.
    fn go(&mut self, page: Page) {
        if !matches!(page, Page::Details(_))
            && let Some(token) = self.log_follow.take()
        {
            token.cancel();
        }
        self.page = page;
    }

    fn reload(&self, sender: &ComponentSender<Self>) {
        let engine = self.engine.clone();
        sender.oneshot_command(async move { ServersCommand::Configs(actions::list(engine).await) });
    }

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

    fn load_details(
        &self,
        sender: &ComponentSender<Self>,
        config: valechat_core::mcp::ServerConfig,
    ) {
        let (engine, servers) = (self.engine.clone(), self.servers.clone());
        sender.oneshot_command(async move {
            let id = config.id.clone();
            ServersCommand::Details(id, actions::details(engine, servers, config).await)
        });
    }

    /// Shows the log of `id` and follows it until the page is left.
    fn follow_log(&mut self, sender: &ComponentSender<Self>, id: String) {
        if let Some(token) = self.log_follow.take() {
            token.cancel();
        }
        let token = CancellationToken::new();
        self.log_follow = Some(token.clone());
        let servers = self.servers.clone();
        sender.command(move |out, shutdown| {
            shutdown
                .register(async move {
                    let Some(log) = servers.log(&id) else {
                        out.emit(ServersCommand::LogReset(id, Vec::new()));
                        return;
                    };
                    let mut rx = log.subscribe();
                    out.emit(ServersCommand::LogReset(id.clone(), log.lines()));
                    loop {
                        let line = tokio::select! {
                            () = token.cancelled() => break,
                            line = rx.recv() => line,
                        };
                        match line {
                            Ok(line) => out.emit(ServersCommand::LogLine(id.clone(), line)),
                            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                            Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                        }
                    }
                })
                .drop_on_shutdown()
        });
    }

    fn save(&mut self, widgets: &ServersWidgets, sender: &ComponentSender<Self>) {
        let Page::Edit(editing) = &self.page else {
            return;
        };
        let editing = editing.as_deref().and_then(|id| self.config(id)).cloned();
        match form::parse(&widgets.editor.values(), &self.configs, editing.as_ref()) {
            Err(e) => widgets.editor.set_error(Some(&e)),
            Ok(draft) => {
                widgets.editor.set_error(None);
                self.busy = true;
                let (engine, servers) = (self.engine.clone(), self.servers.clone());
                let is_edit = editing.is_some();
                sender.oneshot_command(async move {
                    ServersCommand::Saved(actions::save(engine, servers, draft, is_edit).await)
                });
            }
        }
    }

    fn ask_remove(&self, root: &adw::Window, sender: &ComponentSender<Self>, id: &str) {
        let name = self.name_of(id);
        let dialog = adw::MessageDialog::new(
            Some(root),
            Some(&gettext_f("Remove {name}?", &[("name", &name)])),
            Some(&gettext(
                "The server is stopped and its settings, secrets and tool permissions are deleted.",
            )),
        );
        dialog.add_response("cancel", &gettext("_Cancel"));
        dialog.add_response("remove", &gettext("_Remove"));
        dialog.set_response_appearance("remove", adw::ResponseAppearance::Destructive);
        dialog.set_default_response(Some("cancel"));
        dialog.set_close_response("cancel");
        let (s, id) = (sender.clone(), id.to_owned());
        dialog.connect_response(Some("remove"), move |_, _| {
            s.input(ServersInput::Remove(id.clone()));
        });
        dialog.present();
    }

    fn choose_folder(&mut self, sender: &ComponentSender<Self>, root: &adw::Window) {
        let chooser = gtk::FileChooserNative::new(
            Some(&gettext("Choose the Working Folder")),
            Some(root),
            gtk::FileChooserAction::SelectFolder,
            Some(&gettext("_Select")),
            Some(&gettext("_Cancel")),
        );
        let s = sender.clone();
        chooser.connect_response(move |chooser, response| {
            if response == gtk::ResponseType::Accept
                && let Some(path) = chooser.file().and_then(|f| f.path())
            {
                s.input(ServersInput::FolderChosen(path.display().to_string()));
            }
            chooser.destroy();
        });
        chooser.show();
        // A native dialog is not kept alive by GTK: hold it until the next one.
        self.chooser = Some(chooser);
    }

    fn choose_file(&mut self, sender: &ComponentSender<Self>, root: &adw::Window) {
        let chooser = gtk::FileChooserNative::new(
            Some(&gettext("Choose a Configuration File")),
            Some(root),
            gtk::FileChooserAction::Open,
            Some(&gettext("_Open")),
            Some(&gettext("_Cancel")),
        );
        let filter = gtk::FileFilter::new();
        filter.set_name(Some(&gettext("JSON files")));
        filter.add_mime_type("application/json");
        filter.add_pattern("*.json");
        chooser.add_filter(&filter);
        let (s, known) = (sender.clone(), self.configs.clone());
        chooser.connect_response(move |chooser, response| {
            if response == gtk::ResponseType::Accept
                && let Some(path) = chooser.file().and_then(|f| f.path())
            {
                let known = known.clone();
                s.oneshot_command(async move {
                    let (found, notes) = tokio::task::spawn_blocking(move || {
                        actions::candidates(&[(gettext("File"), path)], &known)
                    })
                    .await
                    .unwrap_or_default();
                    ServersCommand::Candidates(found, notes)
                });
            }
            chooser.destroy();
        });
        chooser.show();
        // A native dialog is not kept alive by GTK: hold it until the next one.
        self.chooser = Some(chooser);
    }
}
