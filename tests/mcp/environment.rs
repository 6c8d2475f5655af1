//! What a stdio server's environment holds and how it gets there. A secret
//! of a server's `env` (kept in the keyring) reaches the server but no
//! process's command line (`/proc/*/cmdline`, readable by every local
//! user): sandboxed in Bubblewrap, unsandboxed, and started on the host
//! through a stand-in for `flatpak-spawn --host`
//! (`mcp/sandbox/fake-flatpak-spawn.sh`, which records its argv and execs
//! the server). An unsandboxed server started by the `valechat` binary sees
//! an allow-listed environment, not ValeChat's.

use crate::common;
use crate::support::cli;

use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio_util::sync::CancellationToken;
use valechat_core::mcp::process::{DEFAULT_GRACE, Launcher, spawn_with};
use valechat_core::mcp::{
    CallOptions, ClientHooks, McpConnection, SandboxSettings, ServerConfig, ServerLog, Transport,
};
use valechat_core::secrets::MemoryKeyStore;

/// The probe server (`mcp/sandbox/probe.py`) with `sandbox` on or off and
/// `API_TOKEN` = `secret` in its `env`.
fn probe(id: &str, sandbox: bool, secret: &str) -> ServerConfig {
    let script = common::peer_path("sandbox/probe.py");
    let mut config = common::stdio(id, "python3", &[&script.to_string_lossy()]);
    config.sandbox = Some(SandboxSettings {
        enabled: sandbox,
        ..SandboxSettings::default()
    });
    if let Transport::Stdio { env, .. } = &mut config.transport {
        env.insert("API_TOKEN".into(), secret.into());
    }
    config
}

/// A token no other process has any reason to carry.
fn fresh_secret() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("ghp_cmdlineCanary{}x{nanos}", std::process::id())
}

/// `(pid, command line)` of every process whose command line holds `text`
/// (panics when `/proc` cannot be read, so an empty answer means none).
fn command_lines_with(text: &str) -> Vec<(u32, String)> {
    let pids: Vec<u32> = std::fs::read_dir("/proc")
        .expect("/proc is readable")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .collect();
    assert!(pids.len() > 1, "{pids:?}");
    pids.into_iter()
        .filter_map(|pid| {
            let line = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            let line = String::from_utf8_lossy(&line).replace('\0', " ");
            line.contains(text).then_some((pid, line))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyring_secrets_reach_the_server_but_no_command_line() {
    let secret = fresh_secret();
    let keys = MemoryKeyStore::new();
    for sandbox in [true, false] {
        let mut config = probe(&format!("secret-{sandbox}"), sandbox, &secret);
        config.store_secrets(&keys).await.expect("into the keyring");
        assert!(!format!("{config:?}").contains(&secret), "{config:?}");
        let conn =
            McpConnection::connect(&config, &keys, ClientHooks::default(), ServerLog::default())
                .await
                .unwrap_or_else(|e| panic!("sandbox {sandbox}: {e}"));
        let shown = conn
            .call_tool(
                "env",
                json!({}),
                CallOptions::default(),
                CancellationToken::new(),
            )
            .await
            .expect("env")
            .text();
        let on_command_lines = command_lines_with(&secret);
        conn.shutdown().await;
        assert!(
            shown.lines().any(|l| l == format!("API_TOKEN={secret}")),
            "sandbox {sandbox}: {shown}"
        );
        assert!(
            on_command_lines.is_empty(),
            "sandbox {sandbox}: the secret is on {on_command_lines:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_spawned_server_reads_its_secrets_from_a_pipe() {
    let secret = fresh_secret();
    let keys = MemoryKeyStore::new();
    let mut config = probe("host", false, &secret);
    config.store_secrets(&keys).await.expect("into the keyring");
    let (resolved, _) = config.resolve_secrets(&keys).await.expect("resolved");
    let dir = tempfile::tempdir().expect("temp dir");
    let stand_in = dir.path().join("flatpak-spawn");
    std::fs::copy(
        common::peer_path("sandbox/fake-flatpak-spawn.sh"),
        &stand_in,
    )
    .expect("copy");
    let launcher = Launcher::FlatpakHost(stand_in);

    let (mut process, pipes) =
        spawn_with(&resolved, &ServerLog::default(), &launcher).expect("spawned");
    let mut stdin = pipes.stdin;
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                      "params": {"name": "env", "arguments": {}}});
    stdin
        .write_all(format!("{call}\n").as_bytes())
        .await
        .expect("request sent");
    let mut stdout = BufReader::new(pipes.stdout).lines();
    let reply = tokio::time::timeout(Duration::from_secs(20), stdout.next_line())
        .await
        .expect("an answer within 20 s")
        .expect("stdout readable")
        .unwrap_or_default();
    let on_command_lines = command_lines_with(&secret);
    process.terminate(DEFAULT_GRACE).await;

    let read = |name: &str| std::fs::read(dir.path().join(name)).expect(name);
    let argv: Vec<String> = String::from_utf8_lossy(&read("argv"))
        .split('\0')
        .map(str::to_owned)
        .collect();
    assert!(argv.iter().all(|a| !a.contains(&secret)), "{argv:?}");
    assert!(argv.contains(&"--env-fd=3".to_owned()), "{argv:?}");
    let own_env = String::from_utf8_lossy(&read("env")).into_owned();
    assert!(
        !own_env.contains(&secret),
        "flatpak-spawn's own environment"
    );
    assert!(
        on_command_lines.is_empty(),
        "the secret is on {on_command_lines:?}"
    );
    let reply: serde_json::Value =
        serde_json::from_str(&reply).unwrap_or_else(|e| panic!("{e}: {reply:?} (argv {argv:?})"));
    let shown = reply["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(
        shown.lines().any(|l| l == format!("API_TOKEN={secret}")),
        "{shown}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsandboxed_server_gets_an_allow_listed_environment() {
    let data = tempfile::tempdir().expect("temp dir");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mcp/sandbox/probe.py");
    let add = [
        "mcp",
        "add",
        "Probe",
        "--no-sandbox",
        "--env",
        "PROBE_SETTING=from-config",
        "--",
        "python3",
        &script.to_string_lossy(),
    ];
    cli::assert_success(&cli::valechat_with(data.path(), &[], &add).await);
    // Variables of ValeChat's own environment: one made up (it stands for
    // a token exported in a shell profile), one locale category.
    let env = [
        ("VALECHAT_MADE_UP_VARIABLE", "must-not-reach-servers"),
        ("LC_PAPER", "C.UTF-8"),
    ];
    let call = cli::valechat_with(data.path(), &env, &["mcp", "call", "probe", "env"]).await;
    cli::assert_success(&call);
    let shown = cli::stdout(&call);
    let has = |prefix: &str| shown.lines().any(|l| l.starts_with(prefix));
    assert!(!has("VALECHAT_MADE_UP_VARIABLE="), "{shown}");
    // The harness's own variables stay out too.
    assert!(!has("VALECHAT_DATA_DIR=") && !has("RUST_LOG="), "{shown}");
    assert!(has("PROBE_SETTING=from-config"), "{shown}");
    assert!(has("PATH=/") && has("LC_PAPER=C.UTF-8"), "{shown}");
}
