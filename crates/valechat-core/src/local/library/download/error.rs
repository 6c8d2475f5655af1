//! [`DownloadError`]: why a download stopped, and what became of the
//! partial file.

use std::path::PathBuf;

use super::super::files::LibraryError;

/// Why a download stopped. Each says what became of the partial file.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// A repository, file or URL that cannot name a hub file.
    #[error("{0}")]
    BadName(String),
    /// The hub could not be reached or its answer read.
    #[error("could not reach {url}: {error}")]
    Http {
        /// The URL asked.
        url: String,
        /// What reqwest said.
        error: reqwest::Error,
    },
    /// The hub answered with an error status.
    #[error("{url} answered HTTP {status}")]
    Status {
        /// The URL asked.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// The repository does not list the file.
    #[error("the repository {repo} has no file “{file}”")]
    NotListed {
        /// The repository.
        repo: String,
        /// The file asked for.
        file: String,
    },
    /// The hub lists no SHA-256 for the file (not an LFS file).
    #[error("the repository lists no SHA-256 for “{0}” (not an LFS file), so it cannot be checked")]
    NoHash(String),
    /// A model of that name is already in the models folder.
    #[error("{} already exists (see `valechat models list`)", .0.display())]
    Exists(PathBuf),
    /// The free-space check failed: nothing was downloaded.
    #[error(
        "not enough free space in {}: the download needs {needed} more bytes, {available} are free",
        dir.display()
    )]
    NotEnoughSpace {
        /// The models folder.
        dir: PathBuf,
        /// Bytes still to download.
        needed: u64,
        /// Bytes free.
        available: u64,
    },
    /// The disk filled up while writing; the partial file is kept.
    #[error(
        "the disk is full: {} bytes were kept in {} — free some space and run the download again to resume",
        kept, part.display()
    )]
    DiskFull {
        /// The partial file.
        part: PathBuf,
        /// Bytes in it.
        kept: u64,
    },
    /// The connection stopped before the end; the partial file is kept.
    #[error(
        "the download was cut after {kept} of {total} bytes ({reason}); run it again to resume from {}",
        part.display()
    )]
    Interrupted {
        /// The partial file.
        part: PathBuf,
        /// Bytes in it.
        kept: u64,
        /// The file's full size.
        total: u64,
        /// What happened.
        reason: String,
    },
    /// Paused (cancelled) by the user; the partial file is kept.
    #[error("paused after {kept} bytes; run the download again to resume from {}", part.display())]
    Paused {
        /// The partial file.
        part: PathBuf,
        /// Bytes in it.
        kept: u64,
    },
    /// The downloaded bytes do not have the listed SHA-256; the file was
    /// removed.
    #[error(
        "the downloaded file's SHA-256 is {actual}, the repository lists {expected}: the file was removed"
    )]
    HashMismatch {
        /// The listed SHA-256.
        expected: String,
        /// The downloaded bytes' SHA-256.
        actual: String,
    },
    /// A file operation failed.
    #[error("{action} {}: {error}", path.display())]
    Io {
        /// What was attempted.
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The OS error.
        error: std::io::Error,
    },
    /// The downloaded file could not be added to the library (e.g. not a
    /// valid GGUF); it was removed.
    #[error(transparent)]
    Library(#[from] LibraryError),
}
