//! A server's stderr, drained line by line into its [`ServerLog`] with the
//! memory a line takes bounded by [`MAX_STDERR_LINE_BYTES`].

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

use crate::mcp::log::{LogSource, MAX_LINE_BYTES, ServerLog};
use crate::provider::limits::size;

/// Longest stderr line kept, in bytes (4 KiB, what the log keeps of a
/// line): past it the kept part is logged at once with a line saying so,
/// and the rest of the line is read and dropped.
pub const MAX_STDERR_LINE_BYTES: usize = MAX_LINE_BYTES;

/// Reads `stderr` until it ends, pushing each line to `log`.
pub async fn drain(stderr: impl AsyncRead + Unpin, log: ServerLog) {
    let mut reader = BufReader::new(stderr);
    let mut line: Vec<u8> = Vec::new();
    // Bytes of the current line past the bound (it was logged already).
    let mut dropped: Option<usize> = None;
    loop {
        let available = match reader.fill_buf().await {
            Ok(available) if !available.is_empty() => available,
            _ => break,
        };
        let newline = available.iter().position(|b| *b == b'\n');
        let content = &available[..newline.unwrap_or(available.len())];
        let consumed = newline.map_or(available.len(), |at| at + 1);
        if let Some(n) = dropped.as_mut() {
            *n += content.len();
        } else {
            let room = MAX_STDERR_LINE_BYTES - line.len();
            if content.len() > room {
                line.extend_from_slice(&content[..room]);
                log.push(LogSource::Stderr, &String::from_utf8_lossy(&line));
                line.clear();
                dropped = Some(content.len() - room);
            } else {
                line.extend_from_slice(content);
            }
        }
        reader.consume(consumed);
        if newline.is_some() {
            end_line(&log, &mut line, dropped.take());
        }
    }
    if !line.is_empty() || dropped.is_some() {
        end_line(&log, &mut line, dropped);
    }
}

/// Logs the finished line, or, for a line over the bound, how long it was.
fn end_line(log: &ServerLog, line: &mut Vec<u8>, dropped: Option<usize>) {
    match dropped {
        Some(extra) => log.push(
            LogSource::Client,
            &format!(
                "the server wrote a stderr line of {}; the limit is {}, the rest was not kept",
                size(MAX_STDERR_LINE_BYTES + extra),
                size(MAX_STDERR_LINE_BYTES)
            ),
        ),
        None => log.push(LogSource::Stderr, &String::from_utf8_lossy(line)),
    }
    line.clear();
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::io::AsyncWriteExt;

    use super::*;

    #[tokio::test]
    async fn lines_are_logged_and_a_long_one_is_cut() {
        let log = ServerLog::default();
        let mut text = b"first\r\n".to_vec();
        text.extend(vec![b'x'; 3 * 1024 * 1024]);
        text.extend_from_slice(b"\nlast");
        drain(&text[..], log.clone()).await;
        let lines: Vec<_> = log
            .lines()
            .into_iter()
            .map(|l| (l.source, l.text))
            .collect();
        assert_eq!(
            lines.len(),
            4,
            "{:?}",
            lines.iter().map(|l| l.1.len()).collect::<Vec<_>>()
        );
        assert_eq!(lines[0], (LogSource::Stderr, "first".to_owned()));
        assert_eq!(lines[1].1, "x".repeat(MAX_STDERR_LINE_BYTES));
        assert_eq!(
            lines[2],
            (
                LogSource::Client,
                "the server wrote a stderr line of 3 MiB; the limit is 4 KiB, the rest was not kept"
                    .to_owned()
            )
        );
        assert_eq!(lines[3], (LogSource::Stderr, "last".to_owned()));
    }

    #[tokio::test]
    async fn a_line_that_never_ends_is_logged_without_waiting_for_its_end() {
        // 32 MiB without a newline, then a pipe that stays open: the kept
        // part is logged while the line is still coming (nothing buffers it).
        let (mut writer, reader) = tokio::io::duplex(64 * 1024);
        tokio::spawn(async move {
            let piece = vec![b'y'; 64 * 1024];
            for _ in 0..512 {
                if writer.write_all(&piece).await.is_err() {
                    return;
                }
            }
            std::future::pending::<()>().await;
        });
        let log = ServerLog::default();
        let mut logged = log.subscribe();
        tokio::spawn(drain(reader, log.clone()));
        // A bound on the wait so a regression fails instead of hanging.
        let line = tokio::time::timeout(Duration::from_secs(30), logged.recv())
            .await
            .expect("nothing was logged while the line was coming")
            .expect("log closed");
        assert_eq!(line.text.len(), MAX_STDERR_LINE_BYTES);
    }
}
