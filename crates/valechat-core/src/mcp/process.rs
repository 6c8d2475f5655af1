//! Stdio servers as child processes in their own process group.
//!
//! [`spawn`] starts the command (resolved with the login-shell PATH, through
//! `flatpak-spawn --host` inside Flatpak) as the leader of a new process
//! group (process-wrap `ProcessGroup::leader()` + `KillOnDrop`), pipes its
//! stdin/stdout for the protocol and drains stderr continuously into the
//! server's [`ServerLog`], so a chatty server never blocks on a full pipe
//! (`process/stderr`: a line takes at most [`MAX_STDERR_LINE_BYTES`]).
//! Stderr stays in that log (the MCP Servers window shows it): it may hold
//! tokens, so no error text meant for a model quotes it
//! ([`McpError::without_stderr`]).
//!
//! The server's environment (an allow-list of ValeChat's, its configured
//! `env` with the keyring's secrets) is given to the spawned process, never
//! written on a command line (`/proc/PID/cmdline` is readable by every
//! local user): see `sandbox::environment`. Under `flatpak-spawn` it goes
//! through a pipe that flatpak-spawn reads (`--env-fd`, [`ENV_FD`]), mapped
//! into the child by `command-fds` (the crate forbids `unsafe`).
//!
//! [`StdioProcess::terminate`] sends SIGTERM to the whole group, waits up to
//! a grace period for the leader, then SIGKILLs the group (grandchildren such
//! as `npx`'s `node` included). Dropping a [`StdioProcess`] SIGKILLs the
//! group at once. Limitation: under `flatpak-spawn --host` the host processes
//! are not in our group; flatpak-spawn forwards the signals it receives.
//!
//! Children die with ValeChat, even when it is killed by SIGKILL (bwrap's
//! `--die-with-parent`, `setpriv --pdeathsig KILL` in front of unsandboxed
//! servers: see `process/launch.rs`). Each spawned group is noted with its
//! owner ([`owners`]); at start-up ValeChat kills the groups whose owner
//! is gone (what a dead server's children left behind).
//!
//! Sandboxed servers (`super::sandbox`) start as `bwrap` (or `prlimit`,
//! which execs `bwrap`) in a new session, so the group is still led by the
//! process we spawned: signals to the group reach the server inside the
//! sandbox, and bwrap's `--die-with-parent` plus its PID namespace take
//! down anything left when bwrap dies. `--die-with-parent` follows the
//! thread that spawned bwrap (`PR_SET_PDEATHSIG`): spawn from a runtime
//! worker, never from a short-lived `spawn_blocking` thread.

use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

use command_fds::{CommandFdExt, FdMapping};
use process_wrap::tokio::{ChildWrapper, CommandWrap, KillOnDrop, ProcessGroup, ProcessSession};
use tokio::process::{ChildStdin, ChildStdout, Command};

use super::McpError;
use super::config::ServerConfig;
use super::log::{LogSource, ServerLog};
use super::path;

mod launch;

pub use launch::{ENV_FD, Launcher, PDEATHSIG, SECCOMP_FD, command_line, die_with_parent};

pub mod owners;

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

/// Starts the stdio server of `config` (secrets already resolved) the way
/// [`Launcher::current`] says, and a task draining its stderr into `log`.
/// Blocks up to 3 s on the very first call (login-shell PATH): call from a
/// blocking-safe context or after [`path::login_path`] was warmed in
/// `spawn_blocking`.
///
/// # Errors
/// As [`spawn_with`].
pub fn spawn(
    config: &ServerConfig,
    log: &ServerLog,
) -> Result<(StdioProcess, ServerPipes), McpError> {
    spawn_with(config, log, &Launcher::current())
}

/// [`spawn`] with the given `launcher`.
///
/// The server's environment is an allow-list of ValeChat's
/// ([`UNSANDBOXED`](super::sandbox::environment::UNSANDBOXED), or
/// [`PASSED_THROUGH`](super::sandbox::environment::PASSED_THROUGH) in the
/// sandbox), the login-shell PATH and its configured `env`, given to the
/// spawned process itself; under `flatpak-spawn` the `env` goes through a
/// pipe on [`ENV_FD`]. With [`ServerConfig::sandbox`] on, the command runs
/// inside Bubblewrap and/or behind `prlimit` (see [`super::sandbox`]),
/// started as the leader of a new session; the group id is still the
/// leader's pid.
///
/// # Errors
/// [`McpError::Config`] for a non-stdio config, [`McpError::Sandbox`] when
/// the sandbox or limits cannot be set up, [`McpError::Spawn`] when the
/// program cannot be started.
pub fn spawn_with(
    config: &ServerConfig,
    log: &ServerLog,
    launcher: &Launcher,
) -> Result<(StdioProcess, ServerPipes), McpError> {
    owners::sweep_once();
    let launch = launch::plan(config, launcher)?;
    let program = launch.program;
    let mut cmd = Command::new(&program);
    cmd.args(&launch.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(env) = &launch.env {
        cmd.env_clear().envs(env);
    } else {
        // flatpak-spawn itself keeps ValeChat's environment (it needs the
        // session bus); the host command gets the host session's, plus
        // the server's `env` read from ENV_FD.
        cmd.env("PATH", path::login_path());
    }
    if let Some(dir) = &launch.cwd {
        cmd.current_dir(dir);
    }
    let spawn_error = |source| McpError::Spawn {
        server: config.id.clone(),
        command: program.clone(),
        source,
    };
    let mut env_writer = None;
    let mut mappings = Vec::new();
    if let Some(bytes) = launch.env_fd {
        let (reader, writer) = std::io::pipe().map_err(spawn_error)?;
        mappings.push(FdMapping {
            parent_fd: reader.into(),
            child_fd: ENV_FD,
        });
        env_writer = Some((writer, bytes));
    }
    if let Some(filter) = &launch.seccomp {
        // A few hundred bytes: the pipe holds them all, so they are written
        // (and the pipe closed) before bwrap starts reading.
        let (reader, mut writer) = std::io::pipe().map_err(spawn_error)?;
        writer.write_all(filter).map_err(spawn_error)?;
        drop(writer);
        mappings.push(FdMapping {
            parent_fd: reader.into(),
            child_fd: SECCOMP_FD,
        });
    }
    if !mappings.is_empty() {
        cmd.fd_mappings(mappings)
            .map_err(|e| spawn_error(std::io::Error::other(e)))?;
    }
    let mut wrapped = CommandWrap::from(cmd);
    if launch.new_session {
        // A session of its own (and so a group of its own, same id):
        // detached from any terminal, which bwrap's --new-session would do
        // by moving the server out of the group we kill.
        wrapped.wrap(ProcessSession);
    } else {
        wrapped.wrap(ProcessGroup::leader());
    }
    wrapped.wrap(KillOnDrop);
    let mut child = wrapped.spawn().map_err(spawn_error)?;
    // Our copy of the pipe's read end closes with the command.
    drop(wrapped);
    if let Some((mut writer, bytes)) = env_writer {
        let server = config.id.clone();
        // Off the async threads: a large env fills the pipe until
        // flatpak-spawn reads it. Dropping the writer ends the list.
        tokio::task::spawn_blocking(move || {
            if let Err(error) = writer.write_all(&bytes) {
                tracing::warn!(server, %error, "could not pass the environment to flatpak-spawn");
            }
        });
    }
    let missing = |what: &str| spawn_error(std::io::Error::other(format!("no {what} pipe")));
    let stdin = child.stdin().take().ok_or_else(|| missing("stdin"))?;
    let stdout = child.stdout().take().ok_or_else(|| missing("stdout"))?;
    let stderr = child.stderr().take().ok_or_else(|| missing("stderr"))?;
    let pgid = child.id().ok_or_else(|| missing("pid"))?;
    owners::record(pgid);
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
