//! The window's input and command messages, and its `win.*` actions.

use super::startup;
use valechat_core::store::{Conversation, ConversationSettings, Provider};

/// Messages the window accepts.
#[derive(Debug)]
pub enum WindowInput {
    /// Start a new conversation (nothing is stored until the first message),
    /// from the default assistant if one is set.
    NewConversation,
    /// Start a new conversation from assistant `id` (the New Conversation
    /// menu, `win.new-conversation-from`).
    NewConversationFrom(i64),
    /// Open this conversation (chosen in the sidebar).
    Open(Conversation),
    /// Open this conversation (again) at message `.1` and mark the words
    /// `.2` in it (a search result, already on the message's branch).
    OpenAt(Conversation, i64, Vec<String>),
    /// The open conversation as the sidebar now lists it.
    OpenUpdated(Conversation),
    /// Conversation `id` is about to be deleted.
    Deleting(i64),
    /// Give a draft back to the composer.
    RestoreDraft(crate::ui::composer::Draft),
    /// Send a draft once over a hard spending limit.
    SendAnyway(crate::ui::composer::Draft),
    /// Stop the running reply.
    Stop,
    /// The conversation view's first message created this conversation.
    Created(Conversation),
    /// A reply started (`true`) or ended (`false`).
    Replying(bool),
    /// Read the sidebar's conversations again (a message was stored).
    RefreshConversations,
    /// The open conversation's cost so far, USD.
    Total(Option<rust_decimal::Decimal>),
    /// A hard spending limit refused a send: the explanation, and the draft
    /// to send anyway or give back.
    LimitRefused(String, Option<crate::ui::composer::Draft>),
    /// A model was chosen in the picker.
    ModelChosen(String, String),
    /// Regenerate With…: the next model chosen in the picker answers again
    /// in place of this reply (the conversation keeps its model).
    ChooseModelFor(i64),
    /// The model picker closed (a Regenerate With… not chosen is dropped).
    PickerClosed,
    /// The conversation settings popover reported new settings.
    SettingsChanged(ConversationSettings),
    /// The workspace folders the next new conversation is to be created
    /// with.
    PendingFolders(Vec<valechat_core::mcp::WorkspaceRoot>),
    /// The MCP servers the next new conversation is to be created with.
    PendingServers(valechat_core::chat::McpServerChoice),
    /// Show the conversation settings popover again (a folder chooser
    /// took the focus and closed it).
    ShowSettings,
    /// A provider was added.
    ProviderAdded(Provider),
    /// Show the Add Provider dialog.
    ShowAddProvider,
    /// Show the Preferences window (Ctrl+comma).
    ShowPreferences,
    /// Show the MCP Servers window.
    ShowServers,
    /// Show the Billing window (Ctrl+Shift+B, `app.show-billing`).
    ShowBilling,
    /// Providers were edited in Preferences: reload them.
    ReloadProviders,
    /// The library of models on this computer changed in Preferences:
    /// count its models again.
    ReloadLocalModels,
    /// The first-run page's "Use a Model on This Computer": open the
    /// window with the curated models and Import Model File….
    ShowLocalModels,
    /// A model was imported or downloaded from the first-run page: go on
    /// to the chat (the hand-over to the `local` provider, see
    /// `window/local.rs`).
    LocalModelAdded(Box<valechat_core::store::LocalModel>),
    /// Show the About dialog.
    ShowAbout,
    /// Open the model picker (Ctrl+K).
    ShowModelPicker,
    /// Show the sidebar search and focus it (Ctrl+F).
    FocusSearch,
    /// Open the previous (-1) or next (1) conversation in the sidebar
    /// (Ctrl+PgUp / Ctrl+PgDn).
    MoveSelection(i32),
    /// Show the Keyboard Shortcuts window (Ctrl+?).
    ShowShortcuts,
    /// Stop any reply, shut the MCP servers down and quit (Ctrl+Q,
    /// closing the window, SIGTERM).
    Quit,
    /// The window's close button (or Ctrl+W): quit, or hide and quit once
    /// the running reply is done.
    CloseRequested,
    /// The window became the active one (again): brought back after it
    /// was closed during a reply, it stays open.
    Shown,
    /// A watched MCP resource changed: `(server id, URI)`.
    ResourceUpdated(String, String),
    /// Show a toast with `text`.
    Toast(String),
    /// The window became too narrow for both panes (`true`: one pane at a
    /// time) or wide enough again.
    Folded(bool),
    /// Show the conversation list (Back, in a narrow window).
    ShowSidebar,
    /// Show the conversation pane (a conversation was chosen; in a narrow
    /// window it replaces the list).
    ShowContent,
    /// Export… (a conversation's menu) or Export All… (the main menu):
    /// ask for a file and a format, then write.
    Export(crate::ui::transfer::export::Scope),
    /// Import Conversations… (the main menu): ask for a file, then import
    /// it in the Import Conversations window.
    AskImport,
    /// The export or import file chooser answered: drop it (GTK 4.8's
    /// fallback dialog stays a hidden window until then; see `ui::a11y`).
    ChooserClosed,
    /// The file chosen to import: open the Import Conversations window.
    Import(std::path::PathBuf),
    /// The Import Conversations window wrote conversations: read the list
    /// again.
    Imported,
    /// An MCP server's protocol era was learned: store it (in a command)
    /// so the next start skips discovery.
    EraLearned(Box<LearnedEra>),
}

/// A protocol era an MCP server spoke, and the store to keep it in.
pub struct LearnedEra {
    /// The database (the engine may not be the window's yet).
    pub store: valechat_core::store::Store,
    /// The server's id.
    pub server_id: String,
    /// The era it spoke.
    pub era: valechat_core::mcp::Era,
}

impl std::fmt::Debug for LearnedEra {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LearnedEra")
            .field("server_id", &self.server_id)
            .field("era", &self.era)
            .finish_non_exhaustive()
    }
}

/// Results of background work.
#[derive(Debug)]
pub enum WindowCommand {
    /// The engine opened (or failed to).
    Started(Result<startup::Loaded, String>),
    /// The engine takes a while to open: the loading page's spinner turns.
    LoadingSlow,
    /// Fresh list of providers.
    Providers(Vec<Provider>),
    /// The number of models in the library of models on this computer.
    LocalModels(usize),
    /// A conversation changed in the store (its model): the sidebar reads
    /// the list again.
    ConversationsChanged,
    /// A background call failed with this message.
    Failed(String),
    /// Nothing to do (a background call succeeded silently).
    Done,
    /// An export finished: the sentence to show (what was written where,
    /// or why it failed).
    Exported(String),
    /// The MCP servers are down: end the application.
    ServersStopped,
    /// SIGTERM or SIGINT arrived: quit like the Quit action.
    Quit,
    /// An assistant lookup answered.
    Assistant(super::assistant::AssistantCommand),
}

relm4::new_action_group!(pub(crate) WindowActions, "win");
relm4::new_stateless_action!(pub(crate) NewConversationAction, WindowActions, "new-conversation");
relm4::new_stateful_action!(pub(crate) NewConversationFromAction, WindowActions, "new-conversation-from", i64, ());
relm4::new_stateless_action!(pub(crate) AddProviderAction, WindowActions, "add-provider");
relm4::new_stateless_action!(pub(crate) AboutAction, WindowActions, "about");
relm4::new_stateless_action!(pub(crate) PreferencesAction, WindowActions, "preferences");
relm4::new_stateless_action!(pub(crate) BillingAction, WindowActions, "show-billing");
relm4::new_stateless_action!(pub(crate) StopAction, WindowActions, "stop");
relm4::new_stateless_action!(pub(crate) ModelPickerAction, WindowActions, "model-picker");
relm4::new_stateless_action!(pub(crate) QuitAction, WindowActions, "quit");
relm4::new_stateless_action!(pub(crate) ShowServersAction, WindowActions, "show-servers");
relm4::new_stateless_action!(pub(crate) SearchAction, WindowActions, "search");
relm4::new_stateless_action!(pub(crate) PreviousConversationAction, WindowActions, "previous-conversation");
relm4::new_stateless_action!(pub(crate) NextConversationAction, WindowActions, "next-conversation");
relm4::new_stateless_action!(pub(crate) ExportAllAction, WindowActions, "export-all");
relm4::new_stateless_action!(pub(crate) ImportAction, WindowActions, "import-conversations");
// GtkApplicationWindow's own `win.show-help-overlay` is hidden once relm4
// installs the `win` group, so the group provides it again.
relm4::new_stateless_action!(pub(crate) ShortcutsAction, WindowActions, "show-help-overlay");
