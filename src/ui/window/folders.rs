//! The workspace folders of the conversation on screen: shown in the
//! settings popover, stored per conversation (`conversation_roots`), and
//! offered to every MCP server as roots through the window's
//! [`RootsSource`](valechat_core::mcp::RootsSource).
//!
//! Roots follow the conversation on screen: opening a conversation offers
//! its folders (servers get `notifications/roots/list_changed` when they
//! differ), a new conversation starts with none. Folders added to a new
//! conversation before its first message are kept and stored once it is
//! created (with its settings, before the first message is sent). A reply still running in the background for another
//! conversation sees the folders of the one shown (one set of roots for all
//! servers keeps this simple).

use std::path::PathBuf;

use relm4::{ComponentController, ComponentSender};

use super::{Window, WindowCommand};
use crate::ui::conversation_settings::ConversationSettingsInput;
use valechat_core::chat::EngineError;
use valechat_core::mcp::WorkspaceRoot;
use valechat_core::mcp::roots::default_name;
use valechat_core::store::ConversationRoot;

/// The roots of stored folders, in order.
fn roots_of(rows: Vec<ConversationRoot>) -> Vec<WorkspaceRoot> {
    rows.into_iter()
        .map(|r| WorkspaceRoot::new(r.path, r.name))
        .collect()
}

impl Window {
    /// Shows `folders` in the popover and offers them as roots; servers
    /// are told in a command when they changed.
    pub(super) fn show_folders(
        &mut self,
        folders: Vec<WorkspaceRoot>,
        sender: &ComponentSender<Self>,
    ) {
        self.settings_popover
            .sender()
            .emit(ConversationSettingsInput::ShowFolders(folders.clone()));
        if self.roots.replace(folders) {
            let roots = self.roots.clone();
            sender.oneshot_command(async move {
                roots.notify_changed().await;
                WindowCommand::Done
            });
        }
    }

    /// Reads the folders of the open conversation (they arrive as
    /// [`WindowCommand::Folders`]); a new conversation shows its pending
    /// ones.
    pub(super) fn load_folders(&mut self, sender: &ComponentSender<Self>) {
        let Some(id) = self.current.as_ref().map(|c| c.id) else {
            self.show_folders(self.next_folders.clone(), sender);
            return;
        };
        let Some(engine) = self.engine.clone() else {
            return;
        };
        sender.oneshot_command(async move {
            match engine.store().list_conversation_roots(id).await {
                Ok(rows) => WindowCommand::Folders(id, rows),
                Err(e) => WindowCommand::Failed(EngineError::from(e).user_message()),
            }
        });
    }

    /// The stored folders of conversation `id` arrived: shown if it is
    /// still the one on screen.
    pub(super) fn folders_loaded(
        &mut self,
        id: i64,
        rows: Vec<ConversationRoot>,
        sender: &ComponentSender<Self>,
    ) {
        if self.current.as_ref().is_some_and(|c| c.id == id) {
            self.show_folders(roots_of(rows), sender);
        }
    }

    /// Adds folder `path` to the conversation on screen (stored at once),
    /// or to the pending folders of a new one.
    pub(super) fn add_folder(&mut self, path: PathBuf, sender: &ComponentSender<Self>) {
        let Some(id) = self.current.as_ref().map(|c| c.id) else {
            if !self.next_folders.iter().any(|f| f.path == path) {
                self.next_folders.push(WorkspaceRoot::from_path(path));
            }
            self.show_folders(self.next_folders.clone(), sender);
            return;
        };
        let Some(engine) = self.engine.clone() else {
            return;
        };
        sender.oneshot_command(async move {
            let name = default_name(&path);
            let path = path.to_string_lossy().into_owned();
            let store = engine.store();
            let result = match store.add_conversation_root(id, &path, &name).await {
                Ok(_) => store.list_conversation_roots(id).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(rows) => WindowCommand::Folders(id, rows),
                Err(e) => WindowCommand::Failed(EngineError::from(e).user_message()),
            }
        });
    }

    /// Removes folder `path` from the conversation on screen (stored at
    /// once), or from the pending folders of a new one.
    pub(super) fn remove_folder(&mut self, path: PathBuf, sender: &ComponentSender<Self>) {
        let Some(id) = self.current.as_ref().map(|c| c.id) else {
            self.next_folders.retain(|f| f.path != path);
            self.show_folders(self.next_folders.clone(), sender);
            return;
        };
        let Some(engine) = self.engine.clone() else {
            return;
        };
        sender.oneshot_command(async move {
            let path = path.to_string_lossy().into_owned();
            let store = engine.store();
            let result = match store.remove_conversation_root(id, &path).await {
                Ok(_) => store.list_conversation_roots(id).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(rows) => WindowCommand::Folders(id, rows),
                Err(e) => WindowCommand::Failed(EngineError::from(e).user_message()),
            }
        });
    }
}
