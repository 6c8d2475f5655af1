//! The database's files are the user's alone: the data folder ValeChat
//! creates is `0700`, the database, its lock file and its backups `0600`
//! (SQLite gives the `-wal` and `-shm` files the database's mode). A
//! folder or file that already exists keeps its mode: the user may have
//! chosen it.

use std::fs::{DirBuilder, OpenOptions};
use std::io::ErrorKind;
use std::path::Path;

use super::error::StoreError;

/// Mode of the folders ValeChat creates for its data.
#[cfg(unix)]
pub const PRIVATE_DIR_MODE: u32 = 0o700;
/// Mode of the database files ValeChat creates.
#[cfg(unix)]
pub const PRIVATE_FILE_MODE: u32 = 0o600;

/// Creates `dir` and its missing parents, owner-only.
///
/// # Errors
/// [`StoreError::Io`] when a folder cannot be created.
pub(crate) fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    let mut builder = DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, PRIVATE_DIR_MODE);
    builder.create(dir).map_err(|source| StoreError::Io {
        action: "cannot create the directory",
        path: dir.to_owned(),
        source,
    })
}

/// Creates the empty file `path`, owner-only, unless it exists.
///
/// # Errors
/// [`StoreError::Io`] when it cannot be created.
pub(crate) fn create_private_file(path: &Path) -> Result<(), StoreError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, PRIVATE_FILE_MODE);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(StoreError::Io {
            action: "cannot create",
            path: path.to_owned(),
            source,
        }),
    }
}

/// Makes the file ValeChat just wrote at `path` owner-only.
///
/// # Errors
/// [`StoreError::Io`] when its mode cannot be changed.
pub(crate) fn make_private(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(PRIVATE_FILE_MODE))
            .map_err(|source| StoreError::Io {
                action: "cannot make private",
                path: path.to_owned(),
                source,
            })?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
