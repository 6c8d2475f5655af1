//! What narrows [`Store::search`](super::super::Store::search): provider
//! and model, dates, folder, archived conversations.

/// What narrows a search; `Default` narrows nothing (every folder, archived
/// conversations included). Every field set must hold for a message to be
/// found.
///
/// A message's provider and model are those that wrote it (replies), or the
/// conversation's (the user's own messages, which no model wrote).
///
/// Archived conversations are searched by default: archiving takes a
/// conversation out of the sidebar's list, not out of reach, as archived
/// mail stays in a mail app's search; someone searching for an old answer
/// expects to find it wherever they filed it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilter {
    /// Provider id (`"openai"`).
    pub provider_id: Option<String>,
    /// Model id as the provider names it (`"gpt-4o"`).
    pub model: Option<String>,
    /// Written at or after this time, UTC unix milliseconds.
    pub since: Option<i64>,
    /// Written before this time (exclusive), UTC unix milliseconds.
    pub until: Option<i64>,
    /// The folder the message's conversation is filed in.
    pub folder: FolderScope,
    /// Whether messages of archived conversations are found.
    pub archived: ArchivedScope,
}

/// Which folders [`SearchFilter`] searches (folders: `Store::list_folders`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FolderScope {
    /// Every conversation, in a folder or not.
    #[default]
    Any,
    /// Conversations filed in the folder with this id.
    In(i64),
    /// Conversations in no folder.
    None,
}

/// Whether [`SearchFilter`] searches archived conversations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ArchivedScope {
    /// Archived conversations and the others.
    #[default]
    Include,
    /// Only conversations not archived (those the sidebar lists).
    Exclude,
    /// Only archived conversations.
    Only,
}

impl FolderScope {
    /// `(mode, folder id)` bound in the search's SQL: mode 0 any, 1 in the
    /// folder, 2 in none.
    pub(super) fn sql(self) -> (i32, Option<i64>) {
        match self {
            Self::Any => (0, None),
            Self::In(id) => (1, Some(id)),
            Self::None => (2, None),
        }
    }
}

impl ArchivedScope {
    /// `conversations.archived` required (`None`: either).
    pub(super) fn sql(self) -> Option<bool> {
        match self {
            Self::Include => None,
            Self::Exclude => Some(false),
            Self::Only => Some(true),
        }
    }
}
