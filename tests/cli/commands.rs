//! The `valechat` binary's command line against the local test server, with
//! its data directory in a temporary folder (`VALECHAT_DATA_DIR`) and
//! providers without API keys, so no keyring is needed.

use crate::support;

use std::path::Path;
use std::process::Output;

use support::cli::{assert_success, stderr, stdout};
use support::{Reply, Step, TestServer, fixture};

/// The `providers list` line of the built-in "On this computer" provider,
/// present in a build with models on this computer.
#[cfg(feature = "local-models")]
const BUILT_IN: &str = "local\tOn this computer\tlocal\t\t-\tno key\n";
#[cfg(not(feature = "local-models"))]
const BUILT_IN: &str = "";

/// The answer in `openai-chat/text_with_usage.sse`.
const WEATHER_TEXT: &str = "I'm unable to provide real-time weather updates. To get the current \
weather in San Francisco, I recommend checking a reliable weather website or a weather app.";

/// Runs `valechat args…` with its data in `data_dir`; the test server keeps
/// running on the test's runtime meanwhile.
async fn valechat(data_dir: &Path, args: &[&str]) -> Output {
    support::cli::valechat_with(data_dir, &[], args).await
}

/// Adds the server as provider "Local Server" and returns its id.
async fn add_local_server(data_dir: &Path, server: &TestServer) -> String {
    let url = server.base_url();
    let added = valechat(
        data_dir,
        &[
            "providers",
            "add",
            "--name",
            "Local Server",
            "--base-url",
            &url,
        ],
    )
    .await;
    assert_success(&added);
    stdout(&added).trim_end().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn providers_chat_and_history_round_trip() {
    let server = TestServer::start(vec![Reply::sse_body(fixture(
        "openai-chat/text_with_usage.sse",
    ))])
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();

    let added = valechat(
        data,
        &[
            "providers",
            "add",
            "--name",
            "Local Server",
            "--base-url",
            &server.base_url(),
        ],
    )
    .await;
    assert_success(&added);
    assert_eq!(stdout(&added), "local-server\n");

    let list = valechat(data, &["providers", "list"]).await;
    assert_success(&list);
    assert_eq!(
        stdout(&list),
        format!(
            "local-server\tLocal Server\topenai_compatible\t{}\t-\tno key\n{BUILT_IN}",
            server.base_url()
        )
    );

    let chat = valechat(
        data,
        &[
            "chat",
            "--provider",
            "local-server",
            "--model",
            "gpt-4o",
            "Say hi",
        ],
    )
    .await;
    assert_success(&chat);
    assert_eq!(stdout(&chat), format!("{WEATHER_TEXT}\n"));
    // stderr carries only the reply's usage line (the local server serves
    // gpt-4o by its name, so it is priced as OpenAI's gpt-4o, an assumed
    // estimate; the fixture's prompt count is not "Say hi"'s, so they differ).
    let usage = stderr(&chat);
    assert!(
        usage.starts_with("valechat: ") && usage.contains(" tokens · ≈ $"),
        "{usage}"
    );
    assert_eq!(usage.lines().count(), 1, "{usage}");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].json()["model"], "gpt-4o");
    assert_eq!(
        requests[0].json()["messages"],
        serde_json::json!([{"role": "user", "content": "Say hi"}])
    );
    assert_eq!(requests[0].header("authorization"), None);

    let history = valechat(data, &["history", "list"]).await;
    assert_success(&history);
    let listing = stdout(&history);
    let rows: Vec<Vec<&str>> = listing.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 1, "{listing}");
    let row = &rows[0];
    assert_eq!(row.len(), 5, "{listing}");
    assert_eq!(
        (row[2], row[3], row[4]),
        ("gpt-4o", "Say hi", "-"),
        "{listing}"
    );
    let id = row[0];

    let show = valechat(data, &["history", "show", id]).await;
    assert_success(&show);
    assert_eq!(
        stdout(&show),
        format!("# Say hi\n\n## user\n\nSay hi\n\n## assistant (gpt-4o)\n\n{WEATHER_TEXT}\n")
    );

    let removed = valechat(data, &["providers", "remove", "local-server"]).await;
    assert_success(&removed);
    assert_eq!(stdout(&removed), "");
    let list = valechat(data, &["providers", "list"]).await;
    assert_success(&list);
    assert_eq!(stdout(&list), BUILT_IN);

    // The conversation outlives its provider.
    let history = valechat(data, &["history", "list"]).await;
    assert_eq!(stdout(&history).lines().count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_with_an_unknown_model_fails_on_stderr_only() {
    let not_found = serde_json::json!({"error": {
        "message": "The model `gpt-9` does not exist",
        "type": "invalid_request_error",
        "param": null,
        "code": "model_not_found",
    }});
    let server = TestServer::start(vec![Reply::fixed(
        404,
        "application/json",
        not_found.to_string(),
    )])
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let provider = add_local_server(dir.path(), &server).await;

    let chat = valechat(
        dir.path(),
        &["chat", "--provider", &provider, "--model", "gpt-9", "hello"],
    )
    .await;
    assert_eq!(chat.status.code(), Some(1), "stderr: {}", stderr(&chat));
    assert_eq!(stdout(&chat), "", "nothing but the reply belongs on stdout");
    let err = stderr(&chat);
    assert!(err.starts_with("valechat: "), "{err}");
    assert!(err.contains("not found"), "{err}");
    assert!(err.contains("The model `gpt-9` does not exist"), "{err}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_cut_mid_stream_keeps_the_partial_line_and_fails() {
    let chunk = serde_json::json!({
        "id": "chatcmpl-test",
        "model": "gpt-4o",
        "choices": [{"index": 0, "delta": {"content": "Half an ans"}, "finish_reason": null}],
    });
    let server = TestServer::start(vec![Reply::sse(vec![
        Step::Send(format!("data: {chunk}\n\n").into_bytes()),
        Step::Cut,
    ])])
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let provider = add_local_server(dir.path(), &server).await;

    let chat = valechat(
        dir.path(),
        &[
            "chat",
            "--provider",
            &provider,
            "--model",
            "gpt-4o",
            "hello",
        ],
    )
    .await;
    assert_eq!(chat.status.code(), Some(1), "stderr: {}", stderr(&chat));
    assert_eq!(stdout(&chat), "Half an ans\n");
    let err = stderr(&chat);
    assert!(err.starts_with("valechat: connection failed: "), "{err}");

    let show = valechat(dir.path(), &["history", "show", "1"]).await;
    assert_success(&show);
    let shown = stdout(&show);
    assert!(
        shown.contains("## assistant (gpt-4o) [incomplete]\n\nHalf an ans\n"),
        "{shown}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_with_an_unknown_provider_says_it_is_not_configured() {
    let dir = tempfile::tempdir().expect("temp dir");
    let chat = valechat(
        dir.path(),
        &["chat", "--provider", "nope", "--model", "m", "x"],
    )
    .await;
    assert_eq!(chat.status.code(), Some(1));
    assert_eq!(stdout(&chat), "");
    assert_eq!(
        stderr(&chat),
        "valechat: provider “nope” is not configured (see `valechat providers list`)\n"
    );
    let history = valechat(dir.path(), &["history", "list"]).await;
    assert_success(&history);
    assert_eq!(stdout(&history), "", "no conversation was created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_without_a_prompt_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let chat = valechat(dir.path(), &["chat", "--provider", "p", "--model", "m"]).await;
    assert_eq!(chat.status.code(), Some(2));
    assert_eq!(stdout(&chat), "");
    let err = stderr(&chat);
    assert!(err.contains("<PROMPT>"), "{err}");
    assert!(err.contains("Usage:"), "{err}");
    assert!(
        !dir.path().join("valechat.db").exists(),
        "a usage error must not touch the database"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn providers_add_and_edit_set_timeouts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    let bad = valechat(
        data,
        &[
            "providers",
            "add",
            "--name",
            "Bad",
            "--base-url",
            "http://127.0.0.1:1/v1",
            "--idle-timeout",
            "0",
        ],
    )
    .await;
    assert!(!bad.status.success(), "an idle timeout of 0 s was accepted");
    assert!(stderr(&bad).contains("idle timeout"), "{}", stderr(&bad));
    let listed = valechat(data, &["providers", "list"]).await;
    assert_eq!(stdout(&listed), BUILT_IN, "a refused add stores nothing");

    let added = valechat(
        data,
        &[
            "providers",
            "add",
            "--name",
            "Slow",
            "--base-url",
            "http://127.0.0.1:1/v1",
            "--first-byte-timeout",
            "90",
        ],
    )
    .await;
    assert_success(&added);
    assert_eq!(stdout(&added), "slow\n");
    let edited = valechat(
        data,
        &[
            "providers",
            "edit",
            "slow",
            "--idle-timeout",
            "45",
            "--name",
            "Slower",
        ],
    )
    .await;
    assert_success(&edited);
    assert_eq!(
        stdout(&edited),
        "slow\tconnect 10 s\tfirst byte 90 s\tidle 45 s\n"
    );
    let listed = valechat(data, &["providers", "list"]).await;
    assert!(
        stdout(&listed)
            .lines()
            .any(|l| l.starts_with("slow\tSlower\t")),
        "{}",
        stdout(&listed)
    );
    let unknown = valechat(data, &["providers", "edit", "nope", "--idle-timeout", "5"]).await;
    assert!(!unknown.status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_root_folders_are_kept_for_the_conversation() {
    let server = TestServer::start(vec![
        Reply::sse_body(fixture("openai-chat/text_with_usage.sse")),
        Reply::sse_body(fixture("openai-chat/text_with_usage.sse")),
    ])
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let work = dir.path().join("My Project");
    std::fs::create_dir_all(&work).expect("project folder");
    let provider = add_local_server(&data, &server).await;

    // A missing folder is refused before anything is stored.
    let missing = dir.path().join("missing");
    let refused = valechat(
        &data,
        &[
            "chat",
            "--provider",
            &provider,
            "--model",
            "m",
            "--root",
            missing.to_str().expect("UTF-8 path"),
            "hi",
        ],
    )
    .await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("--root"), "{}", stderr(&refused));
    assert_eq!(stdout(&valechat(&data, &["history", "list"]).await), "");

    let root = work.to_str().expect("UTF-8 path");
    let chat = valechat(
        &data,
        &[
            "chat",
            "--provider",
            &provider,
            "--model",
            "m",
            "--root",
            root,
            "--root",
            root,
            "hi",
        ],
    )
    .await;
    assert_success(&chat);
    let history = valechat(&data, &["history", "list"]).await;
    let id: i64 = stdout(&history)
        .split('\t')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("a conversation id");
    // Continuing the conversation keeps its folder without --root again.
    let again = valechat(&data, &["chat", "--conversation", &id.to_string(), "more"]).await;
    assert_success(&again);

    let store = valechat_core::store::Store::open(&data.join("valechat.db"))
        .await
        .expect("open the database");
    let folders = store.list_conversation_roots(id).await.expect("folders");
    let canonical = std::fs::canonicalize(&work).expect("canonical path");
    let listed: Vec<(String, String)> = folders.into_iter().map(|f| (f.path, f.name)).collect();
    assert_eq!(
        listed,
        [(
            canonical.to_string_lossy().into_owned(),
            "My Project".to_owned()
        )]
    );
}

/// `valechat limits list | head -0`: the reader is gone before anything is
/// printed. The command ends quietly with 141 (as if killed by SIGPIPE),
/// without a panic message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_pipe_ends_a_listing_quietly() {
    let data = tempfile::tempdir().unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_valechat"))
        .args(["limits", "list"])
        .env("VALECHAT_DATA_DIR", data.path())
        .env("RUST_LOG", "off")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start valechat");
    // Closes the read end while the command is still opening the database.
    drop(child.stdout.take());
    let output = tokio::time::timeout(support::cli::COMMAND_DEADLINE, child.wait_with_output())
        .await
        .expect("valechat ends")
        .expect("wait for valechat");
    let errors = stderr(&output);
    assert_eq!(output.status.code(), Some(141), "stderr: {errors}");
    assert!(!errors.contains("panicked"), "{errors}");
}
