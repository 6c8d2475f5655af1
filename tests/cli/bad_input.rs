//! Input the command line refuses with a sentence that says what is wrong,
//! storing nothing (issue 13, point 12).

use crate::support;

use support::cli::{stderr, stdout, valechat_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn providers_add_refuses_a_base_url_that_is_not_http() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    for (url, says) in [
        ("ftp://x y", "contains a space"),
        ("ftp://example.com/v1", "ftp:// is not supported"),
        ("api.example.com/v1", "is not a URL"),
    ] {
        let output = valechat_with(
            data,
            &[],
            &["providers", "add", "--name", "Y", "--base-url", url],
        )
        .await;
        assert!(!output.status.success(), "{url} was accepted");
        let error = stderr(&output);
        assert!(error.contains(says), "{url}: {error}");
    }
    let listed = valechat_with(data, &[], &["providers", "list"]).await;
    assert!(
        !stdout(&listed).contains('Y'),
        "stored: {}",
        stdout(&listed)
    );
    // A good one still goes in.
    let added = valechat_with(
        data,
        &[],
        &[
            "providers",
            "add",
            "--name",
            "Y",
            "--base-url",
            "http://localhost:9/v1",
        ],
    )
    .await;
    assert!(added.status.success(), "{}", stderr(&added));
}
