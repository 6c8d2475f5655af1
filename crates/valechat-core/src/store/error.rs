//! [`StoreError`]: everything that can go wrong between ValeChat and its
//! SQLite database, each variant saying what failed and with what input.

use std::path::PathBuf;

/// Text SQLite gives for `SQLITE_FULL` (<https://sqlite.org/rescode.html#full>).
const SQLITE_FULL_MESSAGE: &str = "database or disk is full";

/// Fragments of the texts SQLite gives for `SQLITE_NOTADB` and `SQLITE_CORRUPT`.
const SQLITE_CORRUPT_MESSAGES: [&str; 2] = ["file is not a database", "malformed"];

/// An error from the [`Store`](super::Store).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file could not be opened at all (permissions, bad path).
    #[error("cannot open the database {}: {source}", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: diesel::ConnectionError,
    },
    /// No pooled connection became available (each one failed to open or to
    /// take its settings before the pool's timeout).
    #[error("no database connection available: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    /// A statement failed.
    #[error("database error while {what}: {source}")]
    Query {
        /// What the store was doing, e.g. `"inserting a message"`.
        what: &'static str,
        /// The diesel error.
        #[source]
        source: diesel::result::Error,
    },
    /// The disk (or SQLite's page limit) is full: nothing was written.
    #[error("the disk is full while {what}: free some space and try again")]
    DiskFull {
        /// What the store was doing.
        what: &'static str,
    },
    /// Applying the embedded migrations failed; the database is left as it
    /// was before the failing migration (each runs in a transaction).
    #[error("cannot update the database schema: {source}")]
    Migration {
        /// What `diesel_migrations` said.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The file exists but is not a readable SQLite database. It is left
    /// untouched.
    #[error(
        "{} is not a usable ValeChat database ({detail}); it was left untouched",
        path.display()
    )]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        detail: String,
    },
    /// The database was changed by a newer ValeChat: it records a schema
    /// version this build does not know. It is left untouched.
    #[error(
        "{} was written by a newer version of ValeChat (database version {version}); update ValeChat to open it. It was left untouched",
        path.display()
    )]
    NewerDatabase {
        /// The database file.
        path: PathBuf,
        /// The newest unknown migration version it records.
        version: String,
    },
    /// A mutation named a row that does not exist.
    #[error("no {what} with id {id}")]
    NotFound {
        /// `"conversation"`, `"message"` or `"provider"`.
        what: &'static str,
        /// The id asked for, as text.
        id: String,
    },
    /// A name that must be unique is taken (an assistant's).
    #[error("the {what} name “{name}” is taken")]
    AlreadyExists {
        /// `"assistant"`.
        what: &'static str,
        /// The name asked for.
        name: String,
    },
    /// A value given to the store is not acceptable (a blank name).
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// What was given, e.g. `"assistant name"`.
        what: &'static str,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A message was named as the parent of a new message, or as the
    /// branch to show, in a conversation it does not belong to.
    #[error("message {message_id} is not in conversation {conversation_id}")]
    NotInConversation {
        /// The message named.
        message_id: i64,
        /// The conversation it was named for.
        conversation_id: i64,
    },
    /// A stored value could not be read back (e.g. an unknown role).
    #[error("unexpected value {value:?} in column {column}")]
    InvalidValue {
        /// `table.column`.
        column: &'static str,
        /// The stored text.
        value: String,
    },
    /// A folder name was blank, or another folder has it already
    /// (names are compared ignoring case). Nothing was written.
    #[error("{}", match problem {
        FolderNameProblem::Blank => "a folder needs a name".to_owned(),
        FolderNameProblem::Taken => format!("a folder named {name:?} exists already"),
    })]
    FolderName {
        /// The name given, trimmed.
        name: String,
        /// What is wrong with it.
        problem: FolderNameProblem,
    },
    /// A file-system operation around the database failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was attempted, e.g. `"cannot create the directory"`.
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The blocking database task panicked or was cancelled.
    #[error("database task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

/// Why a folder name was refused ([`StoreError::FolderName`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderNameProblem {
    /// Empty or only white space.
    Blank,
    /// Another folder has this name (ignoring case).
    Taken,
}

/// Errors from beginning or committing a transaction, where no finer step
/// applies; statements inside name their own step.
impl From<diesel::result::Error> for StoreError {
    fn from(source: diesel::result::Error) -> Self {
        Self::query("running a transaction", source)
    }
}

impl StoreError {
    /// Wraps a diesel error from the step `what`, recognising a full disk.
    pub(crate) fn query(what: &'static str, source: diesel::result::Error) -> Self {
        if is_disk_full(&source) {
            Self::DiskFull { what }
        } else {
            Self::Query { what, source }
        }
    }

    /// Returns a closure for `map_err` that wraps with [`StoreError::query`].
    pub(crate) fn during(what: &'static str) -> impl FnOnce(diesel::result::Error) -> Self {
        move |source| Self::query(what, source)
    }

    /// Builds [`StoreError::NotFound`].
    #[allow(
        clippy::needless_pass_by_value,
        reason = "callers pass ids and owned strings alike"
    )]
    pub(crate) fn not_found(what: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            what,
            id: id.to_string(),
        }
    }
}

/// Whether SQLite reported `SQLITE_FULL` (diesel keeps only its message).
fn is_disk_full(error: &diesel::result::Error) -> bool {
    matches!(error, diesel::result::Error::DatabaseError(_, info)
        if info.message().contains(SQLITE_FULL_MESSAGE))
}

/// Whether SQLite reported that the file is not a database or is damaged.
pub(crate) fn is_corrupt(error: &diesel::result::Error) -> bool {
    matches!(error, diesel::result::Error::DatabaseError(_, info)
        if SQLITE_CORRUPT_MESSAGES.iter().any(|m| info.message().contains(m)))
}
