//! The sidebar's list: read from the store in the background, rebuilt
//! with the open conversation kept selected, the empty page when there is
//! nothing to list.

use super::*;

impl Sidebar {
    /// Rebuilds the list, keeping the open conversation selected, and
    /// tells the window how the open one is listed now.
    pub(super) fn show(
        &mut self,
        list: Vec<Conversation>,
        folders: Option<Vec<Folder>>,
        sender: &ComponentSender<Self>,
    ) {
        let list = self.organiser.arrange(list, folders);
        {
            let mut guard = self.rows.guard();
            guard.clear();
            for c in list {
                guard.push_back(c);
            }
        }
        self.filter.set_rows(
            self.rows
                .iter()
                .map(|row| (row.conversation.id, row.display_title()))
                .collect(),
        );
        self.filter.apply(self.rows.widget());
        self.organiser.rebuilt(self.rows.widget());
        self.offer_models();
        self.search_filter.set_folders(&self.organiser.folders());
        self.select_open();
        if let Some(row) = self
            .rows
            .iter()
            .find(|row| Some(row.conversation.id) == self.open)
        {
            let _ = sender.output(SidebarOutput::OpenUpdated(row.conversation.clone()));
        }
    }

    /// Shows the list, or the empty page when there are no conversations
    /// nor folders (only once the list was read: not while it is being read).
    pub(super) fn show_page(&self, widgets: &SidebarWidgets) {
        let empty = self.rows.is_empty() && !self.organiser.has_folders();
        widgets
            .pages
            .set_visible_child_name(if empty { "empty" } else { "list" });
    }

    /// Selects the open conversation's row (or none) without reporting it
    /// as the user's choice.
    pub(super) fn select_open(&mut self) {
        self.selecting = true;
        let list = self.rows.widget();
        let position = self
            .rows
            .iter()
            .position(|row| Some(row.conversation.id) == self.open)
            .and_then(|i| i32::try_from(i).ok());
        match position {
            Some(i) => list.select_row(list.row_at_index(i).as_ref()),
            None => list.unselect_all(),
        }
        self.selecting = false;
    }

    /// Reads the conversations in the background.
    pub(super) fn refresh(&self, sender: &ComponentSender<Self>) {
        if let Some(engine) = self.engine.clone() {
            let listing = self.organiser.listing();
            sender.oneshot_command(async move { list(&engine, listing).await });
        }
    }

    /// Runs a store change in the background, then reads the list again.
    pub(super) fn store_then_refresh<F, Fut>(&self, sender: &ComponentSender<Self>, change: F)
    where
        F: FnOnce(Engine) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<(), valechat_core::store::StoreError>> + Send,
    {
        let Some(engine) = self.engine.clone() else {
            return;
        };
        let listing = self.organiser.listing();
        sender.oneshot_command(async move {
            match change(engine.clone()).await {
                Ok(()) => list(&engine, listing).await,
                Err(e) => SidebarCommand::Failed(EngineError::from(e).user_message()),
            }
        });
    }

    /// The title a row shows for conversation `id`.
    pub(super) fn title(&self, id: i64) -> String {
        self.rows
            .iter()
            .find(|row| row.conversation.id == id)
            .map(ConversationRow::display_title)
            .unwrap_or_default()
    }
}

pub(super) async fn list(engine: &Engine, listing: Listing) -> SidebarCommand {
    let store = engine.store();
    match (
        store.list_conversations_for(listing).await,
        store.list_folders().await,
    ) {
        (Ok(list), Ok(folders)) => SidebarCommand::Listed(list, folders),
        (Err(e), _) | (_, Err(e)) => SidebarCommand::Failed(EngineError::from(e).user_message()),
    }
}
