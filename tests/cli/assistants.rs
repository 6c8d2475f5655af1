//! `valechat assistants list|add|edit|remove` and `valechat chat
//! --assistant NAME` (issue 14, part 3), against the local test server:
//! what is listed, what reaches the model, the default assistant, and the
//! clear errors for an unknown assistant, a taken name, an unknown provider
//! and an unknown MCP server.

use std::path::Path;
use std::process::Output;

use crate::support;
use support::TestServer;
use support::cli::{assert_success, stderr, stdout};
use support::openai::text_reply;

async fn valechat(data_dir: &Path, args: &[&str]) -> Output {
    support::cli::valechat_with(data_dir, &[], args).await
}

/// Asserts that `valechat args…` fails (exit status 1) saying `words`.
async fn assert_refused(data: &Path, args: &[&str], words: &str) {
    let out = valechat(data, args).await;
    assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
    assert!(stderr(&out).contains(words), "{args:?}: {}", stderr(&out));
}

/// Provider "local-server" for `server` and MCP server "time" (not started).
async fn configure(data: &Path, server: &TestServer) {
    let add = [
        "providers",
        "add",
        "--name",
        "Local Server",
        "--base-url",
        &server.base_url(),
    ];
    assert_success(&valechat(data, &add).await);
    let mcp = ["mcp", "add", "time", "--no-sandbox", "--", "true"];
    assert_success(&valechat(data, &mcp).await);
}

fn listing(out: &Output) -> Vec<String> {
    stdout(out).lines().skip(1).map(str::to_owned).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assistants_are_added_listed_edited_and_removed() {
    let server = TestServer::start(Vec::new()).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    configure(data, &server).await;
    let prompt = data.join("prompt.txt");
    std::fs::write(&prompt, "Translate into French.\nKeep the tone.\n").expect("write");

    let add = [
        "assistants",
        "add",
        "--name",
        "Translator",
        "--icon",
        "🌍",
        "--system-prompt-file",
        prompt.to_str().expect("UTF-8 path"),
        "--model",
        "local-server/org/m1",
        "--temperature",
        "0.3",
        "--max-tokens",
        "200",
        "--mcp-server",
        "time",
        "--default",
    ];
    assert_success(&valechat(data, &add).await);
    let simple = ["assistants", "add", "--name", "Plain"];
    assert_success(&valechat(data, &simple).await);
    let list = valechat(data, &["assistants", "list"]).await;
    assert_success(&list);
    assert_eq!(
        listing(&list),
        [
            "Plain\t-\t-\t-\t-\t-\t-",
            "Translator\t🌍\tlocal-server/org/m1\t0.3\t200\ttime\tdefault",
        ]
    );

    assert_refused(data, &add, "an assistant named “Translator” already exists").await;
    assert_refused(
        data,
        &["assistants", "add", "--name", "X", "--model", "nowhere/m1"],
        "provider “nowhere” is not configured",
    )
    .await;
    assert_refused(
        data,
        &["assistants", "add", "--name", "X", "--model", "m1"],
        "PROVIDER/MODEL",
    )
    .await;
    assert_refused(
        data,
        &[
            "assistants",
            "add",
            "--name",
            "X",
            "--mcp-server",
            "nowhere",
        ],
        "MCP server “nowhere” is not configured",
    )
    .await;
    assert_refused(
        data,
        &["assistants", "edit", "Nobody", "--icon", "🤖"],
        "no assistant named “Nobody”",
    )
    .await;
    assert_refused(
        data,
        &["assistants", "edit", "Plain", "--name", "Translator"],
        "already exists",
    )
    .await;
    assert_refused(
        data,
        &["assistants", "remove", "Nobody"],
        "no assistant named",
    )
    .await;

    let edit = [
        "assistants",
        "edit",
        "Translator",
        "--name",
        "Traducteur",
        "--system-prompt",
        "Traduis en allemand.",
        "--no-mcp-servers",
        "--no-default",
    ];
    assert_success(&valechat(data, &edit).await);
    let list = valechat(data, &["assistants", "list"]).await;
    assert_eq!(
        listing(&list),
        [
            "Plain\t-\t-\t-\t-\t-\t-",
            "Traducteur\t🌍\tlocal-server/org/m1\t0.3\t200\t-\t-",
        ]
    );
    assert_success(&valechat(data, &["assistants", "remove", "Plain"]).await);
    let list = valechat(data, &["assistants", "list"]).await;
    assert_eq!(listing(&list).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_starts_a_conversation_from_an_assistant_or_the_default() {
    let server = TestServer::start(vec![
        text_reply("Bonjour"),
        text_reply("Salut"),
        text_reply("Hallo"),
    ])
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    configure(data, &server).await;
    let add = [
        "assistants",
        "add",
        "--name",
        "Translator",
        "--system-prompt",
        "Translate into French.",
        "--model",
        "local-server/org/m1",
        "--temperature",
        "0.3",
        "--max-tokens",
        "200",
    ];
    assert_success(&valechat(data, &add).await);

    // Without a model and without a default assistant: a clear error.
    assert_refused(data, &["chat", "--no-tools", "Hello"], "--assistant NAME").await;
    assert_refused(
        data,
        &["chat", "--assistant", "Nobody", "--no-tools", "Hello"],
        "no assistant named “Nobody”",
    )
    .await;

    let chat = ["chat", "--assistant", "Translator", "--no-tools", "Hello"];
    let out = valechat(data, &chat).await;
    assert_success(&out);
    assert_eq!(stdout(&out), "Bonjour\n");
    let sent = server.requests()[0].json();
    assert_eq!(sent["model"], "org/m1");
    assert_eq!(sent["messages"][0]["role"], "system");
    assert_eq!(sent["messages"][0]["content"], "Translate into French.");
    let temperature = sent["temperature"].as_f64().expect("temperature");
    assert!((temperature - 0.3).abs() < 1e-6, "{temperature}");
    assert_eq!(sent["max_tokens"], 200);

    // The default assistant answers a chat that names no model…
    let default = ["assistants", "edit", "Translator", "--default"];
    assert_success(&valechat(data, &default).await);
    assert_success(&valechat(data, &["chat", "--no-tools", "Hi"]).await);
    let sent = server.requests()[1].json();
    assert_eq!(sent["model"], "org/m1");
    assert_eq!(sent["messages"][0]["content"], "Translate into French.");
    // …and options given win over the assistant's.
    let own = [
        "chat",
        "--provider",
        "local-server",
        "--model",
        "m2",
        "--no-tools",
        "Hallo?",
    ];
    assert_success(&valechat(data, &own).await);
    let sent = server.requests()[2].json();
    assert_eq!(sent["model"], "m2");
    assert_eq!(
        sent["messages"][0]["role"], "user",
        "no assistant: no system prompt"
    );

    // Removing the assistant keeps its conversations.
    assert_success(&valechat(data, &["assistants", "remove", "Translator"]).await);
    let shown = valechat(data, &["history", "show", "1"]).await;
    assert_success(&shown);
    assert!(stdout(&shown).contains("Bonjour"), "{}", stdout(&shown));
}
