//! The search index made again with prefix indexes (migration
//! `2026-12-16-000000_search_prefix`) on databases written before it: the
//! fixture of the linear version (`tests/fixtures/db-8595b87/`) and a
//! database of the version just before, with messages on two branches.
//! Every message stays findable by its words and by their 2- and 3-letter
//! prefixes, the index agrees with `messages` (FTS5 `integrity-check`),
//! and the triggers keep it in step afterwards.

use super::sqlite::open;
use std::error::Error;
use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use valechat_core::provider::Role;
use valechat_core::store::{
    MessageParent, MessageStatus, NewConversation, NewMessage, SearchFilter, SearchPage,
    SearchResults, Store,
};

type TestResult = Result<(), Box<dyn Error>>;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/db-8595b87/valechat.db"
);
const DOWN: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/migrations/2026-12-16-000000_search_prefix/down.sql"
));
const VERSION: &str = "20261216000000";

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    value: String,
}

/// The SQL that made `messages_fts`.
fn index_sql(path: &Path) -> Result<String, Box<dyn Error>> {
    let row: Row =
        diesel::sql_query("SELECT sql AS value FROM sqlite_master WHERE name = 'messages_fts'")
            .get_result(&mut open(path)?)?;
    Ok(row.value)
}

/// `id|content` of every message.
fn messages(path: &Path) -> Result<Vec<(i64, String)>, Box<dyn Error>> {
    let rows: Vec<Row> =
        diesel::sql_query("SELECT id || '|' || content AS value FROM messages ORDER BY id")
            .load(&mut open(path)?)?;
    rows.into_iter()
        .map(|r| {
            let (id, content) = r.value.split_once('|').ok_or("row")?;
            Ok((id.parse()?, content.to_owned()))
        })
        .collect()
}

fn ids(results: &SearchResults) -> Vec<i64> {
    results
        .conversations
        .iter()
        .flat_map(|c| c.messages.iter().map(|m| m.message_id))
        .collect()
}

/// Every message with text is found by each of its words and by their 2-
/// and 3-letter prefixes; the index passes FTS5's integrity check against
/// `messages`.
async fn all_findable(store: &Store, path: &Path) -> TestResult {
    let all = messages(path)?;
    let none = SearchFilter::default();
    let mut checked = 0;
    for (id, content) in &all {
        for word in content
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            let mut queries = vec![word.to_owned()];
            for n in [2, 3] {
                if word.chars().count() > n {
                    queries.push(word.chars().take(n).collect());
                }
            }
            for query in queries {
                let found = ids(&store
                    .search(&query, &none, SearchPage::FIRST, u32::MAX)
                    .await?);
                assert!(
                    found.contains(id),
                    "message {id} ({content:?}) not found by {query:?}: {found:?}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > all.len(), "{checked} searches");
    diesel::sql_query(
        "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)",
    )
    .execute(&mut open(path)?)?;
    Ok(())
}

#[tokio::test]
async fn the_linear_versions_database_keeps_every_message_searchable() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("valechat.db");
    std::fs::copy(FIXTURE, &path)?;
    assert!(!index_sql(&path)?.contains("prefix"));
    let before = messages(&path)?;

    let store = Store::open(&path).await?;
    assert!(index_sql(&path)?.contains("prefix = '2 3'"));
    assert_eq!(messages(&path)?, before, "messages are untouched");
    all_findable(&store, &path).await?;
    assert_eq!(
        ids(&store
            .search("qu", &SearchFilter::default(), SearchPage::FIRST, 50)
            .await?)
        .len(),
        3,
        "the three questions by a 2-letter prefix"
    );
    Ok(())
}

#[tokio::test]
async fn a_database_of_the_version_before_is_reindexed_and_kept_in_step() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("valechat.db");
    let store = Store::open(&path).await?;
    let c = store
        .create_conversation(NewConversation {
            title: "Birds".into(),
            provider_id: None,
            model: None,
        })
        .await?;
    let say = |text: String| NewMessage {
        conversation_id: c.id,
        role: Role::User,
        content: text,
        status: MessageStatus::Complete,
        provider_id: None,
        model: None,
    };
    let mut written = Vec::new();
    for i in 0..120 {
        let text = format!("kestrel{i} hovers over meadow{} near héron", i % 7);
        written.push(store.insert_message(say(text)).await?.id);
    }
    // A branch: another version of the first message.
    let branch = store
        .insert_message_at(say("kestrels and ospreys".into()), MessageParent::Root)
        .await?
        .id;
    drop(store);

    // Back to the version before: its index, its migrations table.
    let mut conn = open(&path)?;
    conn.batch_execute(DOWN)?;
    diesel::sql_query("DELETE FROM __diesel_schema_migrations WHERE version = ?")
        .bind::<Text, _>(VERSION)
        .execute(&mut conn)?;
    drop(conn);
    assert!(!index_sql(&path)?.contains("prefix"));

    let store = Store::open(&path).await?;
    assert!(index_sql(&path)?.contains("prefix = '2 3'"));
    all_findable(&store, &path).await?;
    let none = SearchFilter::default();
    assert_eq!(
        ids(&store.search("ke", &none, SearchPage::FIRST, 500).await?).len(),
        121,
        "every message of both branches by a 2-letter prefix"
    );
    assert_eq!(
        ids(&store.search("heron", &none, SearchPage::FIRST, 500).await?).len(),
        120,
        "accents folded as before"
    );

    // The triggers still keep the index in step.
    let new = store.insert_message(say("a goshawk".into())).await?.id;
    assert_eq!(
        ids(&store.search("gos", &none, SearchPage::FIRST, 10).await?),
        [new]
    );
    store.delete_branch(branch).await?;
    assert!(ids(&store.search("osp", &none, SearchPage::FIRST, 10).await?).is_empty());
    assert_eq!(written.len(), 120);
    all_findable(&store, &path).await?;
    Ok(())
}
