//! `valechat prices list|show|set|remove` (issue 13, point 8): the user
//! sets or overrides a model's price from the command line, and sees where
//! the price a model is billed at comes from (`assumed` for a local proxy
//! serving a cloud model by its name).

use std::path::Path;
use std::process::Output;

use crate::support;
use support::cli::{assert_success, stderr, stdout};

async fn valechat(data_dir: &Path, args: &[&str]) -> Output {
    support::cli::valechat_with(data_dir, &[], args).await
}

/// Adds a provider on this machine (a LiteLLM proxy's port) and returns its id.
async fn add_proxy(data_dir: &Path) -> String {
    let added = valechat(
        data_dir,
        &[
            "providers",
            "add",
            "--name",
            "LiteLLM",
            "--base-url",
            "http://localhost:4000/v1",
        ],
    )
    .await;
    assert_success(&added);
    stdout(&added).trim_end().to_owned()
}

/// `prices show`'s one row: input, output, origin.
async fn show(data_dir: &Path, provider: &str, model: &str) -> String {
    let out = valechat(
        data_dir,
        &["prices", "show", "--provider", provider, "--model", model],
    )
    .await;
    assert_success(&out);
    stdout(&out).lines().nth(1).expect("a row").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_price_is_set_listed_shown_and_removed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    let proxy = add_proxy(data).await;

    // gpt-4o on a local proxy: the shipped OpenAI price, marked assumed;
    // an open-weight model there stays free.
    assert_eq!(show(data, &proxy, "gpt-4o").await, "2.5\t10\tassumed");
    assert_eq!(show(data, &proxy, "llama3.2").await, "0\t0\tlocal");

    let set = valechat(
        data,
        &[
            "prices",
            "set",
            "--provider",
            &proxy,
            "--model",
            "gpt-4o",
            "--input",
            "1.25",
            "--output",
            "5",
        ],
    )
    .await;
    assert_success(&set);
    assert_eq!(show(data, &proxy, "gpt-4o").await, "1.25\t5\tuser");

    let list = valechat(data, &["prices", "list"]).await;
    assert_success(&list);
    let rows: Vec<String> = stdout(&list).lines().skip(1).map(str::to_owned).collect();
    assert_eq!(rows.len(), 1, "only the user's prices: {rows:?}");
    assert!(
        rows[0].starts_with(&format!("{proxy}\tgpt-4o\t1.25\t5\tuser\t")),
        "{rows:?}"
    );

    let removed = valechat(
        data,
        &[
            "prices",
            "remove",
            "--provider",
            &proxy,
            "--model",
            "gpt-4o",
        ],
    )
    .await;
    assert_success(&removed);
    assert_eq!(show(data, &proxy, "gpt-4o").await, "2.5\t10\tassumed");

    let again = valechat(
        data,
        &[
            "prices",
            "remove",
            "--provider",
            &proxy,
            "--model",
            "gpt-4o",
        ],
    )
    .await;
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("you set no price"),
        "{}",
        stderr(&again)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_prices_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    let proxy = add_proxy(data).await;
    let negative = valechat(
        data,
        &[
            "prices",
            "set",
            "--provider",
            &proxy,
            "--model",
            "m",
            "--input=-1",
            "--output",
            "1",
        ],
    )
    .await;
    assert!(!negative.status.success());
    assert!(stderr(&negative).contains("cannot be negative"));
    let unknown = valechat(
        data,
        &[
            "prices",
            "set",
            "--provider",
            "nobody",
            "--model",
            "m",
            "--input",
            "1",
            "--output",
            "1",
        ],
    )
    .await;
    assert!(!unknown.status.success());
    assert!(stderr(&unknown).contains("no provider with id “nobody”"));
    let unpriced = valechat(
        data,
        &["prices", "show", "--provider", "nobody", "--model", "m"],
    )
    .await;
    assert!(!unpriced.status.success());
}
