//! The sidebar's input, output and command messages.

use valechat_core::chat::Engine;
use valechat_core::store::{Conversation, Folder, SearchFilter, SearchPage, SearchResults};

pub use super::organise::OrganiseInput;

/// Messages the sidebar accepts.
#[derive(Debug)]
pub enum SidebarInput {
    /// The engine, once open.
    SetEngine(Engine),
    /// Show these conversations (newest first).
    Show(Vec<Conversation>),
    /// Read the conversations again (one was created, renamed, answered…).
    Refresh,
    /// The conversation open in the window (`None`: a new one).
    SetOpen(Option<i64>),
    /// Show the search bar and focus its entry (Ctrl+F).
    FocusSearch,
    /// Open the previous (-1) or next (1) visible conversation.
    Move(i32),
    /// The search text changed.
    Search(String),
    /// The search's filters changed (model, date).
    SearchFilterChanged,
    /// The user activated row `.0` of the search results (a message: open
    /// it; "Show More Results": read the next page).
    ActivateFound(i32),
    /// The user selected the row at this index.
    RowSelected(i32),
    /// Ask for a new title for conversation `id`.
    AskRename(i64),
    /// Ask to delete conversation `id`.
    AskDelete(i64),
    /// Export… in conversation `id`'s menu.
    AskExport(i64),
    /// Store `title` for conversation `id` (the Rename dialog's answer).
    Rename(i64, String),
    /// Delete conversation `id` (confirmed).
    Delete(i64),
    /// Pin, archive, folders (issue 14, part 3).
    Organise(OrganiseInput),
    /// The window shows one pane at a time (`true`): the sidebar's header
    /// then carries the window buttons.
    SetFolded(bool),
}

/// What the sidebar tells the window.
#[derive(Debug)]
pub enum SidebarOutput {
    /// Open this conversation (the user chose it).
    Open(Conversation),
    /// The open conversation as the list now shows it (renamed, titled
    /// after its first message).
    OpenUpdated(Conversation),
    /// Conversation `id` is about to be deleted: stop its reply, close it.
    Deleting(i64),
    /// Show a toast with this text.
    Toast(String),
    /// Export conversation `id`, titled as the list shows it.
    Export(i64, String),
    /// Export the conversations of folder `.0`, named `.1`.
    ExportFolder(i64, String),
    /// Open this conversation (already on the right branch) at message
    /// `.1`, marking the search's words `.2` in it (a search result).
    OpenAt(Conversation, i64, Vec<String>),
    /// The user activated a row (clicked it, or pressed Enter on it): a
    /// narrow window shows the conversation in place of the list.
    Activated,
}

/// Results of the sidebar's background work.
#[derive(Debug)]
pub enum SidebarCommand {
    /// The conversations (pinned first, then newest first) and the
    /// folders, by name.
    Listed(Vec<Conversation>, Vec<Folder>),
    /// Ids of conversations whose messages match the search text.
    Hits(String, Vec<i64>),
    /// A page of search results: query, filter, where the page started,
    /// results.
    Found(String, SearchFilter, SearchPage, SearchResults),
    /// The conversation of a search result, switched to the branch of
    /// message `.1` if needed: open it there.
    Reveal(Conversation, i64),
    /// A store call failed with this message.
    Failed(String),
}
