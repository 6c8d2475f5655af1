//! Which processes have the database open: the window, `valechat chat` in a
//! terminal and the MCP-server mode may all use one database at once.
//!
//! Opening the store marks replies and tool calls left `streaming` /
//! `running` as interrupted. That is right after a crash, and wrong while
//! another ValeChat process is streaming into those rows. So every
//! [`Store`](super::Store) on a file holds an advisory lock (`flock`) on
//! `<database>.lock` for as long as it lives: shared while in use,
//! exclusive only during the recovery at open. Recovery runs only when the
//! exclusive lock is granted at once, i.e. when no other process has the
//! database open. The lock dies with the process (the kernel releases it),
//! so a crash never leaves it behind.
//!
//! Where the file system cannot lock (some network mounts) the old rule
//! applies: recovery runs, with a warning in the log.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use super::error::StoreError;

/// The lock file next to the database `db`: `<db>.lock`.
#[must_use]
pub fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// One process's hold on the database.
#[derive(Debug)]
pub(crate) struct InstanceLock {
    /// `None` where the file system cannot lock.
    file: Option<File>,
    path: PathBuf,
}

/// Whether this process may treat in-progress rows as interrupted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Recovery {
    /// No other process has the database open (or locking is unsupported).
    Run,
    /// Another ValeChat process has it open: its rows are live.
    Skip,
}

impl InstanceLock {
    /// Opens (creating) the lock file of `db` and tries the exclusive lock.
    ///
    /// # Errors
    /// [`StoreError::Io`] when the lock file cannot be created or opened
    /// (the same causes would stop SQLite from opening the database).
    pub(crate) fn acquire(db: &Path) -> Result<(Self, Recovery), StoreError> {
        let path = lock_path(db);
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, super::files::PRIVATE_FILE_MODE);
        let file = options.open(&path).map_err(|source| StoreError::Io {
            action: "cannot open the lock file",
            path: path.clone(),
            source,
        })?;
        match file.try_lock() {
            Ok(()) => Ok((
                Self {
                    file: Some(file),
                    path,
                },
                Recovery::Run,
            )),
            Err(TryLockError::WouldBlock) => Ok((
                Self {
                    file: Some(file),
                    path,
                },
                Recovery::Skip,
            )),
            Err(TryLockError::Error(error)) => {
                tracing::warn!(
                    path = %path.display(),
                    %error,
                    "the database's lock file cannot be locked; another ValeChat process's replies may be marked interrupted"
                );
                Ok((Self { file: None, path }, Recovery::Run))
            }
        }
    }

    /// Settles on the shared lock for the rest of the store's life (from the
    /// exclusive one, or waiting out another opener's short recovery).
    ///
    /// # Errors
    /// [`StoreError::Io`] when the lock cannot be taken.
    pub(crate) fn share(&self) -> Result<(), StoreError> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        let io = |source| StoreError::Io {
            action: "cannot lock",
            path: self.path.clone(),
            source,
        };
        // flock converts in place; unlocking first keeps the conversion
        // from deadlocking against another process's conversion.
        file.unlock().map_err(io)?;
        file.lock_shared().map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_opener_recovers_and_later_ones_do_not_until_all_close() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("valechat.db");
        assert_eq!(lock_path(&db), dir.path().join("valechat.db.lock"));

        let (first, recovery) = InstanceLock::acquire(&db).unwrap();
        assert_eq!(recovery, Recovery::Run);
        first.share().unwrap();
        let (second, recovery) = InstanceLock::acquire(&db).unwrap();
        assert_eq!(recovery, Recovery::Skip, "the first still has it open");
        second.share().unwrap();
        drop(first);
        let (third, recovery) = InstanceLock::acquire(&db).unwrap();
        assert_eq!(recovery, Recovery::Skip, "the second still has it open");
        third.share().unwrap();
        drop((second, third));
        let (_fourth, recovery) = InstanceLock::acquire(&db).unwrap();
        assert_eq!(recovery, Recovery::Run, "everyone closed it");
    }
}
