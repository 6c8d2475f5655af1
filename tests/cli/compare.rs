//! `valechat compare` (issue 14, part 2) against two local provider
//! servers: the replies streamed with their model's label, the table of
//! figures, `--format json`, `--conversation`, the split of `--model` at
//! the first `/`, and the clear errors for models given wrongly.

use std::path::Path;
use std::process::Output;

use crate::support;
use support::TestServer;
use support::cli::{assert_success, stderr, stdout};
use support::openai::text_reply_with_usage;

async fn valechat(data_dir: &Path, args: &[&str]) -> Output {
    support::cli::valechat_with(data_dir, &[], args).await
}

/// Adds provider `name` for `server`, its `model` priced at USD 10 / 30
/// per 1M tokens.
async fn priced_provider(data: &Path, name: &str, server: &TestServer, model: &str) {
    let add = [
        "providers",
        "add",
        "--name",
        name,
        "--base-url",
        &server.base_url(),
    ];
    assert_success(&valechat(data, &add).await);
    let id = name.to_lowercase();
    let price = [
        "prices",
        "set",
        "--provider",
        &id,
        "--model",
        model,
        "--input",
        "10",
        "--output",
        "30",
    ];
    assert_success(&valechat(data, &price).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compares_two_models_as_text_then_as_json() {
    let alpha = TestServer::start(vec![
        text_reply_with_usage(&["Line one\n", "Line two"], 12, 5),
        text_reply_with_usage(&["Again from alpha"], 30, 4),
    ])
    .await;
    let beta = TestServer::start(vec![
        text_reply_with_usage(&["Other"], 12, 2),
        text_reply_with_usage(&["Again from beta"], 30, 4),
    ])
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    priced_provider(data, "Alpha", &alpha, "m1").await;
    priced_provider(data, "Beta", &beta, "org/model-b").await;

    let run = valechat(
        data,
        &[
            "compare",
            "--model",
            "alpha/m1",
            "--model",
            "beta/org/model-b",
            "Hello",
        ],
    )
    .await;
    assert_success(&run);
    let out = stdout(&run);
    // Each reply line by line with its label (the columns may interleave).
    assert!(
        out.contains("[alpha/m1] Line one\n[alpha/m1] Line two\n")
            || (out.contains("[alpha/m1] Line one\n") && out.contains("[alpha/m1] Line two\n")),
        "{out}"
    );
    assert!(out.contains("[beta/org/model-b] Other\n"), "{out}");
    // The model id keeps its own `/`.
    assert_eq!(beta.requests()[0].json()["model"], "org/model-b");
    // The table: a header, then one row per column in order.
    let table: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("MODEL"))
        .collect();
    assert_eq!(table.len(), 3, "{out}");
    for cell in ["FIRST TOKEN", "TOKENS/S", "INPUT", "OUTPUT", "COST"] {
        assert!(table[0].contains(cell), "{}", table[0]);
    }
    let cells =
        |line: &str| -> Vec<String> { line.split_whitespace().map(str::to_owned).collect() };
    let a = cells(table[1]);
    let b = cells(table[2]);
    assert_eq!(a[0], "alpha/m1");
    assert_eq!(b[0], "beta/org/model-b");
    // model, first token ("N ms"), tokens/s, input, output, cost (USD
    // 0.00027 and 0.00018, shown to 4 places as everywhere).
    assert_eq!(a[2], "ms", "{a:?}");
    assert_eq!(&a[4..], ["12", "5", "$0.0003"], "{a:?}");
    assert_eq!(&b[4..], ["12", "2", "$0.0002"], "{b:?}");
    assert!(stderr(&run).contains("conversation 1"), "{}", stderr(&run));

    // Again in the same conversation, as JSON: one object, the prompt
    // stored once, the two replies its children.
    let run = valechat(
        data,
        &[
            "compare",
            "--conversation",
            "1",
            "--format",
            "json",
            "--model",
            "alpha/m1",
            "--model",
            "beta/org/model-b",
            "Once more",
        ],
    )
    .await;
    assert_success(&run);
    let json: serde_json::Value = serde_json::from_str(&stdout(&run)).expect("one JSON object");
    assert_eq!(json["conversation_id"], 1);
    let columns = json["columns"].as_array().expect("columns");
    assert_eq!(columns.len(), 2);
    assert_eq!(columns[0]["provider"], "alpha");
    assert_eq!(columns[1]["model"], "org/model-b");
    assert_eq!(columns[1]["text"], "Again from beta");
    for column in columns {
        assert_eq!(column["input_tokens"], 30);
        assert_eq!(column["output_tokens"], 4);
        assert_eq!(column["cost_usd"], "0.00042");
        assert_eq!(column["finish_reason"], "stop");
        assert!(column["error"].is_null());
        assert!(column["first_token_ms"].is_u64());
        assert!(column["message_id"].is_i64());
    }
    assert_ne!(columns[0]["message_id"], columns[1]["message_id"]);
    // The second prompt followed the active branch: the first exchange
    // (one of its replies) came before it.
    let sent = alpha.requests()[1].json();
    let messages = sent["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert_eq!(messages[0]["content"], "Hello");
    assert_eq!(messages[2]["content"], "Once more");

    // Both replies are siblings under the one stored prompt.
    let show = valechat(data, &["history", "show", "1", "--all-branches"]).await;
    assert_success(&show);
    let tree = stdout(&show);
    assert_eq!(tree.matches("Once more").count(), 1, "{tree}");
    assert!(
        tree.contains("Again from alpha") && tree.contains("Again from beta"),
        "{tree}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn models_given_wrongly_are_refused_clearly() {
    let server = TestServer::start(vec![]).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    priced_provider(data, "Alpha", &server, "m1").await;
    let cases: [(&[&str], &str); 3] = [
        (&["--model", "alpha/m1"], "2 to 6"),
        (
            &["--model", "alpha/m1", "--model", "m2"],
            "is not PROVIDER/MODEL",
        ),
        (
            &["--model", "alpha/m1", "--model", "nowhere/m2"],
            "provider “nowhere” is not configured",
        ),
    ];
    for (models, expected) in cases {
        let mut args = vec!["compare"];
        args.extend_from_slice(models);
        args.push("Hello");
        let run = valechat(data, &args).await;
        assert_eq!(run.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&run).contains(expected),
            "{args:?}: {}",
            stderr(&run)
        );
    }
    assert!(server.requests().is_empty());
    let list = valechat(data, &["history", "list"]).await;
    assert_success(&list);
    assert!(!stdout(&list).contains("Hello"), "{}", stdout(&list));
}
