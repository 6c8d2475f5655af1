//! Messages as a tree on the command line (issue 14, part 1):
//! `chat --conversation ID --edit MESSAGE_ID "text"`, `--regenerate
//! MESSAGE_ID [--model …]`, `history show ID --all-branches` and
//! `history delete-branch MESSAGE_ID [--yes]`, against the local test
//! server; and the clear errors for a message that does not fit.

use std::path::Path;
use std::process::Output;

use crate::support;
use support::cli::{assert_success, stderr, stdout};
use support::openai::text_reply;
use support::{Recorded, TestServer};

async fn valechat(data_dir: &Path, args: &[&str]) -> Output {
    support::cli::valechat_with(data_dir, &[], args).await
}

/// The texts of a recorded request's messages, in order.
fn sent(request: &Recorded) -> Vec<String> {
    request.json()["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["content"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Adds the stand-in `server` as provider "Local Server" in data folder
/// `data` and starts conversation 1 with "First" to its model `m1`.
async fn start_conversation(data: &std::path::Path, server: &TestServer) {
    let add = [
        "providers",
        "add",
        "--name",
        "Local Server",
        "--base-url",
        &server.base_url(),
    ];
    assert_success(&valechat(data, &add).await);
    let first = [
        "chat",
        "--provider",
        "local-server",
        "--model",
        "m1",
        "First",
    ];
    assert_success(&valechat(data, &first).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_regenerate_draw_and_delete_a_branch() {
    let server = TestServer::start(vec![
        text_reply("One"),
        text_reply("Two"),
        text_reply("Two, edited"),
        text_reply("Two, again"),
    ])
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    start_conversation(data, &server).await;
    assert_success(&valechat(data, &["chat", "--conversation", "1", "Second"]).await);

    // Messages 1–4: First, One, Second, Two. Edit message 3.
    let edit = valechat(
        data,
        &[
            "chat",
            "--conversation",
            "1",
            "--edit",
            "3",
            "Second, edited",
        ],
    )
    .await;
    assert_success(&edit);
    assert_eq!(stdout(&edit), "Two, edited\n");
    assert_eq!(
        sent(&server.requests()[2]),
        ["First", "One", "Second, edited"]
    );

    // Regenerate the edit's reply (message 6) with another model, named
    // PROVIDER/MODEL.
    let regenerate = [
        "chat",
        "--conversation",
        "1",
        "--regenerate",
        "6",
        "--model",
        "local-server/m2",
    ];
    let regenerated = valechat(data, &regenerate).await;
    assert_success(&regenerated);
    assert_eq!(stdout(&regenerated), "Two, again\n");
    let request = &server.requests()[3];
    assert_eq!(request.json()["model"], "m2");
    assert_eq!(sent(request), ["First", "One", "Second, edited"]);

    // The default view: the active path, as before.
    let show = valechat(data, &["history", "show", "1"]).await;
    assert_success(&show);
    let shown = stdout(&show);
    assert!(shown.contains("## user\n\nSecond, edited"), "{shown}");
    assert!(shown.contains("## assistant (m2)\n\nTwo, again"), "{shown}");
    assert!(
        !shown.contains("\nSecond\n") && !shown.contains("Two, edited"),
        "{shown}"
    );

    // Every branch, as a tree.
    let tree = valechat(data, &["history", "show", "1", "--all-branches"]).await;
    assert_success(&tree);
    let expected = [
        "# First",
        "",
        "* #1 user: First",
        "* #2 assistant (m1): One",
        "  ├─ #3 user: Second",
        "  │  #4 assistant (m1): Two",
        "* └─ #5 user: Second, edited",
        "     ├─ #6 assistant (m1): Two, edited",
        "*    └─ #7 assistant (m2): Two, again",
        "",
    ];
    assert_eq!(stdout(&tree), expected.join("\n"));

    // Deleting a branch says how many messages go, and asks for --yes.
    let asked = valechat(data, &["history", "delete-branch", "5"]).await;
    assert_success(&asked);
    let question = stdout(&asked);
    assert!(question.contains("deletes 3 messages"), "{question}");
    assert!(question.contains("--yes"), "{question}");
    assert_eq!(
        stdout(&valechat(data, &["history", "show", "1", "--all-branches"]).await),
        expected.join("\n"),
        "nothing deleted without --yes"
    );
    let deleted = valechat(data, &["history", "delete-branch", "5", "--yes"]).await;
    assert_success(&deleted);
    assert_eq!(
        stdout(&deleted),
        "Deleted 3 messages from conversation 1.\n"
    );
    let after = valechat(data, &["history", "show", "1", "--all-branches"]).await;
    assert_eq!(
        stdout(&after),
        [
            "# First",
            "",
            "* #1 user: First",
            "* #2 assistant (m1): One",
            "* #3 user: Second",
            "* #4 assistant (m1): Two",
            "",
        ]
        .join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_that_does_not_fit_is_a_clear_error() {
    let server = TestServer::start(vec![text_reply("One"), text_reply("Other")]).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    start_conversation(data, &server).await;
    let other = [
        "chat",
        "--provider",
        "local-server",
        "--model",
        "m1",
        "Other",
    ];
    assert_success(&valechat(data, &other).await);
    // Conversation 1: messages 1 (user), 2 (reply); conversation 2: 3, 4.

    let cases: [(&[&str], &str); 5] = [
        (
            &["chat", "--conversation", "1", "--edit", "2", "x"],
            "message 2 is not a user message",
        ),
        (
            &["chat", "--conversation", "1", "--regenerate", "1"],
            "message 1 is not a reply",
        ),
        (
            &["chat", "--conversation", "1", "--edit", "3", "x"],
            "message 3 is not in this conversation (conversation 1",
        ),
        (
            &["chat", "--conversation", "1", "--regenerate", "99"],
            "message 99 is not in this conversation",
        ),
        (
            &["history", "delete-branch", "99", "--yes"],
            "message 99 does not exist",
        ),
    ];
    for (args, expected) in cases {
        let out = valechat(data, args).await;
        assert!(!out.status.success(), "{args:?} succeeded");
        let err = stderr(&out);
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    // A regeneration takes no prompt; an edit needs a conversation.
    let usage = valechat(
        data,
        &["chat", "--conversation", "1", "--regenerate", "2", "x"],
    )
    .await;
    assert_eq!(usage.status.code(), Some(2), "{}", stderr(&usage));
    let usage = valechat(data, &["chat", "--edit", "1", "x"]).await;
    assert_eq!(usage.status.code(), Some(2), "{}", stderr(&usage));

    assert_eq!(server.requests().len(), 2, "nothing more was sent");
    let tree = stdout(&valechat(data, &["history", "show", "1", "--all-branches"]).await);
    assert_eq!(tree.lines().count(), 4, "nothing more was stored: {tree}");
}
