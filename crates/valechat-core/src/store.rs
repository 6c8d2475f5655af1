//! ValeChat's local database: conversations, messages and provider settings
//! in SQLite through diesel (DESIGN.md, Storage).
//!
//! [`Store`] is a cheap-to-clone handle on a small r2d2 pool. Every method is
//! `async` and runs its diesel work on `tokio::task::spawn_blocking`, so the
//! GTK main loop never waits on the disk. Opening the store creates the file
//! and its directory, copies an existing database with `VACUUM INTO` before
//! migrating it, applies the embedded migrations from `migrations/`, and marks
//! replies left `streaming` by a crash as `incomplete` — unless another
//! ValeChat process has the database open (`instance`: a lock file).
//!
//! Files: `connection` (pool and pragmas), `instance` (the lock file that
//! tells whether other processes use the database), `migrate` (migrations, backups),
//! `schema` (diesel tables), `models` (public types), one file per table's
//! repository (`providers`, `conversations`, `conversation_roots`
//! (workspace folders), `messages`, `pages` (a conversation read a page
//! at a time), `organise` (pin, archive, the sidebar's listing),
//! `folders` (folders of conversations),
//! `drafts` (the composer's text per conversation), `favourites`, `prices`, `tool_calls`, `tool_permissions`,
//! `attachments`, `resource_attachments`, `assistants` (saved assistants,
//! and the assistant a conversation started from)), `tree` (messages as a tree:
//! the active path, siblings, switching and deleting branches) and `search`
//! (FTS5), `documents` (knowledge libraries: their files, chunks and the
//! chunks' FTS5 index, issue 17). The spending ledger's tables (issue 5):
//! `usage` (records, settling), `reservations` (pre-flight holds),
//! `spending_limits`, and `ledger_rows` (their rows and the shared spend
//! computation).
//!
//! Layering: the store imports nothing of this crate but the plain value
//! types of [`crate::model`] (`tests/layers.rs` checks it). Rules that
//! decide what to write — refusing a spend over a hard limit, checking a
//! limit a person enters, which prices ship with ValeChat, the reports — are
//! the modules above it; the ledger's public methods on [`Store`]
//! (`reserve`, `settle`, `create_limit`, `usage_report`…) are defined in
//! `crate::ledger` on top of the crate-private repository methods here, and
//! `sync_shipped_prices` in `crate::billing::shipped`.

mod archive;
mod assistants;
mod attachments;
mod connection;
mod conversation_roots;
mod conversations;
mod documents;
mod drafts;
mod error;
mod favourites;
mod files;
mod folders;
mod instance;
mod ledger_rows;
mod local_models;
mod mcp_servers;
mod messages;
mod migrate;
mod models;
mod organise;
mod pages;
mod prices;
mod provider_timeouts;
mod providers;
mod rate_limits;
mod reservations;
mod resource_attachments;
mod schema;
mod search;
mod spending_limits;
mod tool_calls;
mod tool_limits;
mod tool_permissions;
mod tree;
mod usage;

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use diesel::SqliteConnection;

pub use archive::ImportOutcome;
pub use assistants::{Assistant, AssistantDraft, ConversationAssistant};
pub use attachments::{StoredAttachment, by_message as attachments_by_message};
pub use connection::{BUSY_TIMEOUT_MS, ConnectionInfo};
pub use conversation_roots::ConversationRoot;
pub use documents::{
    ChunkMatch, DocumentRecord, DocumentState, Library, LibrarySource, LibraryStats, NewChunk,
    NewDocument,
};
pub use error::{FolderNameProblem, StoreError};
pub use favourites::Favourite;
pub use folders::{Folder, FolderDeleted};
pub use instance::lock_path;
pub use local_models::{LocalModel, ModelOrigin, NewLocalModel};
pub use messages::MessageParent;
pub use migrate::{BACKUPS_KEPT, MIGRATIONS};
pub use models::{
    Conversation, ConversationSettings, Message, MessageFinish, MessageStatus, NewConversation,
    NewMessage, NewProvider, Provider, SNIPPET_MATCH_END, SNIPPET_MATCH_START, SearchHit,
};
pub use organise::Listing;
use pages::ALL_MESSAGES;
pub use pages::{ConversationPage, PageEnd};
pub use prices::PriceRow;
pub use providers::slugify;
pub use search::{
    ArchivedScope, ConversationMatches, EXPANDED_WORDS, FolderScope, MessageMatch, RANKED_MATCHES,
    SearchFilter, SearchPage, SearchResults,
};
pub use tool_calls::{NewToolCall, ToolCallEnd, ToolCallRecord, ToolCallStatus};
pub use tool_permissions::ToolPermission;
pub use tree::{BranchDeleted, Siblings};

use connection::SqlitePool;

/// Handle on the database; clone it freely (clones share one pool).
#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    /// This process's hold on a file database (`None` in memory), released
    /// when the last clone is dropped.
    _instance: Option<std::sync::Arc<instance::InstanceLock>>,
}

#[allow(
    clippy::missing_fields_in_debug,
    reason = "the connection pool says nothing useful in a log"
)]
impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.pool.state();
        f.debug_struct("Store")
            .field("connections", &state.connections)
            .field("idle_connections", &state.idle_connections)
            .finish()
    }
}

impl Store {
    /// Opens (or creates) the database at `path`, e.g.
    /// [`paths::database_path`](crate::paths::database_path).
    ///
    /// Creates missing parent directories. If the file already holds data
    /// and some migration is pending, first copies it to
    /// `<path>.bak-<unix ms>` (keeping the newest [`BACKUPS_KEPT`]). Then
    /// applies pending migrations and, when no other process has the
    /// database open (a shared lock on [`lock_path`], held until the last
    /// clone is dropped), runs [`Store::recover_interrupted`].
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] if the file is not a SQLite database (it is
    /// not modified), [`StoreError::Io`] for directory or backup problems,
    /// [`StoreError::Open`]/[`StoreError::Pool`] if SQLite cannot open it,
    /// [`StoreError::Migration`] if the schema cannot be updated.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let path = path.to_owned();
        tokio::task::spawn_blocking(move || Self::open_blocking(&path)).await?
    }

    /// Opens a fresh private in-memory database with the full schema, for
    /// tests: one connection, gone when the last clone is dropped.
    ///
    /// # Errors
    /// [`StoreError::Pool`] or [`StoreError::Migration`] (not expected).
    pub async fn open_in_memory() -> Result<Self, StoreError> {
        tokio::task::spawn_blocking(|| {
            let pool = connection::memory_pool()?;
            migrate::run_pending(&mut *pool.get()?)?;
            Ok(Self {
                pool,
                _instance: None,
            })
        })
        .await?
    }

    /// The settings SQLite reports on a pooled connection (journal mode,
    /// foreign keys, busy timeout, synchronous, version), for diagnostics.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn connection_info(&self) -> Result<ConnectionInfo, StoreError> {
        self.run(connection::read_info).await
    }

    /// Blocking body of [`Store::open`].
    ///
    /// The order matters: the instance lock comes first, so one opener at
    /// a time probes, backs up, migrates and recovers (another one waits
    /// for the shared lock); one connection then migrates and switches the
    /// file to WAL before the pool opens its connections, which would
    /// otherwise race for the first write (`database is locked`).
    fn open_blocking(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            files::create_private_dir(dir)?;
        }
        let url = path.to_str().ok_or_else(|| migrate::non_utf8(path))?;
        let (lock, recovery) = instance::InstanceLock::acquire(path)?;
        if recovery == instance::Recovery::Skip {
            // Another process has the database open: wait out its
            // exclusive start (a migration or a recovery) before reading.
            lock.share()?;
        }
        let has_data = match std::fs::metadata(path) {
            Ok(meta) => meta.len() > 0,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(source) => {
                return Err(StoreError::Io {
                    action: "cannot read",
                    path: path.to_owned(),
                    source,
                });
            }
        };
        if has_data {
            // A plain connection without pragmas: it never writes, so a
            // foreign file is reported as Corrupt and left as it was, and
            // one a newer ValeChat changed is refused untouched.
            let mut probe = connection::open_probe(path, url)?;
            if let Some(version) = migrate::unknown_applied(&mut probe)? {
                return Err(StoreError::NewerDatabase {
                    path: path.to_owned(),
                    version,
                });
            }
            if migrate::has_pending(&mut probe)? {
                migrate::backup(&mut probe, path, now_ms())?;
            }
        } else {
            files::create_private_file(path)?;
        }
        let mut conn = connection::open_single(path, url)?;
        migrate::run_pending(&mut conn)?;
        if recovery == instance::Recovery::Run {
            let recovered = messages::recover(&mut conn)? + tool_calls::recover(&mut conn)?;
            if recovered > 0 {
                tracing::info!(
                    recovered,
                    "messages interrupted by a previous run marked incomplete"
                );
            }
            // Their requests are recorded as estimated usage by the engine
            // (`Engine::settle_interrupted`).
            let interrupted = reservations::mark_interrupted(&mut conn)?;
            if interrupted > 0 {
                tracing::info!(interrupted, "requests interrupted by a previous run");
            }
        }
        drop(conn);
        let pool = connection::file_pool(url)?;
        lock.share()?;
        Ok(Self {
            pool,
            _instance: Some(std::sync::Arc::new(lock)),
        })
    }

    /// Runs `work` with a pooled connection on the blocking thread pool.
    async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut SqliteConnection) -> Result<T, StoreError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await?
    }
}

/// Now as UTC unix milliseconds.
fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;

    use super::*;
    use crate::model::Role;

    /// SQLite's page limit stands in for a full disk: both give `SQLITE_FULL`.
    #[tokio::test]
    async fn full_disk_is_a_clear_error() -> Result<(), Box<dyn std::error::Error>> {
        let store = Store::open_in_memory().await?;
        let conversation = store
            .create_conversation(NewConversation {
                title: "Big".into(),
                ..NewConversation::default()
            })
            .await?;
        // The in-memory pool has one connection, so this limit applies to
        // every call below.
        store
            .pool
            .get()?
            .batch_execute("PRAGMA max_page_count = 1;")?;
        let result = store
            .insert_message(NewMessage {
                conversation_id: conversation.id,
                role: Role::User,
                content: "x".repeat(1 << 20),
                status: MessageStatus::Complete,
                provider_id: None,
                model: None,
            })
            .await;
        let error = result
            .err()
            .ok_or("insert into a full database succeeded")?;
        assert!(
            matches!(
                error,
                StoreError::DiskFull {
                    what: "inserting a message"
                }
            ),
            "{error:?}"
        );
        assert!(error.to_string().contains("disk is full"), "{error}");
        assert!(store.list_messages(conversation.id).await?.is_empty());
        Ok(())
    }
}
