//! Connections: the settings every pooled connection gets, the pool itself,
//! and a read-only probe that tells a damaged file from a database.

use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::sql_types::{BigInt, Text};

use super::error::{StoreError, is_corrupt};

/// The pool type behind [`Store`](super::Store).
pub(crate) type SqlitePool = Pool<ConnectionManager<SqliteConnection>>;

/// How long a writer waits for another writer before `SQLITE_BUSY`, in ms.
pub const BUSY_TIMEOUT_MS: i64 = 5000;

/// Connections kept for a file database: a few readers next to the one
/// writer WAL allows.
const FILE_POOL_SIZE: u32 = 4;

/// Connections a file database opens at once; the others open when two
/// calls overlap. Each connection parses the schema and keeps its own page
/// cache, so opening all of them up front cost start-up time and memory the
/// app rarely needs (issue 12, start-up).
const FILE_POOL_MIN_IDLE: u32 = 1;

/// Threads the pool opens connections and reaps idle ones on. r2d2's
/// default is three; one is plenty for a pool of [`FILE_POOL_SIZE`], and
/// each thread keeps its own stack and malloc arena (issue 12, start-up
/// memory).
const POOL_THREADS: usize = 1;

/// How long `pool.get()` waits for a connection.
const POOL_TIMEOUT: Duration = Duration::from_secs(10);

/// Settings run on every new connection, in this order: the busy timeout
/// first so that switching to WAL waits for other writers
/// (<https://sqlite.org/pragma.html>).
const CONNECTION_PRAGMAS: &str = "PRAGMA busy_timeout = 5000;
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = ON;";

/// Applies [`CONNECTION_PRAGMAS`] to each connection the pool opens.
#[derive(Debug, Clone, Copy)]
struct ConnectionSettings;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for ConnectionSettings {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(CONNECTION_PRAGMAS)
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Opens the pool for the database file at `url` (a UTF-8 path).
pub(crate) fn file_pool(url: &str) -> Result<SqlitePool, StoreError> {
    let threads = scheduled_thread_pool::ScheduledThreadPool::builder()
        .num_threads(POOL_THREADS)
        .thread_name_pattern("r2d2-worker-{}")
        .build();
    Ok(Pool::builder()
        .max_size(FILE_POOL_SIZE)
        .min_idle(Some(FILE_POOL_MIN_IDLE))
        .thread_pool(std::sync::Arc::new(threads))
        .connection_timeout(POOL_TIMEOUT)
        .connection_customizer(Box::new(ConnectionSettings))
        .build(ConnectionManager::new(url))?)
}

/// Opens one connection to the database file at `url` with the pool's
/// settings (WAL among them), outside the pool: the one that migrates it.
pub(crate) fn open_single(path: &Path, url: &str) -> Result<SqliteConnection, StoreError> {
    let mut conn = SqliteConnection::establish(url).map_err(|source| StoreError::Open {
        path: path.to_owned(),
        source,
    })?;
    conn.batch_execute(CONNECTION_PRAGMAS)
        .map_err(StoreError::during("setting up the database connection"))?;
    Ok(conn)
}

/// Opens a private in-memory database behind a pool of exactly one
/// connection that is never recycled (every `:memory:` connection is its own
/// database, so closing it would lose the data).
pub(crate) fn memory_pool() -> Result<SqlitePool, StoreError> {
    Ok(Pool::builder()
        .max_size(1)
        .min_idle(Some(1))
        .idle_timeout(None)
        .max_lifetime(None)
        .connection_timeout(POOL_TIMEOUT)
        .connection_customizer(Box::new(ConnectionSettings))
        .build(ConnectionManager::new(":memory:"))?)
}

/// Opens `path` without changing it and checks that SQLite can read its
/// schema. A file that is not a database gives [`StoreError::Corrupt`].
pub(crate) fn open_probe(path: &Path, url: &str) -> Result<SqliteConnection, StoreError> {
    let mut conn = SqliteConnection::establish(url).map_err(|source| StoreError::Open {
        path: path.to_owned(),
        source,
    })?;
    // The busy timeout first: another process (the window, while `valechat`
    // runs in a terminal) may hold a lock for a moment, e.g. while one of its
    // connections closes and checks whether it may checkpoint.
    let probe = conn
        .batch_execute("PRAGMA busy_timeout = 5000;")
        .and_then(|()| {
            diesel::sql_query("SELECT count(*) AS n FROM sqlite_master")
                .get_result::<Count>(&mut conn)
        });
    match probe {
        Ok(_) => Ok(conn),
        Err(error) if is_corrupt(&error) => Err(StoreError::Corrupt {
            path: path.to_owned(),
            detail: error.to_string(),
        }),
        Err(error) => Err(StoreError::query("reading the database schema", error)),
    }
}

/// A single `count(*)` result.
#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    #[allow(dead_code)] // read only to force SQLite to parse the schema
    n: i64,
}

/// Settings in force on a pooled connection, as SQLite reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionInfo {
    /// `PRAGMA journal_mode`: `"wal"` for a file, `"memory"` in memory.
    pub journal_mode: String,
    /// `PRAGMA foreign_keys`.
    pub foreign_keys: bool,
    /// `PRAGMA busy_timeout`, milliseconds.
    pub busy_timeout_ms: i64,
    /// `PRAGMA synchronous`: 0 off, 1 normal, 2 full, 3 extra.
    pub synchronous: i64,
    /// `sqlite_version()`, e.g. `"3.50.2"`.
    pub sqlite_version: String,
}

/// One text value of a pragma or function, selected `AS value`.
#[derive(QueryableByName)]
struct TextValue {
    #[diesel(sql_type = Text)]
    value: String,
}

/// One integer value of a pragma, selected `AS value`.
#[derive(QueryableByName)]
struct IntValue {
    #[diesel(sql_type = BigInt)]
    value: i64,
}

/// Reads [`ConnectionInfo`] from `conn`.
pub(crate) fn read_info(conn: &mut SqliteConnection) -> Result<ConnectionInfo, StoreError> {
    const WHAT: &str = "reading connection settings";
    let text = |conn: &mut SqliteConnection, sql: &str| {
        diesel::sql_query(sql)
            .get_result::<TextValue>(conn)
            .map(|row| row.value)
            .map_err(StoreError::during(WHAT))
    };
    let int = |conn: &mut SqliteConnection, sql: &str| {
        diesel::sql_query(sql)
            .get_result::<IntValue>(conn)
            .map(|row| row.value)
            .map_err(StoreError::during(WHAT))
    };
    Ok(ConnectionInfo {
        journal_mode: text(
            conn,
            "SELECT journal_mode AS value FROM pragma_journal_mode",
        )?,
        foreign_keys: int(
            conn,
            "SELECT foreign_keys AS value FROM pragma_foreign_keys",
        )? != 0,
        busy_timeout_ms: int(conn, "SELECT timeout AS value FROM pragma_busy_timeout")?,
        synchronous: int(conn, "SELECT synchronous AS value FROM pragma_synchronous")?,
        sqlite_version: text(conn, "SELECT sqlite_version() AS value")?,
    })
}
