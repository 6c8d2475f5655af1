//! `valechat history import FILE` and `history export [ID…|--all] --format
//! md|json -o PATH` (issue 14, part 4), run as the real binary on the
//! fixtures of `tests/fixtures/import/`: the summary, the exit status when
//! a conversation is skipped, no duplicates on a second import, Markdown
//! files per conversation and a JSON export that imports into another
//! data folder with the same conversations.

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_prints_a_summary_and_does_not_duplicate() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    let first = valechat(data, &["history", "import", &fixture("chatgpt.json")]).await;
    assert_success(&first);
    let out = stdout(&first);
    assert!(
        out.starts_with("2 conversations, 7 messages imported\n"),
        "{out}"
    );
    assert!(
        out.contains("1 conversation was archived in the source"),
        "{out}"
    );

    let again = valechat(data, &["history", "import", &fixture("chatgpt.json")]).await;
    assert_success(&again);
    assert!(
        stdout(&again).contains("0 conversations, 0 messages imported\n"),
        "{}",
        stdout(&again)
    );
    assert!(stdout(&again).contains("2 conversations were imported before"));
    // The conversation archived in ChatGPT is imported archived.
    let list = stdout(&valechat(data, &["history", "list"]).await);
    assert_eq!(list.lines().count(), 1, "{list}");
    let archived = stdout(&valechat(data, &["history", "list", "--archived"]).await);
    assert_eq!(archived.lines().count(), 1, "{archived}");
    assert!(
        archived.ends_with("\tA chart and some code\tarchived\n"),
        "{archived}"
    );

    let bad = valechat(data, &["history", "import", &fixture("one_bad.json")]).await;
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stdout(&bad).starts_with(
            "2 conversations, 3 messages imported; 1 skipped:\n  “Broken”: unknown sender \"robot\""
        ),
        "{}",
        stdout(&bad)
    );

    let truncated = valechat(data, &["history", "import", &fixture("truncated.json")]).await;
    assert_eq!(truncated.status.code(), Some(1));
    let err = stderr(&truncated);
    assert!(
        err.contains("not a valid ChatGPT conversations.json file"),
        "{err}"
    );
    assert!(err.contains("line 40, column 0 (byte 1500)"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_markdown_and_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    assert_success(&valechat(&data, &["history", "import", &fixture("open_webui.json")]).await);
    assert_success(&valechat(&data, &["history", "import", &fixture("claude.json")]).await);

    // Markdown: one file per conversation in the folder; the active path
    // with the reply's model, the title as heading.
    let folder = dir.path().join("md");
    let folder_arg = folder.to_string_lossy().into_owned();
    let md = valechat(
        &data,
        &[
            "history",
            "export",
            "--all",
            "--format",
            "md",
            "-o",
            &folder_arg,
        ],
    )
    .await;
    assert_success(&md);
    assert_eq!(
        stdout(&md).trim(),
        format!("Exported 3 conversations to {folder_arg}.")
    );
    let text =
        std::fs::read_to_string(folder.join("1-capital-of-france.md")).expect("markdown file");
    assert!(
        text.starts_with("# Capital of France\n\nCreated 2024-05-01 10:00 UTC"),
        "{text}"
    );
    assert!(
        text.contains("## Assistant (qwen3:4b), 2024-05-01 10:00 UTC"),
        "{text}"
    );
    assert!(text.contains("The capital of France is Paris."));
    assert!(
        !text.contains("Paris.\n\n## "),
        "the other branch is not shown:\n{text}"
    );
    assert_eq!(std::fs::read_dir(&folder).expect("folder").count(), 3);

    // One conversation to a file.
    let one = dir.path().join("one.md");
    let one_arg = one.to_string_lossy().into_owned();
    assert_success(
        &valechat(
            &data,
            &["history", "export", "2", "--format", "md", "-o", &one_arg],
        )
        .await,
    );
    assert!(
        std::fs::read_to_string(&one)
            .expect("file")
            .starts_with("# Haiku about autumn")
    );

    // JSON: one file; it imports elsewhere with the same conversations.
    let json = dir.path().join("all.json");
    let json_arg = json.to_string_lossy().into_owned();
    assert_success(
        &valechat(
            &data,
            &[
                "history", "export", "--all", "--format", "json", "-o", &json_arg,
            ],
        )
        .await,
    );
    let other = dir.path().join("other");
    let imported = valechat(&other, &["history", "import", &json_arg]).await;
    assert_success(&imported);
    assert!(
        stdout(&imported).starts_with("3 conversations, 9 messages imported"),
        "{}",
        stdout(&imported)
    );
    let show = |d: PathBuf| async move {
        stdout(&valechat(&d, &["history", "show", "1", "--all-branches"]).await)
    };
    assert_eq!(show(data.clone()).await, show(other.clone()).await);
    // Importing the Open WebUI file into the copy is a duplicate: the
    // source id travelled with the export.
    let dup = valechat(&other, &["history", "import", &fixture("open_webui.json")]).await;
    assert!(
        stdout(&dup).contains("1 conversation was imported before"),
        "{}",
        stdout(&dup)
    );

    // Errors: no ids, an unknown id.
    let none = valechat(
        &data,
        &["history", "export", "--format", "json", "-o", &json_arg],
    )
    .await;
    assert!(!none.status.success());
    assert!(stderr(&none).contains("--all"), "{}", stderr(&none));
    let missing = valechat(
        &data,
        &[
            "history", "export", "42", "--format", "json", "-o", &json_arg,
        ],
    )
    .await;
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("There is no conversation 42"),
        "{}",
        stderr(&missing)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_a_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    assert_success(&valechat(&data, &["history", "import", &fixture("claude.json")]).await);
    assert_success(&valechat(&data, &["folders", "create", "Poems"]).await);
    assert_success(&valechat(&data, &["history", "move", "1", "--folder", "Poems"]).await);

    let json = dir.path().join("poems.json");
    let json_arg = json.to_string_lossy().into_owned();
    let out = valechat(
        &data,
        &[
            "history", "export", "--folder", "Poems", "--format", "json", "-o", &json_arg,
        ],
    )
    .await;
    assert_success(&out);
    assert_eq!(
        stdout(&out).trim(),
        format!("Exported 1 conversation to {json_arg}.")
    );
    let exported: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("file")).expect("json");
    assert_eq!(exported["conversations"].as_array().map(Vec::len), Some(1));

    let unknown = valechat(
        &data,
        &[
            "history", "export", "--folder", "Nope", "--format", "json", "-o", &json_arg,
        ],
    )
    .await;
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("no folder is named “Nope”"),
        "{}",
        stderr(&unknown)
    );
    let both = valechat(
        &data,
        &[
            "history", "export", "--all", "--folder", "Poems", "--format", "json", "-o", &json_arg,
        ],
    )
    .await;
    assert_eq!(both.status.code(), Some(1));
}
