//! The app's side of [`super::protocol`]: starts `valechat local-runner`,
//! sends requests, routes each reply line to the request it answers, and
//! starts a new runner for the next request after one died.
//!
//! The runner's death (a crash or an out-of-memory kill inside llama.cpp)
//! ends every request in flight with [`ClientError::Stopped`], which says how
//! the process ended; the process that uses the client keeps running. The
//! models the dead runner had loaded are loaded again on demand
//! ([`RunnerClient::ensure_loaded`]). The runner's stderr (llama.cpp's log)
//! is read and kept, last lines only, for that message.

use std::collections::{HashMap, VecDeque};
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::{Mutex, mpsc};

use super::protocol::{Op, PROTOCOL_VERSION, Reply, Request, RunnerError};

/// How the runner is started: a program and its arguments (the app passes
/// its own executable and `local-runner`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunnerCommand {
    /// The executable.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<OsString>,
}

impl RunnerCommand {
    /// `current_exe local-runner`: the runner built into the running `valechat`.
    ///
    /// # Errors
    /// When the running executable's path cannot be found.
    pub fn this_executable() -> std::io::Result<Self> {
        Ok(Self {
            program: std::env::current_exe()?,
            args: vec!["local-runner".into()],
        })
    }
}

/// A failure talking to the runner.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// The runner answered with an error.
    #[error("{0}")]
    Runner(#[from] RunnerError),
    /// The runner could not start, or stopped before answering.
    #[error("the local model runner {0}")]
    Stopped(String),
    /// The runner wrote something this client does not understand.
    #[error("the local model runner sent an unreadable reply: {0}")]
    Protocol(String),
}

/// Lines for one request in flight.
type Sink = mpsc::UnboundedSender<Reply>;

/// One running runner process.
struct Connection {
    stdin: Mutex<ChildStdin>,
    pending: StdMutex<HashMap<u64, Sink>>,
    /// Set once the process ended: how it ended.
    ended: StdMutex<Option<String>>,
    /// Models loaded in this process: name → path.
    loaded: Mutex<HashMap<String, String>>,
    /// The process id.
    pid: Option<u32>,
}

/// The app's handle on the runner; cheap to share (`Arc`).
pub struct RunnerClient {
    command: RunnerCommand,
    connection: Mutex<Option<Arc<Connection>>>,
    next_id: AtomicU64,
}

/// A generation in flight: its request id and its reply lines (deltas, then
/// one done or error; the channel closes without them if the runner died).
pub struct Generation {
    /// The request id, for [`RunnerClient::cancel`].
    pub id: u64,
    /// The reply lines.
    pub replies: mpsc::UnboundedReceiver<Reply>,
    connection: Arc<Connection>,
}

impl Generation {
    /// Why the channel closed without a final line: how the runner ended.
    #[must_use]
    pub fn stop_reason(&self) -> String {
        self.connection
            .ended
            .lock()
            .ok()
            .and_then(|e| e.clone())
            .unwrap_or_else(|| "stopped".to_owned())
    }
}

impl RunnerClient {
    /// A client that starts the runner with `command` when first needed.
    #[must_use]
    pub fn new(command: RunnerCommand) -> Self {
        Self {
            command,
            connection: Mutex::new(None),
            next_id: AtomicU64::new(1),
        }
    }

    /// The live runner, started now if there is none or the last one ended.
    async fn connection(&self) -> Result<Arc<Connection>, ClientError> {
        let mut slot = self.connection.lock().await;
        if let Some(live) = slot.as_ref()
            && live.ended.lock().is_ok_and(|e| e.is_none())
        {
            return Ok(live.clone());
        }
        let connection = start(&self.command).await?;
        *slot = Some(connection.clone());
        Ok(connection)
    }

    /// Sends `op`, returning the connection it went to and its reply lines.
    async fn send(
        &self,
        op: Op,
    ) -> Result<(u64, Arc<Connection>, mpsc::UnboundedReceiver<Reply>), ClientError> {
        let connection = self.connection().await?;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::unbounded_channel();
        if let Ok(mut pending) = connection.pending.lock() {
            pending.insert(id, tx);
        }
        let line = serde_json::to_string(&Request { id, op })
            .map_err(|e| ClientError::Protocol(e.to_string()))?;
        let mut stdin = connection.stdin.lock().await;
        let written = async {
            stdin.write_all(line.as_bytes()).await?;
            stdin.write_all(b"\n").await?;
            stdin.flush().await
        }
        .await;
        if let Err(e) = written {
            return Err(ClientError::Stopped(format!("could not be reached: {e}")));
        }
        drop(stdin);
        Ok((id, connection, rx))
    }

    /// Sends `op` and waits for its one reply.
    ///
    /// # Errors
    /// The runner's error, or [`ClientError::Stopped`] when it died first.
    pub async fn request(&self, op: Op) -> Result<serde_json::Value, ClientError> {
        let (_, connection, mut rx) = self.send(op).await?;
        match rx.recv().await {
            Some(Reply::Ok { result, .. }) => Ok(result),
            Some(Reply::Error { error, .. }) => Err(error.into()),
            Some(other) => Err(ClientError::Protocol(format!("{other:?}"))),
            None => Err(ClientError::Stopped(
                connection
                    .ended
                    .lock()
                    .ok()
                    .and_then(|e| e.clone())
                    .unwrap_or_default(),
            )),
        }
    }

    /// Loads `path` as `model` in the live runner unless it is loaded there
    /// already (a new runner after a crash has nothing loaded).
    ///
    /// # Errors
    /// The runner's [`RunnerError::Load`] and the like.
    pub async fn ensure_loaded(&self, model: &str, load: Op) -> Result<(), ClientError> {
        let connection = self.connection().await?;
        let path = match &load {
            Op::Load { path, .. } => path.clone(),
            _ => {
                return Err(ClientError::Protocol(
                    "ensure_loaded needs a load request".into(),
                ));
            }
        };
        let mut loaded = connection.loaded.lock().await;
        if loaded.get(model) == Some(&path) {
            return Ok(());
        }
        self.request(load).await?;
        loaded.insert(model.to_owned(), path);
        Ok(())
    }

    /// Unloads `model`, freeing its memory in the runner.
    ///
    /// # Errors
    /// [`RunnerError::NotLoaded`] when it is not loaded.
    pub async fn unload(&self, model: &str) -> Result<(), ClientError> {
        let connection = self.connection().await?;
        self.request(Op::Unload {
            model: model.to_owned(),
        })
        .await?;
        connection.loaded.lock().await.remove(model);
        Ok(())
    }

    /// Whether `model` is loaded in the live runner (no runner: `false`,
    /// and none is started).
    pub async fn is_loaded(&self, model: &str) -> bool {
        let live = self.connection.lock().await.clone();
        match live {
            Some(c) if c.ended.lock().is_ok_and(|e| e.is_none()) => {
                c.loaded.lock().await.contains_key(model)
            }
            _ => false,
        }
    }

    /// Starts a [`Op::Generate`]; read its lines from [`Generation::replies`].
    ///
    /// # Errors
    /// [`ClientError::Stopped`] when the runner cannot be started or reached.
    pub async fn generate(&self, op: Op) -> Result<Generation, ClientError> {
        let (id, connection, replies) = self.send(op).await?;
        Ok(Generation {
            id,
            replies,
            connection,
        })
    }

    /// The process id of the live runner, if one is running (for memory
    /// figures and diagnostics).
    pub async fn runner_pid(&self) -> Option<u32> {
        let slot = self.connection.lock().await;
        slot.as_ref()
            .filter(|c| c.ended.lock().is_ok_and(|e| e.is_none()))
            .and_then(|c| c.pid)
    }

    /// Asks the runner to stop generation `id` at the next token.
    pub async fn cancel(&self, id: u64) {
        let live = self.connection.lock().await.clone();
        if live.is_some() {
            // Best effort: a runner that is gone has stopped generating too.
            let _ = self.send(Op::Cancel { target: id }).await;
        }
    }
}

/// Starts the runner and its reader tasks; waits for its hello line.
async fn start(command: &RunnerCommand) -> Result<Arc<Connection>, ClientError> {
    let mut child = Command::new(&command.program)
        .args(&command.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            ClientError::Stopped(format!(
                "could not start ({}): {e}",
                command.program.display()
            ))
        })?;
    let (Some(stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(ClientError::Stopped("has no pipes".into()));
    };
    let pid = child.id();
    let log = Arc::new(StdMutex::new(VecDeque::new()));
    tokio::spawn(keep_log(BufReader::new(stderr), log.clone()));
    let mut lines = BufReader::new(stdout).lines();
    let hello = lines.next_line().await.ok().flatten().unwrap_or_default();
    match serde_json::from_str::<Reply>(&hello) {
        Ok(Reply::Hello { protocol, .. }) if protocol == PROTOCOL_VERSION => {}
        Ok(Reply::Hello { protocol, .. }) => {
            return Err(ClientError::Protocol(format!(
                "protocol version {protocol}, this ValeChat speaks {PROTOCOL_VERSION}"
            )));
        }
        _ => {
            let status = child
                .wait()
                .await
                .map(|s| s.to_string())
                .unwrap_or_default();
            return Err(ClientError::Stopped(format!(
                "did not start ({status}): {}",
                last_lines(&log)
            )));
        }
    }
    let connection = Arc::new(Connection {
        stdin: Mutex::new(stdin),
        pending: StdMutex::new(HashMap::new()),
        ended: StdMutex::new(None),
        loaded: Mutex::new(HashMap::new()),
        pid,
    });
    tokio::spawn(route(lines, child, connection.clone(), log));
    Ok(connection)
}

/// Routes reply lines to their requests until stdout closes, then records
/// how the process ended and drops every pending request.
async fn route(
    mut lines: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    mut child: Child,
    connection: Arc<Connection>,
    log: Arc<StdMutex<VecDeque<String>>>,
) {
    while let Ok(Some(line)) = lines.next_line().await {
        let Ok(reply) = serde_json::from_str::<Reply>(&line) else {
            tracing::warn!("local runner: unreadable line: {line}");
            continue;
        };
        let (id, last) = match &reply {
            Reply::Delta { id, .. } | Reply::ToolCall { id, .. } => (*id, false),
            Reply::Ok { id, .. } | Reply::Done { id, .. } | Reply::Error { id, .. } => (*id, true),
            Reply::Hello { .. } => continue,
        };
        let Ok(mut pending) = connection.pending.lock() else {
            break;
        };
        let sink = if last {
            pending.remove(&id)
        } else {
            pending.get(&id).cloned()
        };
        drop(pending);
        if let Some(sink) = sink {
            let _ = sink.send(reply);
        }
    }
    let status = child.wait().await;
    let how = match status {
        Ok(status) => describe_exit(status),
        Err(e) => format!("stopped ({e})"),
    };
    let log = last_lines(&log);
    let how = if log.is_empty() {
        how
    } else {
        format!("{how}; its last log lines: {log}")
    };
    tracing::warn!("local runner {how}");
    if let Ok(mut ended) = connection.ended.lock() {
        *ended = Some(how);
    }
    if let Ok(mut pending) = connection.pending.lock() {
        pending.clear();
    }
}

fn describe_exit(status: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = match signal {
                9 => " (SIGKILL: killed, for example for lack of memory)",
                11 => " (SIGSEGV: crashed)",
                6 => " (SIGABRT: aborted)",
                _ => "",
            };
            return format!("stopped by signal {signal}{name}");
        }
    }
    format!("stopped ({status})")
}

/// Lines of the runner's log kept for [`ClientError::Stopped`].
const LOG_LINES: usize = 3;

async fn keep_log(
    stderr: BufReader<tokio::process::ChildStderr>,
    log: Arc<StdMutex<VecDeque<String>>>,
) {
    let mut lines = stderr.lines();
    while let Ok(Some(line)) = lines.next_line().await {
        tracing::debug!(target: "valechat_core::local::runner", "{line}");
        if let Ok(mut log) = log.lock() {
            if log.len() == LOG_LINES {
                log.pop_front();
            }
            log.push_back(line);
        }
    }
}

fn last_lines(log: &StdMutex<VecDeque<String>>) -> String {
    log.lock()
        .map(|l| l.iter().cloned().collect::<Vec<_>>().join(" | "))
        .unwrap_or_default()
}
