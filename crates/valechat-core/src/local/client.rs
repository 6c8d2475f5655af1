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

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::SystemTime;

use tokio::io::AsyncWriteExt;
use tokio::process::ChildStdin;
use tokio::sync::{Mutex, mpsc};

use super::protocol::{Loaded, Op, Reply, Request, RunnerError};

mod process;
use process::start;

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
    /// Models loaded in this process, by name.
    loaded: Mutex<HashMap<String, LoadedHere>>,
    /// The process id.
    pid: Option<u32>,
}

/// A model this client loaded in the live runner.
#[derive(Debug, Clone)]
struct LoadedHere {
    /// The GGUF path it was loaded from.
    path: String,
    /// When the load finished.
    since: SystemTime,
    /// What the runner listed for it right after the load (`None` from a
    /// runner whose list did not name it).
    info: Option<Loaded>,
}

/// A model loaded in the live runner, as [`RunnerClient::loaded_models`]
/// reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedModel {
    /// The runner's description (name, path, context length in tokens,
    /// GPU layers, weights in bytes, parameter count), as listed right
    /// after the load.
    pub info: Loaded,
    /// When the load finished (wall clock).
    pub since: SystemTime,
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
        if loaded.get(model).is_some_and(|l| l.path == path) {
            return Ok(());
        }
        self.request(load).await?;
        let since = SystemTime::now();
        // Listed once now, so that reading the loaded models later never
        // waits behind a generation (the runner serves requests in order).
        let listed: Vec<Loaded> = serde_json::from_value(self.request(Op::List).await?)
            .map_err(|e| ClientError::Protocol(format!("the list of loaded models: {e}")))?;
        let info = listed.into_iter().find(|l| l.model == model);
        loaded.insert(model.to_owned(), LoadedHere { path, since, info });
        Ok(())
    }

    /// The models loaded in the live runner, sorted by name, with what the
    /// runner reported at their load; empty when no runner is running (none
    /// is started). Does not wait for a generation in progress.
    pub async fn loaded_models(&self) -> Vec<LoadedModel> {
        let live = self.connection.lock().await.clone();
        let Some(connection) = live.filter(|c| c.ended.lock().is_ok_and(|e| e.is_none())) else {
            return Vec::new();
        };
        let loaded = connection.loaded.lock().await;
        let mut models: Vec<LoadedModel> = loaded
            .iter()
            .map(|(name, here)| {
                let info = here.info.clone().unwrap_or_else(|| Loaded {
                    model: name.clone(),
                    path: here.path.clone(),
                    context_length: 0,
                    gpu_layers: 0,
                    size_bytes: 0,
                    parameters: 0,
                });
                LoadedModel {
                    info,
                    since: here.since,
                }
            })
            .collect();
        models.sort_by(|a, b| a.info.model.cmp(&b.info.model));
        models
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
