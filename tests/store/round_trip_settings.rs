//! A conversation's settings in ValeChat JSON beyond the round trip of
//! `round_trip` (same source database): MCP servers matched by name where
//! other servers are configured (a server of the same name under another
//! id, two of one name, one known by its id only, one missing); a sampling
//! parameter out of its range skips its conversation; a version 1 file
//! (no sampling parameters, no `mcp_servers`) still imports, with the
//! defaults; a version 3 file is refused.

use std::error::Error;
use std::path::Path;

use diesel::connection::SimpleConnection;
use serde_json::Value;
use valechat_core::store::Store;
use valechat_core::transfer::{TransferError, export, import_file};

use crate::round_trip::{SERVERS, SOURCE_ROWS};

type TestResult = Result<(), Box<dyn Error>>;

/// The source database of `round_trip` exported to `dir/export.json`.
async fn exported(dir: &Path) -> Result<std::path::PathBuf, Box<dyn Error>> {
    let path = dir.join("a.db");
    let store = Store::open(&path).await?;
    let mut conn = super::sqlite::connect(path.to_str().ok_or("path")?)?;
    conn.batch_execute(SERVERS)?;
    conn.batch_execute(SOURCE_ROWS)?;
    let file = dir.join("export.json");
    export::export_json(&store, &store.conversation_ids().await?, &file).await?;
    Ok(file)
}

/// A new database at `dir/name` after running `sql` on it.
async fn database(dir: &Path, name: &str, sql: &str) -> Result<Store, Box<dyn Error>> {
    let path = dir.join(name);
    let store = Store::open(&path).await?;
    super::sqlite::connect(path.to_str().ok_or("path")?)?.batch_execute(sql)?;
    Ok(store)
}

/// `file` as JSON, changed by `edit`, written to `dir/name` with its
/// header's keys in the export's order (`format` before `conversations`).
fn edited(
    file: &Path,
    dir: &Path,
    name: &str,
    edit: impl FnOnce(&mut Value),
) -> Result<std::path::PathBuf, Box<dyn Error>> {
    let mut json: Value = serde_json::from_str(&std::fs::read_to_string(file)?)?;
    edit(&mut json);
    let out = dir.join(name);
    let text = format!(
        r#"{{"format":{},"version":{},"exported_at":{},"conversations":{}}}"#,
        json["format"], json["version"], json["exported_at"], json["conversations"]
    );
    std::fs::write(&out, text)?;
    Ok(out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_are_matched_by_name_where_others_are_configured() -> TestResult {
    let dir = tempfile::tempdir()?;
    let file = exported(dir.path()).await?;
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&file)?)?;
    assert_eq!(
        json["conversations"][0]["mcp_servers"],
        serde_json::json!([
            {"name": "Files", "id": "files"},
            {"name": "Notes", "id": "notes"},
            {"name": "Time", "id": "time"},
            {"name": "Weather", "id": "weather"},
        ])
    );
    assert_eq!(
        json["conversations"][1]["mcp_servers"],
        serde_json::json!([])
    );

    // Here: "Weather" under another id, two servers named "Files", "notes"
    // renamed, no "Time".
    let here = database(
        dir.path(),
        "here.db",
        r#"INSERT INTO mcp_servers (id, name, transport, enabled, era, created_at, updated_at, sandbox)
            VALUES ('archive', 'Files', '{"type":"stdio","command":"true"}', 1, NULL, 1, 1, NULL),
                   ('files', 'Files', '{"type":"stdio","command":"true"}', 1, NULL, 1, 1, NULL),
                   ('forecast', 'Weather', '{"type":"stdio","command":"true"}', 1, NULL, 1, 1, NULL),
                   ('notes', 'My notes', '{"type":"stdio","command":"true"}', 1, NULL, 1, 1, NULL);"#,
    )
    .await?;
    let summary = import_file(&here, &file, |_| {}).await?;
    assert_eq!(summary.conversations, 2, "{summary}");
    let ids = here.conversation_ids().await?;
    let servers = |s: &[&str]| Some(s.iter().map(|&s| s.to_owned()).collect::<Vec<_>>());
    assert_eq!(
        here.conversation_mcp_servers(ids[0]).await?,
        servers(&["files", "forecast", "notes"])
    );
    // The empty list stays a choice: no server, not every enabled one.
    assert_eq!(here.conversation_mcp_servers(ids[1]).await?, servers(&[]));

    // Where none of them is configured, the conversation still offers only
    // its own servers: none.
    let bare = database(dir.path(), "bare.db", "").await?;
    import_file(&bare, &file, |_| {}).await?;
    let ids = bare.conversation_ids().await?;
    assert_eq!(bare.conversation_mcp_servers(ids[0]).await?, servers(&[]));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sampling_parameter_out_of_range_skips_its_conversation() -> TestResult {
    let dir = tempfile::tempdir()?;
    let file = exported(dir.path()).await?;
    let bad = edited(&file, dir.path(), "bad.json", |json| {
        json["conversations"][0]["repeat_penalty"] = Value::from(7.5);
    })?;
    let store = database(dir.path(), "b.db", SERVERS).await?;
    let summary = import_file(&store, &bad, |_| {}).await?;
    assert_eq!(summary.conversations, 1, "{summary}");
    assert_eq!(summary.skipped.len(), 1, "{summary}");
    let reason = &summary.skipped[0].reason;
    assert!(
        reason.contains("repeat_penalty") && reason.contains("7.5"),
        "{reason}"
    );
    assert_eq!(summary.skipped[0].name, "Planning a trip — Zürich");
    // Skipped whole: the other conversation is the only one written.
    assert_eq!(store.conversation_ids().await?.len(), 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_1_file_imports_with_the_defaults() -> TestResult {
    let dir = tempfile::tempdir()?;
    let file = exported(dir.path()).await?;
    assert!(
        std::fs::read_to_string(&file)?.starts_with(r#"{"format":"valechat-export","version":2,"#)
    );
    let old = edited(&file, dir.path(), "v1.json", |json| {
        json["version"] = Value::from(1);
        for c in json["conversations"].as_array_mut().into_iter().flatten() {
            let c = c.as_object_mut().expect("a conversation is an object");
            for key in [
                "top_p",
                "top_k",
                "min_p",
                "repeat_penalty",
                "seed",
                "mcp_servers",
            ] {
                assert!(c.remove(key).is_some(), "{key}");
            }
        }
    })?;
    let store = database(dir.path(), "b.db", SERVERS).await?;
    let summary = import_file(&store, &old, |_| {}).await?;
    assert_eq!(
        (summary.conversations, summary.messages),
        (2, 7),
        "{summary}"
    );
    assert!(summary.skipped.is_empty(), "{summary}");
    for id in store.conversation_ids().await? {
        let c = store.get_conversation(id).await?.ok_or("imported")?;
        assert!(c.sampling().is_empty(), "{:?}", c.sampling());
        assert_eq!(store.conversation_mcp_servers(id).await?, None);
    }
    // The settings of version 1 are still read.
    let first = store.conversation_ids().await?[0];
    let c = store.get_conversation(first).await?.ok_or("imported")?;
    assert_eq!(c.max_output_tokens, Some(2048));

    let future = edited(&file, dir.path(), "v3.json", |json| {
        json["version"] = Value::from(3);
    })?;
    let other = database(dir.path(), "c.db", "").await?;
    match import_file(&other, &future, |_| {}).await {
        Err(TransferError::UnsupportedVersion { version, .. }) => assert_eq!(version, "3"),
        other => panic!("expected UnsupportedVersion, got {other:?}"),
    }
    assert!(other.conversation_ids().await?.is_empty());
    Ok(())
}
