//! What to spawn for a stdio server: the program, its arguments, its
//! environment and working folder, as the [`Launcher`] and the server's
//! sandbox settings say (see `super::super::sandbox::environment` for
//! the environment).
//!
//! Every child dies with ValeChat, even when ValeChat is killed by SIGKILL:
//! sandboxed ones through bwrap's `--die-with-parent`, the others behind
//! `setpriv --pdeathsig KILL` (util-linux; [`PDEATHSIG`]), which sets
//! `PR_SET_PDEATHSIG` and execs the server (the crate forbids `unsafe`,
//! which a `pre_exec` `prctl` would need). Both follow the thread that
//! spawned them: spawn from a long-lived thread (a runtime worker, the
//! main thread), never from a short-lived `spawn_blocking` thread. Only
//! the process spawned gets the signal: what it started itself is left to
//! the start-up sweep of `super::owners` (and to its stdin closing).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::mcp::McpError;
use crate::mcp::config::{ServerConfig, Transport};
use crate::mcp::path;
use crate::mcp::sandbox::{self, Host, environment};

/// How stdio servers are started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launcher {
    /// As children of ValeChat (outside Flatpak).
    Direct,
    /// On the host through `flatpak-spawn --host` (ValeChat in Flatpak),
    /// with this program as `flatpak-spawn` (tests name a stand-in).
    FlatpakHost(PathBuf),
}

impl Launcher {
    /// [`Launcher::FlatpakHost`] with `flatpak-spawn` inside Flatpak,
    /// [`Launcher::Direct`] elsewhere.
    #[must_use]
    pub fn current() -> Self {
        if path::in_flatpak() {
            Self::FlatpakHost(PathBuf::from("flatpak-spawn"))
        } else {
            Self::Direct
        }
    }
}

/// What goes in front of an unsandboxed server on Linux: `setpriv`
/// (util-linux 2.33 and later) with these arguments, then `--` and the
/// command.
pub const PDEATHSIG: [&str; 2] = ["--pdeathsig", "KILL"];

/// The descriptor on which bwrap reads the seccomp filter
/// (`--seccomp 4`).
pub const SECCOMP_FD: i32 = 4;

/// The descriptor on which `flatpak-spawn` reads a host server's `env`
/// (`--env-fd`, flatpak-xdg-utils 1.0.5 and later, in every current
/// GNOME and freedesktop runtime): the secrets never reach a command line.
pub const ENV_FD: i32 = 3;

/// Builds the command line: `(program, args)` after PATH resolution
/// ([`Launcher::Direct`]) or behind `flatpak-spawn --host`, which reads the
/// server's environment from [`ENV_FD`] when `env_fd` is set. No variable
/// is ever put on it (see `sandbox::environment`).
#[must_use]
pub fn command_line(
    command: &str,
    args: &[String],
    cwd: Option<&str>,
    launcher: &Launcher,
    env_fd: bool,
) -> (String, Vec<String>) {
    if let Launcher::FlatpakHost(flatpak_spawn) = launcher {
        let mut full = vec!["--host".to_owned(), "--watch-bus".to_owned()];
        if let Some(dir) = cwd {
            full.push(format!("--directory={dir}"));
        }
        if env_fd {
            full.push(format!("--env-fd={ENV_FD}"));
        }
        full.push(command.to_owned());
        full.extend(args.iter().cloned());
        return (flatpak_spawn.to_string_lossy().into_owned(), full);
    }
    let program = path::resolve_program(command);
    (program.to_string_lossy().into_owned(), args.to_vec())
}

/// A server's launch, ready to spawn.
#[derive(Debug)]
pub(super) struct Launch {
    /// The program to spawn (`bwrap`, `prlimit`, `flatpak-spawn` or the
    /// server's own).
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// The whole environment of the spawned process; `None` under
    /// `flatpak-spawn`, which keeps ValeChat's.
    pub env: Option<BTreeMap<String, String>>,
    /// What `flatpak-spawn` reads on [`ENV_FD`] (`env -0` format), if any.
    pub env_fd: Option<Vec<u8>>,
    /// The working folder to spawn in (`None` under `flatpak-spawn`, which
    /// is told with `--directory`).
    pub cwd: Option<String>,
    /// Whether the process starts a session of its own (sandboxed).
    pub new_session: bool,
    /// The seccomp filter bwrap reads on [`SECCOMP_FD`] (sandboxed on
    /// Linux).
    pub seccomp: Option<Vec<u8>>,
}

/// The [`Launch`] of `config`'s stdio server (secrets resolved) with
/// `launcher`.
///
/// # Errors
/// [`McpError::Config`] for a non-stdio config, [`McpError::Sandbox`] when
/// the sandbox or limits cannot be set up.
pub(super) fn plan(config: &ServerConfig, launcher: &Launcher) -> Result<Launch, McpError> {
    let Transport::Stdio {
        command,
        args,
        env,
        cwd,
    } = &config.transport
    else {
        return Err(McpError::Config {
            server: config.id.clone(),
            reason: "not a stdio server".into(),
        });
    };
    let settings = config.sandbox.clone().unwrap_or_default();
    let sandbox_error = |problem| McpError::Sandbox {
        server: config.id.clone(),
        problem,
    };
    if let Launcher::FlatpakHost(_) = launcher {
        let (command, args) =
            sandbox::wrap_for_flatpak(&settings, command, args).map_err(sandbox_error)?;
        let (program, args) =
            command_line(&command, &args, cwd.as_deref(), launcher, !env.is_empty());
        return Ok(Launch {
            program,
            args,
            env: None,
            env_fd: (!env.is_empty()).then(|| environment::nul_separated(env)),
            cwd: None,
            new_session: false,
            seccomp: None,
        });
    }
    let (program, args) = command_line(command, args, cwd.as_deref(), launcher, false);
    // bwrap, prlimit and setpriv start even when the program does not: say
    // what spawning the program itself would have said.
    let checked = match cwd {
        Some(dir) if Path::new(&program).is_relative() => Path::new(dir).join(&program),
        _ => PathBuf::from(&program),
    };
    if let Some(code) = not_runnable(&checked) {
        return Err(McpError::Spawn {
            server: config.id.clone(),
            command: program,
            source: std::io::Error::from_raw_os_error(code),
        });
    }
    let mut host_env = environment::unsandboxed(std::env::vars_os(), path::login_path());
    let mut seccomp = None;
    let (program, args) = if settings.enabled || settings.has_limits() {
        let mut host = Host::current();
        if settings.enabled {
            host_env.clone_from(&host.env);
            prepare_sandbox(config, &mut host, &mut host_env).map_err(sandbox_error)?;
            seccomp = filter().map_err(sandbox_error)?;
            host.seccomp_fd = seccomp.as_ref().map(|_| SECCOMP_FD);
        }
        let dir = cwd.as_deref().map(Path::new);
        sandbox::wrap(&settings, &host, Path::new(&program), &args, dir).map_err(sandbox_error)?
    } else {
        (program, args)
    };
    let (program, args) = if settings.enabled {
        (program, args)
    } else {
        die_with_parent(program, args, path::find_in("setpriv", path::login_path()))
    };
    Ok(Launch {
        program,
        args,
        env: Some(environment::merged(&host_env, env)),
        env_fd: None,
        cwd: cwd.clone(),
        new_session: settings.enabled,
        seccomp,
    })
}

/// The `errno` spawning `program` would fail with: `ENOENT` when it does
/// not exist, `EACCES` when it is not an executable file; `None` when it
/// can run.
fn not_runnable(program: &Path) -> Option<i32> {
    use std::os::unix::fs::PermissionsExt;
    const ENOENT: i32 = 2;
    const EACCES: i32 = 13;
    match std::fs::metadata(program) {
        Err(_) => Some(ENOENT),
        Ok(m) if m.is_file() && m.permissions().mode() & 0o111 != 0 => None,
        Ok(_) => Some(EACCES),
    }
}

/// Fills in what a sandboxed start of `config` adds to `host`: whether
/// bwrap can refuse user namespaces, and the server's own package cache
/// (created, and named in `env`).
fn prepare_sandbox(
    config: &ServerConfig,
    host: &mut Host,
    env: &mut Vec<(String, String)>,
) -> Result<(), sandbox::SandboxProblem> {
    host.disable_userns = host
        .bwrap
        .as_deref()
        .is_some_and(sandbox::probe::supports_disable_userns);
    let Ok(root) = crate::paths::cache_dir() else {
        // No home: the server downloads into its private home each time.
        return Ok(());
    };
    let folder = sandbox::cache::folder(&root, &config.id);
    sandbox::cache::prepare(&folder).map_err(|e| sandbox::SandboxProblem::CacheFolder {
        path: folder.display().to_string(),
        reason: e.to_string(),
    })?;
    env.extend(sandbox::cache::variables(&folder));
    host.cache = Some(folder);
    Ok(())
}

/// The seccomp filter's bytes (`None` off Linux, where there is no
/// sandbox to start anyway).
fn filter() -> Result<Option<Vec<u8>>, sandbox::SandboxProblem> {
    #[cfg(target_os = "linux")]
    return sandbox::seccomp::program_bytes()
        .map(Some)
        .map_err(|e| sandbox::SandboxProblem::Seccomp(e.to_string()));
    #[cfg(not(target_os = "linux"))]
    Ok(None)
}

/// `setpriv --pdeathsig KILL -- program args` when `setpriv` was found,
/// else `(program, args)` unchanged (macOS; a Linux without util-linux's
/// `setpriv`, where the start-up sweep is the only safety net).
#[must_use]
pub fn die_with_parent(
    program: String,
    args: Vec<String>,
    setpriv: Option<PathBuf>,
) -> (String, Vec<String>) {
    let Some(setpriv) = setpriv else {
        return (program, args);
    };
    let mut wrapped: Vec<String> = PDEATHSIG.iter().map(|a| (*a).to_owned()).collect();
    wrapped.push("--".to_owned());
    wrapped.push(program);
    wrapped.extend(args);
    (setpriv.to_string_lossy().into_owned(), wrapped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flatpak_wraps_the_command_and_reads_env_from_a_descriptor() {
        let launcher = Launcher::FlatpakHost(PathBuf::from("flatpak-spawn"));
        let (program, args) = command_line("npx", &["-y".into()], Some("/w"), &launcher, true);
        assert_eq!(program, "flatpak-spawn");
        assert_eq!(
            args,
            [
                "--host",
                "--watch-bus",
                "--directory=/w",
                "--env-fd=3",
                "npx",
                "-y"
            ]
        );
        let (_, args) = command_line("npx", &[], None, &launcher, false);
        assert_eq!(args, ["--host", "--watch-bus", "npx"]);
        let (program, args) = command_line("sh", &["-c".into()], None, &Launcher::Direct, false);
        assert!(program.ends_with("/sh"), "{program}");
        assert_eq!(args, ["-c"]);
    }

    #[test]
    fn unsandboxed_servers_run_behind_setpriv_when_it_exists() {
        let (program, args) = die_with_parent(
            "/bin/server".into(),
            vec!["-v".into()],
            Some(PathBuf::from("/usr/bin/setpriv")),
        );
        assert_eq!(program, "/usr/bin/setpriv");
        assert_eq!(args, ["--pdeathsig", "KILL", "--", "/bin/server", "-v"]);
        let alone = die_with_parent("/bin/server".into(), Vec::new(), None);
        assert_eq!(alone, ("/bin/server".to_owned(), Vec::new()));
    }
}
