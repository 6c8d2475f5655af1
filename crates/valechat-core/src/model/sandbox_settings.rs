//! [`SandboxSettings`]: a stdio MCP server's sandbox and resource limits as
//! the person sets them, stored as JSON in `mcp_servers.sandbox`. Applying
//! them (Bubblewrap, `prlimit`) is `crate::mcp::sandbox`'s work.
//!
//! Stored NULL means [`SandboxSettings::default`], everything off: servers
//! saved before the sandbox existed keep running as they did. New servers
//! start from [`SandboxSettings::recommended`] where Bubblewrap can be
//! used (the form, `valechat mcp add` and imports ask
//! `crate::mcp::sandbox::availability`).

use std::path::{Component, Path, PathBuf};

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
    /// Processes and threads the sandboxed server may run at once
    /// (`RLIMIT_NPROC`, set inside the sandbox's own user namespace, where
    /// it counts only the sandbox's tasks); `None`: no limit. Applies only
    /// with the sandbox on: outside it the kernel counts every process of
    /// the user. Not enforced for root.
    pub max_processes: Option<u64>,
}

/// The process limit of [`SandboxSettings::recommended`]: far above what a
/// tool server runs (Node.js starts about a dozen threads, a headless
/// browser a few hundred), far below what a fork bomb needs.
pub const DEFAULT_MAX_PROCESSES: u64 = 512;

impl Default for SandboxSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            writable_folders: Vec::new(),
            network: true,
            max_memory_mb: None,
            max_open_files: None,
            max_cpu_seconds: None,
            max_processes: None,
        }
    }
}

impl SandboxSettings {
    /// What a new stdio server gets where Bubblewrap can be used: the
    /// sandbox on, the network on (package runners such as `npx` and `uvx`
    /// download on first start; the form offers to cut it), no writable
    /// folder, at most [`DEFAULT_MAX_PROCESSES`] processes.
    #[must_use]
    pub fn recommended() -> Self {
        Self {
            enabled: true,
            max_processes: Some(DEFAULT_MAX_PROCESSES),
            ..Self::default()
        }
    }

    /// Whether any limit applied by `prlimit` in front of the command
    /// (memory, open files, CPU) is set; the process limit is applied
    /// inside the sandbox and is not one of them.
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

    /// Checks the folders: each must be absolute, and none may be `home`
    /// (the user's home folder, when known) or a folder holding it (`/`,
    /// `/home`): the private home is the point of the sandbox, where the
    /// user's keys, mail and other programs' settings live. Compared after
    /// removing `.` and `..` (symbolic links are the caller's to resolve).
    ///
    /// # Errors
    /// A message naming the first folder that is not absolute or exposes
    /// the home folder.
    pub fn validate(&self, home: Option<&Path>) -> Result<(), String> {
        if let Some(folder) = self.writable_folders.iter().find(|f| !f.is_absolute()) {
            return Err(format!(
                "the writable folder {:?} must be an absolute path",
                folder.display().to_string()
            ));
        }
        match self
            .writable_folders
            .iter()
            .find(|f| home.is_some_and(|h| exposes_home(f, h)))
        {
            Some(folder) => Err(format!(
                "the writable folder {:?} is your home folder or holds it: a sandboxed server may not write all of your home; choose a folder inside it",
                folder.display().to_string()
            )),
            None => Ok(()),
        }
    }
}

/// Whether making `folder` writable would make all of `home` writable:
/// `folder` is `home` or one of its parents (both made absolute-lexical:
/// `.` dropped, `..` applied).
#[must_use]
pub fn exposes_home(folder: &Path, home: &Path) -> bool {
    lexical(home).starts_with(lexical(folder))
}

fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_and_its_parents_are_refused_folders_inside_it_are_not() {
        let home = Path::new("/home/ada");
        for refused in [
            "/home/ada",
            "/home/ada/",
            "/home",
            "/",
            "/home/ada/x/..",
            "/home/./ada",
        ] {
            let settings = SandboxSettings {
                writable_folders: vec![PathBuf::from(refused)],
                ..SandboxSettings::recommended()
            };
            let error = settings.validate(Some(home)).unwrap_err();
            assert!(error.contains("home folder"), "{refused}: {error}");
            assert!(settings.validate(None).is_ok(), "{refused}: no home known");
        }
        for allowed in ["/home/ada/project", "/home/adam", "/srv/data"] {
            let settings = SandboxSettings {
                writable_folders: vec![PathBuf::from(allowed)],
                ..SandboxSettings::recommended()
            };
            assert_eq!(settings.validate(Some(home)), Ok(()), "{allowed}");
        }
    }

    #[test]
    fn recommended_is_sandboxed_online_with_a_process_limit() {
        let r = SandboxSettings::recommended();
        assert!(r.enabled && r.network && r.writable_folders.is_empty());
        assert_eq!(r.max_processes, Some(DEFAULT_MAX_PROCESSES));
        assert!(!r.has_limits(), "no prlimit in front of the sandbox");
        assert!(!SandboxSettings::default().enabled, "stored NULL stays off");
    }
}
