//! The "MCP Servers" group of the conversation settings popover: which
//! configured MCP servers offer their tools in the conversation on
//! screen, one switch each, whatever the conversation started from.
//!
//! A conversation started from an assistant shows its own copy of the
//! assistant's servers; any other shows every enabled server switched on
//! until one is switched, which stores the conversation's own list
//! (`Store::set_conversation_mcp_servers`). Each switch is stored at once
//! and the list read back. A server turned off for every conversation (the
//! MCP Servers page) says "Disabled": the conversation may keep it, but
//! it offers nothing until it is enabled again. A new conversation, not
//! stored yet, shows no group: it gets its servers when its first message
//! creates it (an assistant's, or every enabled one).

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{Component, ComponentParts, ComponentSender, adw, gtk};

use valechat_core::chat::{Engine, EngineError};
use valechat_core::mcp::ServerConfig;

/// State: the conversation shown, the servers configured and which of
/// them it offers.
#[derive(Debug, Default)]
pub struct ConversationServers {
    engine: Option<Engine>,
    /// The conversation on screen; `None`: a new one, not stored yet.
    conversation: Option<i64>,
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
    /// Show the servers of conversation `Some(id)`; `None`: a new one.
    Open(Option<i64>),
    /// Read the servers again (the popover opens: servers may have been
    /// added or removed meanwhile).
    Refresh,
    /// The switch of server `.0` turned on (`true`) or off.
    Switch(String, bool),
}

/// What the group tells its owner.
#[derive(Debug)]
pub enum ConversationServersOutput {
    /// Reading or storing the servers failed: this sentence says so.
    Failed(String),
}

/// Results of the group's store calls.
#[derive(Debug)]
pub enum ConversationServersCommand {
    /// Conversation `.0`'s servers: every configured one, and the ids it
    /// offers (`None`: every enabled one).
    Loaded(i64, Vec<ServerConfig>, Option<Vec<String>>),
    /// A store call failed with this sentence.
    Failed(String),
}

/// The group's widgets: one row per server, with its switch.
#[derive(Debug, Default)]
pub struct ConversationServersWidgets {
    rows: Vec<adw::ActionRow>,
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
            .description(gettext(
                "This conversation offers the tools of the servers switched on",
            ))
            .visible(false)
            .build()
    }

    fn init((): (), _root: Self::Root, _sender: ComponentSender<Self>) -> ComponentParts<Self> {
        ComponentParts {
            model: Self::default(),
            widgets: ConversationServersWidgets::default(),
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
            ConversationServersInput::SetEngine(engine) => self.engine = Some(engine),
            ConversationServersInput::Open(conversation) => {
                self.conversation = conversation;
                self.servers.clear();
                self.offered = None;
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
                if Some(&chosen) != self.offered.as_ref() {
                    self.load(&sender, Some(chosen));
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
                if self.conversation == Some(id) {
                    self.servers = servers;
                    self.offered = offered;
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

    /// Stores `chosen` as the conversation's servers first, when given,
    /// then reads its servers, in a command.
    fn load(&self, sender: &ComponentSender<Self>, chosen: Option<Vec<String>>) {
        let (Some(engine), Some(id)) = (self.engine.clone(), self.conversation) else {
            return;
        };
        sender.oneshot_command(async move {
            let store = engine.store();
            let read = async {
                if let Some(chosen) = chosen {
                    store.set_conversation_mcp_servers(id, chosen).await?;
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
    /// conversation offers it; the group shows only for a stored
    /// conversation with servers to choose from.
    fn show(
        &self,
        widgets: &mut ConversationServersWidgets,
        root: &adw::PreferencesGroup,
        sender: &ComponentSender<Self>,
    ) {
        for row in widgets.rows.drain(..) {
            root.remove(&row);
        }
        root.set_visible(self.conversation.is_some() && !self.servers.is_empty());
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
    }
}
