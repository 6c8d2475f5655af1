//! Roots against server-everything over stdio: its `get-roots-list` tool
//! (registered only because ValeChat declares the roots capability) shows
//! the folders of a shared [`RootsSource`]; after [`RootsSource::set`] every
//! live connection gets `notifications/roots/list_changed`, asks again, and
//! shows the new folder.

use std::time::Duration;

use serde_json::json;
use tokio_util::sync::CancellationToken;
use valechat_core::mcp::{
    CallOptions, ClientHooks, LogSource, McpConnection, RootsSource, ServerLog, WorkspaceRoot,
};
use valechat_core::secrets::MemoryKeyStore;

use super::common::everything_config;

/// Longest a test waits for something the server sends on its own.
const DEADLINE: Duration = Duration::from_secs(20);

async fn connect(roots: &RootsSource, log: &ServerLog) -> McpConnection {
    let hooks = ClientHooks {
        roots: roots.clone(),
        ..ClientHooks::default()
    };
    McpConnection::connect(
        &everything_config(),
        &MemoryKeyStore::new(),
        hooks,
        log.clone(),
    )
    .await
    .unwrap_or_else(|e| panic!("connecting to server-everything: {e}"))
}

/// The text `get-roots-list` answers.
async fn roots_list(conn: &McpConnection) -> String {
    conn.call_tool(
        "get-roots-list",
        json!({}),
        CallOptions::default(),
        CancellationToken::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("calling get-roots-list: {e}"))
    .text()
}

/// Waits until `log` holds a line containing `wanted`.
async fn wait_for_line(log: &ServerLog, wanted: &str) {
    let found = tokio::time::timeout(DEADLINE, async {
        while !log.lines().iter().any(|l| l.text.contains(wanted)) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(
        found.is_ok(),
        "no line with {wanted:?} in {:#?}",
        log.lines()
    );
}

#[tokio::test]
async fn set_roots_reach_every_live_connection() {
    let dir = tempfile::tempdir().unwrap();
    let alpha = dir.path().join("alpha");
    let beta = dir.path().join("Beta Folder");
    std::fs::create_dir_all(&alpha).unwrap();
    std::fs::create_dir_all(&beta).unwrap();
    let alpha_root = WorkspaceRoot::from_path(&alpha);
    let beta_root = WorkspaceRoot::from_path(&beta);
    let alpha_uri = alpha_root.uri().unwrap();
    let beta_uri = beta_root.uri().unwrap();
    assert!(beta_uri.ends_with("/Beta%20Folder"), "{beta_uri}");

    let roots = RootsSource::new(vec![alpha_root.clone()]);
    let (log_one, log_two) = (ServerLog::default(), ServerLog::default());
    let one = connect(&roots, &log_one).await;
    let two = connect(&roots, &log_two).await;
    assert_eq!(roots.live_connections(), 2);

    for conn in [&one, &two] {
        let text = roots_list(conn).await;
        assert!(text.contains("(1 total)"), "{text}");
        assert!(text.contains(&format!("URI: {alpha_uri}")), "{text}");
        assert!(text.contains("1. alpha"), "{text}");
        assert!(!text.contains("Beta"), "{text}");
    }

    // The same folders again: nothing to tell.
    assert!(!roots.set(vec![alpha_root.clone()]).await);
    assert!(roots.set(vec![alpha_root, beta_root]).await);
    for (conn, log) in [(&one, &log_one), (&two, &log_two)] {
        assert!(
            log.lines().iter().any(|l| l.source == LogSource::Client
                && l.text.contains("sent notifications/roots/list_changed")),
            "{:#?}",
            log.lines()
        );
        // The server asked again after list_changed and stored the answer.
        wait_for_line(log, "Roots updated: 2 root(s)").await;
        let text = roots_list(conn).await;
        assert!(text.contains("(2 total)"), "{text}");
        assert!(text.contains(&format!("URI: {beta_uri}")), "{text}");
        assert!(text.contains("2. Beta Folder"), "{text}");
    }

    one.shutdown().await;
    two.shutdown().await;
    // Closed connections do not hold a change up; the change is kept.
    assert!(roots.set(Vec::new()).await);
    assert!(roots.current().is_empty());
}
