//! Misbehaving servers: crash, silence, stderr flood, stdout garbage,
//! oversized messages and stderr lines, and the process group (no orphans).

use std::time::Duration;

use serde_json::json;
use tokio_util::sync::CancellationToken;
use valechat_core::mcp::{CallOptions, McpError};

use super::common::{alive, connect, group_members, peer_path, stdio};

fn fault(name: &str) -> valechat_core::mcp::ServerConfig {
    let script = peer_path(&format!("faults/{name}.py"));
    stdio(name, "python3", &[&script.to_string_lossy()])
}

#[tokio::test]
async fn a_crash_mid_call_is_a_clear_error() {
    let conn = connect(&fault("crash")).await;
    let error = conn
        .call_tool(
            "boom",
            json!({}),
            CallOptions::default(),
            CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, McpError::Closed { .. }), "{error}");
    assert!(error.to_string().contains("crashing now"), "{error}");
}

#[tokio::test]
async fn a_silent_server_times_out() {
    let conn = connect(&fault("silent")).await;
    let options = CallOptions {
        timeout_ms: 300,
        total_cap_ms: 1_000,
        progress: None,
    };
    let error = conn
        .call_tool("wait", json!({}), options, CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            McpError::Timeout {
                timeout_ms: 300,
                ..
            }
        ),
        "{error}"
    );
    conn.shutdown().await;
}

#[tokio::test]
async fn stderr_floods_and_stdout_garbage_do_not_block() {
    let conn = connect(&fault("noisy")).await;
    let outcome = conn
        .call_tool(
            "noise",
            json!({}),
            CallOptions::default(),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(outcome.text(), "done");
    // The drain task may still be catching up with the pipe.
    let mut last = Vec::new();
    for _ in 0..100 {
        last = conn.log().last_stderr(1);
        if last == ["last noise line"] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(last, ["last noise line"]);
    assert!(conn.log().lines().len() <= valechat_core::mcp::log::DEFAULT_CAPACITY);
    conn.shutdown().await;
}

#[tokio::test]
async fn the_whole_process_group_dies() {
    let server = peer_path("faults/silent.py");
    let script = format!("sleep 300 & exec python3 {}", server.display());
    let conn = connect(&stdio("group", "sh", &["-c", &script])).await;
    let pgid = conn.pgid().expect("stdio server has a group");
    let members = group_members(pgid);
    assert!(
        members.len() >= 2,
        "leader and sleep expected, got {members:?}"
    );
    conn.shutdown().await;
    for _ in 0..100 {
        if members.iter().all(|pid| !alive(*pid)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let left: Vec<u32> = members.into_iter().filter(|pid| alive(*pid)).collect();
    assert!(left.is_empty(), "orphans left: {left:?}");
}

#[tokio::test]
async fn dropping_the_connection_kills_the_group() {
    let server = peer_path("faults/silent.py");
    let script = format!("sleep 300 & exec python3 {}", server.display());
    let conn = connect(&stdio("dropped", "sh", &["-c", &script])).await;
    let members = group_members(conn.pgid().expect("pgid"));
    assert!(members.len() >= 2, "{members:?}");
    drop(conn);
    for _ in 0..100 {
        if members.iter().all(|pid| !alive(*pid)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let left: Vec<u32> = members.into_iter().filter(|pid| alive(*pid)).collect();
    assert!(left.is_empty(), "orphans left: {left:?}");
}

#[tokio::test]
async fn a_message_over_the_bound_ends_the_session_with_the_sizes() {
    let conn = connect(&fault("huge")).await;
    // The wait is a hang guard: the bound ends the call long before it.
    let options = CallOptions {
        timeout_ms: 60_000,
        total_cap_ms: 60_000,
        progress: None,
    };
    let error = conn
        .call_tool("huge", json!({}), options, CancellationToken::new())
        .await
        .unwrap_err();
    assert!(matches!(error, McpError::Closed { .. }), "{error}");
    let words = "the server sent a message of 16.0 MiB or more; the limit is 16 MiB";
    assert!(error.to_string().contains(words), "{error}");
    assert!(
        conn.log().lines().iter().any(|l| l.text == words),
        "the log does not say why"
    );
}

#[tokio::test]
async fn a_long_stderr_line_is_cut_and_said_so() {
    let conn = connect(&fault("huge")).await;
    let outcome = conn
        .call_tool(
            "long_stderr",
            json!({}),
            CallOptions::default(),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(outcome.text(), "done");
    let mut texts = Vec::new();
    for _ in 0..100 {
        texts = conn.log().lines().into_iter().map(|l| l.text).collect();
        if texts.last().is_some_and(|t| t == "after the long line") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let n = texts.len();
    assert!(n >= 3, "{n} lines");
    assert_eq!(
        texts[n - 3],
        "e".repeat(valechat_core::mcp::process::MAX_STDERR_LINE_BYTES)
    );
    assert_eq!(
        texts[n - 2],
        "the server wrote a stderr line of 2 MiB; the limit is 4 KiB, the rest was not kept"
    );
    assert_eq!(texts[n - 1], "after the long line");
    conn.shutdown().await;
}
