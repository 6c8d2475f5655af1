//! Readable ids for the model library (migration
//! `2026-12-19-000000_local_model_ids`) on a database of the version
//! before, where "On this computer" named its models by row number: each
//! model gets its file's name without `.gguf` (two files of one name: the
//! second gets `-2`), and the conversation, message, usage record,
//! favourite and per-model limit that named a model by number name it by
//! that id; a cloud provider's model called "1" is left alone.

use super::sqlite::open;
use std::error::Error;
use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use valechat_core::provider::Role;
use valechat_core::store::{MessageStatus, NewConversation, NewMessage, Store};

type TestResult = Result<(), Box<dyn Error>>;

const DOWN: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/migrations/2026-12-19-000000_local_model_ids/down.sql"
));
const VERSION: &str = "20261219000000";

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    value: String,
}

/// The first column of `query`'s rows, as text.
fn column(path: &Path, query: &str) -> Result<Vec<String>, Box<dyn Error>> {
    let rows: Vec<Row> = diesel::sql_query(query).load(&mut open(path)?)?;
    Ok(rows.into_iter().map(|r| r.value).collect())
}

#[tokio::test]
async fn row_numbers_become_file_names_wherever_a_local_model_is_named() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("valechat.db");
    let store = Store::open(&path).await?;
    store
        .ensure_provider("local", "On this computer", "local")
        .await?;
    store.ensure_provider("cloud", "Cloud", "openai").await?;
    let mut conversations = Vec::new();
    for (provider, model) in [("local", "2"), ("cloud", "1")] {
        let c = store
            .create_conversation(NewConversation {
                title: format!("{provider} {model}"),
                provider_id: Some(provider.into()),
                model: Some(model.into()),
            })
            .await?;
        store
            .insert_message(NewMessage {
                conversation_id: c.id,
                role: Role::Assistant,
                content: "hello".into(),
                status: MessageStatus::Complete,
                provider_id: Some(provider.into()),
                model: Some(model.into()),
            })
            .await?;
        conversations.push(c.id);
    }
    store.set_favourite("local", "1", true).await?;
    drop(store);

    // Back to the version before: no model_id, models named by row number.
    let mut conn = open(&path)?;
    conn.batch_execute(DOWN)?;
    diesel::sql_query("DELETE FROM __diesel_schema_migrations WHERE version = ?")
        .bind::<Text, _>(VERSION)
        .execute(&mut conn)?;
    let m = r#"{"architecture":"llama","parameters":1,"quantization":"F32","size_bytes":1}"#;
    conn.batch_execute(&format!(
        "INSERT INTO local_models (id, path, origin, size_bytes, metadata, added_at) VALUES
             (1, '/home/u/Models/Qwen2.5-0.5B-Q4_K_M.gguf', 'referenced', 1, '{m}', 0),
             (2, '/home/u/.local/share/valechat/models/Qwen2.5-0.5B-Q4_K_M.GGUF', 'copied', 1, '{m}', 0),
             (3, '/srv/weights', 'referenced', 1, '{m}', 0);
         INSERT INTO usage_records (request_id, provider_id, model, created_at, verification,
                                    cost_usd, cost_source, outcome) VALUES
             ('r1', 'local', '2', 0, 'agrees', '0', 'free', 'completed'),
             ('r2', 'cloud', '1', 0, 'agrees', '0.01', 'actual', 'completed');
         INSERT INTO spending_limits (scope, target, amount_usd, hard, thresholds, created_at, updated_at)
             VALUES ('model_month', 'local/3', '1', 1, '100', 0, 0),
                    ('model_month', 'cloud/1', '1', 1, '100', 0, 0);"
    ))?;
    drop(conn);

    Store::open(&path).await?;
    assert_eq!(
        column(
            &path,
            "SELECT model_id AS value FROM local_models ORDER BY id"
        )?,
        ["Qwen2.5-0.5B-Q4_K_M", "Qwen2.5-0.5B-Q4_K_M-2", "weights"]
    );
    let by_provider = |table: &str| {
        column(
            &path,
            &format!("SELECT provider_id || ' ' || model AS value FROM {table} ORDER BY id"),
        )
    };
    let expected = ["local Qwen2.5-0.5B-Q4_K_M-2", "cloud 1"];
    assert_eq!(by_provider("conversations")?, expected);
    assert_eq!(by_provider("messages")?, expected);
    assert_eq!(by_provider("usage_records")?, expected);
    assert_eq!(
        column(
            &path,
            "SELECT provider_id || ' ' || model AS value FROM model_favourites"
        )?,
        ["local Qwen2.5-0.5B-Q4_K_M"]
    );
    assert_eq!(
        column(
            &path,
            "SELECT target AS value FROM spending_limits ORDER BY id"
        )?,
        ["local/weights", "cloud/1"]
    );
    assert_eq!(conversations.len(), 2);

    // The store finds a model by its new id.
    let store = Store::open(&path).await?;
    assert_eq!(
        store
            .local_model_by_model_id("Qwen2.5-0.5B-Q4_K_M-2")
            .await?
            .map(|m| m.id),
        Some(2)
    );
    Ok(())
}
