//! The workspace folders of the conversation on screen: the "Workspace
//! Folders" group of the conversation settings popover (name, path as
//! subtitle, a Remove button each, and "Add Folder…"), stored per
//! conversation (`conversation_roots`), and offered to every MCP server as
//! roots (`core::mcp::roots`) through the [`RootsSource`] the servers were
//! started with.
//!
//! Roots follow the conversation on screen: opening a conversation offers
//! its folders (servers get `notifications/roots/list_changed` when they
//! differ), a new conversation starts with none. Folders added to a new
//! conversation before its first message are pending: the owner gets them
//! ([`WorkspaceFoldersOutput::Pending`]) to create the conversation with,
//! and they are stored with it. A reply still running in the background
//! for another conversation sees the folders of the one shown (one set of
//! roots for all servers keeps this simple).
//!
//! GTK 4.8 has no `GtkFileDialog` (4.10), so the chooser is a
//! [`gtk::FileChooserNative`] in `SelectFolder` mode (a portal inside
//! Flatpak).

mod rows;

use std::path::PathBuf;

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{Component, ComponentParts, ComponentSender, adw, gtk};

use valechat_core::chat::{Engine, EngineError};
use valechat_core::mcp::roots::default_name;
use valechat_core::mcp::{RootsSource, WorkspaceRoot};
use valechat_core::store::ConversationRoot;

/// State: whose folders are shown, and the chooser while it is open.
#[derive(Debug)]
pub struct WorkspaceFolders {
    engine: Option<Engine>,
    /// The conversation on screen; `None`: a new one, not stored yet.
    conversation: Option<i64>,
    /// The folders of the new conversation on screen, before it exists.
    pending: Vec<WorkspaceRoot>,
    /// The folders shown.
    folders: Vec<WorkspaceRoot>,
    /// The roots every MCP server sees.
    roots: RootsSource,
    /// The open folder chooser, kept alive until it answers.
    chooser: Option<gtk::FileChooserNative>,
}

/// Messages the group accepts.
#[derive(Debug)]
pub enum WorkspaceFoldersInput {
    /// The engine, once open (before the first `Open`).
    SetEngine(Engine),
    /// Show the folders of conversation `Some(id)`, or none for a new one.
    Open(Option<i64>),
    /// The new conversation on screen was created as `id`, its pending
    /// folders stored with it.
    Created(i64),
    /// Open the folder chooser (the Add Folder… button).
    Choose,
    /// The chooser answered: `Some(folder)` or `None` (cancelled).
    Chosen(Option<PathBuf>),
    /// The Remove button of the folder at this path.
    Remove(PathBuf),
}

/// What the group tells its owner.
#[derive(Debug)]
pub enum WorkspaceFoldersOutput {
    /// The pending folders of the new conversation on screen changed: it
    /// is to be created with these.
    Pending(Vec<WorkspaceRoot>),
    /// Reading or storing folders failed: this sentence says so.
    Failed(String),
    /// The chooser closed (answered or cancelled): the popover may show
    /// itself again.
    ChooserClosed,
}

/// Results of the group's store calls.
#[derive(Debug)]
pub enum WorkspaceFoldersCommand {
    /// The stored folders of conversation `id`, in order.
    Loaded(i64, Vec<ConversationRoot>),
    /// A store call failed with this sentence.
    Failed(String),
    /// The servers were told the roots changed.
    Notified,
}

/// The group's widgets.
#[derive(Debug)]
pub struct WorkspaceFoldersWidgets {
    /// The rows shown, with their folder (`None`: the placeholder).
    rows: Vec<(Option<WorkspaceRoot>, adw::ActionRow)>,
}

impl Component for WorkspaceFolders {
    type CommandOutput = WorkspaceFoldersCommand;
    type Input = WorkspaceFoldersInput;
    type Output = WorkspaceFoldersOutput;
    type Init = RootsSource;
    type Root = adw::PreferencesGroup;
    type Widgets = WorkspaceFoldersWidgets;

    fn init_root() -> Self::Root {
        adw::PreferencesGroup::builder()
            .title(gettext("Workspace Folders"))
            .description(gettext("MCP servers can see these folders as roots"))
            .build()
    }

    fn init(
        roots: RootsSource,
        root: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        let add = gtk::Button::builder()
            .label(gettext("Add Folder…"))
            .tooltip_text(gettext("Add a folder MCP servers may see"))
            .valign(gtk::Align::Center)
            .css_classes(["flat"])
            .build();
        let input = sender.input_sender().clone();
        add.connect_clicked(move |_| input.emit(WorkspaceFoldersInput::Choose));
        root.set_header_suffix(Some(&add));
        let mut widgets = WorkspaceFoldersWidgets { rows: Vec::new() };
        let model = Self {
            engine: None,
            conversation: None,
            pending: Vec::new(),
            folders: Vec::new(),
            roots,
            chooser: None,
        };
        rows::show(&root, &mut widgets, &model.folders, &sender);
        ComponentParts { model, widgets }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::Input,
        sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        match message {
            WorkspaceFoldersInput::SetEngine(engine) => self.engine = Some(engine),
            WorkspaceFoldersInput::Open(conversation) => {
                self.conversation = conversation;
                self.pending.clear();
                match conversation {
                    None => {
                        let _ = sender.output(WorkspaceFoldersOutput::Pending(Vec::new()));
                        self.show(Vec::new(), widgets, root, &sender);
                    }
                    Some(id) => self.store(&sender, move |engine| async move {
                        engine.store().list_conversation_roots(id).await
                    }),
                }
            }
            WorkspaceFoldersInput::Created(id) => {
                self.conversation.get_or_insert(id);
                self.pending.clear();
                let _ = sender.output(WorkspaceFoldersOutput::Pending(Vec::new()));
            }
            WorkspaceFoldersInput::Choose => {
                let parent = root.root().and_downcast::<gtk::Window>();
                self.chooser = Some(rows::choose_folder(
                    parent.as_ref(),
                    sender.input_sender().clone(),
                ));
            }
            WorkspaceFoldersInput::Chosen(path) => {
                if let Some(chooser) = self.chooser.take() {
                    chooser.destroy();
                }
                if let Some(path) = path {
                    self.add(path, widgets, root, &sender);
                }
                let _ = sender.output(WorkspaceFoldersOutput::ChooserClosed);
            }
            WorkspaceFoldersInput::Remove(path) => self.remove(&path, widgets, root, &sender),
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
            WorkspaceFoldersCommand::Loaded(id, rows) => {
                if self.conversation == Some(id) {
                    self.show(roots_of(rows), widgets, root, &sender);
                }
            }
            WorkspaceFoldersCommand::Failed(sentence) => {
                let _ = sender.output(WorkspaceFoldersOutput::Failed(sentence));
            }
            WorkspaceFoldersCommand::Notified => {}
        }
    }
}

impl WorkspaceFolders {
    /// Shows `folders` and offers them as roots; servers are told in a
    /// command when they changed.
    fn show(
        &mut self,
        folders: Vec<WorkspaceRoot>,
        widgets: &mut WorkspaceFoldersWidgets,
        root: &adw::PreferencesGroup,
        sender: &ComponentSender<Self>,
    ) {
        rows::show(root, widgets, &folders, sender);
        self.folders.clone_from(&folders);
        if self.roots.replace(folders) {
            let roots = self.roots.clone();
            sender.oneshot_command(async move {
                roots.notify_changed().await;
                WorkspaceFoldersCommand::Notified
            });
        }
    }

    /// Adds folder `path`: stored at once for a stored conversation,
    /// pending for a new one.
    fn add(
        &mut self,
        path: PathBuf,
        widgets: &mut WorkspaceFoldersWidgets,
        root: &adw::PreferencesGroup,
        sender: &ComponentSender<Self>,
    ) {
        let Some(id) = self.conversation else {
            if !self.pending.iter().any(|f| f.path == path) {
                self.pending.push(WorkspaceRoot::from_path(path));
            }
            self.pending_changed(widgets, root, sender);
            return;
        };
        self.store(sender, move |engine| async move {
            let name = default_name(&path);
            let path = path.to_string_lossy().into_owned();
            let store = engine.store();
            store.add_conversation_root(id, &path, &name).await?;
            store.list_conversation_roots(id).await
        });
    }

    /// Removes folder `path`: at once from a stored conversation, from the
    /// pending ones of a new one.
    fn remove(
        &mut self,
        path: &std::path::Path,
        widgets: &mut WorkspaceFoldersWidgets,
        root: &adw::PreferencesGroup,
        sender: &ComponentSender<Self>,
    ) {
        let Some(id) = self.conversation else {
            self.pending.retain(|f| f.path != path);
            self.pending_changed(widgets, root, sender);
            return;
        };
        let path = path.to_string_lossy().into_owned();
        self.store(sender, move |engine| async move {
            let store = engine.store();
            store.remove_conversation_root(id, &path).await?;
            store.list_conversation_roots(id).await
        });
    }

    /// Shows the pending folders and tells the owner.
    fn pending_changed(
        &mut self,
        widgets: &mut WorkspaceFoldersWidgets,
        root: &adw::PreferencesGroup,
        sender: &ComponentSender<Self>,
    ) {
        let _ = sender.output(WorkspaceFoldersOutput::Pending(self.pending.clone()));
        self.show(self.pending.clone(), widgets, root, sender);
    }

    /// Runs `call` (ending with the conversation's folders) in a command;
    /// the folders arrive as [`WorkspaceFoldersCommand::Loaded`] for the
    /// conversation on screen now.
    fn store<F, Fut>(&self, sender: &ComponentSender<Self>, call: F)
    where
        F: FnOnce(Engine) -> Fut + Send + 'static,
        Fut:
            Future<Output = Result<Vec<ConversationRoot>, valechat_core::store::StoreError>> + Send,
    {
        let (Some(engine), Some(id)) = (self.engine.clone(), self.conversation) else {
            return;
        };
        sender.oneshot_command(async move {
            match call(engine).await {
                Ok(rows) => WorkspaceFoldersCommand::Loaded(id, rows),
                Err(e) => WorkspaceFoldersCommand::Failed(EngineError::from(e).user_message()),
            }
        });
    }
}

/// The roots of stored folders, in order.
fn roots_of(rows: Vec<ConversationRoot>) -> Vec<WorkspaceRoot> {
    rows.into_iter()
        .map(|r| WorkspaceRoot::new(r.path, r.name))
        .collect()
}
