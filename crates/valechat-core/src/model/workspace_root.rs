//! [`WorkspaceRoot`]: a folder the person offers to MCP servers as a root,
//! stored per conversation (`conversation_roots`) and sent with a chat
//! request. Offering the folders to servers is `crate::mcp::roots`'s work.

use std::path::{Path, PathBuf};

/// A folder offered as a root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceRoot {
    /// Absolute local path, e.g. `/home/me/My Project`.
    pub path: PathBuf,
    /// Name shown to servers, e.g. `My Project`.
    pub name: String,
}

impl WorkspaceRoot {
    /// A root for `path` named `name`.
    pub fn new(path: impl Into<PathBuf>, name: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            name: name.into(),
        }
    }

    /// A root for `path` named after its last component (the whole path
    /// for `/`).
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let name = default_name(&path);
        Self { path, name }
    }

    /// The `file://` URI of the path, percent-encoded by the `url` crate
    /// (`/tmp/My Project` → `file:///tmp/My%20Project`); `None` for a
    /// relative path, which has no URI.
    pub fn uri(&self) -> Option<String> {
        url::Url::from_file_path(&self.path).ok().map(String::from)
    }
}

/// The name a folder gets by default: its last path component, or the
/// whole path when it has none (`/`).
#[must_use]
pub fn default_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.to_string_lossy().into_owned(),
        |name| name.to_string_lossy().into_owned(),
    )
}
