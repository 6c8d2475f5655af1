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

/// A provider answering one reply of 12 input and 3 output tokens for
/// `gpt-4o` at $10 / $30 per million tokens, under a soft monthly limit of
/// $0.0004 (its first reply crosses 50 %): the stand-in server, the data
/// folder, the engine and the provider id.
async fn priced_engine_under_a_soft_limit() -> (
    crate::support::TestServer,
    tempfile::TempDir,
    valechat_core::chat::Engine,
    String,
) {
    use std::sync::Arc;
    use valechat_core::billing::ModelPrice;
    use valechat_core::chat::Engine;
    use valechat_core::ledger::NewLimit;
    use valechat_core::provider::ProtocolKind;
    use valechat_core::secrets::MemoryKeyStore;
    use valechat_core::store::Store;

    let server =
        crate::support::TestServer::start(vec![crate::support::openai::text_reply_with_usage(
            &["Hello"],
            12,
            3,
        )])
        .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("valechat.db"))
        .await
        .expect("store");
    let engine = Engine::new(store, Arc::new(MemoryKeyStore::new()));
    let provider = engine
        .providers()
        .add(
            ProtocolKind::OpenAiCompatible,
            "Test",
            &server.base_url(),
            None,
        )
        .await
        .expect("provider")
        .id;
    let usd = |s: &str| s.parse::<Decimal>().expect("decimal");
    engine
        .store()
        .set_user_price(
            &provider,
            "gpt-4o",
            ModelPrice::from_per_million(usd("10"), usd("30")),
            0,
        )
        .await
        .expect("price");
    engine
        .store()
        .create_limit(NewLimit {
            hard: false,
            ..NewLimit::hard(LimitScope::GlobalMonth, None, usd("0.0004"))
        })
        .await
        .expect("limit");
    (server, dir, engine, provider)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by a_completion_crossing_a_threshold_is_notified on a private bus"]
async fn completion_alert_child() {
    use valechat_core::chat::CompletionRequest;
    use valechat_core::provider::ChatMessage;

    assert!(
        std::env::var_os("VALECHAT_NOTIFY_CHILD").is_some(),
        "run through a_completion_crossing_a_threshold_is_notified, not directly"
    );
    let (_server, _dir, engine, provider) = priced_engine_under_a_soft_limit().await;
    let stop = tokio_util::sync::CancellationToken::new();
    valechat::serve::alerts::notify_completion_alerts(&engine, stop.clone());
    let request = CompletionRequest {
        max_output_tokens: Some(10),
        ..CompletionRequest::new(&provider, "gpt-4o", vec![ChatMessage::user("Hi")])
    };
    engine
        .complete(request, tokio_util::sync::CancellationToken::new())
        .await
        .expect("completion");
    // The notifier runs on its own task: give it the time to call the server.
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by a_websocket_turn_crossing_a_threshold_is_notified on a private bus"]
async fn websocket_turn_alert_child() {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use valechat::serve::clients::Clients;
    use valechat::serve::ws::{TurnHub, router};

    assert!(
        std::env::var_os("VALECHAT_NOTIFY_CHILD").is_some(),
        "run through a_websocket_turn_crossing_a_threshold_is_notified, not directly"
    );
    let (_server, _dir, engine, provider) = priced_engine_under_a_soft_limit().await;
    let stop = tokio_util::sync::CancellationToken::new();
    let app = router(
        TurnHub::new(engine, None),
        Clients::default(),
        stop.clone(),
        None,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{address}/v1/ws"))
        .await
        .expect("connect");
    let send = serde_json::json!({"v": 1, "type": "send", "request_id": "r",
        "new": {"provider": provider, "model": "gpt-4o"}, "text": "Hi"});
    ws.send(Message::text(send.to_string()))
        .await
        .expect("send");
    let mut alerted = false;
    while let Some(Ok(message)) = ws.next().await {
        let Message::Text(text) = message else {
            continue;
        };
        let body: serde_json::Value = serde_json::from_str(text.as_str()).expect("JSON");
        alerted |= body["type"] == "limit_alert";
        if body["type"] == "finished" || body["type"] == "failed" {
            assert_eq!(body["type"], "finished", "{body}");
            break;
        }
    }
    assert!(alerted, "the client was sent limit_alert");
    // The notifier runs on its own task: give it the time to call the server.
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.cancel();
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

/// Runs the ignored child test `child` of this binary on a private
/// session bus whose notification server logs every call; returns the
/// calls.
fn notifications_of(child: &str) -> Vec<serde_json::Value> {
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
            .args([&test_name(child), "--exact", "--ignored", "--nocapture"])
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
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    text.lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

#[test]
fn one_notification_per_alert() {
    let calls = notifications_of("send_alerts_child");
    let text = format!("{calls:?}");
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

/// A completion served to another app (the local API, the MCP server
/// mode) that crosses a threshold is notified like a chat turn's.
#[test]
fn a_completion_crossing_a_threshold_is_notified() {
    let calls = notifications_of("completion_alert_child");
    assert_eq!(calls.len(), 1, "one notification: {calls:?}");
    assert_eq!(calls[0]["summary"], "Spending limit at 50 %");
    let body = calls[0]["body"].as_str().unwrap_or_default();
    assert!(
        body.starts_with("Monthly, all providers: $0.0002"),
        "{body}"
    );
}

/// A turn of the WebSocket stream that crosses a threshold is notified
/// like one of the window's.
#[test]
fn a_websocket_turn_crossing_a_threshold_is_notified() {
    let calls = notifications_of("websocket_turn_alert_child");
    assert_eq!(calls.len(), 1, "one notification: {calls:?}");
    assert_eq!(calls[0]["summary"], "Spending limit at 50 %");
}
