//! [`SandboxSettings`]: a stdio MCP server's sandbox and resource limits as
//! the person sets them, stored as JSON in `mcp_servers.sandbox`. Applying
//! them (Bubblewrap, `prlimit`) is `crate::mcp::sandbox`'s work.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// A server's sandbox settings, stored as JSON in `mcp_servers.sandbox`
/// (NULL: [`SandboxSettings::default`], everything off). Used by stdio
/// servers only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SandboxSettings {
    /// Run the server inside Bubblewrap.
    pub enabled: bool,
    /// Absolute folders the server may write (bound read-write at the same
    /// path). Everything else is read-only or absent.
    pub writable_folders: Vec<PathBuf>,
    /// Whether the sandboxed server may use the network (default `true`;
    /// `false` leaves it only a private loopback interface).
    pub network: bool,
    /// Address-space limit (`RLIMIT_AS`), mebibytes; `None`: no limit. This
    /// is virtual memory: Node.js reserves several GiB at start, so leave
    /// it off (or ≥ 8192) for Node servers.
    pub max_memory_mb: Option<u64>,
    /// Open file descriptors (`RLIMIT_NOFILE`); `None`: no limit.
    pub max_open_files: Option<u64>,
    /// CPU time (`RLIMIT_CPU`), seconds; `None`: no limit. The server is
    /// killed when it has used that much CPU in total.
    pub max_cpu_seconds: Option<u64>,
}

impl Default for SandboxSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            writable_folders: Vec::new(),
            network: true,
            max_memory_mb: None,
            max_open_files: None,
            max_cpu_seconds: None,
        }
    }
}

impl SandboxSettings {
    /// Whether any resource limit is set.
    #[must_use]
    pub fn has_limits(&self) -> bool {
        self.max_memory_mb.is_some()
            || self.max_open_files.is_some()
            || self.max_cpu_seconds.is_some()
    }

    /// Whether these are the defaults (stored as NULL).
    #[must_use]
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// Checks the folders.
    ///
    /// # Errors
    /// A message naming the first writable folder that is not absolute.
    pub fn validate(&self) -> Result<(), String> {
        match self.writable_folders.iter().find(|f| !f.is_absolute()) {
            Some(folder) => Err(format!(
                "the writable folder {:?} must be an absolute path",
                folder.display().to_string()
            )),
            None => Ok(()),
        }
    }
}
