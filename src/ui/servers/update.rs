//! How the MCP Servers window answers its inputs, and the page changes and
//! background work they start (the results come back in `results`, the
//! dialogs are in `dialogs`).

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{ComponentSender, adw, gtk};

use super::{Page, Servers, ServersCommand, ServersInput, ServersWidgets, actions, form};

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
            ServersInput::Watched(seen) => self.on_watch(widgets, seen, sender),
            ServersInput::Escape if self.page == Page::List => root.close(),
            ServersInput::Escape => self.go(Page::List),
            ServersInput::ShowAdd => {
                widgets.editor.load_new();
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
                self.follow_log(id);
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

    /// Shows `page`; leaving the details page stops following its log.
    pub(super) fn go(&mut self, page: Page) {
        if !matches!(page, Page::Details(_)) && matches!(self.page, Page::Details(_)) {
            self.watch
                .sender()
                .emit(super::watch::WatchInput::FollowLog(None));
        }
        self.page = page;
    }

    pub(super) fn reload(&self, sender: &ComponentSender<Self>) {
        let engine = self.engine.clone();
        sender.oneshot_command(async move { ServersCommand::Configs(actions::list(engine).await) });
    }

    pub(super) fn load_details(
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
    pub(super) fn follow_log(&mut self, id: String) {
        self.watch
            .sender()
            .emit(super::watch::WatchInput::FollowLog(Some(id)));
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
}

/// Escape goes back to the list from another page (a server's details, a
/// form, Import) and closes the window from the list. It is caught before
/// the focused widget sees it (the log's text view takes Escape), but only
/// for the window's own surface: Escape in a popover (a drop-down list, a
/// completion) still closes just the popover.
pub(super) fn connect_escape(root: &adw::Window, sender: &ComponentSender<Servers>) {
    let keys = gtk::EventControllerKey::new();
    keys.set_propagation_phase(gtk::PropagationPhase::Capture);
    let sender = sender.clone();
    let window = root.downgrade();
    keys.connect_key_pressed(move |keys, key, _, modifiers| {
        let plain = !modifiers.intersects(
            gtk::gdk::ModifierType::CONTROL_MASK
                | gtk::gdk::ModifierType::SHIFT_MASK
                | gtk::gdk::ModifierType::ALT_MASK,
        );
        let on_window = window.upgrade().is_some_and(|window| {
            keys.current_event().and_then(|event| event.surface()) == window.surface()
        });
        if key == gtk::gdk::Key::Escape && plain && on_window {
            sender.input(ServersInput::Escape);
            return gtk::glib::Propagation::Stop;
        }
        gtk::glib::Propagation::Proceed
    });
    root.add_controller(keys);
}
