//! CLI spending notifications (`valechat::cli::notify::notify_alerts_cli`)
//! against a real notification server on a private D-Bus session bus: a
//! `dbus-daemon --session` of the test's own, `tests/cli/notify_server.py`
//! owning `org.freedesktop.Notifications` on it and logging every Notify
//! call, and this test binary run again (the ignored `send_alerts_child`)
//! with `DBUS_SESSION_BUS_ADDRESS` pointing at that bus. One notification
//! must arrive per alert, with the texts the GUI uses.
//!
//! Needs `dbus-daemon` and `/usr/bin/python3` with gi (.ci/install-deps).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use valechat::cli::notify::notify_alerts_cli;
use valechat_core::ledger::{LimitAlert, LimitScope, SpendingLimit};

/// Longest the child test may take before it is killed (no hang in CI).
const CHILD_DEADLINE: Duration = Duration::from_secs(60);

fn limit(id: i64, scope: LimitScope, target: Option<&str>, amount: i64) -> SpendingLimit {
    SpendingLimit {
        id,
        scope,
        target: target.map(str::to_owned),
        amount_usd: Decimal::from(amount),
        hard: true,
        thresholds: vec![50, 80, 100],
        enabled: true,
        created_at: 0,
        updated_at: 0,
        provider_name: None,
    }
}

fn alerts() -> Vec<LimitAlert> {
    vec![
        LimitAlert {
            limit: limit(1, LimitScope::GlobalMonth, None, 10),
            threshold: 80,
            period_key: "2026-11".into(),
            spent: "8.12".parse().expect("decimal"),
        },
        LimitAlert {
            limit: limit(2, LimitScope::ProviderMonth, Some("openai"), 5),
            threshold: 100,
            period_key: "2026-11".into(),
            spent: Decimal::from(5),
        },
    ]
}

/// Sends the alerts; run only by `one_notification_per_alert`, on its bus.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by one_notification_per_alert on a private bus"]
async fn send_alerts_child() {
    assert!(
        std::env::var_os("VALECHAT_NOTIFY_CHILD").is_some(),
        "run through one_notification_per_alert, not directly"
    );
    assert_eq!(notify_alerts_cli(&alerts()).await, 2);
}

/// The full name of `test` in this test binary (`notify::send_alerts_child`),
/// for running it alone with `--exact`.
fn test_name(test: &str) -> String {
    let module = module_path!().split_once("::").map_or("", |(_, rest)| rest);
    format!("{module}::{test}")
}

/// Kills the process when dropped (the bus and the server).
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `command` with stdout piped and returns it with its first line.
fn start_with_line(command: &mut Command) -> (Reaped, String) {
    let mut child = Reaped(
        command
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {command:?}: {e}")),
    );
    let stdout = child.0.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the first line");
    assert!(
        !line.is_empty(),
        "{command:?} exited before printing a line"
    );
    (child, line.trim().to_owned())
}

#[test]
fn one_notification_per_alert() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_bus, address) = start_with_line(Command::new("dbus-daemon").args([
        "--session",
        "--nofork",
        "--print-address=1",
    ]));
    let log = dir.path().join("notifications.jsonl");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cli/notify_server.py");
    let (_server, ready) = start_with_line(
        Command::new("/usr/bin/python3")
            .arg(script)
            .arg(&log)
            .arg(&address),
    );
    assert_eq!(ready, "ready");

    let mut child = Reaped(
        Command::new(std::env::current_exe().expect("test binary"))
            .args([
                &test_name("send_alerts_child"),
                "--exact",
                "--ignored",
                "--nocapture",
            ])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .env("VALECHAT_NOTIFY_CHILD", "1")
            .env("LC_ALL", "C.UTF-8")
            .spawn()
            .expect("run the child test"),
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.0.try_wait().expect("wait for the child") {
            break status;
        }
        assert!(started.elapsed() < CHILD_DEADLINE, "the child test hung");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "the child test failed: {status}");

    let text = std::fs::read_to_string(&log).expect("the server logged notifications");
    let calls: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(calls.len(), 2, "one notification per alert: {text}");
    assert_eq!(calls[0]["app_name"], "ValeChat");
    assert_eq!(calls[0]["summary"], "Spending limit at 80 %");
    assert_eq!(
        calls[0]["body"],
        "Monthly, all providers: $8.12 spent of $10.00 (November 2026)."
    );
    assert_eq!(calls[0]["urgency"], 1);
    assert_eq!(calls[1]["summary"], "Spending limit at 100 %");
    assert_eq!(
        calls[1]["body"],
        "Monthly, provider openai: $5.00 spent of $5.00 (November 2026)."
    );
    assert_eq!(calls[1]["urgency"], 2);
}
