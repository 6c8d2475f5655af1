//! The reference web client (`data/web/`, issue 15 part 2) in headless
//! Chromium against `valechat serve` and a local stand-in provider:
//! `tests/serve/web_client.py` (selenium, Debian's chromium and
//! chromium-driver) connects with the token, sends a message and sees the
//! reply stream in with its cost, then allows a tool call of a real MCP
//! server (`mcp-server-time`) in the page and sees its result and the
//! reply. `VALECHAT_WEB_SCREENSHOT=FILE.png` keeps a picture of the page. Needs the session (the token is in the
//! keyring) and `.ci/install-deps --tests` (chromium, the venv).

use std::path::Path;
use std::process::Command;

use crate::serve_api::{
    KEYRING, openai_models, provider, python, read_token, require_session, serve,
};
use crate::support::TestServer;
use crate::support::cli::{assert_success, valechat_with};
use crate::support::openai::{text_reply_with_usage, tool_call_reply};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_client_chats_in_chromium() {
    require_session();
    let python = python();
    assert!(
        Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists(),
        "chromium and chromium-driver are missing: run .ci/install-deps --tests"
    );
    let _turn = KEYRING.lock().await;
    let reply = || text_reply_with_usage(&["Hello ", "from ", "the web"], 20, 4);
    // The model list (once per connection), the reply, and a title request.
    let tool = "time__get_current_time";
    let fake = TestServer::start(vec![
        openai_models(&["fake-small"]),
        reply(),
        tool_call_reply(&[("call_w1", tool, r#"{"timezone":"Europe/Paris"}"#)]),
        text_reply_with_usage(&["It is ", "noon."], 60, 4),
    ])
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    provider(data, "Fake", "openai", &fake).await;
    let price = [
        "prices",
        "set",
        "--provider",
        "fake",
        "--model",
        "fake-small",
        "--input",
        "2",
        "--output",
        "8",
    ];
    assert_success(&valechat_with(data, &[], &price).await);
    let time = crate::serve_ws::mcp_peer("venv/bin/mcp-server-time");
    let add = ["mcp", "add", "Time", "--", time.to_str().expect("UTF-8")];
    assert_success(&valechat_with(data, &[], &add).await);
    let (mut server, address) = serve(data, &[]).await;
    let token = read_token(data, &[]).await;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/serve/web_client.py");
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .arg(format!("http://{address}"))
            .arg(&token)
            .arg("fake/fake-small")
            .arg("Hello from the web")
            .arg("It is noon.")
            .args(std::env::var_os("VALECHAT_WEB_SCREENSHOT"))
            .output()
            .expect("run web_client.py")
    })
    .await
    .expect("the script ran");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "web_client.py failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("web client: ok"), "{stdout}");
    server.kill().await.expect("stop the server");
}
