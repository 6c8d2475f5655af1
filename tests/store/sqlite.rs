//! Plain connections the tests open beside the store, to read or prepare a
//! database file directly.

use std::error::Error;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

/// Opens the database file at `url` (a UTF-8 path) with a 5,000 ms busy
/// timeout, as the store's own connections have.
///
/// Without it, a connection opened just after a `Store` is dropped can get
/// `SQLITE_BUSY` ("database is locked") while the store's last connection
/// closes: closing the last connection to a WAL database checkpoints it and
/// removes the `-wal` file under an exclusive lock
/// (<https://sqlite.org/wal.html#automatic_checkpoint>).
pub(crate) fn connect(url: &str) -> Result<SqliteConnection, Box<dyn Error>> {
    let mut conn = SqliteConnection::establish(url)?;
    conn.batch_execute("PRAGMA busy_timeout = 5000;")?;
    Ok(conn)
}

/// [`connect`] to the database file at `path`.
pub(crate) fn open(path: &std::path::Path) -> Result<SqliteConnection, Box<dyn Error>> {
    connect(path.to_str().ok_or("non-UTF-8 path")?)
}
