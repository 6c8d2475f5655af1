//! A database made by ValeChat before messages became a tree (commit
//! 8595b87, `tests/fixtures/db-8595b87/make.sh`: three conversations with
//! interleaved messages, a tool call, an image, an MCP resource, seven
//! usage records) opened by this version: it is backed up, migrated, and
//! every row is kept; each conversation becomes a single path ending at
//! its last message.

use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use valechat_core::store::{PageEnd, Store};

type TestResult = Result<(), Box<dyn Error>>;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/db-8595b87/valechat.db"
);

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Row counts by table, and every row of interest as a line of text.
type Rows = (BTreeMap<String, i64>, Vec<String>);

/// Rows of every table (not the search index's own tables nor the
/// migrations table) and a digest of every `messages`, `tool_calls`,
/// `attachments` and `usage_records` row as text, read directly.
fn rows(path: &Path) -> Result<Rows, Box<dyn Error>> {
    let mut conn = super::sqlite::connect(path.to_str().ok_or("path")?)?;
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table'
         AND name NOT LIKE 'messages_fts%' AND name NOT LIKE '__diesel%'
         AND name <> 'sqlite_sequence'",
    )
    .load(&mut conn)?;
    let mut counts = BTreeMap::new();
    for table in tables {
        let count: Count =
            diesel::sql_query(format!("SELECT COUNT(*) AS n FROM \"{}\"", table.name))
                .get_result(&mut conn)?;
        counts.insert(table.name, count.n);
    }
    let mut digest = Vec::new();
    for query in [
        "SELECT id || '|' || conversation_id || '|' || role || '|' || content || '|' || status
            || '|' || IFNULL(model, '') || '|' || IFNULL(input_tokens, '') AS name
         FROM messages ORDER BY id",
        "SELECT id || '|' || message_id || '|' || name || '|' || IFNULL(result_for_model, '') AS name
         FROM tool_calls ORDER BY id",
        "SELECT id || '|' || message_id || '|' || kind || '|' || name || '|' || length(data) AS name
         FROM attachments ORDER BY id",
        "SELECT id || '|' || IFNULL(message_id, '') || '|' || IFNULL(conversation_id, '')
            || '|' || cost_usd AS name
         FROM usage_records ORDER BY id",
        "SELECT rowid || '|' || content AS name FROM messages_fts ORDER BY rowid",
    ] {
        let lines: Vec<Name> = diesel::sql_query(query).load(&mut conn)?;
        digest.extend(lines.into_iter().map(|l| l.name));
    }
    Ok((counts, digest))
}

#[tokio::test]
async fn a_database_of_the_linear_version_becomes_single_paths() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("valechat.db");
    std::fs::copy(FIXTURE, &path)?;
    let (counts_before, digest_before) = rows(&path)?;
    assert_eq!(counts_before.get("messages"), Some(&13));
    assert_eq!(counts_before.get("usage_records"), Some(&7));

    let store = Store::open(&path).await?;
    let backups = std::fs::read_dir(dir.path())?
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("valechat.db.bak-")
        })
        .count();
    assert_eq!(backups, 1, "a copy is taken before migrating");

    // Each conversation: a single path in id order, ending at its last message.
    let expected: [(i64, &[i64]); 3] = [
        (1, &[1, 2, 6, 7, 10, 11]),
        (2, &[3, 4, 5, 8, 9]),
        (3, &[12, 13]),
    ];
    for (conversation, ids) in expected {
        let all = store.list_messages(conversation).await?;
        assert_eq!(all.iter().map(|m| m.id).collect::<Vec<_>>(), ids);
        let path = store.active_path(conversation).await?;
        assert_eq!(path, all, "conversation {conversation} is one path");
        let mut parent = None;
        for m in &path {
            assert_eq!(m.parent_id, parent, "message {}", m.id);
            assert_eq!(store.siblings(m.id).await?.count(), 1);
            parent = Some(m.id);
        }
        let c = store
            .get_conversation(conversation)
            .await?
            .ok_or("conversation")?;
        assert_eq!(c.active_leaf_id, ids.last().copied());
    }
    // What belongs to messages still belongs to them.
    let calls = store.list_tool_calls(2).await?;
    assert_eq!(calls.iter().map(|c| c.message_id).collect::<Vec<_>>(), [4]);
    assert_eq!(store.message_attachments(12).await?.len(), 1);
    assert_eq!(
        store
            .list_resource_attachments(3)
            .await?
            .get(&12)
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(store.search_messages("question", 10).await?.len(), 3);
    let page = store.conversation_page(2, PageEnd::Last, 10).await?;
    assert_eq!(
        page.usage
            .iter()
            .filter_map(|u| u.message_id)
            .collect::<Vec<_>>(),
        [4, 5, 9]
    );
    assert_eq!(page.conversation_cost, Some("0.000528".parse()?));
    drop(store);

    let (mut counts_after, digest_after) = rows(&path)?;
    // Tables of later migrations (assistants, local_models…) start empty;
    // an FTS5 table's shadow tables (`_config`, `_data`) hold its version
    // and structure records from the start.
    counts_after.retain(|table, n| {
        counts_before.contains_key(table) || {
            if !table.ends_with("_fts_config") && !table.ends_with("_fts_data") {
                assert_eq!(*n, 0, "the new table {table} starts empty");
            }
            false
        }
    });
    assert_eq!(counts_after, counts_before, "every table keeps its rows");
    assert_eq!(digest_after, digest_before, "every row reads the same");
    Ok(())
}
