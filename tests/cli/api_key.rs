//! `valechat providers add --api-key-stdin`: the key is read from a pipe
//! (its first line) and from a terminal (`cli/type_on_terminal.py` types
//! it on a pseudo-terminal), never echoed there, stored in the keyring and
//! sent to the provider. Needs the Secret Service of
//! `tests/run-in-session.sh` (e.g. `tests/run-in-session.sh cargo test
//! --test cli api_key::`); outside it the tests fail on purpose rather than
//! write into the user's keyring.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::io::AsyncWriteExt;

use support::cli::{COMMAND_DEADLINE, assert_success, stderr, stdout, valechat_with};
use support::{Reply, TestServer, fixture};

/// Fails with instructions unless inside `tests/run-in-session.sh`.
fn require_session() {
    assert!(
        std::env::var_os("VALECHAT_SESSION_DIR").is_some()
            && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "not inside tests/run-in-session.sh: refusing to write test keys into your own keyring \
         (run `tests/run-in-session.sh cargo test --test cli api_key::`)"
    );
}

/// A key no earlier run stored.
fn fresh_key(what: &str) -> String {
    format!("sk-{what}-{}", std::process::id())
}

/// The arguments of `providers add` for `name` at `server`, key on stdin.
fn add_args<'a>(name: &'a str, url: &'a str) -> [&'a str; 7] {
    [
        "providers",
        "add",
        "--name",
        name,
        "--base-url",
        url,
        "--api-key-stdin",
    ]
}

/// Chats once with provider `id` and returns the Authorization header the
/// server got; then removes the provider (and its key).
async fn key_sent(data: &Path, server: &TestServer, id: &str) -> String {
    let chat = valechat_with(
        data,
        &[],
        &["chat", "--provider", id, "--model", "gpt-4o", "Hi"],
    )
    .await;
    assert_success(&chat);
    let sent = server.requests()[0]
        .header("authorization")
        .unwrap_or_default()
        .to_owned();
    assert_success(&valechat_with(data, &[], &["providers", "remove", id]).await);
    sent
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_piped_on_stdin_is_stored_and_used() {
    require_session();
    let server = TestServer::start(vec![Reply::sse_body(fixture(
        "openai-chat/text_with_usage.sse",
    ))])
    .await;
    let data = tempfile::tempdir().expect("temp dir");
    let key = fresh_key("piped");
    let url = server.base_url();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_valechat"))
        .args(add_args("Piped Key", &url))
        .env("VALECHAT_DATA_DIR", data.path())
        .env("RUST_LOG", "off")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start valechat");
    let mut stdin = child.stdin.take().expect("stdin");
    // Only the first line is the key; white space around it is dropped.
    stdin
        .write_all(format!("  {key}  \nnot the key\n").as_bytes())
        .await
        .expect("key written");
    drop(stdin);
    let added = tokio::time::timeout(COMMAND_DEADLINE, child.wait_with_output())
        .await
        .expect("providers add finished")
        .expect("waited");
    assert_success(&added);
    assert_eq!(stdout(&added), "piped-key\n");
    // Nothing is prompted when stdin is not a terminal.
    assert_eq!(stderr(&added), "");
    assert_eq!(
        key_sent(data.path(), &server, "piped-key").await,
        format!("Bearer {key}")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_typed_on_a_terminal_is_not_echoed() {
    require_session();
    let server = TestServer::start(vec![Reply::sse_body(fixture(
        "openai-chat/text_with_usage.sse",
    ))])
    .await;
    let data = tempfile::tempdir().expect("temp dir");
    let key = fresh_key("typed");
    let url = server.base_url();
    let helper = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cli/type_on_terminal.py");
    let mut command = tokio::process::Command::new("python3");
    command
        .arg(&helper)
        .args(["API key", &key, "--", env!("CARGO_BIN_EXE_valechat")])
        .args(add_args("Typed Key", &url))
        .env("VALECHAT_DATA_DIR", data.path())
        .env("RUST_LOG", "off")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let typed = tokio::time::timeout(COMMAND_DEADLINE * 2, command.output())
        .await
        .expect("the terminal session finished")
        .expect("python3 ran");
    let terminal = stdout(&typed);
    assert_success(&typed);
    assert!(terminal.contains("API key"), "{terminal:?}");
    assert!(!terminal.contains(&key), "the key was echoed: {terminal:?}");
    assert!(terminal.contains("typed-key"), "{terminal:?}");
    assert_eq!(
        key_sent(data.path(), &server, "typed-key").await,
        format!("Bearer {key}")
    );
}
