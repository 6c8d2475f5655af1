//! Downloading a model from Hugging Face into the library: the file's size
//! and SHA-256 from the hub's API ([`hub`]), a free-space check first
//! ([`space`]), the bytes streamed to `NAME.part` in the models folder with
//! progress, resumed with an HTTP `Range` from the bytes already there
//! (after a cut, a pause or a full disk), the SHA-256 checked at the end,
//! then renamed and added to the library.
//!
//! Choices: a full disk keeps the partial file (free some space and run
//! the download again: it resumes); a wrong hash removes it (its bytes
//! cannot be trusted); a pause ([`CancellationToken`]) keeps it.

mod error;
pub mod hub;
pub mod space;

use std::path::Path;

use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

use crate::store::{LocalModel, ModelOrigin, NewLocalModel, Store};

use super::files::{LibraryError, part_path};
use super::metadata;
pub use error::DownloadError;
pub use hub::{HfFile, RemoteFile};

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> DownloadError {
    let path = path.to_owned();
    move |error| DownloadError::Io {
        action,
        path,
        error,
    }
}

/// The HTTP client downloads use: ValeChat's user agent, redirects
/// followed (the hub sends file bytes from a CDN), no overall timeout (a
/// model is gigabytes) but a 30 s connect timeout.
///
/// # Errors
/// [`DownloadError::Http`] when the TLS set-up fails.
pub fn client() -> Result<reqwest::Client, DownloadError> {
    reqwest::Client::builder()
        .user_agent(concat!("ValeChat/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| DownloadError::Http {
            url: String::new(),
            error: e,
        })
}

/// How far a download is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes on disk, including those resumed from.
    pub downloaded: u64,
    /// The file's size, bytes.
    pub total: u64,
    /// Bytes that were already on disk when this run started.
    pub resumed_from: u64,
}

/// Downloads `file` into `models_dir` and adds it to the library of
/// `store` (origin `downloaded`, its SHA-256 and `hf:` source recorded).
/// `on_progress` is called after each piece written; `cancel` pauses.
///
/// # Errors
/// [`DownloadError`]: each variant says what became of the partial file.
pub async fn download(
    store: &Store,
    client: &reqwest::Client,
    file: &HfFile,
    models_dir: &Path,
    cancel: &CancellationToken,
    on_progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<LocalModel, DownloadError> {
    let remote = hub::remote_file(client, file).await?;
    tokio::fs::create_dir_all(models_dir)
        .await
        .map_err(io("could not create the folder", models_dir))?;
    let target = models_dir.join(file.file_name());
    if target.exists() {
        return Err(DownloadError::Exists(target));
    }
    let part = part_path(&target);
    fetch(client, file, &remote, &part, cancel, on_progress).await?;
    tokio::fs::rename(&part, &target)
        .await
        .map_err(io("could not rename", &part))?;
    let read_from = target.clone();
    let metadata = match tokio::task::spawn_blocking(move || metadata::read(&read_from)).await {
        Ok(Ok(m)) => m,
        Ok(Err(e)) => {
            let _ = tokio::fs::remove_file(&target).await;
            return Err(LibraryError::from(e).into());
        }
        Err(e) => return Err(LibraryError::Store(e.into()).into()),
    };
    let added = store
        .add_local_model(NewLocalModel {
            path: target.clone(),
            origin: ModelOrigin::Downloaded,
            source: Some(file.source()),
            sha256: Some(remote.sha256.clone()),
            metadata,
        })
        .await;
    match added {
        Ok(model) => Ok(model),
        Err(e) => {
            let _ = tokio::fs::remove_file(&target).await;
            Err(LibraryError::from(e).into())
        }
    }
}

/// Brings `part` to `remote`'s full size and checks its SHA-256: resumes
/// from its current length with a `Range` request, after checking that
/// the rest fits in the free space. A wrong hash removes `part`.
///
/// # Errors
/// As [`download`], without the library's.
pub async fn fetch(
    client: &reqwest::Client,
    file: &HfFile,
    remote: &RemoteFile,
    part: &Path,
    cancel: &CancellationToken,
    on_progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<(), DownloadError> {
    let mut have = match tokio::fs::metadata(part).await {
        Ok(m) if m.is_file() => m.len(),
        _ => 0,
    };
    if have > remote.size {
        tokio::fs::remove_file(part)
            .await
            .map_err(io("could not remove", part))?;
        have = 0;
    }
    let dir = part.parent().unwrap_or(Path::new("."));
    let available =
        space::available_bytes(dir).map_err(io("could not read the free space of", dir))?;
    let needed = remote.size - have;
    if needed > available {
        return Err(DownloadError::NotEnoughSpace {
            dir: dir.to_owned(),
            needed,
            available,
        });
    }
    let mut hasher = Sha256::new();
    if have < remote.size {
        have = stream(
            client,
            file,
            remote,
            part,
            have,
            &mut hasher,
            cancel,
            on_progress,
        )
        .await?;
    } else {
        hash_existing(part, have, &mut hasher).await?;
    }
    if have < remote.size {
        return Err(DownloadError::Interrupted {
            part: part.to_owned(),
            kept: have,
            total: remote.size,
            reason: "the server ended the body early".to_owned(),
        });
    }
    let actual = hex(&hasher.finalize());
    if actual != remote.sha256 {
        let _ = tokio::fs::remove_file(part).await;
        return Err(DownloadError::HashMismatch {
            expected: remote.sha256.clone(),
            actual,
        });
    }
    Ok(())
}

/// Requests the bytes from `have` on and appends them to `part`, hashing
/// the whole file; the bytes on disk at the end.
#[allow(clippy::too_many_arguments)] // one call site; a struct would only rename them
async fn stream(
    client: &reqwest::Client,
    file: &HfFile,
    remote: &RemoteFile,
    part: &Path,
    mut have: u64,
    hasher: &mut Sha256,
    cancel: &CancellationToken,
    on_progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<u64, DownloadError> {
    let url = file.resolve_url();
    let mut request = client.get(&url);
    if have > 0 {
        request = request.header(reqwest::header::RANGE, format!("bytes={have}-"));
    }
    let mut response = request.send().await.map_err(|e| DownloadError::Http {
        url: url.clone(),
        error: e,
    })?;
    let status = response.status().as_u16();
    match status {
        206 if have > 0 => hash_existing(part, have, hasher).await?,
        // The server ignored the range (or none was asked): start over.
        200 => have = 0,
        _ => return Err(DownloadError::Status { url, status }),
    }
    let mut out = tokio::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(have > 0)
        .truncate(have == 0)
        .open(part)
        .await
        .map_err(io("could not write", part))?;
    let resumed_from = have;
    on_progress(Progress {
        downloaded: have,
        total: remote.size,
        resumed_from,
    });
    loop {
        let chunk = tokio::select! {
            () = cancel.cancelled() => {
                out.flush().await.map_err(io("could not write", part))?;
                return Err(DownloadError::Paused { part: part.to_owned(), kept: have });
            }
            chunk = response.chunk() => chunk,
        };
        let chunk = match chunk {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) => {
                out.flush().await.map_err(io("could not write", part))?;
                return Err(DownloadError::Interrupted {
                    part: part.to_owned(),
                    kept: have,
                    total: remote.size,
                    reason: e.to_string(),
                });
            }
        };
        let room = usize::try_from(remote.size - have).unwrap_or(usize::MAX);
        let piece = &chunk[..chunk.len().min(room)];
        if let Err(e) = write(&mut out, piece).await {
            let kept = tokio::fs::metadata(part).await.map_or(have, |m| m.len());
            return Err(if e.kind() == std::io::ErrorKind::StorageFull {
                DownloadError::DiskFull {
                    part: part.to_owned(),
                    kept,
                }
            } else {
                io("could not write", part)(e)
            });
        }
        hasher.update(piece);
        have += piece.len() as u64;
        on_progress(Progress {
            downloaded: have,
            total: remote.size,
            resumed_from,
        });
        if have == remote.size {
            break;
        }
    }
    Ok(have)
}

async fn write(out: &mut tokio::fs::File, piece: &[u8]) -> std::io::Result<()> {
    out.write_all(piece).await?;
    out.flush().await
}

/// Feeds the first `len` bytes of `part` to `hasher`.
async fn hash_existing(part: &Path, len: u64, hasher: &mut Sha256) -> Result<(), DownloadError> {
    let file = tokio::fs::File::open(part)
        .await
        .map_err(io("could not read", part))?;
    let mut reader = tokio::io::BufReader::with_capacity(1 << 20, file).take(len);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = reader
            .read(&mut buf)
            .await
            .map_err(io("could not read", part))?;
        if n == 0 {
            return Ok(());
        }
        hasher.update(&buf[..n]);
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
