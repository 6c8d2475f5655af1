//! A conversation's own MCP servers and the way back to every enabled
//! server (`Store::use_all_enabled_mcp_servers`, issue 14: the settings
//! popover's "Use All Enabled Servers"), in a real database file: a
//! chosen list goes, the conversation follows every enabled server again
//! (one added afterwards included) across a reopen; a conversation from an
//! assistant goes back too and keeps its assistant; databases written
//! before the single marker (`2026-12-20-000000_server_choice_marker`)
//! keep their assistants' lists.

use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use valechat_core::mcp::{ServerConfig, Transport};
use valechat_core::store::{AssistantDraft, NewConversation, Store, StoreError};

type TestResult = Result<(), Box<dyn Error>>;

/// The marker migration's version in `__diesel_schema_migrations`.
const MARKER_VERSION: &str = "20261220000000";

/// A configured stdio server `id` (never started here).
fn server(id: &str) -> ServerConfig {
    ServerConfig {
        id: id.into(),
        name: id.into(),
        transport: Transport::Stdio {
            command: "uvx".into(),
            args: vec![format!("mcp-server-{id}")],
            env: BTreeMap::default(),
            cwd: None,
        },
        enabled: true,
        era: None,
        sandbox: None,
    }
}

async fn conversation(store: &Store, title: &str) -> Result<i64, Box<dyn Error>> {
    Ok(store
        .create_conversation(NewConversation {
            title: title.into(),
            ..NewConversation::default()
        })
        .await?
        .id)
}

#[tokio::test]
async fn a_chosen_list_goes_back_to_every_enabled_server() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("valechat.db");
    let store = Store::open(&path).await?;
    for id in ["time", "fetch"] {
        store.add_mcp_server(&server(id)).await?;
    }
    let chosen = conversation(&store, "chosen").await?;
    let other = conversation(&store, "other").await?;
    store
        .set_conversation_mcp_servers(chosen, vec!["time".into()])
        .await?;
    store
        .set_conversation_mcp_servers(other, vec!["fetch".into()])
        .await?;
    assert_eq!(
        store.conversation_mcp_servers(chosen).await?,
        Some(vec!["time".to_owned()])
    );

    store.use_all_enabled_mcp_servers(chosen).await?;
    assert_eq!(store.conversation_mcp_servers(chosen).await?, None);
    // Again: nothing to change, no error.
    store.use_all_enabled_mcp_servers(chosen).await?;
    assert!(matches!(
        store.use_all_enabled_mcp_servers(9999).await,
        Err(StoreError::NotFound {
            what: "conversation",
            ..
        })
    ));
    // A server added afterwards changes no conversation's own list.
    store.add_mcp_server(&server("weather")).await?;
    drop(store);

    let store = Store::open(&path).await?;
    assert_eq!(store.conversation_mcp_servers(chosen).await?, None);
    assert_eq!(
        store.conversation_mcp_servers(other).await?,
        Some(vec!["fetch".to_owned()]),
        "the other conversation keeps its own list"
    );
    // Choosing again gives it a list again.
    store
        .set_conversation_mcp_servers(chosen, vec!["weather".into()])
        .await?;
    assert_eq!(
        store.conversation_mcp_servers(chosen).await?,
        Some(vec!["weather".to_owned()])
    );
    Ok(())
}

#[tokio::test]
async fn a_conversation_from_an_assistant_goes_back_to_every_enabled_server() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("valechat.db");
    let store = Store::open(&path).await?;
    store.add_mcp_server(&server("time")).await?;
    let assistant = store
        .add_assistant(AssistantDraft {
            name: "Clock".into(),
            mcp_servers: vec!["time".into()],
            ..AssistantDraft::default()
        })
        .await?;
    let started = conversation(&store, "started").await?;
    store.start_conversation_from(started, &assistant).await?;
    assert_eq!(
        store.conversation_mcp_servers(started).await?,
        Some(vec!["time".to_owned()])
    );

    store.use_all_enabled_mcp_servers(started).await?;
    drop(store);
    let store = Store::open(&path).await?;
    assert_eq!(store.conversation_mcp_servers(started).await?, None);
    let link = store
        .conversation_assistant(started)
        .await?
        .ok_or("the assistant link went")?;
    assert_eq!(link.assistant_id, Some(assistant.id));
    assert_eq!(
        store
            .get_assistant(assistant.id)
            .await?
            .ok_or("gone")?
            .mcp_servers,
        ["time"],
        "the assistant keeps its servers"
    );
    Ok(())
}

/// A database written before the marker migration: a conversation from an
/// assistant had no `conversation_server_choices` row, its
/// `conversation_assistants` row marked its list. Migrated, it still offers
/// the assistant's servers only.
#[tokio::test]
async fn an_older_database_keeps_its_assistants_lists() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("valechat.db");
    let store = Store::open(&path).await?;
    store.add_mcp_server(&server("time")).await?;
    let assistant = store
        .add_assistant(AssistantDraft {
            name: "Clock".into(),
            mcp_servers: vec!["time".into()],
            ..AssistantDraft::default()
        })
        .await?;
    let started = conversation(&store, "started").await?;
    store.start_conversation_from(started, &assistant).await?;
    let plain = conversation(&store, "plain").await?;
    drop(store);
    before_the_marker(&path, started)?;

    let store = Store::open(&path).await?;
    assert_eq!(
        store.conversation_mcp_servers(started).await?,
        Some(vec!["time".to_owned()])
    );
    assert_eq!(store.conversation_mcp_servers(plain).await?, None);
    Ok(())
}

/// Puts the database at `path` back as the version before the marker
/// migration left it: no marker for conversation `started` (started from
/// an assistant), the migration not applied.
fn before_the_marker(path: &Path, started: i64) -> Result<(), Box<dyn Error>> {
    let mut conn = super::sqlite::connect(path.to_str().ok_or("path")?)?;
    let removed =
        diesel::sql_query("DELETE FROM conversation_server_choices WHERE conversation_id = ?")
            .bind::<BigInt, _>(started)
            .execute(&mut conn)?;
    assert_eq!(removed, 1, "the assistant's conversation had its marker");
    let unapplied = diesel::sql_query("DELETE FROM __diesel_schema_migrations WHERE version = ?")
        .bind::<Text, _>(MARKER_VERSION)
        .execute(&mut conn)?;
    assert_eq!(unapplied, 1, "the marker migration was applied");
    Ok(())
}
