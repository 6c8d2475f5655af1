//! The reference web client (`data/web/`, issue 15 part 2) in headless
//! Chromium against `valechat serve` and a local stand-in provider:
//! `tests/serve/web_client.py` (selenium, Debian's chromium and
//! chromium-driver) connects with the token, sends a message and sees the
//! reply stream in with its cost. Needs the session (the token is in the
//! keyring) and `.ci/install-deps --tests` (chromium, the venv).

use std::path::Path;
use std::process::Command;

use crate::serve_api::{KEYRING, openai_models, provider, python, read_token, require_session, serve};
use crate::support::TestServer;
use crate::support::openai::text_reply_with_usage;

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
    let fake = TestServer::start(vec![
        openai_models(&["fake-small"]),
        reply(),
        reply(),
        reply(),
    ])
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    provider(data, "Fake", "openai", &fake).await;
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
            .output()
            .expect("run web_client.py")
    })
    .await
    .expect("the script ran");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(output.status.success(), "web_client.py failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("web client: ok"), "{stdout}");
    server.kill().await.expect("stop the server");
}
