//! The registry ([`McpServers`]): states, restarts with backoff, bounded
//! retries, and that stopping leaves no process behind.

use std::sync::Arc;
use std::time::Duration;

use valechat_core::mcp::registry::MAX_TRIES;
use valechat_core::mcp::{ClientHooks, LogSource, McpServers, ServerConfig, ServerState};
use valechat_core::secrets::MemoryKeyStore;

use super::common::{alive, everything_config, group_members, peer_path, stdio};

/// Longest a test waits for a state (the bounded retries take about 10 s).
const DEADLINE: Duration = Duration::from_secs(60);

fn registry() -> McpServers {
    McpServers::new(
        Arc::new(MemoryKeyStore::new()),
        ClientHooks::default(),
        None,
    )
}

/// Waits until `id`'s state satisfies `wanted` and returns it.
async fn state(
    servers: &McpServers,
    id: &str,
    wanted: impl Fn(&ServerState) -> bool,
) -> ServerState {
    let mut states = servers.subscribe();
    let found = tokio::time::timeout(DEADLINE, async {
        loop {
            if let Some(state) = states
                .borrow_and_update()
                .get(id)
                .filter(|s| wanted(s))
                .cloned()
            {
                return state;
            }
            states.changed().await.expect("registry alive");
        }
    })
    .await;
    found.unwrap_or_else(|_| panic!("{id}: state never matched; now {:?}", servers.state(id)))
}

fn is_ready(state: &ServerState) -> bool {
    matches!(state, ServerState::Ready { .. })
}

fn is_failed(state: &ServerState) -> bool {
    matches!(state, ServerState::Failed { .. })
}

/// Waits (bounded) until none of `pids` is alive; returns the survivors.
async fn survivors(pids: Vec<u32>) -> Vec<u32> {
    for _ in 0..100 {
        if pids.iter().all(|pid| !alive(*pid)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    pids.into_iter().filter(|pid| alive(*pid)).collect()
}

/// server-everything under `sh` with a `sleep` sibling in its group.
fn everything_with_a_sibling(id: &str) -> ServerConfig {
    let mut config = everything_config();
    let valechat_core::mcp::Transport::Stdio { command, args, .. } = &config.transport else {
        panic!("stdio expected");
    };
    let script = format!("sleep 300 & exec {command} {}", args.join(" "));
    config.transport = stdio(id, "sh", &["-c", &script]).transport;
    config.id = id.into();
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_and_a_failing_server() {
    let servers = registry();
    let failing = stdio(
        "failing",
        "sh",
        &["-c", "echo 'fatal: no configuration file' >&2; exit 1"],
    );
    let mut disabled = stdio("off", "sh", &["-c", "exit 1"]);
    disabled.enabled = false;
    servers
        .start_all(vec![everything_config(), failing, disabled])
        .await;
    assert_eq!(servers.state("off"), Some(ServerState::Disabled));

    let ready = state(&servers, "everything", is_ready).await;
    let ServerState::Ready {
        tools,
        resources,
        prompts,
    } = ready
    else {
        unreachable!()
    };
    assert!(tools >= 10 && resources > 0 && prompts >= 4, "{ready:?}");
    assert!(
        servers
            .tools()
            .iter()
            .any(|(id, tool)| id == "everything" && tool.name == "echo")
    );

    let failed = state(&servers, "failing", is_failed).await;
    let ServerState::Failed {
        reason,
        last_stderr_lines,
    } = failed
    else {
        unreachable!()
    };
    assert!(reason.contains("failing"), "{reason}");
    // A model may read the reason (a tool of an unavailable server): the
    // server's stderr is shown apart, never in it.
    assert!(!reason.contains("no configuration file"), "{reason}");
    assert!(
        last_stderr_lines
            .iter()
            .any(|l| l == "fatal: no configuration file"),
        "{last_stderr_lines:?}"
    );
    let log = servers.log("failing").expect("log");
    let failures = log
        .lines()
        .iter()
        .filter(|l| l.source == LogSource::Client && l.text.starts_with("failure "))
        .count();
    assert_eq!(failures, MAX_TRIES as usize);
    // The good server is unaffected.
    assert!(is_ready(&servers.state("everything").expect("known")));
    servers.shutdown_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_keeps_crashing_is_restarted_then_failed() {
    let servers = registry();
    let script = peer_path("faults/short_lived.py");
    let config = stdio("flaky", "python3", &[&script.to_string_lossy(), "1"]);
    servers.start(config).await;
    state(&servers, "flaky", is_ready).await;
    let failed = state(&servers, "flaky", is_failed).await;
    let ServerState::Failed {
        reason,
        last_stderr_lines,
    } = failed
    else {
        unreachable!()
    };
    assert_eq!(reason, "the server exited");
    assert!(
        last_stderr_lines
            .iter()
            .any(|l| l.starts_with("short_lived: exiting after")),
        "{last_stderr_lines:?}"
    );
    let lines = servers.log("flaky").expect("log").lines();
    let client = |prefix: &str| {
        lines
            .iter()
            .filter(|l| l.source == LogSource::Client && l.text.starts_with(prefix))
            .count()
    };
    // Every session got as far as listing tools: it was restarted each time.
    assert!(client("lists refreshed: 1 tools") >= 2, "{lines:#?}");
    assert_eq!(client("failure "), MAX_TRIES as usize, "{lines:#?}");
    // Backoff: the failures are at least 500 ms, 1 s, 2 s, 4 s apart.
    let at: Vec<i64> = lines
        .iter()
        .filter(|l| l.source == LogSource::Client && l.text.starts_with("failure "))
        .map(|l| l.at_ms)
        .collect();
    for (i, pair) in at.windows(2).enumerate() {
        let wanted = 500 * (1 << i);
        assert!(pair[1] - pair[0] >= wanted, "gap {i}: {:?}", at);
    }
    servers.shutdown_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_kills_the_process_group() {
    let servers = registry();
    servers.start(everything_with_a_sibling("grouped")).await;
    state(&servers, "grouped", is_ready).await;
    let pgid = servers
        .connection("grouped")
        .and_then(|c| c.pgid())
        .expect("stdio server with a group");
    let members = group_members(pgid);
    assert!(
        members.len() >= 2,
        "sh/node and sleep expected: {members:?}"
    );
    servers.stop("grouped").await;
    assert_eq!(servers.state("grouped"), Some(ServerState::Disabled));
    assert!(servers.connection("grouped").is_none());
    let left = survivors(members).await;
    assert!(left.is_empty(), "orphans left: {left:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_all_leaves_no_processes() {
    let servers = registry();
    let time = peer_path("venv/bin/mcp-server-time");
    servers
        .start_all(vec![
            everything_with_a_sibling("one"),
            everything_with_a_sibling("two"),
            stdio("time", &time.to_string_lossy(), &[]),
        ])
        .await;
    let mut members = Vec::new();
    for id in ["one", "two", "time"] {
        state(&servers, id, is_ready).await;
        let pgid = servers.connection(id).and_then(|c| c.pgid()).expect("pgid");
        members.extend(group_members(pgid));
    }
    assert!(members.len() >= 5, "{members:?}");
    servers.shutdown_all().await;
    for id in ["one", "two", "time"] {
        assert_eq!(servers.state(id), Some(ServerState::Disabled));
    }
    let left = survivors(members).await;
    assert!(left.is_empty(), "orphans left: {left:?}");
}

/// Removing a server (the servers page's Remove) stops it and forgets its
/// state and watched resources: a new server given the same id starts
/// clean.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remove_forgets_the_state_and_the_watched_resources() {
    let servers = registry();
    servers.start(everything_config()).await;
    let id = everything_config().id;
    state(&servers, &id, is_ready).await;
    let uri = "demo://resource/static/document/features.md";
    servers
        .watch_resource(&id, uri, true)
        .await
        .expect("server-everything takes subscriptions");
    assert_eq!(servers.watched_uris(&id), [uri]);
    servers.remove(&id).await;
    assert_eq!(servers.state(&id), None);
    assert!(servers.watched_uris(&id).is_empty());
    assert!(servers.connection(&id).is_none());
}
