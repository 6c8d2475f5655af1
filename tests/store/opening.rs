//! Opening a database safely (issue 13, points 10 and 11): files only the
//! user can read, a database from a newer ValeChat refused untouched, one
//! opener at a time through the start (lock, probe, backup, migrate), and a
//! first start without `database is locked`.

use std::error::Error;
use std::fs::File;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use valechat_core::store::{Store, StoreError};

type TestResult = Result<(), Box<dyn Error>>;

/// The permission bits of `path`.
fn mode(path: &Path) -> Result<u32, Box<dyn Error>> {
    Ok(std::fs::metadata(path)?.permissions().mode() & 0o777)
}

/// Files beside `path` whose names start with its name and `.bak-`.
fn backups(path: &Path) -> Result<Vec<String>, Box<dyn Error>> {
    let name = path.file_name().ok_or("no name")?.to_string_lossy();
    let prefix = format!("{name}.bak-");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(path.parent().ok_or("no parent")?)? {
        let file = entry?.file_name().to_string_lossy().into_owned();
        if file.starts_with(&prefix) {
            found.push(file);
        }
    }
    Ok(found)
}

/// The migration versions the database at `url` records, in order.
fn applied(url: &str) -> Result<Vec<String>, Box<dyn Error>> {
    #[derive(QueryableByName)]
    struct Version {
        #[diesel(sql_type = diesel::sql_types::Text)]
        version: String,
    }
    let rows: Vec<Version> =
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations ORDER BY version")
            .load(&mut super::sqlite::connect(url)?)?;
    Ok(rows.into_iter().map(|r| r.version).collect())
}

/// A database as an older ValeChat left it: diesel's migrations table
/// with none of today's migrations applied, and a table of its own with
/// data (`legacy_notes`).
pub(super) fn older_database(path: &Path) -> TestResult {
    let mut conn = super::sqlite::connect(path.to_str().ok_or("non-UTF-8 path")?)?;
    conn.batch_execute(
        "CREATE TABLE __diesel_schema_migrations (
             version VARCHAR(50) PRIMARY KEY NOT NULL,
             run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
         CREATE TABLE legacy_notes (body TEXT NOT NULL);
         INSERT INTO legacy_notes VALUES ('keep me');",
    )?;
    Ok(())
}

#[tokio::test]
async fn a_new_database_and_its_folder_are_the_users_alone() -> TestResult {
    let dir = tempfile::tempdir()?;
    let folder = dir.path().join("data").join("valechat");
    let path = folder.join("valechat.db");
    let store = Store::open(&path).await?;
    // A write, so that SQLite's WAL files exist.
    store
        .create_conversation(valechat_core::store::NewConversation::default())
        .await?;
    assert_eq!(mode(&folder)?, 0o700, "the data folder");
    assert_eq!(
        mode(dir.path().join("data").as_path())?,
        0o700,
        "its parent, created too"
    );
    for name in [
        "valechat.db",
        "valechat.db.lock",
        "valechat.db-wal",
        "valechat.db-shm",
    ] {
        assert_eq!(mode(&folder.join(name))?, 0o600, "{name}");
    }
    drop(store);
    // A backup taken before a migration is private as well.
    let older = folder.join("older.db");
    older_database(&older)?;
    drop(Store::open(&older).await?);
    let copies = backups(&older)?;
    assert_eq!(copies.len(), 1, "{copies:?}");
    assert_eq!(mode(&folder.join(&copies[0]))?, 0o600, "{}", copies[0]);
    Ok(())
}

#[tokio::test]
async fn a_database_from_a_newer_valechat_is_refused_untouched() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("valechat.db");
    drop(Store::open(&path).await?);
    let url = path.to_str().ok_or("non-UTF-8 path")?.to_owned();
    super::sqlite::connect(&url)?.batch_execute(
        "INSERT INTO __diesel_schema_migrations (version) VALUES ('29990101000000');",
    )?;
    let before = applied(&url)?;
    let refused = Store::open(&path).await;
    let Err(StoreError::NewerDatabase { version, .. }) = &refused else {
        panic!("opened a newer database: {:?}", refused.map(|_| ()));
    };
    assert_eq!(version, "29990101000000");
    let message =
        valechat_core::chat::EngineError::from(refused.err().ok_or("no error")?).user_message();
    assert!(message.contains("newer version of ValeChat"), "{message}");
    assert_eq!(applied(&url)?, before, "the schema changed");
    assert!(backups(&path)?.is_empty(), "a backup was taken");
    Ok(())
}

#[tokio::test]
async fn an_opener_waits_for_another_ones_start_before_touching_the_file() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("valechat.db");
    older_database(&path)?;
    // Another process in its exclusive start (migrating, recovering).
    let lock = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.path().join("valechat.db.lock"))?;
    lock.lock()?;
    let opening = tokio::spawn({
        let path = path.clone();
        async move { Store::open(&path).await }
    });
    // However long the other start takes, nothing is read, copied or
    // migrated meanwhile (before the fix the backup was taken at once).
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!opening.is_finished(), "opened during another's start");
    assert!(
        backups(&path)?.is_empty(),
        "backed up during another's start"
    );
    lock.unlock()?;
    let store = tokio::time::timeout(Duration::from_secs(20), opening).await???;
    assert!(store.list_conversations().await?.is_empty());
    assert_eq!(backups(&path)?.len(), 1);
    Ok(())
}
