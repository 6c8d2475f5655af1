//! `valechat history search` (issue 14, part 3): messages found with their
//! snippet, grouped by conversation, as text (bold matches on a terminal)
//! and JSON; the model, date, folder and archived filters; typed FTS5
//! syntax; bad filters.

use std::path::Path;
use std::process::Output;

use crate::support;
use support::TestServer;
use support::cli::{assert_success, stderr, stdout};
use support::openai::text_reply;

async fn valechat(data_dir: &Path, args: &[&str]) -> Output {
    support::cli::valechat_with(data_dir, &[], args).await
}

/// Two conversations through the stand-in server: 1 with model `m1`
/// (messages 1, 2), 2 with model `m2` (messages 3, 4).
async fn two_conversations(data: &Path) -> TestServer {
    let server = TestServer::start(vec![
        text_reply("A glacier is a slow river of ice; glacier walks need crampons."),
        text_reply("Boil the pasta in salted water."),
    ])
    .await;
    let add = [
        "providers",
        "add",
        "--name",
        "Local Server",
        "--base-url",
        &server.base_url(),
    ];
    assert_success(&valechat(data, &add).await);
    for (model, text) in [
        ("m1", "Tell me about glaciers"),
        ("m2", "Pasta for hikers near a glacier?"),
    ] {
        let chat = ["chat", "--provider", "local-server", "--model", model, text];
        assert_success(&valechat(data, &chat).await);
    }
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hits_grouped_by_conversation_with_snippets_and_filters() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    let _server = two_conversations(data).await;

    let text = valechat(data, &["history", "search", "glacier"]).await;
    assert_success(&text);
    let shown = stdout(&text);
    assert!(
        shown.contains("# Tell me about glaciers (conversation 1)\n"),
        "{shown}"
    );
    assert!(shown.contains("(conversation 2)\n"), "{shown}");
    assert!(
        shown.contains("  message 2\tassistant\tlocal-server/m1\t"),
        "{shown}"
    );
    assert!(
        shown.contains("    A glacier is a slow river of ice; glacier walks need crampons."),
        "{shown}"
    );
    assert!(
        !shown.contains('\x1b') && !shown.contains('\u{2}'),
        "no markup off a terminal: {shown:?}"
    );

    let json = valechat(data, &["history", "search", "glac", "--format", "json"]).await;
    assert_success(&json);
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    assert_eq!(value["count"], 3, "{value}");
    assert_eq!(value["more"], false);
    let conversations = value["conversations"].as_array().expect("conversations");
    assert_eq!(conversations.len(), 2);
    let first = conversations
        .iter()
        .find(|c| c["id"] == 1)
        .expect("conversation 1");
    let reply = first["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .find(|m| m["id"] == 2)
        .expect("message 2");
    assert_eq!(reply["role"], "assistant");
    assert_eq!(reply["model"], "m1");
    assert_eq!(reply["matched"], serde_json::json!(["glacier", "glacier"]));
    assert!(reply["created_at"].as_str().expect("time").ends_with('Z'));

    // The user's message counts under its conversation's model.
    let m2 = valechat(
        data,
        &[
            "history",
            "search",
            "glacier",
            "--model",
            "local-server/m2",
            "--format",
            "json",
        ],
    )
    .await;
    assert_success(&m2);
    let value: serde_json::Value = serde_json::from_str(&stdout(&m2)).expect("JSON");
    let ids: Vec<_> = value["conversations"][0]["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["id"].clone())
        .collect();
    assert_eq!(
        value["conversations"].as_array().map(Vec::len),
        Some(1),
        "{value}"
    );
    assert_eq!(ids, [serde_json::json!(3)]);

    let today = chrono::Local::now().date_naive();
    let (yesterday, tomorrow) = (
        today.pred_opt().expect("day"),
        today.succ_opt().expect("day"),
    );
    for (since, until, found) in [
        (today, today, true),
        (tomorrow, tomorrow, false),
        (yesterday, yesterday, false),
    ] {
        let args = [
            "history",
            "search",
            "pasta",
            "--since",
            &since.to_string(),
            "--until",
            &until.to_string(),
        ];
        let out = valechat(data, &args).await;
        assert_success(&out);
        assert_eq!(
            stdout(&out).contains("# Pasta"),
            found,
            "{since}–{until}: {}",
            stdout(&out)
        );
    }

    let paged = valechat(data, &["history", "search", "glacier", "--limit", "1"]).await;
    assert!(
        stdout(&paged).contains("More messages match: add --offset 1."),
        "{}",
        stdout(&paged)
    );

    // Typed FTS5 syntax is text; nothing found is said, not an error.
    for odd in ["\"glacier", "NEAR(glacier", "-", "*", "glacier AND"] {
        let out = valechat(data, &["history", "search", odd]).await;
        assert_success(&out);
    }
    let none = valechat(data, &["history", "search", "NEAR( - zzz"]).await;
    assert!(
        stdout(&none).starts_with("No messages match"),
        "{}",
        stdout(&none)
    );

    let bad = valechat(data, &["history", "search", "x", "--model", "/m1"]).await;
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("is not PROVIDER/MODEL"),
        "{}",
        stderr(&bad)
    );
    let backwards = valechat(
        data,
        &[
            "history",
            "search",
            "x",
            "--since",
            &tomorrow.to_string(),
            "--until",
            &today.to_string(),
        ],
    )
    .await;
    assert!(
        stderr(&backwards).contains("is after --until"),
        "{}",
        stderr(&backwards)
    );
}

/// Message ids found for `args` after `history search`, as JSON.
async fn found_ids(data: &Path, args: &[&str]) -> Vec<i64> {
    let mut command = vec!["history", "search"];
    command.extend_from_slice(args);
    command.extend_from_slice(&["--format", "json"]);
    let out = valechat(data, &command).await;
    assert_success(&out);
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let mut ids: Vec<i64> = value["conversations"]
        .as_array()
        .expect("conversations")
        .iter()
        .flat_map(|c| c["messages"].as_array().expect("messages").iter())
        .map(|m| m["id"].as_i64().expect("id"))
        .collect();
    ids.sort_unstable();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folder_and_archived_filters() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    let _server = two_conversations(data).await;
    // Conversation 1 (messages 1, 2) filed in "Ice", then archived;
    // conversation 2 (messages 3, 4) in no folder.
    assert_success(&valechat(data, &["folders", "create", "Ice"]).await);
    assert_success(&valechat(data, &["history", "move", "1", "--folder", "ice"]).await);
    assert_success(&valechat(data, &["history", "archive", "1"]).await);

    assert_eq!(
        found_ids(data, &["glacier"]).await,
        [1, 2, 3],
        "archived conversations are searched by default"
    );
    assert_eq!(
        found_ids(data, &["glacier", "--folder", "ICE"]).await,
        [1, 2]
    );
    assert_eq!(found_ids(data, &["glacier", "--no-folder"]).await, [3]);
    assert_eq!(
        found_ids(data, &["glacier", "--archived", "exclude"]).await,
        [3]
    );
    assert_eq!(
        found_ids(data, &["glacier", "--archived", "only"]).await,
        [1, 2]
    );
    assert!(
        found_ids(
            data,
            &["glacier", "--folder", "Ice", "--archived", "exclude"]
        )
        .await
        .is_empty()
    );

    let unknown = valechat(data, &["history", "search", "glacier", "--folder", "Fire"]).await;
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains("no folder is named “Fire”"),
        "{}",
        stderr(&unknown)
    );
    let both = valechat(
        data,
        &[
            "history",
            "search",
            "glacier",
            "--folder",
            "Ice",
            "--no-folder",
        ],
    )
    .await;
    assert!(!both.status.success());
    let wrong = valechat(data, &["history", "search", "glacier", "--archived", "yes"]).await;
    assert!(!wrong.status.success());
    assert!(stderr(&wrong).contains("include"), "{}", stderr(&wrong));
}

/// On a terminal (util-linux `script` gives the command one) the match is
/// bold.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matches_are_bold_on_a_terminal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    let _server = two_conversations(data).await;
    let command = format!("{} history search crampons", env!("CARGO_BIN_EXE_valechat"));
    let out = tokio::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("VALECHAT_DATA_DIR", data)
        .env("RUST_LOG", "off")
        .env_remove("NO_COLOR")
        .output()
        .await
        .expect("run script(1)");
    assert_success(&out);
    let shown = stdout(&out);
    assert!(shown.contains("need \x1b[1mcrampons\x1b[22m."), "{shown:?}");
}
