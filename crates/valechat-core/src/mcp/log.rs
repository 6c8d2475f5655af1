//! [`ServerLog`]: the last lines a server wrote to stderr (and protocol log
//! messages), with timestamps, for the servers page and error messages.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::broadcast;

/// Lines kept per server by [`ServerLog::new`].
pub const DEFAULT_CAPACITY: usize = 500;

/// Longest line kept, in bytes; longer lines are cut (with `…`).
pub const MAX_LINE_BYTES: usize = 4096;

/// Where a log line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogSource {
    /// The process's stderr.
    Stderr,
    /// An MCP `notifications/message` log message.
    Protocol,
    /// ValeChat itself (started, exited, restarting…).
    Client,
}

/// Severity of a server's log message, the syslog levels of the spec
/// (`logging/setLevel`, `notifications/message`), least severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// `debug`.
    Debug,
    /// `info`.
    Info,
    /// `notice`.
    Notice,
    /// `warning`.
    Warning,
    /// `error`.
    Error,
    /// `critical`.
    Critical,
    /// `alert`.
    Alert,
    /// `emergency`.
    Emergency,
}

// rmcp marks logging deprecated (SEP-2577); 2025-11-25 servers still use it.
#[allow(deprecated)]
impl From<rmcp::model::LoggingLevel> for LogLevel {
    fn from(level: rmcp::model::LoggingLevel) -> Self {
        use rmcp::model::LoggingLevel as L;
        match level {
            L::Debug => Self::Debug,
            L::Info => Self::Info,
            L::Notice => Self::Notice,
            L::Warning => Self::Warning,
            L::Error => Self::Error,
            L::Critical => Self::Critical,
            L::Alert => Self::Alert,
            L::Emergency => Self::Emergency,
        }
    }
}

#[allow(deprecated)]
impl From<LogLevel> for rmcp::model::LoggingLevel {
    fn from(level: LogLevel) -> Self {
        match level {
            LogLevel::Debug => Self::Debug,
            LogLevel::Info => Self::Info,
            LogLevel::Notice => Self::Notice,
            LogLevel::Warning => Self::Warning,
            LogLevel::Error => Self::Error,
            LogLevel::Critical => Self::Critical,
            LogLevel::Alert => Self::Alert,
            LogLevel::Emergency => Self::Emergency,
        }
    }
}

/// One log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// When it was read, UTC unix milliseconds.
    pub at_ms: i64,
    /// Origin.
    pub source: LogSource,
    /// Severity of a [`LogSource::Protocol`] line (the server's
    /// `notifications/message` level); `None` for the other sources.
    pub level: Option<LogLevel>,
    /// Text without the trailing newline.
    pub text: String,
}

/// A bounded ring buffer of [`LogLine`]s shared by clones; subscribers get
/// new lines through a broadcast channel.
#[derive(Debug, Clone)]
pub struct ServerLog {
    inner: Arc<Mutex<VecDeque<LogLine>>>,
    capacity: usize,
    sender: broadcast::Sender<LogLine>,
}

impl Default for ServerLog {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl ServerLog {
    /// An empty log keeping the last `capacity` lines (at least 1).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        let (sender, _) = broadcast::channel(256);
        Self {
            inner: Arc::new(Mutex::new(VecDeque::new())),
            capacity: capacity.max(1),
            sender,
        }
    }

    /// Appends a line, dropping the oldest when full.
    pub fn push(&self, source: LogSource, text: &str) {
        self.push_line(source, None, text);
    }

    /// Appends a server's log message (`notifications/message`) at `level`
    /// as a [`LogSource::Protocol`] line.
    pub fn push_protocol(&self, level: LogLevel, text: &str) {
        self.push_line(LogSource::Protocol, Some(level), text);
    }

    fn push_line(&self, source: LogSource, level: Option<LogLevel>, text: &str) {
        let mut text = text.trim_end_matches(['\n', '\r']).to_owned();
        if text.len() > MAX_LINE_BYTES {
            let mut cut = MAX_LINE_BYTES;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            text.push('…');
        }
        let line = LogLine {
            at_ms: chrono::Utc::now().timestamp_millis(),
            source,
            level,
            text,
        };
        {
            let mut lines = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            if lines.len() == self.capacity {
                lines.pop_front();
            }
            lines.push_back(line.clone());
        }
        // No subscriber is fine.
        let _ = self.sender.send(line);
    }

    /// Every kept line, oldest first.
    pub fn lines(&self) -> Vec<LogLine> {
        let lines = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        lines.iter().cloned().collect()
    }

    /// The texts of the last `n` stderr lines, oldest first.
    pub fn last_stderr(&self, n: usize) -> Vec<String> {
        let lines = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let mut last: Vec<String> = lines
            .iter()
            .rev()
            .filter(|l| l.source == LogSource::Stderr)
            .take(n)
            .map(|l| l.text.clone())
            .collect();
        last.reverse();
        last
    }

    /// `": stderr: a | b"` for error messages, or empty when there is none.
    #[must_use]
    pub fn stderr_suffix(&self, n: usize) -> String {
        let last = self.last_stderr(n);
        if last.is_empty() {
            String::new()
        } else {
            format!("; last stderr lines: {}", last.join(" | "))
        }
    }

    /// New lines from now on (a lagging receiver skips lines).
    #[must_use]
    pub fn subscribe(&self) -> broadcast::Receiver<LogLine> {
        self.sender.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_the_last_lines() {
        let log = ServerLog::new(3);
        for i in 0..5 {
            log.push(LogSource::Stderr, &format!("line {i}\n"));
        }
        let texts: Vec<_> = log.lines().into_iter().map(|l| l.text).collect();
        assert_eq!(texts, ["line 2", "line 3", "line 4"]);
        log.push(LogSource::Client, "restarting");
        assert_eq!(log.last_stderr(2), ["line 3", "line 4"]);
        assert!(log.stderr_suffix(1).contains("line 4"));
    }

    #[test]
    fn long_lines_are_cut_and_subscribers_get_lines() {
        let log = ServerLog::new(2);
        let mut rx = log.subscribe();
        log.push(LogSource::Stderr, &"é".repeat(MAX_LINE_BYTES));
        let line = rx.try_recv().unwrap();
        assert!(line.text.len() <= MAX_LINE_BYTES + '…'.len_utf8());
        assert!(line.text.ends_with('…'));
    }
}
