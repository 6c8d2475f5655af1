//! MCP in the composer: the `/` menu's prompts, asking for arguments and
//! getting a prompt into the draft, resources from the resource browser,
//! and watched resources that change.
//!
//! A prompt's messages replace the typed `/command`: their text becomes the
//! draft's text, their images and resources are added to the pending ones.
//! Every MCP call is a command; the answer comes back as a
//! [`ComposerCommand`]. The prompt-arguments dialog and the resource
//! browser are components whose outputs the composer forwards into its
//! own [`ComposerInput`].
//!
//! Watched resources (subscriptions): when a server says a watched
//! resource changed, the user is told, and a pending (not yet sent)
//! attachment of that resource is read again at once, so the next send
//! carries the new contents. Messages already sent keep the contents the
//! model saw then.

use gettextrs::gettext;
use relm4::gtk::prelude::*;
use relm4::{Component, ComponentController, ComponentSender, gtk};

use super::slash::{SlashMenu, slash_query};
use super::{Composer, ComposerCommand, ComposerInput, ComposerOutput};
use crate::i18n::gettext_f;
use crate::ui::prompt_dialog::{PromptDialog, PromptDialogOutput};
use crate::ui::resource_browser::{ResourceBrowser, ResourceBrowserInit, ResourceBrowserOutput};
use valechat_core::mcp::McpServers;

/// Handles a key while the `/` menu is open; `true` when it was used
/// (Enter with nothing to choose is left to the composer, which sends).
pub(super) fn menu_key(
    menu: &SlashMenu,
    key: gtk::gdk::Key,
    input: &relm4::Sender<ComposerInput>,
) -> bool {
    match key {
        gtk::gdk::Key::Up => menu.move_selection(-1),
        gtk::gdk::Key::Down => menu.move_selection(1),
        gtk::gdk::Key::Escape => menu.close(),
        gtk::gdk::Key::Return | gtk::gdk::Key::KP_Enter | gtk::gdk::Key::Tab => {
            let Some(entry) = menu.take_selected() else {
                return key == gtk::gdk::Key::Tab;
            };
            input.emit(ComposerInput::PromptChosen(Box::new(entry)));
        }
        _ => return false,
    }
    true
}

/// The Attach Resource… button, which opens the resource browser.
pub(super) fn attach_resource_button(input: relm4::Sender<ComposerInput>) -> gtk::Button {
    let button: gtk::Button =
        crate::ui::a11y::labelled("GtkButton", &gettext("Attach Resource…")).unwrap_or_default();
    button.set_icon_name("network-server-symbolic");
    button.set_tooltip_text(Some(&gettext("Attach a resource from an MCP server")));
    button.set_valign(gtk::Align::End);
    button.add_css_class("circular");
    button.add_css_class("flat");
    button.connect_clicked(move |_| input.emit(ComposerInput::BrowseResources));
    button
}

impl Composer {
    /// The MCP messages of [`ComposerInput`].
    pub(super) fn update_mcp(&mut self, message: ComposerInput, sender: &ComponentSender<Self>) {
        match message {
            ComposerInput::SetServers(servers) => self.servers = Some(servers),
            ComposerInput::DraftChanged => self.draft_changed(sender),
            ComposerInput::PromptChosen(entry) => {
                self.slash.close();
                let Some(servers) = self.servers.clone() else {
                    return;
                };
                if entry.has_arguments() {
                    let parent = self.root.root().and_downcast::<gtk::Window>();
                    let dialog = PromptDialog::builder()
                        .launch((parent, servers, *entry))
                        .forward(
                            sender.input_sender(),
                            |PromptDialogOutput::Use(entry, args)| {
                                ComposerInput::PromptArguments(entry, args)
                            },
                        );
                    self.prompt_dialog = Some(dialog);
                } else {
                    fetch(&servers, &entry, Vec::new(), sender);
                }
            }
            ComposerInput::PromptArguments(entry, args) => {
                if let Some(servers) = &self.servers {
                    fetch(servers, &entry, args, sender);
                }
            }
            ComposerInput::BrowseResources => self.browse(sender),
            ComposerInput::AddResources(resources) => {
                self.resources.extend(resources);
                self.attachments_revision += 1;
                self.focus_pending.set(true);
            }
            ComposerInput::RemoveResource(index) if index < self.resources.len() => {
                self.resources.remove(index);
                self.attachments_revision += 1;
            }
            ComposerInput::Watching(server, uri, name) => match name {
                Some(name) => {
                    self.watched.insert((server, uri), name);
                }
                None => {
                    self.watched.remove(&(server, uri));
                }
            },
            ComposerInput::ResourceChanged(server, uri) => self.changed(server, uri, sender),
            _ => {}
        }
    }

    /// The MCP answers of [`ComposerCommand`].
    pub(super) fn update_mcp_command(
        &mut self,
        message: ComposerCommand,
        sender: &ComponentSender<Self>,
    ) {
        match message {
            ComposerCommand::PromptsListed(prompts) => {
                self.slash.set_prompts(prompts);
                if let Some(query) = slash_query(&self.text()) {
                    self.slash.show(query);
                }
            }
            ComposerCommand::PromptFetched(Ok(draft)) => {
                self.buffer.set_text(&draft.text);
                self.slash.close();
                self.attachments.extend(draft.images);
                self.resources.extend(draft.resources);
                self.attachments_revision += 1;
                self.focus_pending.set(true);
            }
            ComposerCommand::PromptFetched(Err(message)) => {
                let _ = sender.output(ComposerOutput::Notice(message));
            }
            ComposerCommand::Reread(fresh) => {
                for resource in fresh {
                    for pending in &mut self.resources {
                        if pending.server_id == resource.server_id && pending.uri == resource.uri {
                            *pending = resource.clone();
                        }
                    }
                }
                self.attachments_revision += 1;
            }
            _ => {}
        }
    }

    /// Opens, filters or closes the `/` menu; a draft that is just `/`
    /// lists the prompts afresh.
    fn draft_changed(&mut self, sender: &ComponentSender<Self>) {
        let text = self.text();
        let Some(query) = slash_query(&text) else {
            self.slash.close();
            return;
        };
        let Some(servers) = self.servers.clone() else {
            return;
        };
        if query.is_empty() || !self.slash.has_prompts() {
            sender.oneshot_command(async move {
                ComposerCommand::PromptsListed(servers.list_all_prompts().await)
            });
        } else {
            self.slash.show(query);
        }
    }

    /// Opens the resource browser (one at a time).
    fn browse(&mut self, sender: &ComponentSender<Self>) {
        let Some(servers) = self.servers.clone() else {
            return;
        };
        if let Some(browser) = self.browser.as_ref().filter(|b| b.widget().is_visible()) {
            browser.widget().present();
            return;
        }
        let parent = self.root.root().and_downcast::<gtk::Window>();
        let watched = self.watched.keys().cloned().collect();
        let browser = ResourceBrowser::builder()
            .launch(ResourceBrowserInit {
                parent,
                servers,
                watched,
            })
            .forward(sender.input_sender(), |output| match output {
                ResourceBrowserOutput::Attach(resources) => ComposerInput::AddResources(resources),
                ResourceBrowserOutput::Refused(message) => ComposerInput::Refused(message),
                ResourceBrowserOutput::Watching(server, uri, name) => {
                    ComposerInput::Watching(server, uri, name)
                }
            });
        self.browser = Some(browser);
    }

    /// A watched resource changed: tell the user and read a pending copy
    /// again.
    fn changed(&mut self, server: String, uri: String, sender: &ComponentSender<Self>) {
        let name = self
            .watched
            .get(&(server.clone(), uri.clone()))
            .cloned()
            .unwrap_or_else(|| uri.clone());
        let _ = sender.output(ComposerOutput::Notice(gettext_f(
            "“{name}” changed on server {server}",
            &[("name", &name), ("server", &server)],
        )));
        let pending = self
            .resources
            .iter()
            .find(|r| r.server_id == server && r.uri == uri)
            .map(|r| r.name.clone());
        let (Some(pending_name), Some(servers)) = (pending, self.servers.clone()) else {
            return;
        };
        sender.oneshot_command(async move {
            match servers.read_attachments(&server, &uri, &pending_name).await {
                Ok(fresh) => ComposerCommand::Reread(fresh),
                Err(e) => ComposerCommand::Refused(gettext_f(
                    "Could not read “{name}” again: {error}",
                    &[("name", &pending_name), ("error", &e.to_string())],
                )),
            }
        });
    }
}

/// Gets `entry` with `args` in a command; the draft (or the error as a
/// sentence) comes back as [`ComposerCommand::PromptFetched`].
fn fetch(
    servers: &McpServers,
    entry: &valechat_core::mcp::PromptEntry,
    args: Vec<(String, String)>,
    sender: &ComponentSender<Composer>,
) {
    let servers = servers.clone();
    let (server, name) = (entry.server_id.clone(), entry.prompt.name.clone());
    sender.oneshot_command(async move {
        let result = servers
            .prompt_draft(&server, &name, &args)
            .await
            .map_err(|e| {
                gettext_f(
                    "The prompt “{name}” could not be used: {error}",
                    &[("name", &name), ("error", &e.to_string())],
                )
            });
        ComposerCommand::PromptFetched(result)
    });
}
