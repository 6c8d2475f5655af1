//! Importing other apps' exports into a database on disk (issue 14, part
//! 4), from the fixtures in `tests/fixtures/import/` (README there): the
//! tree each format gives, the active leaf, skipped nodes, models and
//! timestamps; a truncated file, a file of no known format, one bad
//! conversation skipped whole; importing twice writes nothing new.

use std::error::Error;
use std::path::{Path, PathBuf};

use valechat_core::store::{Message, Store};
use valechat_core::transfer::{Format, ImportSummary, TransferError, import_file};

type TestResult = Result<(), Box<dyn Error>>;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

async fn import(name: &str) -> Result<(tempfile::TempDir, Store, ImportSummary), Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("valechat.db")).await?;
    let summary = import_file(&store, &fixture(name), |_| {}).await?;
    Ok((dir, store, summary))
}

/// Conversation ids by title.
async fn by_title(store: &Store, title: &str) -> Result<i64, Box<dyn Error>> {
    Ok(store
        .list_conversations()
        .await?
        .into_iter()
        .find(|c| c.title == title)
        .ok_or(format!("no conversation {title:?}"))?
        .id)
}

fn contents(path: &[Message]) -> Vec<&str> {
    path.iter().map(|m| m.content.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chatgpt_trees_keep_branches_models_and_times() -> TestResult {
    let (_dir, store, summary) = import("chatgpt.json").await?;
    assert_eq!(summary.format, Some(Format::ChatGpt));
    assert_eq!((summary.conversations, summary.messages), (2, 7));
    assert_eq!(summary.archived, ["A chart and some code"]);

    let sorting = by_title(&store, "Sorting in Rust").await?;
    let c = store
        .get_conversation(sorting)
        .await?
        .ok_or("conversation")?;
    assert_eq!(
        (c.created_at, c.updated_at),
        (1_714_557_600_125, 1_714_558_200_500)
    );
    // The root, the hidden system node and the custom instructions are
    // skipped; the regeneration is a sibling; current_node is the leaf.
    let path = store.active_path(sorting).await?;
    assert_eq!(
        contents(&path),
        [
            "How do I sort a Vec?",
            "Call `v.sort_unstable()` for speed."
        ]
    );
    assert_eq!(path[0].parent_id, None);
    assert_eq!(path[1].model.as_deref(), Some("gpt-4o-mini"));
    assert_eq!(path[1].created_at, 1_714_557_700_000);
    let all = store.list_messages(sorting).await?;
    assert_eq!(all.len(), 3);
    assert_eq!(all[1].parent_id, Some(path[0].id));
    assert_eq!(all[1].model.as_deref(), Some("gpt-4o"));
    assert_eq!(store.siblings(path[1].id).await?.count(), 2);

    let chart = by_title(&store, "A chart and some code").await?;
    let path = store.active_path(chart).await?;
    assert_eq!(path.len(), 4);
    assert!(path[0].content.contains("What does this chart show?"));
    assert!(
        path[0].content.contains("image that was not in the export"),
        "{}",
        path[0].content
    );
    // The thoughts node becomes the reasoning of the code reply below it.
    assert_eq!(path[1].reasoning, "The bars rise each year.");
    assert_eq!(path[1].content, "```python\nprint(sum([1, 2, 3]))\n```");
    assert_eq!(path[2].content, "```\n6\n```");
    assert_eq!(path[3].status.as_str(), "incomplete");
    assert_eq!(path[3].model.as_deref(), Some("o3"));
    // No usage, no cost.
    assert_eq!(path.iter().filter_map(|m| m.input_tokens).count(), 0);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claude_messages_follow_their_parents() -> TestResult {
    let (_dir, store, summary) = import("claude.json").await?;
    assert_eq!(summary.format, Some(Format::Claude));
    assert_eq!((summary.conversations, summary.messages), (2, 6));
    let haiku = by_title(&store, "Haiku about autumn").await?;
    let path = store.active_path(haiku).await?;
    assert_eq!(path.len(), 4);
    assert_eq!(path[1].reasoning, "Five, seven, five.");
    assert!(path[1].content.starts_with("Leaves let go slowly"));
    assert!(
        path[2].content.contains("apples, figs"),
        "{}",
        path[2].content
    );
    assert!(path[2].content.contains("photo.jpg"));
    assert_eq!(path[3].content, "A list of two fruits.");
    assert_eq!(path[3].model, None);
    assert_eq!(path[0].created_at, 1_714_557_601_000);
    // The untitled conversation gets a title.
    let untitled = by_title(&store, "Untitled conversation").await?;
    assert_eq!(
        contents(&store.active_path(untitled).await?),
        ["Hi", "Hello!"]
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_webui_history_keeps_current_id_and_reasoning() -> TestResult {
    let (_dir, store, summary) = import("open_webui.json").await?;
    assert_eq!(summary.format, Some(Format::OpenWebUi));
    let id = by_title(&store, "Capital of France").await?;
    let path = store.active_path(id).await?;
    assert_eq!(
        contents(&path),
        [
            "What is the capital of France?",
            "The capital of France is Paris."
        ]
    );
    assert_eq!(path[1].model.as_deref(), Some("qwen3:4b"));
    assert_eq!(path[1].reasoning, "> France's capital city.");
    assert_eq!(path[1].created_at, 1_714_557_650_000);
    assert_eq!(store.list_messages(id).await?.len(), 3);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn importing_twice_does_not_duplicate() -> TestResult {
    let (_dir, store, _) = import("chatgpt.json").await?;
    let again = import_file(&store, &fixture("chatgpt.json"), |_| {}).await?;
    assert_eq!((again.conversations, again.already_imported), (0, 2));
    assert_eq!(store.list_conversations().await?.len(), 2);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_bad_conversation_is_skipped_whole() -> TestResult {
    let (_dir, store, summary) = import("one_bad.json").await?;
    assert_eq!(summary.conversations, 2);
    assert_eq!(summary.skipped.len(), 1);
    assert_eq!(summary.skipped[0].name, "Broken");
    assert!(summary.skipped[0].reason.contains("robot"));
    let titles: Vec<String> = store
        .list_conversations()
        .await?
        .into_iter()
        .map(|c| c.title)
        .collect();
    assert_eq!(titles.len(), 2);
    assert!(!titles.contains(&"Broken".to_owned()));
    assert!(
        summary
            .to_string()
            .starts_with("2 conversations, 3 messages imported; 1 skipped:")
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_file_says_where_parsing_stopped() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("valechat.db")).await?;
    let error = import_file(&store, &fixture("truncated.json"), |_| {})
        .await
        .err()
        .ok_or("no error")?;
    let TransferError::Parse {
        expected, position, ..
    } = &error
    else {
        panic!("not a parse error: {error}");
    };
    assert_eq!(expected, "ChatGPT conversations.json");
    assert_eq!(position.byte, 1500);
    assert!(position.line > 30, "{position:?}");
    assert!(error.to_string().contains("line"), "{error}");
    assert!(store.list_conversations().await?.is_empty());

    // Cut after the first conversation: that one is imported, whole.
    let text = std::fs::read_to_string(fixture("claude.json"))?;
    let cut = text
        .find("\"uuid\": \"c1a0de00-0000-4000-8000-000000000002\"")
        .ok_or("second")?;
    let file = dir.path().join("cut.json");
    std::fs::write(&file, &text[..cut])?;
    let error = import_file(&store, &file, |_| {})
        .await
        .err()
        .ok_or("no error")?;
    assert!(
        matches!(&error, TransferError::Parse { expected, imported_before: 1, .. } if expected == "Claude conversations.json"),
        "{error}"
    );
    assert_eq!(store.list_conversations().await?.len(), 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_of_no_known_format_is_refused() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("valechat.db")).await?;
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "Just some notes\n")?;
    for file in [fixture("not_an_export.json"), text] {
        let error = import_file(&store, &file, |_| {})
            .await
            .err()
            .ok_or("no error")?;
        assert!(
            matches!(error, TransferError::UnknownFormat { .. }),
            "{error}"
        );
        assert!(
            error.to_string().contains("ChatGPT, Claude or Open WebUI"),
            "{error}"
        );
    }
    let other = dir.path().join("other.json");
    std::fs::write(
        &other,
        r#"{"format": "something-else", "conversations": []}"#,
    )?;
    let error = import_file(&store, &other, |_| {})
        .await
        .err()
        .ok_or("no error")?;
    assert!(
        matches!(error, TransferError::UnknownFormat { .. }),
        "{error}"
    );
    assert!(store.list_conversations().await?.is_empty());
    Ok(())
}
