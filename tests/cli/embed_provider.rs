//! `valechat models embed --provider P MODEL TEXT…`: embeddings through a
//! provider's API (a local stand-in for OpenAI), printed as JSON with the
//! usage of the one billed request, and as a table with its usage line.

use std::path::Path;
use std::process::Output;

use serde_json::{Value, json};

use crate::support;
use support::cli::{assert_success, stderr, stdout};
use support::{Reply, TestServer};

async fn valechat(data_dir: &Path, args: &[&str]) -> Output {
    support::cli::valechat_with(data_dir, &[], args).await
}

fn reply() -> Reply {
    Reply::fixed(
        200,
        "application/json",
        json!({"data": [{"index": 0, "embedding": [0.25, -1.0]},
                        {"index": 1, "embedding": [0.5, 2.0]}],
               "model": "text-embedding-3-small",
               "usage": {"prompt_tokens": 1000, "total_tokens": 1000}})
        .to_string(),
    )
}

/// Provider "local-server" for `server`, `text-embedding-3-small` priced
/// at USD 0.02 per million input tokens.
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
    let price = [
        "prices",
        "set",
        "--provider",
        "local-server",
        "--model",
        "text-embedding-3-small",
        "--input",
        "0.02",
        "--output",
        "0",
    ];
    assert_success(&valechat(data, &price).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_providers_embeddings_are_printed_with_their_usage() {
    let server = TestServer::start(vec![reply(), reply()]).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    configure(data, &server).await;
    let args = [
        "models",
        "embed",
        "--provider",
        "local-server",
        "text-embedding-3-small",
        "first text",
        "second text",
    ];
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let out = valechat(data, &json_args).await;
    assert_success(&out);
    let printed: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(printed["embeddings"], json!([[0.25, -1.0], [0.5, 2.0]]));
    assert_eq!(printed["dimensions"], json!(2));
    assert_eq!(printed["usage"]["input_tokens"], json!(1000));
    assert_eq!(printed["usage"]["cost_usd"], json!("0.00002"));
    assert_eq!(printed["usage"]["estimated"], json!(false));
    let sent = server.requests();
    assert_eq!(
        sent[0].json()["input"],
        json!(["first text", "second text"])
    );

    let table = valechat(data, &args).await;
    assert_success(&table);
    let text = stdout(&table);
    assert!(text.starts_with("2 vectors of 2 dimensions:"), "{text}");
    assert!(text.contains("1: [0.2500, -1.0000]"), "{text}");
    let last = text.lines().last().unwrap_or_default();
    assert!(
        last.contains("1,000") || last.contains("1000"),
        "usage line: {text}"
    );

    // Both requests are in the ledger, as a chat request would be.
    let usage = valechat(data, &["usage"]).await;
    assert_success(&usage);
    let totals = stdout(&usage);
    assert!(totals.contains("requests\t2\n"), "{totals}");
    assert!(totals.contains("input tokens\t2000\n"), "{totals}");
    assert!(totals.contains("output tokens\t0\n"), "{totals}");
    assert!(totals.contains("cost\t0.00004 USD"), "{totals}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_provider_is_refused_clearly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    let out = valechat(
        data,
        &["models", "embed", "--provider", "nobody", "m", "text"],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("nobody"), "{}", stderr(&out));
}
