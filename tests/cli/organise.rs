//! Pin, archive and folders from the command line (issue 14, part 3):
//! `history pin|unpin|archive|unarchive ID`, `history move ID
//! --folder NAME|--none`, `folders list|create|rename|delete` and what
//! `history list [--archived]` shows, run as the real binary on
//! conversations imported from the fixtures of `tests/fixtures/import/`;
//! unknown ids and names are clear errors that change nothing.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support;
use support::cli::{assert_success, stderr, stdout};

async fn valechat(data_dir: &Path, args: &[&str]) -> Output {
    support::cli::valechat_with(data_dir, &[], args).await
}

fn fixture(name: &str) -> String {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests/fixtures/import", name]
        .iter()
        .collect();
    path.to_string_lossy().into_owned()
}

/// Runs `args`, expects success, returns stdout.
async fn ok(data: &Path, args: &[&str]) -> String {
    let out = valechat(data, args).await;
    assert_success(&out);
    stdout(&out)
}

/// `history list` (with `extra` arguments) as (id, title, place) rows.
async fn listed(data: &Path, extra: &[&str]) -> Vec<(String, String, String)> {
    let mut args = vec!["history", "list"];
    args.extend_from_slice(extra);
    ok(data, &args)
        .await
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 5, "{l}");
            (f[0].to_owned(), f[3].to_owned(), f[4].to_owned())
        })
        .collect()
}

/// The id of the conversation titled `title` among `rows`.
fn id_of(rows: &[(String, String, String)], title: &str) -> String {
    rows.iter()
        .find(|r| r.1 == title)
        .map(|r| r.0.clone())
        .unwrap_or_else(|| panic!("no {title:?} in {rows:?}"))
}

fn places(rows: &[(String, String, String)]) -> Vec<(&str, &str)> {
    rows.iter().map(|r| (r.1.as_str(), r.2.as_str())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pin_archive_and_file_conversations() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    ok(data, &["history", "import", &fixture("chatgpt.json")]).await;
    ok(data, &["history", "import", &fixture("claude.json")]).await;
    let rows = listed(data, &[]).await;
    let sorting = id_of(&rows, "Sorting in Rust");
    let haiku = id_of(&rows, "Haiku about autumn");
    // ChatGPT's archived conversation is archived here.
    let archived = listed(data, &["--archived"]).await;
    assert_eq!(places(&archived), [("A chart and some code", "archived")]);
    let chart = archived[0].0.clone();

    // Pinned first, whatever its activity.
    let last = rows.last().expect("a row").1.clone();
    let last_id = id_of(&rows, &last);
    assert_eq!(
        ok(data, &["history", "pin", &last_id]).await,
        format!("Pinned conversation {last_id}.\n")
    );
    let rows = listed(data, &[]).await;
    assert_eq!(
        (rows[0].1.as_str(), rows[0].2.as_str()),
        (last.as_str(), "pinned")
    );
    ok(data, &["history", "unpin", &last_id]).await;
    assert!(listed(data, &[]).await.iter().all(|r| r.2 == "-"));

    // Archive and bring back.
    ok(data, &["history", "archive", &haiku]).await;
    let rows = listed(data, &[]).await;
    assert!(rows.iter().all(|r| r.0 != haiku), "{rows:?}");
    assert_eq!(listed(data, &["--archived"]).await.len(), 2);
    ok(data, &["history", "unarchive", &chart]).await;
    assert!(listed(data, &[]).await.iter().any(|r| r.0 == chart));

    // Folders.
    assert_eq!(ok(data, &["folders", "list"]).await, "");
    assert_eq!(
        ok(data, &["folders", "create", " Rust work "]).await,
        "Created folder “Rust work”.\n"
    );
    ok(data, &["folders", "create", "Poems"]).await;
    let taken = valechat(data, &["folders", "create", "poems"]).await;
    assert_eq!(taken.status.code(), Some(1));
    assert_eq!(
        stderr(&taken),
        "valechat: a folder named \"poems\" exists already\n"
    );
    assert_eq!(
        ok(
            data,
            &["history", "move", &sorting, "--folder", "rust WORK"]
        )
        .await,
        format!("Moved conversation {sorting} to folder “Rust work”.\n")
    );
    ok(data, &["history", "move", &chart, "--folder", "Rust work"]).await;
    ok(data, &["history", "move", &haiku, "--folder", "Poems"]).await;
    ok(data, &["history", "pin", &sorting]).await;
    let rows = listed(data, &[]).await;
    assert_eq!(rows[0].1, "Sorting in Rust");
    assert_eq!(rows[0].2, "pinned,folder=Rust work");
    assert_eq!(
        places(&listed(data, &["--archived"]).await),
        [("Haiku about autumn", "folder=Poems,archived")]
    );
    let folders = ok(data, &["folders", "list"]).await;
    let folders: Vec<Vec<&str>> = folders.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(
        folders.iter().map(|f| (f[1], f[2])).collect::<Vec<_>>(),
        [("Poems", "1"), ("Rust work", "2")]
    );

    ok(data, &["folders", "rename", "rust work", "Rust"]).await;
    assert_eq!(listed(data, &[]).await[0].2, "pinned,folder=Rust");
    // Deleting a folder keeps its conversations.
    assert_eq!(
        ok(data, &["folders", "delete", "Rust"]).await,
        "Deleted folder “Rust”; its 2 conversations are kept, in no folder.\n"
    );
    let rows = listed(data, &[]).await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(places(&rows)[0], ("Sorting in Rust", "pinned"));
    assert!(rows[1..].iter().all(|r| r.2 == "-"), "{rows:?}");
    assert!(rows.iter().any(|r| r.0 == chart), "{rows:?}");
    ok(data, &["history", "move", &haiku, "--none"]).await;
    assert_eq!(
        places(&listed(data, &["--archived"]).await),
        [("Haiku about autumn", "archived")]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_ids_and_names_are_clear_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    ok(data, &["history", "import", &fixture("chatgpt.json")]).await;
    let before = ok(data, &["history", "list"]).await;
    let id = before.split('\t').next().expect("an id").to_owned();
    for (args, message) in [
        (
            vec!["history", "pin", "999"],
            "valechat: conversation 999 does not exist (see `valechat history list`)\n",
        ),
        (
            vec!["history", "archive", "999"],
            "valechat: conversation 999 does not exist (see `valechat history list`)\n",
        ),
        (
            vec!["history", "move", &id, "--folder", "Nowhere"],
            "valechat: there is no folder named “Nowhere” (see `valechat folders list`; `valechat folders create NAME` makes one)\n",
        ),
        (
            vec!["folders", "delete", "Nowhere"],
            "valechat: there is no folder named “Nowhere” (see `valechat folders list`)\n",
        ),
        (
            vec!["folders", "create", "  "],
            "valechat: a folder needs a name\n",
        ),
    ] {
        let out = valechat(data, &args).await;
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(stderr(&out), message, "{args:?}");
        assert_eq!(stdout(&out), "", "{args:?}");
    }
    // `move` needs exactly one of --folder and --none.
    let neither = valechat(data, &["history", "move", &id]).await;
    assert_eq!(neither.status.code(), Some(2));
    let both = valechat(data, &["history", "move", &id, "--folder", "X", "--none"]).await;
    assert_eq!(both.status.code(), Some(2));
    assert_eq!(
        ok(data, &["history", "list"]).await,
        before,
        "nothing changed"
    );
    assert_eq!(ok(data, &["folders", "list"]).await, "");
}
