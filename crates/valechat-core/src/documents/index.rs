//! Indexing a library: a file or folder walked, each new or changed file
//! extracted, chunked and written with its state in one transaction.
//!
//! Resumable: each file is committed on its own, so a run killed half
//! way keeps the files it finished, and the next run skips every file
//! whose size and modification time are those recorded (a touched file
//! whose SHA-256 is unchanged keeps its chunks too). A changed file's
//! chunks are replaced, no other file's. Files gone from a folder lose
//! their rows once a run over that folder completes.
//!
//! Hidden folders (`.git`…) are not entered; hidden files are recorded as
//! skipped. Symbolic links are not followed. Progress is reported after
//! each file ([`Progress`]: files done of the total, and what became of
//! the file); the callback can stop the run.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use gettextrs::gettext;
use sha2::{Digest, Sha256};

use super::DocumentError;
use super::chunk::chunk;
use super::extract::{MAX_FILE_BYTES, extract_bytes};
use crate::store::{
    DocumentRecord, DocumentState, Library, NewChunk, NewDocument, Store, StoreError,
};

/// What became of one file in a run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "lowercase")]
pub enum FileOutcome {
    /// Extracted, chunked and written: how many chunks.
    Indexed {
        /// Chunks written.
        chunks: u32,
    },
    /// Same size, time (or content) as recorded: left as it was.
    Unchanged,
    /// It could not be read: why, for the user.
    Failed {
        /// The sentence ([`DocumentError::user_message`]).
        reason: String,
    },
    /// Not a document (binary, too large, hidden): why.
    Skipped {
        /// The sentence.
        reason: String,
    },
    /// Gone from its folder: its rows were deleted.
    Removed,
}

/// Where a run is, after each file.
#[derive(Debug, Clone)]
pub struct Progress<'a> {
    /// Files handled so far, this one included.
    pub done: usize,
    /// Files found under the source.
    pub total: usize,
    /// The file just handled.
    pub path: &'a Path,
    /// What became of it.
    pub outcome: &'a FileOutcome,
}

/// The result of a run: each file and its outcome, in walk order.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct IndexSummary {
    /// Every file handled.
    pub files: Vec<(PathBuf, FileOutcome)>,
    /// Whether the progress callback stopped the run before the end.
    pub interrupted: bool,
}

impl IndexSummary {
    /// How many files had an outcome matching `test`.
    #[must_use]
    pub fn count(&self, test: impl Fn(&FileOutcome) -> bool) -> usize {
        self.files.iter().filter(|(_, o)| test(o)).count()
    }
}

/// Why a run could not start or go on (a single file's problem is its
/// [`FileOutcome`] instead).
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The path given does not exist or cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Path {
        /// The path.
        path: PathBuf,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The extraction task panicked or was cancelled.
    #[error("the indexing task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

/// Adds `path` (a file or folder) to `library` and indexes what changed
/// under it, calling `progress` after each file (return
/// `ControlFlow::Break` to stop: what is done stays done).
///
/// # Errors
/// [`IndexError::Path`] when `path` does not exist, [`IndexError::Store`].
pub async fn index_path(
    store: &Store,
    library: &Library,
    path: &Path,
    mut progress: impl FnMut(&Progress<'_>) -> ControlFlow<()>,
) -> Result<IndexSummary, IndexError> {
    let root = std::fs::canonicalize(path).map_err(|source| IndexError::Path {
        path: path.to_owned(),
        source,
    })?;
    let source = store.add_library_source(library.id, &root).await?;
    let walk_root = root.clone();
    let files = tokio::task::spawn_blocking(move || walk(&walk_root)).await?;
    let total = files.len();
    let mut summary = IndexSummary::default();
    for (done, file) in files.iter().enumerate() {
        let outcome = index_file(store, library.id, source.id, file).await?;
        let flow = progress(&Progress {
            done: done + 1,
            total,
            path: &file.path,
            outcome: &outcome,
        });
        summary.files.push((file.path.clone(), outcome));
        if flow.is_break() {
            summary.interrupted = true;
            return Ok(summary);
        }
    }
    // Files that were under this source and are gone.
    let seen: std::collections::HashSet<&Path> = files.iter().map(|f| f.path.as_path()).collect();
    for document in store.library_documents(library.id, Some(source.id)).await? {
        if !seen.contains(document.path.as_path()) {
            store.delete_document(document.id).await?;
            summary.files.push((document.path, FileOutcome::Removed));
        }
    }
    Ok(summary)
}

/// A file found by the walk.
#[derive(Debug)]
struct Found {
    path: PathBuf,
    /// Whether its name starts with a dot.
    hidden: bool,
}

/// The files at or under `root`, sorted by path; hidden folders are not
/// entered, symbolic links not followed.
fn walk(root: &Path) -> Vec<Found> {
    walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !(e.file_type().is_dir() && is_hidden(e.path())))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| Found {
            hidden: e.depth() > 0 && is_hidden(e.path()),
            path: e.into_path(),
        })
        .collect()
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

/// Indexes one file unless unchanged; returns what became of it.
async fn index_file(
    store: &Store,
    library_id: i64,
    source_id: i64,
    file: &Found,
) -> Result<FileOutcome, IndexError> {
    let path = file.path.clone();
    let (size, modified_at) = match std::fs::metadata(&path) {
        Ok(meta) => (meta.len(), modified_ms(&meta)),
        Err(source) => {
            let reason = DocumentError::Io { path, source }.user_message();
            return Ok(FileOutcome::Failed { reason });
        }
    };
    let existing = store.document_at(library_id, &path).await?;
    if existing
        .as_ref()
        .is_some_and(|d| d.size_bytes == size && d.modified_at == modified_at)
    {
        return Ok(FileOutcome::Unchanged);
    }
    let mut document = NewDocument {
        library_id,
        source_id,
        path: path.clone(),
        format: None,
        size_bytes: size,
        modified_at,
        sha256: None,
        state: DocumentState::Indexed,
        chunks: Vec::new(),
    };
    if file.hidden {
        document.state = DocumentState::Skipped(gettext("It is a hidden file."));
    } else if size > MAX_FILE_BYTES {
        let error = DocumentError::TooLarge {
            path: path.clone(),
            size,
            limit: MAX_FILE_BYTES,
        };
        document.state = DocumentState::Skipped(error.user_message());
    } else {
        let read = tokio::task::spawn_blocking(move || read_and_chunk(&path)).await?;
        match read {
            Read::Unreadable(error) => document.state = failed(&error),
            Read::Read { sha256, result } => {
                if unchanged_content(existing.as_ref(), &sha256) {
                    if let Some(existing) = &existing {
                        store.touch_document(existing.id, modified_at).await?;
                    }
                    return Ok(FileOutcome::Unchanged);
                }
                document.sha256 = Some(sha256);
                match result {
                    Ok((format, chunks)) => {
                        document.format = Some(format.to_owned());
                        document.chunks = chunks;
                    }
                    Err(error) => document.state = failed(&error),
                }
            }
        }
    }
    let outcome = match &document.state {
        DocumentState::Indexed => FileOutcome::Indexed {
            chunks: u32::try_from(document.chunks.len()).unwrap_or(u32::MAX),
        },
        DocumentState::Failed(reason) => FileOutcome::Failed {
            reason: reason.clone(),
        },
        DocumentState::Skipped(reason) => FileOutcome::Skipped {
            reason: reason.clone(),
        },
    };
    store.write_document(document).await?;
    Ok(outcome)
}

/// Whether `existing` was read with this content already.
fn unchanged_content(existing: Option<&DocumentRecord>, sha256: &str) -> bool {
    existing.is_some_and(|d| d.sha256.as_deref() == Some(sha256))
}

/// The state for an extraction error: skipped for what is not a
/// document, failed otherwise.
fn failed(error: &DocumentError) -> DocumentState {
    if error.is_skip() {
        DocumentState::Skipped(error.user_message())
    } else {
        DocumentState::Failed(error.user_message())
    }
}

/// A file read: its hash and its chunks (or why none).
enum Read {
    /// It could not be read at all.
    Unreadable(DocumentError),
    /// Its SHA-256 (lower-case hex) and its format and chunks.
    Read {
        sha256: String,
        result: Result<(&'static str, Vec<NewChunk>), DocumentError>,
    },
}

/// Reads, hashes, extracts and chunks `path` (blocking).
fn read_and_chunk(path: &Path) -> Read {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(source) => {
            return Read::Unreadable(DocumentError::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    let sha256 = Sha256::digest(&bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            use std::fmt::Write as _;
            let _ = write!(hex, "{b:02x}");
            hex
        });
    let result = extract_bytes(path, &bytes).map(|extracted| {
        let chunks = chunk(&extracted)
            .into_iter()
            .map(|c| NewChunk {
                ordinal: c.ordinal,
                text: c.text,
                page: c.page,
                first_line: c.first_line,
                last_line: c.last_line,
                token_count: c.token_count,
            })
            .collect();
        (extracted.format.as_str(), chunks)
    });
    Read::Read { sha256, result }
}

/// A file's modification time in UTC unix milliseconds (0 if unknown).
fn modified_ms(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
