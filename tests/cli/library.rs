//! `valechat library create|add|list|search|remove` (issue 17) as the real
//! binary on copies of `tests/fixtures/documents/`: per-file states and
//! reasons, search as text and JSON, removing a path and a library, clear
//! errors that change nothing, and an `add` killed with SIGKILL that the
//! next `add` finishes without reading again what was done.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support;
use support::cli::{assert_success, stderr, stdout};

async fn valechat(data_dir: &Path, args: &[&str]) -> Output {
    support::cli::valechat_with(data_dir, &[], args).await
}

/// Runs `args`, expects success, returns stdout.
async fn ok(data: &Path, args: &[&str]) -> String {
    let out = valechat(data, args).await;
    assert_success(&out);
    stdout(&out)
}

fn fixture(name: &str) -> PathBuf {
    [env!("CARGO_MANIFEST_DIR"), "tests/fixtures/documents", name]
        .iter()
        .collect()
}

/// A folder holding copies of some fixtures, good and bad.
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in [
        "plain.txt",
        "notes.md",
        "text.pdf",
        "encrypted.pdf",
        "image.png",
        "sample.odt",
    ] {
        std::fs::copy(fixture(name), dir.path().join(name)).expect("copy fixture");
    }
    dir
}

/// `STATE\tPATH…` lines of `out` as (state, file name, rest).
fn states(out: &str) -> Vec<(String, String, String)> {
    out.lines()
        .filter_map(|l| {
            let mut f = l.splitn(3, '\t');
            let state = f.next()?.to_owned();
            let path = f.next()?;
            let name = Path::new(path).file_name()?.to_string_lossy().into_owned();
            Some((state, name, f.next().unwrap_or_default().to_owned()))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_add_list_search_and_remove() {
    let data = tempfile::tempdir().expect("data dir");
    let files = folder();
    let dir = files.path().to_str().expect("utf-8 path");
    assert!(
        ok(data.path(), &["library", "create", "Harbour"])
            .await
            .contains("Harbour")
    );

    let out = valechat(data.path(), &["library", "add", "harbour", dir]).await;
    assert_success(&out);
    assert!(stderr(&out).contains("Indexing 6/6: "), "{}", stderr(&out));
    let added = states(&stdout(&out));
    let find = |name: &str| {
        added
            .iter()
            .find(|s| s.1 == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} not in {added:?}"))
    };
    assert_eq!(find("plain.txt").0, "indexed");
    assert_eq!(
        find("text.pdf"),
        ("indexed".into(), "text.pdf".into(), "2 chunks".into())
    );
    assert_eq!(find("encrypted.pdf").0, "failed");
    assert!(
        find("encrypted.pdf").2.contains("encrypted PDF"),
        "{added:?}"
    );
    assert_eq!(find("image.png").0, "skipped");
    assert!(
        stdout(&out).contains("4 files indexed, 0 unchanged, 1 failed, 1 skipped."),
        "{}",
        stdout(&out)
    );

    // Again: nothing read.
    let again = ok(data.path(), &["library", "add", "Harbour", dir]).await;
    assert_eq!(
        states(&again).iter().filter(|s| s.0 == "unchanged").count(),
        6,
        "{again}"
    );

    let list = ok(data.path(), &["library", "list"]).await;
    assert!(list.starts_with("Harbour\t6 documents\t"), "{list}");
    let files_list = ok(data.path(), &["library", "list", "Harbour"]).await;
    assert!(files_list.contains("source\t"), "{files_list}");
    assert!(
        files_list.contains("Index: 4 of 6 files indexed (1 failed, 1 skipped)"),
        "{files_list}"
    );

    let text = ok(
        data.path(),
        &[
            "library",
            "search",
            "Harbour",
            "keeper's \"cottage\" NEAR -rooms*",
        ],
    )
    .await;
    assert!(text.starts_with("1. "), "{text}");
    assert!(
        text.lines()
            .next()
            .unwrap_or_default()
            .contains("text.pdf, page 2"),
        "{text}"
    );
    let json = ok(
        data.path(),
        &[
            "library",
            "search",
            "Harbour",
            "bowline loop",
            "--top",
            "1",
            "--format",
            "json",
        ],
    )
    .await;
    let hits: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let hits = hits.as_array().expect("array");
    assert_eq!(hits.len(), 1);
    assert!(
        hits[0]["path"]
            .as_str()
            .unwrap_or_default()
            .ends_with("notes.md"),
        "{json}"
    );
    assert_eq!(hits[0]["rank"], 1);
    assert!(
        hits[0]["score"].as_f64().unwrap_or_default() > 0.0,
        "{json}"
    );
    assert!(hits[0]["first_line"].as_u64().is_some(), "{json}");

    // Removing a file, then the library.
    let notes = files.path().join("notes.md");
    let removed = ok(
        data.path(),
        &[
            "library",
            "remove",
            "Harbour",
            notes.to_str().expect("utf-8"),
        ],
    )
    .await;
    assert!(removed.contains("(1 files)"), "{removed}");
    let nothing = ok(data.path(), &["library", "search", "Harbour", "bowline"]).await;
    assert_eq!(nothing.trim(), "Nothing found.");
    ok(data.path(), &["library", "remove", "Harbour"]).await;
    assert!(
        ok(data.path(), &["library", "list"])
            .await
            .starts_with("No libraries yet")
    );
    assert!(notes.exists(), "files are never touched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_a_clear_error_that_changes_nothing() {
    let data = tempfile::tempdir().expect("data dir");
    let out = valechat(data.path(), &["library", "add", "Nope", "/tmp"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("there is no library named “Nope”"),
        "{}",
        stderr(&out)
    );

    ok(data.path(), &["library", "create", "Docs"]).await;
    let out = valechat(data.path(), &["library", "create", "docs"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("taken"), "{}", stderr(&out));

    let files = folder();
    let good = files.path().to_str().expect("utf-8");
    let out = valechat(
        data.path(),
        &["library", "add", "Docs", good, "/no/such/folder"],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("“/no/such/folder” does not exist; nothing was added"),
        "{}",
        stderr(&out)
    );
    assert!(
        ok(data.path(), &["library", "list"])
            .await
            .starts_with("Docs\t0 documents")
    );

    let out = valechat(data.path(), &["library", "remove", "Docs", "/no/such/file"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not in library “Docs”"),
        "{}",
        stderr(&out)
    );
    let out = valechat(
        data.path(),
        &["library", "search", "Docs", "x", "--top", "0"],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "clap refuses --top 0");
}

/// Files for the kill test: enough text that indexing them takes a while.
fn many_files(dir: &Path, count: usize) {
    let paragraph = "The tide turns twice a day at the north pier, and the ferry waits for it. ";
    for i in 0..count {
        let text: String = (0..40)
            .map(|j| format!("Note {i}.{j}: {}\n\n", paragraph.repeat(4)))
            .collect();
        std::fs::write(dir.join(format!("note-{i:03}.md")), text).expect("write note");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_add_killed_with_sigkill_resumes() {
    let data = tempfile::tempdir().expect("data dir");
    let files = tempfile::tempdir().expect("files");
    let count = 60;
    many_files(files.path(), count);
    let dir = files.path().to_str().expect("utf-8");
    ok(data.path(), &["library", "create", "Notes"]).await;

    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_valechat"))
        .args(["library", "add", "Notes", dir])
        .env("VALECHAT_DATA_DIR", data.path())
        .env("RUST_LOG", "off")
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start valechat");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let reached = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.expect("read stderr") {
            if line.starts_with("Indexing 5/") {
                return true;
            }
        }
        false
    })
    .await
    .expect("progress in time");
    assert!(reached, "no progress line");
    // SIGKILL: no chance to clean up.
    child.start_kill().expect("kill");
    let status = child.wait().await.expect("wait");
    assert!(!status.success());

    let out = ok(data.path(), &["library", "add", "Notes", dir]).await;
    let done = states(&out);
    let unchanged = done.iter().filter(|s| s.0 == "unchanged").count();
    let indexed = done.iter().filter(|s| s.0 == "indexed").count();
    assert!(
        unchanged >= 5,
        "the files done before the kill are skipped: {out}"
    );
    assert!(unchanged < count, "the kill came before the end: {out}");
    assert_eq!(unchanged + indexed, count, "{out}");
    let list = ok(data.path(), &["library", "list"]).await;
    assert!(
        list.starts_with(&format!("Notes\t{count} documents")),
        "{list}"
    );
}
