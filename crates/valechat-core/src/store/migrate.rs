//! Schema migrations embedded from `migrations/`, and the backup copy taken
//! before they change an existing database (DESIGN.md, Storage).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::sqlite::Sqlite;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::error::StoreError;

/// Every migration under `migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// How many `<db>.bak-<unix ms>` copies are kept next to the database.
pub const BACKUPS_KEPT: usize = 3;

/// Table `diesel_migrations` records applied versions in.
const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

/// A single text column selected `AS value`.
#[derive(QueryableByName)]
struct TextValue {
    #[diesel(sql_type = Text)]
    value: String,
}

/// Whether some embedded migration is not yet applied to `conn`'s database.
///
/// Unlike `MigrationHarness::has_pending_migration` this only reads: it does
/// not create the migrations table, so the backup taken next shows the file
/// exactly as the previous version left it.
pub(crate) fn has_pending(conn: &mut SqliteConnection) -> Result<bool, StoreError> {
    let applied = applied_versions(conn)?;
    Ok(embedded_versions()?
        .iter()
        .any(|version| !applied.contains(version)))
}

/// The newest migration applied to `conn`'s database that this build does
/// not embed: `Some(version)` for a database a newer ValeChat has
/// changed, which this one must not touch. Only reads.
pub(crate) fn unknown_applied(conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
    let embedded = embedded_versions()?;
    Ok(applied_versions(conn)?
        .into_iter()
        .filter(|version| !embedded.contains(version))
        .max())
}

/// Versions of the embedded migrations.
fn embedded_versions() -> Result<HashSet<String>, StoreError> {
    let embedded = diesel::migration::MigrationSource::<Sqlite>::migrations(&MIGRATIONS)
        .map_err(|source| StoreError::Migration { source })?;
    Ok(embedded
        .iter()
        .map(|m| m.name().version().to_string())
        .collect())
}

/// Versions recorded as applied in `conn`'s database (none without the
/// migrations table). Only reads.
fn applied_versions(conn: &mut SqliteConnection) -> Result<HashSet<String>, StoreError> {
    const WHAT: &str = "listing applied migrations";
    let tables: Vec<TextValue> = diesel::sql_query(
        "SELECT name AS value FROM sqlite_master WHERE type = 'table' AND name = ?",
    )
    .bind::<Text, _>(MIGRATIONS_TABLE)
    .load(conn)
    .map_err(StoreError::during(WHAT))?;
    if tables.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(
        diesel::sql_query(format!("SELECT version AS value FROM {MIGRATIONS_TABLE}"))
            .load::<TextValue>(conn)
            .map_err(StoreError::during(WHAT))?
            .into_iter()
            .map(|row| row.value)
            .collect(),
    )
}

/// Applies every pending migration, each in its own transaction.
pub(crate) fn run_pending(conn: &mut SqliteConnection) -> Result<(), StoreError> {
    conn.run_pending_migrations(MIGRATIONS)
        .map(|_| ())
        .map_err(|source| StoreError::Migration { source })
}

/// Copies the database behind `conn` to `<path>.bak-<now_ms>` with
/// `VACUUM INTO` (a consistent, compacted copy; <https://sqlite.org/lang_vacuum.html#vacuuminto>),
/// then deletes all but the newest [`BACKUPS_KEPT`] backups. Returns the copy's path.
pub(crate) fn backup(
    conn: &mut SqliteConnection,
    path: &Path,
    now_ms: i64,
) -> Result<PathBuf, StoreError> {
    let target = backup_path(path, now_ms);
    let target_str = target.to_str().ok_or_else(|| non_utf8(&target))?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(target_str)
        .execute(conn)
        .map_err(StoreError::during("copying the database before migrating"))?;
    super::files::make_private(&target)?;
    tracing::info!(backup = %target.display(), "database backed up before migration");
    prune_backups(path)?;
    Ok(target)
}

/// `<path>.bak-<ms>`.
fn backup_path(path: &Path, ms: i64) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".bak-{ms}"));
    PathBuf::from(name)
}

/// Deletes the oldest `<path>.bak-<ms>` files beyond [`BACKUPS_KEPT`].
fn prune_backups(path: &Path) -> Result<(), StoreError> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let Some(prefix) = path
        .file_name()
        .and_then(|n| n.to_str())
        .map(|n| format!("{n}.bak-"))
    else {
        return Ok(());
    };
    let entries = std::fs::read_dir(dir).map_err(|source| StoreError::Io {
        action: "cannot list the backups in",
        path: dir.to_owned(),
        source,
    })?;
    let mut backups: Vec<(i64, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name();
            let ms = name.to_str()?.strip_prefix(&prefix)?.parse::<i64>().ok()?;
            Some((ms, entry.path()))
        })
        .collect();
    backups.sort_unstable_by_key(|b| std::cmp::Reverse(b.0));
    for (_, old) in backups.iter().skip(BACKUPS_KEPT) {
        std::fs::remove_file(old).map_err(|source| StoreError::Io {
            action: "cannot delete the old backup",
            path: old.clone(),
            source,
        })?;
    }
    Ok(())
}

/// The error for a path SQLite cannot be given (it takes UTF-8).
pub(crate) fn non_utf8(path: &Path) -> StoreError {
    StoreError::Io {
        action: "the database path is not valid UTF-8:",
        path: path.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "path is not UTF-8"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_path_appends_suffix() {
        assert_eq!(
            backup_path(Path::new("/d/valechat.db"), 17),
            PathBuf::from("/d/valechat.db.bak-17")
        );
    }

    #[test]
    fn prune_keeps_newest_three_and_ignores_other_files() -> Result<(), Box<dyn std::error::Error>>
    {
        let dir = tempfile::tempdir()?;
        let db = dir.path().join("valechat.db");
        for ms in [5, 100, 30, 2000, 7] {
            std::fs::write(backup_path(&db, ms), b"x")?;
        }
        std::fs::write(dir.path().join("valechat.db.bak-notes"), b"x")?;
        std::fs::write(dir.path().join("other.db.bak-1"), b"x")?;
        prune_backups(&db)?;
        let mut left: Vec<String> = std::fs::read_dir(dir.path())?
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<Result<_, _>>()?;
        left.sort();
        assert_eq!(
            left,
            [
                "other.db.bak-1",
                "valechat.db.bak-100",
                "valechat.db.bak-2000",
                "valechat.db.bak-30",
                "valechat.db.bak-notes",
            ]
        );
        Ok(())
    }
}
