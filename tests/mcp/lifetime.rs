//! Servers die with ValeChat (issue 13, point 14): a `valechat` process
//! that starts a server is SIGKILLed; its server goes with it (bwrap's
//! `--die-with-parent` sandboxed, `setpriv --pdeathsig KILL` otherwise),
//! and what the server started itself is killed by the next `valechat` to
//! start (the leftover-group sweep), but never while its owner lives.
//!
//! The server is a shell that never answers: `valechat mcp tools` waits
//! for its handshake, and the test kills it meanwhile. The shells carry a
//! marker as `$0`, so the test finds them in `/proc`.

use crate::support::cli;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use crate::common::alive;

/// Pids of live processes whose command line contains `marker`.
fn with_marker(marker: &str) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(marker))
                && alive(*pid)
        })
        .collect()
}

/// Kills what is left of the processes marked `.0` when dropped, so a
/// failing test leaves nothing running.
struct Cleanup(String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for pid in with_marker(&self.0) {
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
        }
    }
}

/// Polls `done` every 50 ms, at most 400 times.
async fn eventually(mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..400 {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    done()
}

/// Adds server `name` (with `flags`): a shell marked `<marker>-leader`
/// that starts a shell marked `<marker>-child` and never answers.
async fn add_silent_server(data: &Path, name: &str, marker: &str, flags: &[&str]) {
    let script =
        format!("sh -c 'while :; do sleep 1; done' {marker}-ch\"\"ild & while :; do sleep 1; done");
    let leader = format!("{marker}-leader");
    let mut args = vec!["mcp", "add", name];
    args.extend_from_slice(flags);
    args.extend_from_slice(&["--", "sh", "-c", &script, &leader]);
    cli::assert_success(&cli::valechat_with(data, &[], &args).await);
}

/// `valechat mcp tools ID`, left running (killed when dropped).
fn start_owner(data: &Path, id: &str) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_valechat"))
        .args(["mcp", "tools", id])
        .env("VALECHAT_DATA_DIR", data)
        .env("RUST_LOG", "off")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start valechat")
}

async fn both_running(marker: &str) {
    let leader = format!("{marker}-leader");
    let child = format!("{marker}-child");
    assert!(
        eventually(|| !with_marker(&leader).is_empty() && !with_marker(&child).is_empty()).await,
        "the server did not start"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsandboxed_server_dies_with_a_sigkilled_valechat_and_its_children_at_the_next_start() {
    let data = tempfile::tempdir().unwrap();
    let marker = format!("valechat-lifetime-open-{}", std::process::id());
    let _cleanup = Cleanup(marker.clone());
    add_silent_server(data.path(), "Silent", &marker, &["--no-sandbox"]).await;
    let mut owner = start_owner(data.path(), "silent");
    both_running(&marker).await;

    // Another ValeChat starting meanwhile leaves a live owner's server alone.
    cli::assert_success(&cli::valechat_with(data.path(), &[], &["mcp", "list"]).await);
    assert!(
        !with_marker(&format!("{marker}-leader")).is_empty(),
        "a live owner's server was killed"
    );
    assert!(!with_marker(&format!("{marker}-child")).is_empty());

    owner.kill().await.unwrap(); // SIGKILL: no clean-up runs.
    let leader = format!("{marker}-leader");
    assert!(
        eventually(|| with_marker(&leader).is_empty()).await,
        "the server outlived the SIGKILLed valechat: {:?}",
        with_marker(&leader)
    );
    // Its own child only shared its group; the next start kills it.
    let child = format!("{marker}-child");
    cli::assert_success(&cli::valechat_with(data.path(), &[], &["mcp", "list"]).await);
    let gone = eventually(|| with_marker(&child).is_empty()).await;
    for pid in with_marker(&marker) {
        let _ = std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status();
    }
    assert!(gone, "the server's child outlived the next start");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sandboxed_server_and_its_children_die_with_a_sigkilled_valechat() {
    let data = tempfile::tempdir().unwrap();
    let marker = format!("valechat-lifetime-boxed-{}", std::process::id());
    let _cleanup = Cleanup(marker.clone());
    add_silent_server(data.path(), "Boxed", &marker, &["--sandbox"]).await;
    let mut owner = start_owner(data.path(), "boxed");
    both_running(&marker).await;
    owner.kill().await.unwrap();
    let gone = eventually(|| with_marker(&marker).is_empty()).await;
    for pid in with_marker(&marker) {
        let _ = std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status();
    }
    assert!(gone, "the sandboxed server outlived the SIGKILLed valechat");
}
