//! The runner process: starting it, routing its reply lines to their
//! requests, keeping the last lines of its log, and saying how it ended.

use std::collections::{HashMap, VecDeque};
use std::process::Stdio;
use std::sync::{Arc, Mutex as StdMutex};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::Mutex;

use super::{ClientError, Connection, RunnerCommand};
use crate::local::protocol::{PROTOCOL_VERSION, Reply};

/// Starts the runner and its reader tasks; waits for its hello line.
pub(super) async fn start(command: &RunnerCommand) -> Result<Arc<Connection>, ClientError> {
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
            Reply::Delta { id, .. } | Reply::Reasoning { id, .. } | Reply::ToolCall { id, .. } => {
                (*id, false)
            }
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
