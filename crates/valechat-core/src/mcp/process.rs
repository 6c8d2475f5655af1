//! Stdio servers as child processes in their own process group.
//!
//! [`spawn`] starts the command (resolved with the login-shell PATH, through
//! `flatpak-spawn --host` inside Flatpak) as the leader of a new process
//! group (process-wrap `ProcessGroup::leader()` + `KillOnDrop`), pipes its
//! stdin/stdout for the protocol and drains stderr continuously into the
//! server's [`ServerLog`], so a chatty server never blocks on a full pipe
//! (`process/stderr`: a line takes at most [`MAX_STDERR_LINE_BYTES`]).
//!
//! [`StdioProcess::terminate`] sends SIGTERM to the whole group, waits up to
//! a grace period for the leader, then SIGKILLs the group (grandchildren such
//! as `npx`'s `node` included). Dropping a [`StdioProcess`] SIGKILLs the
//! group at once. Limitation: under `flatpak-spawn --host` the host processes
//! are not in our group; flatpak-spawn forwards the signals it receives.
//!
//! Sandboxed servers (`super::sandbox`) start as `bwrap` (or `prlimit`,
//! which execs `bwrap`) in a new session, so the group is still led by the
//! process we spawned: signals to the group reach the server inside the
//! sandbox, and bwrap's `--die-with-parent` plus its PID namespace take
//! down anything left when bwrap dies. `--die-with-parent` follows the
//! thread that spawned bwrap (`PR_SET_PDEATHSIG`): spawn from a runtime
//! worker, never from a short-lived `spawn_blocking` thread.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use process_wrap::tokio::{ChildWrapper, CommandWrap, KillOnDrop, ProcessGroup, ProcessSession};
use tokio::process::{ChildStdin, ChildStdout, Command};

use super::McpError;
use super::config::{ServerConfig, Transport};
use super::log::{LogSource, ServerLog};
use super::path;
use super::sandbox::{self, Host};

mod stderr;

pub use stderr::MAX_STDERR_LINE_BYTES;

/// SIGTERM (same number on Linux and macOS).
const SIGTERM: i32 = 15;
/// SIGKILL (same number on Linux and macOS).
const SIGKILL: i32 = 9;

/// Default time between SIGTERM and SIGKILL.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(2);

/// A running stdio server: the group leader and its group id.
pub struct StdioProcess {
    server: String,
    child: Box<dyn ChildWrapper>,
    pgid: u32,
    exited: bool,
}

#[allow(
    clippy::missing_fields_in_debug,
    reason = "the child handle and its pipes say nothing useful in a log"
)]
impl std::fmt::Debug for StdioProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StdioProcess")
            .field("server", &self.server)
            .field("pgid", &self.pgid)
            .field("exited", &self.exited)
            .finish()
    }
}

/// The pipes of a freshly spawned server, for the rmcp transport.
#[derive(Debug)]
pub struct ServerPipes {
    /// The server's stdout (protocol messages in).
    pub stdout: ChildStdout,
    /// The server's stdin (protocol messages out).
    pub stdin: ChildStdin,
}

/// Builds the command line: `(program, args)` after PATH resolution and the
/// Flatpak wrapper. `env` entries are passed with `--env=` under Flatpak.
#[must_use]
pub fn command_line(
    command: &str,
    args: &[String],
    env: &std::collections::BTreeMap<String, String>,
    cwd: Option<&str>,
    flatpak: bool,
) -> (String, Vec<String>) {
    if flatpak {
        let mut full = vec!["--host".to_owned(), "--watch-bus".to_owned()];
        if let Some(dir) = cwd {
            full.push(format!("--directory={dir}"));
        }
        full.extend(env.iter().map(|(k, v)| format!("--env={k}={v}")));
        full.push(command.to_owned());
        full.extend(args.iter().cloned());
        return ("flatpak-spawn".to_owned(), full);
    }
    let program = path::resolve_program(command);
    (program.to_string_lossy().into_owned(), args.to_vec())
}

/// Starts the stdio server of `config` (secrets already resolved) and a
/// task draining its stderr into `log`. Blocks up to 3 s on the very first
/// call (login-shell PATH): call from a blocking-safe context or after
/// [`path::login_path`] was warmed in `spawn_blocking`.
///
/// With [`ServerConfig::sandbox`] on, the command runs inside Bubblewrap
/// and/or behind `prlimit` (see [`sandbox`]), started as the leader of a new
/// session; the group id is still the leader's pid.
///
/// # Errors
/// [`McpError::Config`] for a non-stdio config, [`McpError::Sandbox`] when
/// the sandbox or limits cannot be set up, [`McpError::Spawn`] when the
/// program cannot be started.
pub fn spawn(
    config: &ServerConfig,
    log: &ServerLog,
) -> Result<(StdioProcess, ServerPipes), McpError> {
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
    let flatpak = path::in_flatpak();
    let settings = config.sandbox.clone().unwrap_or_default();
    let sandbox_error = |problem| McpError::Sandbox {
        server: config.id.clone(),
        problem,
    };
    let (program, full_args) = if flatpak {
        let (command, args) =
            sandbox::wrap_for_flatpak(&settings, command, args).map_err(sandbox_error)?;
        command_line(&command, &args, env, cwd.as_deref(), true)
    } else if settings.enabled || settings.has_limits() {
        let (program, args) = command_line(command, args, env, cwd.as_deref(), false);
        let cwd = cwd.as_deref().map(Path::new);
        sandbox::wrap(
            &settings,
            &Host::current(),
            Path::new(&program),
            &args,
            cwd,
            env,
        )
        .map_err(sandbox_error)?
    } else {
        command_line(command, args, env, cwd.as_deref(), false)
    };
    let mut cmd = Command::new(&program);
    cmd.args(&full_args)
        .env("PATH", path::login_path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if !flatpak {
        cmd.envs(env);
        if let Some(dir) = cwd {
            cmd.current_dir(dir);
        }
    }
    let spawn_error = |source| McpError::Spawn {
        server: config.id.clone(),
        command: program.clone(),
        source,
    };
    let mut wrapped = CommandWrap::from(cmd);
    if settings.enabled && !flatpak {
        // A session of its own (and so a group of its own, same id):
        // detached from any terminal, which bwrap's --new-session would do
        // by moving the server out of the group we kill.
        wrapped.wrap(ProcessSession);
    } else {
        wrapped.wrap(ProcessGroup::leader());
    }
    wrapped.wrap(KillOnDrop);
    let mut child = wrapped.spawn().map_err(spawn_error)?;
    let missing = |what: &str| spawn_error(std::io::Error::other(format!("no {what} pipe")));
    let stdin = child.stdin().take().ok_or_else(|| missing("stdin"))?;
    let stdout = child.stdout().take().ok_or_else(|| missing("stdout"))?;
    let stderr = child.stderr().take().ok_or_else(|| missing("stderr"))?;
    let pgid = child.id().ok_or_else(|| missing("pid"))?;
    let drain_log = log.clone();
    tokio::spawn(stderr::drain(stderr, drain_log));
    log.push(
        LogSource::Client,
        &format!("started {program} (pid {pgid})"),
    );
    Ok((
        StdioProcess {
            server: config.id.clone(),
            child,
            pgid,
            exited: false,
        },
        ServerPipes { stdout, stdin },
    ))
}

impl StdioProcess {
    /// Process id of the leader, which is also the process group id.
    #[must_use]
    pub fn pgid(&self) -> u32 {
        self.pgid
    }

    /// Whether the leader has exited (non-blocking check).
    pub fn has_exited(&mut self) -> bool {
        if !self.exited {
            self.exited = matches!(self.child.try_wait(), Ok(Some(_)));
        }
        self.exited
    }

    /// SIGTERM to the group, up to `grace` for the leader to exit, then
    /// SIGKILL to the group (whatever is left of it). Never fails: errors
    /// (the group is already gone) are logged at debug level.
    pub async fn terminate(&mut self, grace: Duration) {
        if let Err(error) = self.child.signal(SIGTERM) {
            tracing::debug!(server = self.server, %error, "SIGTERM to the process group");
        }
        if tokio::time::timeout(grace, self.child.wait()).await.is_ok() {
            self.exited = true;
        } else {
            tracing::info!(server = self.server, "server ignored SIGTERM; killing it");
        }
        if let Err(error) = self.child.signal(SIGKILL) {
            tracing::debug!(server = self.server, %error, "SIGKILL to the process group");
        }
        if !self.exited {
            self.exited = tokio::time::timeout(grace, self.child.wait()).await.is_ok();
        }
    }
}

impl Drop for StdioProcess {
    fn drop(&mut self) {
        // Kills every member of the group, including children the leader
        // left behind; an error only means the group is gone already.
        let _ = self.child.signal(SIGKILL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn flatpak_wraps_the_command() {
        let env = BTreeMap::from([("A".to_owned(), "1".to_owned())]);
        let (program, args) = command_line("npx", &["-y".into()], &env, Some("/w"), true);
        assert_eq!(program, "flatpak-spawn");
        assert_eq!(
            args,
            [
                "--host",
                "--watch-bus",
                "--directory=/w",
                "--env=A=1",
                "npx",
                "-y"
            ]
        );
        let (program, args) = command_line("sh", &["-c".into()], &env, None, false);
        assert!(program.ends_with("/sh"), "{program}");
        assert_eq!(args, ["-c"]);
    }
}
