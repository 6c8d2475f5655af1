//! The resource browser (Attach Resource… in the composer): every ready
//! MCP server's resources (name, URI, MIME type, size) and resource
//! templates, with a search field. Attach reads the resource and adds it to
//! the composer as a chip; a template's variables are filled in first, with
//! suggestions from the server (`completion/complete`). Servers that offer
//! `resources.subscribe` get a “Watch for Changes” switch per resource.
//!
//! [`ResourceBrowser`] is a component (its MCP calls are its commands);
//! the composer launches it and forwards its [`ResourceBrowserOutput`].
//! Closing the window destroys it. Rows are built in [`rows`].

mod rows;

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use gettextrs::gettext;
use relm4::adw;
use relm4::adw::prelude::*;
use relm4::gtk;
use relm4::prelude::*;

use crate::ui::completion_popover::CompletionPopover;
use valechat_core::mcp::{McpServers, ServerResources};
use valechat_core::provider::ResourceAttachment;

/// What the rows need to act.
#[derive(Clone)]
struct Context {
    servers: McpServers,
    input: relm4::Sender<ResourceBrowserInput>,
    /// `(server id, URI)` already watched.
    watched: Rc<HashSet<(String, String)>>,
}

/// The open browser.
pub struct ResourceBrowser {
    servers: McpServers,
    context: Context,
    content: gtk::Box,
    loading: adw::StatusPage,
    /// The “Watch for Changes” switch of each `(server id, URI)` toggled.
    switches: HashMap<(String, String), gtk::Switch>,
    /// The suggestions under the template variables' entries.
    completions: Vec<Controller<CompletionPopover>>,
}

impl std::fmt::Debug for ResourceBrowser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceBrowser").finish_non_exhaustive()
    }
}

/// What the browser is started with.
#[derive(Debug)]
pub struct ResourceBrowserInit {
    /// The window it belongs to.
    pub parent: Option<gtk::Window>,
    /// The running MCP servers.
    pub servers: McpServers,
    /// The `(server id, URI)` pairs watched so far.
    pub watched: HashSet<(String, String)>,
}

/// What the browser's rows ask of it.
#[derive(Debug)]
pub enum ResourceBrowserInput {
    /// Read resource `uri` of `server` (shown as `name`) and attach it.
    Attach {
        /// Server id.
        server: String,
        /// The resource's URI (a template's, expanded).
        uri: String,
        /// The name shown.
        name: String,
    },
    /// Subscribe to (`on`) or unsubscribe from a resource; `switch` goes
    /// back on failure.
    Watch {
        /// Server id.
        server: String,
        /// The resource's URI.
        uri: String,
        /// The name shown.
        name: String,
        /// Watch (`true`) or stop watching.
        on: bool,
        /// The row's switch.
        switch: gtk::Switch,
    },
}

/// What the browser tells the composer.
#[derive(Debug)]
pub enum ResourceBrowserOutput {
    /// Attach these resources (the browser then closes).
    Attach(Vec<ResourceAttachment>),
    /// Something could not be done: the sentence to show.
    Refused(String),
    /// The browser started (`Some(name)`) or stopped (`None`) watching
    /// `(server id, URI)`.
    Watching(String, String, Option<String>),
}

/// Results of the browser's MCP calls.
#[derive(Debug)]
pub enum ResourceBrowserCommand {
    /// Every ready server's resources and templates.
    Listed(Vec<ServerResources>),
    /// A resource was read, or why not (a sentence).
    Read(Result<Vec<ResourceAttachment>, String>),
    /// A subscription changed (`error` is `None`) or failed.
    Watched {
        /// Server id.
        server: String,
        /// The resource's URI.
        uri: String,
        /// The name shown.
        name: String,
        /// What was asked.
        on: bool,
        /// Why it failed.
        error: Option<String>,
    },
}

impl Component for ResourceBrowser {
    type CommandOutput = ResourceBrowserCommand;
    type Input = ResourceBrowserInput;
    type Output = ResourceBrowserOutput;
    type Init = ResourceBrowserInit;
    type Root = adw::Window;
    type Widgets = ();

    fn init_root() -> Self::Root {
        adw::Window::builder()
            .title(gettext("Attach Resource"))
            .modal(true)
            .default_width(560)
            .default_height(560)
            .build()
    }

    /// Builds the browser, starts listing the resources and shows it over
    /// its parent.
    fn init(
        init: ResourceBrowserInit,
        window: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        let ResourceBrowserInit {
            parent,
            servers,
            watched,
        } = init;
        window.set_transient_for(parent.as_ref());
        let search: gtk::SearchEntry =
            crate::ui::a11y::labelled("GtkSearchEntry", &gettext("Search Resources"))
                .unwrap_or_default();
        search.set_hexpand(true);
        let header = adw::HeaderBar::builder()
            .title_widget(&adw::WindowTitle::new(&gettext("Attach Resource"), ""))
            .build();
        let content = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(18)
            .margin_top(12)
            .margin_bottom(12)
            .margin_start(12)
            .margin_end(12)
            .build();
        let loading = adw::StatusPage::builder()
            .title(gettext("Loading Resources…"))
            .icon_name("network-server-symbolic")
            .build();
        content.append(&loading);
        let clamp = adw::Clamp::builder().child(&content).build();
        let scroller = gtk::ScrolledWindow::builder()
            .child(&clamp)
            .vexpand(true)
            .hscrollbar_policy(gtk::PolicyType::Never)
            .build();
        let body = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .build();
        body.append(&header);
        let search_bar = gtk::Box::builder()
            .margin_start(12)
            .margin_end(12)
            .margin_top(6)
            .build();
        search_bar.append(&search);
        body.append(&search_bar);
        body.append(&scroller);
        window.set_content(Some(&body));
        {
            let content = content.clone();
            search.connect_search_changed(move |entry| {
                rows::filter(&content, &entry.text().to_lowercase());
            });
        }
        let listing = servers.clone();
        sender.oneshot_command(async move {
            ResourceBrowserCommand::Listed(listing.list_all_resources().await)
        });
        window.present();
        let model = ResourceBrowser {
            context: Context {
                servers: servers.clone(),
                input: sender.input_sender().clone(),
                watched: Rc::new(watched),
            },
            servers,
            content,
            loading,
            switches: HashMap::new(),
            completions: Vec::new(),
        };
        ComponentParts { model, widgets: () }
    }

    fn update(&mut self, message: Self::Input, sender: ComponentSender<Self>, _: &Self::Root) {
        let servers = self.servers.clone();
        match message {
            ResourceBrowserInput::Attach { server, uri, name } => {
                sender.oneshot_command(async move {
                    ResourceBrowserCommand::Read(
                        servers
                            .read_attachments(&server, &uri, &name)
                            .await
                            .map_err(|e| {
                                crate::i18n::gettext_f(
                                    "Could not read “{name}”: {error}",
                                    &[("name", &name), ("error", &e.to_string())],
                                )
                            }),
                    )
                });
            }
            ResourceBrowserInput::Watch {
                server,
                uri,
                name,
                on,
                switch,
            } => {
                self.switches.insert((server.clone(), uri.clone()), switch);
                sender.oneshot_command(async move {
                    let error = servers
                        .watch_resource(&server, &uri, on)
                        .await
                        .err()
                        .map(|e| e.to_string());
                    ResourceBrowserCommand::Watched {
                        server,
                        uri,
                        name,
                        on,
                        error,
                    }
                });
            }
        }
    }

    fn update_cmd(
        &mut self,
        message: Self::CommandOutput,
        sender: ComponentSender<Self>,
        window: &Self::Root,
    ) {
        match message {
            ResourceBrowserCommand::Listed(listed) => {
                self.content.remove(&self.loading);
                self.fill(&listed);
            }
            ResourceBrowserCommand::Read(Ok(resources)) => {
                let _ = sender.output(ResourceBrowserOutput::Attach(resources));
                window.close();
            }
            ResourceBrowserCommand::Read(Err(message)) => {
                let _ = sender.output(ResourceBrowserOutput::Refused(message));
            }
            ResourceBrowserCommand::Watched {
                server,
                uri,
                name,
                on,
                error: None,
            } => {
                let watched = on.then_some(name);
                let _ = sender.output(ResourceBrowserOutput::Watching(server, uri, watched));
            }
            ResourceBrowserCommand::Watched {
                server,
                uri,
                name,
                on,
                error: Some(error),
            } => {
                if let Some(switch) = self.switches.get(&(server, uri)) {
                    switch.set_active(!on);
                }
                let _ = sender.output(ResourceBrowserOutput::Refused(crate::i18n::gettext_f(
                    "Could not watch “{name}”: {error}",
                    &[("name", &name), ("error", &error)],
                )));
            }
        }
    }
}

impl ResourceBrowser {
    /// Adds a group per server, or a status page when there is nothing.
    fn fill(&mut self, listed: &[ServerResources]) {
        if listed.is_empty() {
            let empty = adw::StatusPage::builder()
                .title(gettext("No Resources"))
                .description(gettext("None of the running MCP servers offers resources."))
                .icon_name("network-server-symbolic")
                .build();
            self.content.append(&empty);
            return;
        }
        for server in listed {
            self.content.append(&rows::server_group(
                server,
                &self.context,
                &mut self.completions,
            ));
        }
    }
}
