//! The "MCP Servers" group of the conversation settings popover: which
//! configured MCP servers offer their tools in the conversation on
//! screen, one switch each, whatever the conversation started from.
//!
//! A conversation with its own list (started from an assistant, or whose
//! servers were chosen here) switches on the servers of that list only;
//! any other follows every enabled server, switched on, until a switch
//! changes, which gives it its own list
//! (`Store::set_conversation_mcp_servers`). While it has its own list,
//! "Use All Enabled Servers" below the switches removes it
//! (`Store::use_all_enabled_mcp_servers`): the conversation follows every
//! enabled server again, servers added later included. For a stored
//! conversation each change is stored at once and the list read back. A
//! server turned off for every conversation (the MCP Servers page) says
//! "Disabled": the conversation may keep it, but it offers nothing until
//! it is enabled again.
//!
//! A new conversation, not stored yet, shows the group too, starting from
//! what its owner gives ([`ServersOf::New`]: an assistant's servers, or
//! every enabled one). Its changes are pending: the owner gets them
//! ([`ConversationServersOutput::Pending`]) to create the conversation
//! with, as the sampling rows' values are, and they are stored with it, so
//! its first request already offers only the servers chosen.

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{Component, ComponentParts, ComponentSender, adw, gtk};

use valechat_core::chat::{Engine, EngineError, McpServerChoice};
use valechat_core::mcp::ServerConfig;

/// The conversation whose servers the group shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServersOf {
    /// A stored conversation, by id: its servers are read from the store.
    Stored(i64),
    /// A new conversation, not stored yet, starting with these server ids
    /// (`None`: every enabled server).
    New(Option<Vec<String>>),
}

impl Default for ServersOf {
    fn default() -> Self {
        Self::New(None)
    }
}

/// State: the conversation shown, the servers configured and which of
/// them it offers.
#[derive(Debug, Default)]
pub struct ConversationServers {
    engine: Option<Engine>,
    /// The conversation on screen.
    conversation: ServersOf,
    /// Every configured server, by name.
    servers: Vec<ServerConfig>,
    /// The conversation's own servers; `None`: every enabled one.
    offered: Option<Vec<String>>,
}

/// Messages the group accepts.
#[derive(Debug)]
pub enum ConversationServersInput {
    /// The engine, once open.
    SetEngine(Engine),
    /// Show the servers of this conversation.
    Open(ServersOf),
    /// Read the servers again (the popover opens: servers may have been
    /// added or removed meanwhile).
    Refresh,
    /// The switch of server `.0` turned on (`true`) or off.
    Switch(String, bool),
    /// "Use All Enabled Servers": the conversation's own list goes.
    UseAllEnabled,
}

/// What the group tells its owner.
#[derive(Debug)]
pub enum ConversationServersOutput {
    /// The servers chosen for the new conversation on screen, to create it
    /// with.
    Pending(McpServerChoice),
    /// Reading or storing the servers failed: this sentence says so.
    Failed(String),
}

/// Results of the group's store calls.
#[derive(Debug)]
pub enum ConversationServersCommand {
    /// Conversation `.0`'s servers: every configured one, and the ids it
    /// offers (`None`: every enabled one).
    Loaded(i64, Vec<ServerConfig>, Option<Vec<String>>),
    /// Every configured server, for a new conversation.
    Listed(Vec<ServerConfig>),
    /// A store call failed with this sentence.
    Failed(String),
}

/// What a store call of the group changes first.
#[derive(Debug)]
enum Change {
    /// These servers only.
    Only(Vec<String>),
    /// Every enabled server.
    AllEnabled,
}

/// The group's widgets: one row per server, with its switch, and the
/// button back to every enabled server.
#[derive(Debug)]
pub struct ConversationServersWidgets {
    rows: Vec<adw::ActionRow>,
    use_all: gtk::Button,
}

impl Component for ConversationServers {
    type CommandOutput = ConversationServersCommand;
    type Input = ConversationServersInput;
    type Output = ConversationServersOutput;
    type Init = ();
    type Root = adw::PreferencesGroup;
    type Widgets = ConversationServersWidgets;

    fn init_root() -> Self::Root {
        adw::PreferencesGroup::builder()
            .title(gettext("MCP Servers"))
            .visible(false)
            .build()
    }

    fn init((): (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        // Not a row: the group puts it below the list.
        let use_all = gtk::Button::builder()
            .label(gettext("Use All Enabled Servers"))
            .tooltip_text(gettext(
                "Offer the tools of every enabled server, including servers added later",
            ))
            .halign(gtk::Align::Center)
            .margin_top(6)
            .visible(false)
            .build();
        let input = sender.input_sender().clone();
        use_all.connect_clicked(move |_| input.emit(ConversationServersInput::UseAllEnabled));
        root.add(&use_all);
        ComponentParts {
            model: Self::default(),
            widgets: ConversationServersWidgets {
                rows: Vec::new(),
                use_all,
            },
        }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::Input,
        sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        match message {
            ConversationServersInput::SetEngine(engine) => {
                self.engine = Some(engine);
                self.load(&sender, None);
            }
            ConversationServersInput::Open(conversation) => {
                self.offered = match &conversation {
                    ServersOf::Stored(_) => None,
                    ServersOf::New(start) => start.clone(),
                };
                self.conversation = conversation;
                self.servers.clear();
                self.show(widgets, root, &sender);
                self.load(&sender, None);
            }
            ConversationServersInput::Refresh => self.load(&sender, None),
            ConversationServersInput::Switch(id, on) => {
                let mut chosen: Vec<String> = self
                    .servers
                    .iter()
                    .filter(|s| self.is_offered(s))
                    .map(|s| s.id.clone())
                    .collect();
                chosen.retain(|s| *s != id);
                if on {
                    chosen.push(id);
                }
                if Some(&chosen) == self.offered.as_ref() {
                    return;
                }
                if let ServersOf::New(_) = self.conversation {
                    self.offered = Some(chosen.clone());
                    self.show_choice(widgets, root);
                    let _ = sender.output(ConversationServersOutput::Pending(
                        McpServerChoice::Only(chosen),
                    ));
                } else {
                    self.load(&sender, Some(Change::Only(chosen)));
                }
            }
            ConversationServersInput::UseAllEnabled => {
                if let ServersOf::New(_) = self.conversation {
                    self.offered = None;
                    self.show(widgets, root, &sender);
                    let _ = sender.output(ConversationServersOutput::Pending(
                        McpServerChoice::AllEnabled,
                    ));
                } else {
                    self.load(&sender, Some(Change::AllEnabled));
                }
            }
        }
    }

    fn update_cmd_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::CommandOutput,
        sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        match message {
            ConversationServersCommand::Loaded(id, servers, offered) => {
                if self.conversation == ServersOf::Stored(id) {
                    self.servers = servers;
                    self.offered = offered;
                    self.show(widgets, root, &sender);
                }
            }
            ConversationServersCommand::Listed(servers) => {
                if let ServersOf::New(_) = self.conversation {
                    self.servers = servers;
                    self.forget_removed(&sender);
                    self.show(widgets, root, &sender);
                }
            }
            ConversationServersCommand::Failed(sentence) => {
                // The switches show what is stored again.
                self.show(widgets, root, &sender);
                let _ = sender.output(ConversationServersOutput::Failed(sentence));
            }
        }
    }
}

impl ConversationServers {
    /// Whether the conversation offers `server`'s tools (or would, once it
    /// is enabled).
    fn is_offered(&self, server: &ServerConfig) -> bool {
        match &self.offered {
            Some(ids) => ids.contains(&server.id),
            None => server.enabled,
        }
    }

    /// Drops from a new conversation's own list the servers no longer
    /// configured (the owner is told, so that its first message does not
    /// name them).
    fn forget_removed(&mut self, sender: &ComponentSender<Self>) {
        let Some(ids) = self.offered.as_mut() else {
            return;
        };
        let before = ids.len();
        ids.retain(|id| self.servers.iter().any(|s| s.id == *id));
        if ids.len() != before {
            let _ = sender.output(ConversationServersOutput::Pending(McpServerChoice::Only(
                ids.clone(),
            )));
        }
    }

    /// Reads the servers in a command: for a stored conversation, after
    /// storing `change` when given, every configured server and those it
    /// offers; for a new one, every configured server.
    fn load(&self, sender: &ComponentSender<Self>, change: Option<Change>) {
        let Some(engine) = self.engine.clone() else {
            return;
        };
        let ServersOf::Stored(id) = self.conversation else {
            sender.oneshot_command(async move {
                match engine.store().list_mcp_servers().await {
                    Ok(servers) => ConversationServersCommand::Listed(servers),
                    Err(e) => {
                        ConversationServersCommand::Failed(EngineError::from(e).user_message())
                    }
                }
            });
            return;
        };
        sender.oneshot_command(async move {
            let store = engine.store();
            let read = async {
                match change {
                    Some(Change::Only(chosen)) => {
                        store.set_conversation_mcp_servers(id, chosen).await?;
                    }
                    Some(Change::AllEnabled) => store.use_all_enabled_mcp_servers(id).await?,
                    None => {}
                }
                let servers = store.list_mcp_servers().await?;
                let offered = store.conversation_mcp_servers(id).await?;
                Ok::<_, valechat_core::store::StoreError>((servers, offered))
            };
            match read.await {
                Ok((servers, offered)) => ConversationServersCommand::Loaded(id, servers, offered),
                Err(e) => ConversationServersCommand::Failed(EngineError::from(e).user_message()),
            }
        });
    }

    /// Rebuilds the rows: one per configured server, switched on when the
    /// conversation offers it; the group shows when there are servers to
    /// choose from.
    fn show(
        &self,
        widgets: &mut ConversationServersWidgets,
        root: &adw::PreferencesGroup,
        sender: &ComponentSender<Self>,
    ) {
        for row in widgets.rows.drain(..) {
            root.remove(&row);
        }
        root.set_visible(!self.servers.is_empty());
        for server in &self.servers {
            // Named for assistive technologies by the server's name.
            let switch: gtk::Switch =
                crate::ui::a11y::labelled("GtkSwitch", &server.name).unwrap_or_default();
            switch.set_active(self.is_offered(server));
            switch.set_valign(gtk::Align::Center);
            let row = adw::ActionRow::builder()
                .title(&server.name)
                .activatable_widget(&switch)
                .build();
            if !server.enabled {
                row.set_subtitle(&gettext("Disabled"));
            }
            row.add_suffix(&switch);
            let input = sender.input_sender().clone();
            let id = server.id.clone();
            switch.connect_state_set(move |_, on| {
                input.emit(ConversationServersInput::Switch(id.clone(), on));
                gtk::glib::Propagation::Proceed
            });
            root.add(&row);
            widgets.rows.push(row);
        }
        self.show_choice(widgets, root);
    }

    /// Says whether the conversation has its own list (the description, and
    /// "Use All Enabled Servers" shown) or follows every enabled server.
    fn show_choice(&self, widgets: &ConversationServersWidgets, root: &adw::PreferencesGroup) {
        let own = self.offered.is_some();
        widgets.use_all.set_visible(own);
        root.set_description(Some(&if own {
            gettext("This conversation offers the tools of the servers switched on")
        } else {
            gettext("This conversation offers the tools of every enabled server, including servers added later")
        }));
    }
}
