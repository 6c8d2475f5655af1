//! Hugging Face's hub API, the part a download needs: which file, its
//! SHA-256 and size (`GET /api/models/{repo}/tree/{revision}[/{dir}]`,
//! whose entries list `lfs.oid`, the SHA-256, and `lfs.size` for files kept
//! in Git LFS, as every GGUF is), and where its bytes are
//! (`/{repo}/resolve/{revision}/{file}`).

use serde::Deserialize;

use super::DownloadError;

/// Environment variable naming the hub's base URL, as `huggingface_hub`'s
/// `HF_ENDPOINT` does (tests point it at a local server).
pub const ENDPOINT_ENV: &str = "VALECHAT_HF_ENDPOINT";
/// The hub's base URL when [`ENDPOINT_ENV`] is not set.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";

/// The hub's base URL: `$VALECHAT_HF_ENDPOINT`, else [`DEFAULT_ENDPOINT`];
/// no trailing slash.
#[must_use]
pub fn endpoint() -> String {
    std::env::var(ENDPOINT_ENV)
        .ok()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_ENDPOINT.to_owned())
        .trim_end_matches('/')
        .to_owned()
}

/// A file of a Hugging Face model repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HfFile {
    /// The hub's base URL, e.g. `https://huggingface.co`.
    pub endpoint: String,
    /// `owner/name`.
    pub repo: String,
    /// A branch, tag or commit; `main` by default.
    pub revision: String,
    /// The file's path in the repository, e.g. `model-Q4_K_M.gguf`.
    pub file: String,
}

impl HfFile {
    /// `file` of `repo` at `main` on `endpoint`.
    ///
    /// # Errors
    /// [`DownloadError::BadName`] when `repo` is not `owner/name` or the
    /// file is empty or climbs out of the repository (`..`).
    pub fn new(endpoint: &str, repo: &str, file: &str) -> Result<Self, DownloadError> {
        let parts: Vec<&str> = repo.split('/').collect();
        if parts.len() != 2
            || parts
                .iter()
                .any(|p| p.is_empty() || *p == "." || *p == "..")
        {
            return Err(DownloadError::BadName(format!(
                "“{repo}” is not a repository name (owner/name)"
            )));
        }
        if file.is_empty()
            || file
                .split('/')
                .any(|p| p.is_empty() || p == "." || p == "..")
        {
            return Err(DownloadError::BadName(format!(
                "“{file}” is not a file of a repository"
            )));
        }
        Ok(Self {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            repo: repo.to_owned(),
            revision: "main".to_owned(),
            file: file.to_owned(),
        })
    }

    /// Reads a file URL as the hub gives it:
    /// `{endpoint}/{owner}/{name}/resolve|blob/{revision}/{file}` (a query
    /// such as `?download=true` is ignored).
    ///
    /// # Errors
    /// [`DownloadError::BadName`] for any other URL.
    pub fn from_url(url: &str) -> Result<Self, DownloadError> {
        let bad = || {
            DownloadError::BadName(format!(
                "“{url}” is not a Hugging Face file URL (…/OWNER/NAME/resolve/REVISION/FILE)"
            ))
        };
        let parsed = url::Url::parse(url).map_err(|_| bad())?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(bad());
        }
        let segments: Vec<&str> = parsed.path_segments().ok_or_else(bad)?.collect();
        if segments.len() < 5 || !matches!(segments[2], "resolve" | "blob") {
            return Err(bad());
        }
        let mut endpoint = parsed.clone();
        endpoint.set_path("");
        endpoint.set_query(None);
        endpoint.set_fragment(None);
        let mut file = Self::new(
            endpoint.as_str(),
            &format!("{}/{}", segments[0], segments[1]),
            &segments[4..].join("/"),
        )?;
        segments[3].clone_into(&mut file.revision);
        Ok(file)
    }

    /// Where the bytes are: `{endpoint}/{repo}/resolve/{revision}/{file}`.
    #[must_use]
    pub fn resolve_url(&self) -> String {
        format!(
            "{}/{}/resolve/{}/{}",
            self.endpoint, self.repo, self.revision, self.file
        )
    }

    /// The listing of the file's folder:
    /// `{endpoint}/api/models/{repo}/tree/{revision}[/{dir}]`.
    #[must_use]
    pub fn tree_url(&self) -> String {
        let base = format!(
            "{}/api/models/{}/tree/{}",
            self.endpoint, self.repo, self.revision
        );
        match self.file.rsplit_once('/') {
            Some((dir, _)) => format!("{base}/{dir}"),
            None => base,
        }
    }

    /// The file's name, without its folders.
    #[must_use]
    pub fn file_name(&self) -> &str {
        self.file.rsplit('/').next().unwrap_or(&self.file)
    }

    /// How the library records where it came from: `hf:REPO/FILE@REVISION`.
    #[must_use]
    pub fn source(&self) -> String {
        format!("hf:{}/{}@{}", self.repo, self.file, self.revision)
    }
}

/// What the hub lists about a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteFile {
    /// Its size, bytes.
    pub size: u64,
    /// Its SHA-256, lower-case hex.
    pub sha256: String,
}

#[derive(Deserialize)]
struct TreeEntry {
    path: String,
    #[serde(default)]
    lfs: Option<Lfs>,
}

#[derive(Deserialize)]
struct Lfs {
    oid: String,
    size: u64,
}

/// Asks the hub for `file`'s size and SHA-256.
///
/// # Errors
/// [`DownloadError::Http`]/[`DownloadError::Status`] when the hub cannot be
/// reached or answers with an error (404: no such repository or
/// revision); [`DownloadError::NotListed`] when the file is not in the
/// listing; [`DownloadError::NoHash`] when it is not an LFS file (the hub
/// then lists no SHA-256).
pub async fn remote_file(
    client: &reqwest::Client,
    file: &HfFile,
) -> Result<RemoteFile, DownloadError> {
    let url = file.tree_url();
    let response = client
        .get(&url)
        .send()
        .await
        .map_err(|e| DownloadError::Http {
            url: url.clone(),
            error: e,
        })?;
    if !response.status().is_success() {
        return Err(DownloadError::Status {
            url,
            status: response.status().as_u16(),
        });
    }
    let entries: Vec<TreeEntry> = response.json().await.map_err(|e| DownloadError::Http {
        url: url.clone(),
        error: e,
    })?;
    let entry = entries
        .into_iter()
        .find(|e| e.path == file.file)
        .ok_or_else(|| DownloadError::NotListed {
            repo: file.repo.clone(),
            file: file.file.clone(),
        })?;
    let lfs = entry
        .lfs
        .ok_or_else(|| DownloadError::NoHash(file.file.clone()))?;
    let sha256 = lfs.oid.to_ascii_lowercase();
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(DownloadError::NoHash(file.file.clone()));
    }
    Ok(RemoteFile {
        size: lfs.size,
        sha256,
    })
}
