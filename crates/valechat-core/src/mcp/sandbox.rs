//! The per-server Linux sandbox of stdio servers: on for new servers where
//! Bubblewrap can be used ([`SandboxSettings::recommended`]), off for
//! servers stored before it existed.
//!
//! When a server's [`SandboxSettings::enabled`] is on, its resolved command
//! runs inside Bubblewrap (`bwrap`): the system directories and the
//! programs it needs read-only, a private HOME, its own package cache
//! (`sandbox/cache.rs`) and only the allowed folders writable (never the
//! home folder itself), the network unless cut, no new user namespaces
//! (`--disable-userns`, where bwrap has it: `sandbox/probe.rs`), a seccomp
//! filter refusing what a tool server never needs (`sandbox/seccomp.rs`
//! lists the calls and why), a process limit inside the sandbox, and
//! `--die-with-parent` (see `sandbox/mounts.rs` for the exact command line
//! and why). Resource limits (address space, open files,
//! CPU time) are applied by `prlimit` from util-linux in front of the
//! command, so they work with or without Bubblewrap (see
//! `sandbox/limits.rs`: the crate forbids `unsafe`, which a `pre_exec`
//! `setrlimit` hook would need).
//!
//! The wrapped command line is `prlimit LIMITS -- bwrap MOUNTS -- program
//! args` (each part only when wanted). `prlimit` execs `bwrap` in place, so
//! the process ValeChat spawns stays the leader of the server's process
//! group and killing the group kills the whole tree (`super::process`).
//!
//! Bubblewrap is found through [`BWRAP_ENV`] or the login-shell PATH; when
//! it is missing, or ValeChat itself runs in Flatpak (sandboxes cannot
//! nest), starting a sandboxed server fails with a [`SandboxProblem`].

pub mod cache;
pub mod environment;
mod limits;
mod mounts;
pub mod probe;
#[cfg(target_os = "linux")]
pub mod seccomp;

use std::path::{Path, PathBuf};

pub use crate::model::SandboxSettings;
pub use limits::prlimit_args;
pub use mounts::{Host, bwrap_args};

/// Environment variable naming the Bubblewrap program to use instead of the
/// `bwrap` found on the login-shell PATH (a path; a missing file counts as
/// Bubblewrap not installed).
pub const BWRAP_ENV: &str = "VALECHAT_BWRAP";

/// Why a server cannot be started with its sandbox settings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SandboxProblem {
    /// `bwrap` is not on the PATH (nor at [`BWRAP_ENV`]).
    #[error(
        "Bubblewrap (bwrap) is not installed: install the “bubblewrap” package or turn off the sandbox for this server"
    )]
    BubblewrapMissing,
    /// ValeChat runs inside Flatpak, where Bubblewrap cannot be nested.
    #[error(
        "ValeChat runs as a Flatpak, and a Flatpak app cannot start a Bubblewrap sandbox of its own (sandboxes cannot nest): turn off the sandbox for this server"
    )]
    InFlatpak,
    /// Limits are set but `prlimit` (util-linux) is not installed.
    #[error(
        "resource limits need prlimit, which is not installed: install the “util-linux” package or remove the limits of this server"
    )]
    PrlimitMissing,
    /// The server's package cache folder could not be created.
    #[error("the package cache folder {path} of this server could not be created: {reason}")]
    CacheFolder {
        /// The folder.
        path: String,
        /// The I/O error.
        reason: String,
    },
    /// The seccomp filter could not be built (an architecture other than
    /// x86-64, aarch64 or riscv64).
    #[error(
        "the sandbox’s system-call filter could not be built on this machine ({0}): turn off the sandbox for this server"
    )]
    Seccomp(String),
    /// Not Linux.
    #[error("the sandbox and resource limits work on Linux only: turn them off for this server")]
    Unsupported,
}

/// Finds Bubblewrap: `override_path` (the value of [`BWRAP_ENV`]) when
/// given, else `bwrap` on `search_path` (colon-separated). `None` when it is
/// not an executable file.
#[must_use]
pub fn locate_bwrap(override_path: Option<&Path>, search_path: &str) -> Option<PathBuf> {
    match override_path {
        Some(path) => super::path::find_in(
            &path.file_name()?.to_string_lossy(),
            &path.parent()?.to_string_lossy(),
        ),
        None => super::path::find_in("bwrap", search_path),
    }
}

/// Whether a sandbox can be used here: `Ok` with the Bubblewrap program,
/// or why not. Reads the login-shell PATH (blocks up to 3 s on the first
/// call, see `super::path::login_path`).
///
/// # Errors
/// [`SandboxProblem::Unsupported`] off Linux, [`SandboxProblem::InFlatpak`],
/// [`SandboxProblem::BubblewrapMissing`].
pub fn availability() -> Result<PathBuf, SandboxProblem> {
    if !cfg!(target_os = "linux") {
        return Err(SandboxProblem::Unsupported);
    }
    if super::path::in_flatpak() {
        return Err(SandboxProblem::InFlatpak);
    }
    let override_path = std::env::var_os(BWRAP_ENV).map(PathBuf::from);
    locate_bwrap(override_path.as_deref(), super::path::login_path())
        .ok_or(SandboxProblem::BubblewrapMissing)
}

/// The sandbox settings of a new stdio server: [`SandboxSettings::recommended`]
/// where Bubblewrap can be used, else why not (the server then runs
/// without a sandbox, and the front end says so). Blocks as
/// [`availability`] does.
///
/// # Errors
/// As [`availability`].
pub fn for_new_server() -> Result<SandboxSettings, SandboxProblem> {
    availability().map(|_| SandboxSettings::recommended())
}

/// Wraps the resolved `program` and `args` (outside Flatpak) as `settings`
/// ask: into Bubblewrap when enabled (mounts from `host`), behind `prlimit`
/// when limits are set. Returns `(program, args)` to spawn; unchanged when
/// the sandbox is off and no limit is set. The environment is not part of
/// the command line: the caller gives the spawned process `host.env` and
/// the server's `env` (see [`environment`]), and Bubblewrap and `prlimit`
/// hand it on.
///
/// # Errors
/// [`SandboxProblem::BubblewrapMissing`] when enabled and `host.bwrap` is
/// `None`; [`SandboxProblem::PrlimitMissing`] when limits (or, sandboxed,
/// a process limit) are set and `host.prlimit` is `None`.
pub fn wrap(
    settings: &SandboxSettings,
    host: &Host,
    program: &Path,
    args: &[String],
    cwd: Option<&Path>,
) -> Result<(String, Vec<String>), SandboxProblem> {
    let (mut program, mut args) = (program.to_string_lossy().into_owned(), args.to_vec());
    if settings.enabled {
        let bwrap = host
            .bwrap
            .as_ref()
            .ok_or(SandboxProblem::BubblewrapMissing)?;
        if settings.max_processes.is_some() && host.prlimit.is_none() {
            return Err(SandboxProblem::PrlimitMissing);
        }
        args = bwrap_args(settings, host, Path::new(&program), &args, cwd);
        program = bwrap.to_string_lossy().into_owned();
    }
    if settings.has_limits() {
        let prlimit = host
            .prlimit
            .as_ref()
            .ok_or(SandboxProblem::PrlimitMissing)?;
        let mut limited = prlimit_args(settings);
        limited.push("--".to_owned());
        limited.push(program);
        limited.extend(args);
        (program, args) = (prlimit.to_string_lossy().into_owned(), limited);
    }
    Ok((program, args))
}

/// Inside Flatpak: the unresolved `(command, args)` to run on the host
/// through `flatpak-spawn --host`, with the host's `prlimit` in front when
/// limits are set.
///
/// # Errors
/// [`SandboxProblem::InFlatpak`] when the sandbox is enabled.
pub fn wrap_for_flatpak(
    settings: &SandboxSettings,
    command: &str,
    args: &[String],
) -> Result<(String, Vec<String>), SandboxProblem> {
    if settings.enabled {
        return Err(SandboxProblem::InFlatpak);
    }
    if !settings.has_limits() {
        return Ok((command.to_owned(), args.to_vec()));
    }
    let mut limited = prlimit_args(settings);
    limited.push("--".to_owned());
    limited.push(command.to_owned());
    limited.extend(args.iter().cloned());
    Ok(("prlimit".to_owned(), limited))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host() -> Host {
        Host {
            root: PathBuf::from("/nonexistent-root"),
            home: None,
            path_dirs: Vec::new(),
            bwrap: Some(PathBuf::from("/usr/bin/bwrap")),
            prlimit: Some(PathBuf::from("/usr/bin/prlimit")),
            env: vec![("PATH".to_owned(), "/usr/bin".to_owned())],
            disable_userns: true,
            cache: None,
            seccomp_fd: Some(4),
        }
    }

    #[test]
    fn defaults_are_off_and_round_trip_through_json() {
        let settings = SandboxSettings::default();
        assert!(!settings.enabled && settings.network && !settings.has_limits());
        assert!(settings.is_default());
        let parsed: SandboxSettings = serde_json::from_str(r#"{"enabled":true}"#).unwrap();
        assert!(parsed.enabled && parsed.network && parsed.writable_folders.is_empty());
        let full = SandboxSettings {
            enabled: true,
            writable_folders: vec!["/data".into()],
            network: false,
            max_memory_mb: Some(512),
            max_open_files: Some(64),
            max_cpu_seconds: Some(30),
            max_processes: Some(64),
        };
        let json = serde_json::to_string(&full).unwrap();
        assert_eq!(
            serde_json::from_str::<SandboxSettings>(&json).unwrap(),
            full
        );
        let relative = SandboxSettings {
            writable_folders: vec!["data".into()],
            ..full
        };
        assert!(relative.validate(None).unwrap_err().contains("absolute"));
    }

    #[test]
    fn off_leaves_the_command_alone_and_limits_alone_use_prlimit() {
        let args = vec!["-y".to_owned()];
        let off = wrap(
            &SandboxSettings::default(),
            &host(),
            Path::new("/bin/npx"),
            &args,
            None,
        );
        assert_eq!(off.unwrap(), ("/bin/npx".to_owned(), args.clone()));
        let limited = SandboxSettings {
            max_open_files: Some(64),
            ..SandboxSettings::default()
        };
        let (program, full) = wrap(&limited, &host(), Path::new("/bin/npx"), &args, None).unwrap();
        assert_eq!(program, "/usr/bin/prlimit");
        assert_eq!(full, ["--nofile=64", "--", "/bin/npx", "-y"]);
        let no_prlimit = Host {
            prlimit: None,
            ..host()
        };
        assert_eq!(
            wrap(&limited, &no_prlimit, Path::new("/bin/npx"), &args, None,),
            Err(SandboxProblem::PrlimitMissing)
        );
    }

    #[test]
    fn enabled_runs_bwrap_behind_prlimit_or_says_bwrap_is_missing() {
        let settings = SandboxSettings {
            enabled: true,
            max_cpu_seconds: Some(5),
            ..SandboxSettings::default()
        };
        let (program, full) = wrap(&settings, &host(), Path::new("/bin/sh"), &[], None).unwrap();
        assert_eq!(program, "/usr/bin/prlimit");
        assert_eq!(&full[..3], ["--cpu=5", "--", "/usr/bin/bwrap"]);
        assert_eq!(full.last().map(String::as_str), Some("/bin/sh"));
        // The environment goes to the process, never onto the command line.
        assert!(
            !full.iter().any(|a| a == "--setenv" || a == "/usr/bin"),
            "{full:?}"
        );
        let missing = Host {
            bwrap: None,
            ..host()
        };
        let error = wrap(&settings, &missing, Path::new("/bin/sh"), &[], None).unwrap_err();
        assert_eq!(error, SandboxProblem::BubblewrapMissing);
        assert!(
            error.to_string().contains("“bubblewrap” package"),
            "{error}"
        );
    }

    #[test]
    fn the_sandbox_refuses_user_namespaces_filters_calls_and_limits_processes() {
        let settings = SandboxSettings::recommended();
        let (program, args) = wrap(&settings, &host(), Path::new("/bin/sh"), &[], None).unwrap();
        assert_eq!(program, "/usr/bin/bwrap", "no prlimit in front: {args:?}");
        let at = |needle: &[&str]| {
            args.windows(needle.len())
                .position(|w| w == needle)
                .unwrap_or_else(|| panic!("{needle:?} not in {args:?}"))
        };
        at(&["--unshare-user", "--disable-userns"]);
        at(&["--seccomp", "4"]);
        at(&["--die-with-parent"]);
        let end = at(&["--"]);
        assert_eq!(
            &args[end..],
            ["--", "/usr/bin/prlimit", "--nproc=512", "--", "/bin/sh"]
        );
        let old_bwrap = Host {
            disable_userns: false,
            prlimit: None,
            ..host()
        };
        assert_eq!(
            wrap(&settings, &old_bwrap, Path::new("/bin/sh"), &[], None),
            Err(SandboxProblem::PrlimitMissing)
        );
        let unlimited = SandboxSettings {
            max_processes: None,
            ..settings
        };
        let (_, args) = wrap(&unlimited, &old_bwrap, Path::new("/bin/sh"), &[], None).unwrap();
        assert!(!args.iter().any(|a| a == "--disable-userns"), "{args:?}");
        assert_eq!(args.last().map(String::as_str), Some("/bin/sh"));
    }

    #[test]
    fn flatpak_refuses_the_sandbox_but_keeps_limits() {
        let on = SandboxSettings {
            enabled: true,
            ..SandboxSettings::default()
        };
        assert_eq!(
            wrap_for_flatpak(&on, "npx", &[]),
            Err(SandboxProblem::InFlatpak)
        );
        let limited = SandboxSettings {
            max_memory_mb: Some(1),
            ..SandboxSettings::default()
        };
        let (program, args) = wrap_for_flatpak(&limited, "npx", &["-y".into()]).unwrap();
        assert_eq!(program, "prlimit");
        assert_eq!(args, ["--as=1048576", "--", "npx", "-y"]);
    }

    #[test]
    fn bwrap_is_found_on_the_path_or_at_the_override() {
        let found = locate_bwrap(None, "/nonexistent:/usr/bin");
        assert_eq!(
            found.is_some(),
            Path::new("/usr/bin/bwrap").exists(),
            "{found:?}"
        );
        assert_eq!(locate_bwrap(None, "/nonexistent"), None);
        assert_eq!(
            locate_bwrap(Some(Path::new("/nonexistent/bwrap")), "/usr/bin"),
            None
        );
        assert_eq!(
            locate_bwrap(Some(Path::new("/bin/sh")), "/nonexistent"),
            Some(PathBuf::from("/bin/sh"))
        );
    }
}
