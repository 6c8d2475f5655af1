//! ValeChat JSON loses nothing (issue 14, part 4): a database on disk with
//! branches, settings (sampling parameters, a conversation's own MCP
//! servers and one with none), tool calls, an image and a resource,
//! workspace folders and usage records (two conversations whose messages
//! interleave, and a deleted one leaving gaps in the ids) is exported,
//! imported into an empty database with the same providers and MCP
//! servers configured, and every row compared, ids mapped. The export
//! validates against `data/schema/valechat-export-2.json` (Python's
//! `jsonschema`, as no JSON Schema crate is kept). A second import writes
//! nothing. `round_trip_settings` imports the same export where other
//! servers are configured, and as a version 1 file.

use std::collections::HashMap;
use std::error::Error;
use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use serde_json::Value;
use valechat_core::store::Store;
use valechat_core::transfer::{export, import_file};

type TestResult = Result<(), Box<dyn Error>>;

/// MCP servers configured in the source database and in the one the
/// round trip imports into (settings, not history, so not exported).
pub(crate) const SERVERS: &str = r#"
INSERT INTO mcp_servers (id, name, transport, enabled, era, created_at, updated_at, sandbox)
    VALUES ('files', 'Files', '{"type":"stdio","command":"true"}', 1, NULL, 1, 1, NULL),
           ('notes', 'Notes', '{"type":"stdio","command":"true"}', 0, NULL, 1, 1, NULL),
           ('time', 'Time', '{"type":"stdio","command":"true"}', 1, NULL, 1, 1, NULL),
           ('weather', 'Weather', '{"type":"stdio","command":"true"}', 1, NULL, 1, 1, NULL),
           ('unused', 'Unused', '{"type":"stdio","command":"true"}', 1, NULL, 1, 1, NULL);
"#;

/// The source database: written with SQL so that every column holds
/// something (NULLs where allowed, non-ASCII text, a binary blob). Run
/// after [`SERVERS`]. Top-p and min-p are 0.91 and 0.1 as the settings
/// store them (`f32` widened to a double: 17 digits, which `serde_json`
/// reads back exactly only with its `float_roundtrip` feature).
pub(crate) const SOURCE_ROWS: &str = r#"
INSERT INTO providers (id, name, kind, base_url, has_api_key, enabled, created_at, updated_at)
    VALUES ('openai', 'OpenAI', 'openai_compatible', 'https://api.openai.com/v1', 0, 1, 1, 1);
INSERT INTO conversations (id, title, provider_id, model, system_prompt, temperature, max_output_tokens, created_at, updated_at)
    VALUES (1, 'Gone', NULL, NULL, NULL, NULL, NULL, 1000, 1000),
           (2, 'Planning a trip — Zürich', 'openai', 'gpt-4o', 'Be brief.', 0.7, 2048, 1700000000000, 1700000900000),
           (3, 'Second', NULL, 'llama3', NULL, NULL, NULL, 1700000100000, 1700000200000);
INSERT INTO messages (id, conversation_id, parent_id, role, content, reasoning, status, provider_id, model, finish_reason, error, input_tokens, output_tokens, created_at, updated_at)
    VALUES (1, 1, NULL, 'user', 'deleted', '', 'complete', NULL, NULL, NULL, NULL, NULL, NULL, 1000, 1000),
           (2, 2, NULL, 'user', 'Where to go?', '', 'complete', NULL, NULL, NULL, NULL, NULL, NULL, 1700000000001, 1700000000001),
           (3, 3, NULL, 'user', 'Hello', '', 'complete', NULL, NULL, NULL, NULL, NULL, NULL, 1700000100001, 1700000100001),
           (4, 2, 2, 'assistant', 'Zürich **old town**.', 'They asked about travel.', 'complete', 'openai', 'gpt-4o', 'stop', NULL, 12, 30, 1700000000002, 1700000000003),
           (5, 2, 2, 'assistant', 'Lucerne.', '', 'failed', 'openai', 'gpt-4o-mini', NULL, '{"kind":"timeout"}', 12, NULL, 1700000000004, 1700000000005),
           (6, 3, 3, 'assistant', 'Hi!', '', 'incomplete', 'ollama', 'llama3', 'length', NULL, 3, 2, 1700000100002, 1700000100002),
           (7, 2, 4, 'user', 'Weather there?', '', 'complete', NULL, NULL, NULL, NULL, NULL, NULL, 1700000000006, 1700000000006),
           (8, 2, 7, 'assistant', 'Let me check.', '', 'complete', 'openai', 'gpt-4o', 'tool_calls', NULL, 40, 8, 1700000000007, 1700000000008);
UPDATE conversations SET active_leaf_id = 8 WHERE id = 2;
UPDATE conversations SET active_leaf_id = 6 WHERE id = 3;
INSERT INTO tool_calls (message_id, position, call_id, name, server_id, tool_name, arguments, status, result, result_for_model, is_error, created_at, duration_ms, provider_data)
    VALUES (8, 0, 'call_1', 'weather__forecast', 'weather', 'forecast', '{"city":"Zürich"}', 'succeeded', '{"content":[{"type":"text","text":"Sunny"}]}', 'Sunny', 0, 1700000000009, 120, 'sig=='),
           (8, 1, 'call_2', 'unknown_tool', NULL, NULL, '{}', 'failed', NULL, NULL, 1, 1700000000010, NULL, NULL);
INSERT INTO attachments (message_id, position, name, mime_type, data, created_at, kind, uri, server_id, text)
    VALUES (7, 0, 'map.png', 'image/png', X'89504E470D0A1A0A00FF10', 1700000000006, 'image', NULL, NULL, NULL),
           (7, 1, 'notes', 'text/plain', X'', 1700000000006, 'resource', 'file:///notes.txt', 'files', 'Pack light.');
INSERT INTO conversation_roots (conversation_id, path, name, position, created_at)
    VALUES (2, '/home/me/trip', 'trip', 0, 1700000000000);
INSERT INTO usage_records (request_id, provider_id, model, conversation_id, message_id, created_at, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, counted_input_tokens, verification, cost_usd, cost_source, outcome)
    VALUES ('req-a', 'openai', 'gpt-4o', 2, 4, 1700000000003, 12, 30, 0, 0, 0, 12, 'agrees', '0.00033', 'actual', 'completed'),
           ('req-b', 'openai', 'gpt-4o-mini', 2, 5, 1700000000005, 12, 0, 0, 0, 0, NULL, 'unverifiable', '0.0000018', 'estimated', 'failed'),
           ('req-c', 'openai', 'gpt-4o', 2, 8, 1700000000008, 40, 8, 5, 1, 2, 40, 'differs', '0.00018', 'actual', 'completed');
UPDATE conversations SET top_p = 0.9100000262260437, top_k = 40, min_p = 0.10000000149011612, repeat_penalty = 1.1, seed = 4294967295 WHERE id = 2;
UPDATE conversations SET seed = 0 WHERE id = 3;
INSERT INTO conversation_server_choices (conversation_id) VALUES (1), (2), (3);
INSERT INTO conversation_mcp_servers (conversation_id, server_id)
    VALUES (1, 'files'), (2, 'weather'), (2, 'files'), (2, 'notes'), (2, 'time');
DELETE FROM messages WHERE id = 1;
DELETE FROM conversations WHERE id = 1;
"#;

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    #[diesel(column_name = type_)]
    type_: String,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    row: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = Integer)]
    n: i32,
}

/// Every row of `table` as a JSON object of all its columns (blobs as hex,
/// reals as text of 17 significant digits: SQLite's JSON keeps 15, which
/// would hide a double that changed in its last bits).
fn rows(conn: &mut SqliteConnection, table: &str) -> Result<Vec<Value>, Box<dyn Error>> {
    let columns: Vec<Column> = diesel::sql_query(format!(
        "SELECT name, type AS type_ FROM pragma_table_info('{table}')"
    ))
    .load(conn)?;
    let fields: Vec<String> = columns
        .iter()
        .map(|c| {
            if c.type_.eq_ignore_ascii_case("BLOB") {
                format!("'{0}', hex({0})", c.name)
            } else if c.type_.eq_ignore_ascii_case("REAL") {
                format!(
                    "'{0}', CASE WHEN typeof({0}) = 'real' THEN printf('%!.17g', {0}) ELSE {0} END",
                    c.name
                )
            } else {
                format!("'{0}', {0}", c.name)
            }
        })
        .collect();
    let sql = format!(
        "SELECT json_object({}) AS row FROM {table} ORDER BY rowid",
        fields.join(", ")
    );
    let loaded: Vec<Row> = diesel::sql_query(sql).load(conn)?;
    Ok(loaded
        .iter()
        .map(|r| serde_json::from_str(&r.row))
        .collect::<Result<_, _>>()?)
}

/// The database's history tables with ids replaced by ordinals
/// (conversations by creation, messages by conversation then id) and the
/// conversations' `source`/`source_id` left out (an import sets them).
fn history(path: &Path) -> Result<HashMap<&'static str, Vec<Value>>, Box<dyn Error>> {
    let mut conn = super::sqlite::connect(path.to_str().ok_or("path")?)?;
    let mut conversations = rows(&mut conn, "conversations")?;
    conversations.sort_by_key(|c| (c["created_at"].as_i64(), c["id"].as_i64()));
    let conversation_ord: HashMap<i64, usize> = conversations
        .iter()
        .enumerate()
        .map(|(i, c)| (c["id"].as_i64().unwrap_or_default(), i))
        .collect();
    let mut messages = rows(&mut conn, "messages")?;
    messages.sort_by_key(|m| {
        let conversation = m["conversation_id"].as_i64().unwrap_or_default();
        (
            conversation_ord.get(&conversation).copied(),
            m["id"].as_i64(),
        )
    });
    let message_ord: HashMap<i64, usize> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| (m["id"].as_i64().unwrap_or_default(), i))
        .collect();
    let map = |value: &mut Value, field: &str, ords: &HashMap<i64, usize>| {
        if let Some(id) = value[field].as_i64() {
            value[field] = Value::from(ords[&id]);
        }
    };
    for c in &mut conversations {
        map(c, "id", &conversation_ord);
        map(c, "active_leaf_id", &message_ord);
        let object = c.as_object_mut().expect("a row is an object");
        object.remove("source");
        object.remove("source_id");
    }
    for m in &mut messages {
        map(m, "id", &message_ord);
        map(m, "conversation_id", &conversation_ord);
        map(m, "parent_id", &message_ord);
    }
    let mut out = HashMap::new();
    out.insert("conversations", conversations);
    out.insert("messages", messages);
    for table in [
        "tool_calls",
        "attachments",
        "usage_records",
        "conversation_roots",
        "conversation_server_choices",
        "conversation_mcp_servers",
    ] {
        let mut list = rows(&mut conn, table)?;
        for row in &mut list {
            row.as_object_mut()
                .expect("a row is an object")
                .remove("id");
            map(row, "message_id", &message_ord);
            map(row, "conversation_id", &conversation_ord);
        }
        list.sort_by_key(Value::to_string);
        out.insert(table, list);
    }
    Ok(out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valechat_json_round_trip_restores_every_row() -> TestResult {
    let dir = tempfile::tempdir()?;
    let a_path = dir.path().join("a.db");
    let a = Store::open(&a_path).await?;
    let mut a_conn = super::sqlite::connect(a_path.to_str().ok_or("path")?)?;
    a_conn.batch_execute(SERVERS)?;
    a_conn.batch_execute(SOURCE_ROWS)?;
    let file = dir.path().join("export.json");
    let ids = a.conversation_ids().await?;
    assert_eq!(export::export_json(&a, &ids, &file).await?, 2);

    let b_path = dir.path().join("b.db");
    let b = Store::open(&b_path).await?;
    // Providers and MCP servers are settings, not history: the same ones
    // are configured here.
    let mut b_conn = super::sqlite::connect(b_path.to_str().ok_or("path")?)?;
    b_conn.batch_execute(
        "INSERT INTO providers (id, name, kind, base_url, has_api_key, enabled, created_at, updated_at)
         VALUES ('openai', 'OpenAI', 'openai_compatible', 'https://api.openai.com/v1', 0, 1, 1, 1);",
    )?;
    b_conn.batch_execute(SERVERS)?;
    let summary = import_file(&b, &file, |_| {}).await?;
    assert_eq!(
        (
            summary.conversations,
            summary.messages,
            summary.usage_records
        ),
        (2, 7, 3)
    );
    assert!(summary.skipped.is_empty(), "{summary}");

    let (before, after) = (history(&a_path)?, history(&b_path)?);
    for table in before.keys() {
        assert_eq!(before[table], after[table], "table {table}");
    }
    assert_eq!(before["messages"].len(), 7);
    assert_eq!(before["attachments"].len(), 2);
    // The settings compared are set: sampling on both conversations, a
    // list of four servers on one and an empty list on the other.
    assert_eq!(before["conversations"][0]["top_k"], 40);
    assert_eq!(before["conversations"][1]["seed"], 0);
    assert_eq!(before["conversation_server_choices"].len(), 2);
    assert_eq!(before["conversation_mcp_servers"].len(), 4);
    assert_eq!(
        b.conversation_mcp_servers(b.conversation_ids().await?[1])
            .await?,
        Some(Vec::new())
    );

    // The imported conversations are keyed by their source.
    let mut conn = super::sqlite::connect(b_path.to_str().ok_or("path")?)?;
    let keyed: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM conversations WHERE source = 'valechat' AND source_id GLOB '1700000[01]00000-[0-9]*'",
    )
    .get_result(&mut conn)?;
    assert_eq!(keyed.n, 2);

    // A second import writes nothing, usage records included.
    let again = import_file(&b, &file, |_| {}).await?;
    assert_eq!((again.conversations, again.already_imported), (0, 2));
    assert_eq!(history(&b_path)?, after);

    // Imported back into the database it came from, the conversations are
    // recognised as the ones still there: nothing is written.
    let into_source = import_file(&a, &file, |_| {}).await?;
    assert_eq!(
        (
            into_source.conversations,
            into_source.already_here,
            into_source.usage_records
        ),
        (0, 2, 0)
    );
    assert_eq!(history(&a_path)?, before);
    assert!(
        into_source.to_string().contains("already in this database"),
        "{into_source}"
    );

    // One deleted there comes back from the export; the other stays as it is.
    a.delete_conversation(ids[0]).await?;
    let restored = import_file(&a, &file, |_| {}).await?;
    assert_eq!((restored.conversations, restored.already_here), (1, 1));
    assert_eq!(history(&a_path)?["messages"].len(), 7);

    // Search finds imported text.
    let hits = b.search_messages("Lucerne", 10).await?;
    assert_eq!(hits.len(), 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_validates_against_its_json_schema() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("a.db");
    let store = Store::open(&path).await?;
    let mut conn = super::sqlite::connect(path.to_str().ok_or("path")?)?;
    conn.batch_execute(SERVERS)?;
    conn.batch_execute(SOURCE_ROWS)?;
    let file = dir.path().join("export.json");
    export::export_json(&store, &store.conversation_ids().await?, &file).await?;
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/schema/valechat-export-2.json");
    let check = |file: &Path| {
        std::process::Command::new("python3")
            .args([
                "-c",
                "import json, sys, jsonschema\n\
                 schema = json.load(open(sys.argv[1]))\n\
                 jsonschema.Draft202012Validator.check_schema(schema)\n\
                 jsonschema.validate(json.load(open(sys.argv[2])), schema, format_checker=jsonschema.FormatChecker())",
            ])
            .arg(&schema)
            .arg(file)
            .output()
    };
    let valid = check(&file)?;
    assert!(
        valid.status.success(),
        "{}",
        String::from_utf8_lossy(&valid.stderr)
    );
    // The check can fail: a message with an unknown role does not validate.
    let text =
        std::fs::read_to_string(&file)?.replacen("\"role\":\"user\"", "\"role\":\"robot\"", 1);
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, text)?;
    assert!(!check(&broken)?.status.success());
    // Nor does a top-p above 1.
    let text = std::fs::read_to_string(&file)?.replacen(
        "\"top_p\":0.9100000262260437",
        "\"top_p\":1.5",
        1,
    );
    assert!(text.contains("\"top_p\":1.5"), "the export's top-p");
    std::fs::write(&broken, text)?;
    assert!(!check(&broken)?.status.success());
    Ok(())
}
