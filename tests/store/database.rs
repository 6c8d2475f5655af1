//! Integration tests of the SQLite store against real database files.

use std::error::Error;
use std::path::{Path, PathBuf};

use diesel::prelude::*;
use diesel::sql_types::Text;
use valechat_core::provider::Role;
use valechat_core::store::{
    MessageFinish, MessageStatus, NewConversation, NewMessage, NewProvider, SNIPPET_MATCH_END,
    SNIPPET_MATCH_START, Store, StoreError,
};

type TestResult = Result<(), Box<dyn Error>>;

fn db_in(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("nested").join("valechat.db")
}

fn ollama(name: &str) -> NewProvider {
    NewProvider {
        name: name.into(),
        kind: "openai_compatible".into(),
        base_url: "http://localhost:11434/v1".into(),
        has_api_key: false,
        default_model: Some("llama3.2:3b".into()),
    }
}

fn conversation(title: &str, provider_id: Option<&str>) -> NewConversation {
    NewConversation {
        title: title.into(),
        provider_id: provider_id.map(Into::into),
        model: provider_id.map(|_| "llama3.2:3b".into()),
    }
}

fn message(conversation_id: i64, role: Role, content: &str, status: MessageStatus) -> NewMessage {
    NewMessage {
        conversation_id,
        role,
        content: content.into(),
        status,
        provider_id: (role == Role::Assistant).then(|| "ollama".into()),
        model: (role == Role::Assistant).then(|| "llama3.2:3b".into()),
    }
}

/// Names of the tables in the database file at `path`, read without the store.
fn tables(path: &Path) -> Result<Vec<String>, Box<dyn Error>> {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        name: String,
    }
    let url = path.to_str().ok_or("non-UTF-8 temp path")?;
    let mut conn = super::sqlite::connect(url)?;
    let rows: Vec<Name> =
        diesel::sql_query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .load(&mut conn)?;
    Ok(rows.into_iter().map(|r| r.name).collect())
}

/// Files named `<db file name>.bak-*` next to `path`.
fn backups(path: &Path) -> Result<Vec<PathBuf>, Box<dyn Error>> {
    let dir = path.parent().ok_or("no parent")?;
    let prefix = format!(
        "{}.bak-",
        path.file_name().ok_or("no name")?.to_string_lossy()
    );
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            found.push(entry.path());
        }
    }
    found.sort();
    Ok(found)
}

#[tokio::test]
async fn migrations_run_on_an_empty_file_in_a_new_directory() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = db_in(&dir);
    let store = Store::open(&path).await?;
    assert!(store.list_conversations().await?.is_empty());
    drop(store);
    let tables = tables(&path)?;
    for table in [
        "__diesel_schema_migrations",
        "providers",
        "conversations",
        "messages",
        "messages_fts",
        "model_favourites",
    ] {
        assert!(
            tables.iter().any(|t| t == table),
            "{table} missing from {tables:?}"
        );
    }
    assert!(backups(&path)?.is_empty(), "a new database needs no backup");
    Ok(())
}

#[tokio::test]
async fn wal_foreign_keys_and_busy_timeout_are_on() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&db_in(&dir)).await?;
    // Several calls at once make the pool hand out several connections.
    let infos = futures::future::try_join_all((0..4).map(|_| store.connection_info())).await?;
    for info in infos {
        assert_eq!(info.journal_mode, "wal");
        assert!(info.foreign_keys);
        assert_eq!(info.busy_timeout_ms, 5000);
        assert_eq!(info.synchronous, 1, "NORMAL");
    }
    Ok(())
}

#[tokio::test]
async fn providers_round_trip_and_slug_clashes_get_suffixes() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&db_in(&dir)).await?;
    let first = store.insert_provider(ollama("Ollama")).await?;
    let second = store.insert_provider(ollama("Ollama 2")).await?;
    let third = store.insert_provider(ollama("Ollama")).await?;
    let openai = store
        .insert_provider(NewProvider {
            name: "OpenAI".into(),
            kind: "openai_compatible".into(),
            base_url: "https://api.openai.com/v1".into(),
            has_api_key: true,
            default_model: None,
        })
        .await?;
    assert_eq!(
        [
            first.id.as_str(),
            second.id.as_str(),
            third.id.as_str(),
            openai.id.as_str()
        ],
        ["ollama", "ollama-2", "ollama-3", "openai"]
    );
    assert!(first.enabled && openai.has_api_key && !first.has_api_key);
    assert_eq!(first.default_model.as_deref(), Some("llama3.2:3b"));

    let mut changed = openai.clone();
    changed.name = "OpenAI (work)".into();
    changed.enabled = false;
    changed.default_model = Some("gpt-4o-mini".into());
    store.update_provider(&changed).await?;
    let read = store
        .get_provider("openai")
        .await?
        .ok_or("openai vanished")?;
    assert_eq!(
        (read.id.as_str(), read.name.as_str()),
        ("openai", "OpenAI (work)")
    );
    assert!(!read.enabled);
    assert_eq!(read.default_model.as_deref(), Some("gpt-4o-mini"));
    assert_eq!(read.created_at, openai.created_at);

    let names: Vec<String> = store
        .list_providers()
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(
        names,
        ["ollama", "ollama-3", "ollama-2", "openai"],
        "sorted by name, then id"
    );

    store.delete_provider("ollama-2").await?;
    assert!(store.get_provider("ollama-2").await?.is_none());
    assert!(matches!(
        store.delete_provider("ollama-2").await,
        Err(StoreError::NotFound {
            what: "provider",
            ..
        })
    ));
    Ok(())
}

#[tokio::test]
async fn conversations_and_messages_round_trip() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&db_in(&dir)).await?;
    let provider = store.insert_provider(ollama("Ollama")).await?;
    let older = store
        .create_conversation(conversation("Older", None))
        .await?;
    let chat = store
        .create_conversation(conversation("Chat", Some(&provider.id)))
        .await?;
    assert_eq!(chat.provider_id.as_deref(), Some("ollama"));
    assert_eq!(chat.created_at, chat.updated_at);

    let question = store
        .insert_message(message(
            chat.id,
            Role::User,
            "Why is the sky blue?",
            MessageStatus::Complete,
        ))
        .await?;
    let reply = store
        .insert_message(message(
            chat.id,
            Role::Assistant,
            "",
            MessageStatus::Streaming,
        ))
        .await?;
    store
        .update_message_content(reply.id, "Rayleigh", "thinking…")
        .await?;
    store
        .finish_message(
            reply.id,
            MessageFinish {
                status: MessageStatus::Complete,
                content: "Rayleigh scattering.".into(),
                reasoning: "thinking… done".into(),
                finish_reason: Some("stop".into()),
                error: None,
                input_tokens: Some(12),
                output_tokens: Some(4),
            },
        )
        .await?;

    let listed = store.list_messages(chat.id).await?;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0], question);
    let last = &listed[1];
    assert_eq!(
        (last.id, last.role, last.status),
        (reply.id, Role::Assistant, MessageStatus::Complete)
    );
    assert_eq!(last.content, "Rayleigh scattering.");
    assert_eq!(last.reasoning, "thinking… done");
    assert_eq!(last.finish_reason.as_deref(), Some("stop"));
    assert_eq!((last.input_tokens, last.output_tokens), (Some(12), Some(4)));
    assert_eq!(last.provider_id.as_deref(), Some("ollama"));
    assert!(store.list_messages(older.id).await?.is_empty());

    // Inserting a message marks its conversation active at that moment.
    let chat_now = store
        .get_conversation(chat.id)
        .await?
        .ok_or("chat vanished")?;
    assert_eq!(chat_now.updated_at, reply.created_at);
    let all = store.list_conversations().await?;
    assert_eq!(all.len(), 2);
    assert!(
        all.windows(2)
            .all(|w| (w[0].updated_at, w[0].id) > (w[1].updated_at, w[1].id)),
        "not sorted by updated_at desc, id desc: {all:?}"
    );

    store.rename_conversation(chat.id, "Sky").await?;
    store
        .set_conversation_model(chat.id, None, Some("other"))
        .await?;
    let renamed = store
        .get_conversation(chat.id)
        .await?
        .ok_or("chat vanished")?;
    assert_eq!(renamed.title, "Sky");
    assert_eq!(
        (renamed.provider_id, renamed.model.as_deref()),
        (None, Some("other"))
    );

    // Unknown ids are NotFound, not silent no-ops.
    assert!(matches!(
        store.rename_conversation(9999, "x").await,
        Err(StoreError::NotFound {
            what: "conversation",
            ..
        })
    ));
    assert!(matches!(
        store
            .set_conversation_model(chat.id, Some("nope"), None)
            .await,
        Err(StoreError::NotFound {
            what: "provider",
            ..
        })
    ));
    assert!(matches!(
        store
            .insert_message(message(9999, Role::User, "hi", MessageStatus::Complete))
            .await,
        Err(StoreError::NotFound {
            what: "conversation",
            ..
        })
    ));
    assert!(matches!(
        store.update_message_content(9999, "a", "").await,
        Err(StoreError::NotFound {
            what: "message",
            ..
        })
    ));
    assert!(store.get_conversation(9999).await?.is_none());
    Ok(())
}

#[tokio::test]
async fn reopened_database_keeps_everything() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = db_in(&dir);
    let store = Store::open(&path).await?;
    let mut expected = Vec::new();
    for n in 0..3 {
        let c = store
            .create_conversation(conversation(&format!("Conversation {n}"), None))
            .await?;
        for m in 0..4 {
            let role = if m % 2 == 0 {
                Role::User
            } else {
                Role::Assistant
            };
            store
                .insert_message(message(
                    c.id,
                    role,
                    &format!("message {n}.{m}"),
                    MessageStatus::Complete,
                ))
                .await?;
        }
        let c = store.get_conversation(c.id).await?.ok_or("vanished")?;
        expected.push((c.clone(), store.list_messages(c.id).await?));
    }
    drop(store);

    let store = Store::open(&path).await?;
    assert_eq!(store.list_conversations().await?.len(), 3);
    for (c, messages) in expected {
        assert_eq!(store.get_conversation(c.id).await?, Some(c.clone()));
        assert_eq!(store.list_messages(c.id).await?, messages);
        assert_eq!(messages.len(), 4);
    }
    assert!(
        backups(&path)?.is_empty(),
        "an up-to-date database needs no backup"
    );
    Ok(())
}

#[tokio::test]
async fn deleting_a_conversation_deletes_its_messages() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&db_in(&dir)).await?;
    let gone = store
        .create_conversation(conversation("Gone", None))
        .await?;
    let kept = store
        .create_conversation(conversation("Kept", None))
        .await?;
    let doomed = store
        .insert_message(message(gone.id, Role::User, "bye", MessageStatus::Complete))
        .await?;
    store
        .insert_message(message(
            kept.id,
            Role::User,
            "stay",
            MessageStatus::Complete,
        ))
        .await?;

    store.delete_conversation(gone.id).await?;
    assert!(store.get_conversation(gone.id).await?.is_none());
    assert!(store.list_messages(gone.id).await?.is_empty());
    assert_eq!(store.list_messages(kept.id).await?.len(), 1);
    assert!(
        matches!(
            store.update_message_content(doomed.id, "x", "").await,
            Err(StoreError::NotFound {
                what: "message",
                ..
            })
        ),
        "the message row itself is gone"
    );
    assert!(matches!(
        store.delete_conversation(gone.id).await,
        Err(StoreError::NotFound { .. })
    ));
    Ok(())
}

#[tokio::test]
async fn deleting_a_provider_unlinks_its_conversations() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&db_in(&dir)).await?;
    let provider = store.insert_provider(ollama("Ollama")).await?;
    let chat = store
        .create_conversation(conversation("Chat", Some(&provider.id)))
        .await?;
    store
        .insert_message(message(
            chat.id,
            Role::Assistant,
            "hello",
            MessageStatus::Complete,
        ))
        .await?;

    store.delete_provider(&provider.id).await?;
    let chat = store
        .get_conversation(chat.id)
        .await?
        .ok_or("conversation deleted with its provider")?;
    assert_eq!(chat.provider_id, None);
    assert_eq!(chat.model.as_deref(), Some("llama3.2:3b"));
    let messages = store.list_messages(chat.id).await?;
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0].provider_id.as_deref(),
        Some("ollama"),
        "history keeps who wrote it"
    );
    Ok(())
}

#[tokio::test]
async fn streaming_message_is_incomplete_after_reopen() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = db_in(&dir);
    let store = Store::open(&path).await?;
    let chat = store
        .create_conversation(conversation("Chat", None))
        .await?;
    let done = store
        .insert_message(message(chat.id, Role::User, "go", MessageStatus::Complete))
        .await?;
    let reply = store
        .insert_message(message(
            chat.id,
            Role::Assistant,
            "",
            MessageStatus::Streaming,
        ))
        .await?;
    store
        .update_message_content(reply.id, "half a rep", "")
        .await?;
    // The process "dies" here: the reply is never finished.
    drop(store);

    let store = Store::open(&path).await?;
    let messages = store.list_messages(chat.id).await?;
    assert_eq!(messages[0], done);
    assert_eq!(messages[1].status, MessageStatus::Incomplete);
    assert_eq!(messages[1].content, "half a rep");
    assert_eq!(
        store.recover_interrupted().await?,
        0,
        "nothing left streaming"
    );
    Ok(())
}

/// The window streams a reply while `valechat chat` (another process, here
/// a second store on the same file) opens the database: the live reply is
/// left alone. Once every user has closed it, the next open recovers it.
#[tokio::test]
async fn a_second_opener_leaves_a_live_reply_streaming() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = db_in(&dir);
    let window = Store::open(&path).await?;
    let chat = window
        .create_conversation(conversation("Chat", None))
        .await?;
    let reply = window
        .insert_message(message(
            chat.id,
            Role::Assistant,
            "",
            MessageStatus::Streaming,
        ))
        .await?;
    assert!(valechat_core::store::lock_path(&path).exists());

    let cli = Store::open(&path).await?;
    let seen = cli.list_messages(chat.id).await?;
    assert_eq!(seen[0].status, MessageStatus::Streaming, "still live");
    window
        .update_message_content(reply.id, "the whole reply", "")
        .await?;
    drop(cli);
    // A third opener while the window still has it open: still live.
    let third = Store::open(&path).await?;
    assert_eq!(
        third.list_messages(chat.id).await?[0].status,
        MessageStatus::Streaming
    );
    drop((third, window));

    // Everyone closed it without finishing the reply: a crash.
    let after = Store::open(&path).await?;
    let seen = after.list_messages(chat.id).await?;
    assert_eq!(seen[0].status, MessageStatus::Incomplete);
    assert_eq!(seen[0].content, "the whole reply");
    Ok(())
}

#[tokio::test]
async fn search_finds_messages_until_they_change_or_go() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&db_in(&dir)).await?;
    let chat = store
        .create_conversation(conversation("Chat", None))
        .await?;
    let other = store
        .create_conversation(conversation("Other", None))
        .await?;
    let fox = store
        .insert_message(message(
            chat.id,
            Role::User,
            "The quick brown fox jumps over the lazy dog",
            MessageStatus::Complete,
        ))
        .await?;
    let cafe = store
        .insert_message(message(
            other.id,
            Role::Assistant,
            "Un café, s'il vous plaît",
            MessageStatus::Complete,
        ))
        .await?;

    let hits = store.search_messages("BROWN fox", 10).await?;
    assert_eq!(hits.len(), 1);
    assert_eq!(
        (hits[0].message_id, hits[0].conversation_id),
        (fox.id, chat.id)
    );
    assert!(
        hits[0]
            .snippet
            .contains(&format!("{SNIPPET_MATCH_START}brown{SNIPPET_MATCH_END}")),
        "{:?}",
        hits[0].snippet
    );
    let hits = store.search_messages("cafe", 10).await?;
    assert_eq!(
        hits.iter().map(|h| h.message_id).collect::<Vec<_>>(),
        [cafe.id],
        "accents ignored"
    );
    assert_eq!(
        store.search_messages("jum", 10).await?.len(),
        1,
        "last word is a prefix"
    );
    assert!(
        store.search_messages("fox cafe", 10).await?.is_empty(),
        "all words must match"
    );
    assert!(store.search_messages("   ", 10).await?.is_empty());
    // FTS5 syntax in typed text is literal, not an error.
    for odd in ["\"", "fox AND", "NEAR(", "-", "*", "a:b"] {
        store.search_messages(odd, 10).await?;
    }

    store
        .update_message_content(fox.id, "A slow red panda", "")
        .await?;
    assert!(
        store.search_messages("fox", 10).await?.is_empty(),
        "old text still indexed"
    );
    assert_eq!(store.search_messages("panda", 10).await?.len(), 1);

    store.delete_conversation(chat.id).await?;
    assert!(
        store.search_messages("panda", 10).await?.is_empty(),
        "deleted text still indexed"
    );
    assert_eq!(store.search_messages("cafe", 10).await?.len(), 1);
    Ok(())
}

#[tokio::test]
async fn garbage_file_is_corrupt_and_left_intact() -> TestResult {
    let long = b"these are my notes, not a database\n".repeat(200);
    for garbage in [b"hi".to_vec(), long] {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("valechat.db");
        std::fs::write(&path, &garbage)?;

        let error = Store::open(&path)
            .await
            .err()
            .ok_or("garbage opened as a database")?;
        match &error {
            StoreError::Corrupt { path: reported, .. } => assert_eq!(reported, &path),
            other => return Err(format!("expected Corrupt, got {other:?}").into()),
        }
        assert!(error.to_string().contains("left untouched"), "{error}");
        assert_eq!(std::fs::read(&path)?, garbage);
        // Beside it only the instance lock (`valechat.db.lock`, taken
        // before the file is read): no journal or backup.
        let mut files: Vec<String> = std::fs::read_dir(dir.path())?
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<Result<_, _>>()?;
        files.sort();
        assert_eq!(files, ["valechat.db", "valechat.db.lock"]);
    }
    Ok(())
}

#[tokio::test]
async fn database_with_pending_migrations_is_backed_up_first() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("valechat.db");
    super::opening::older_database(&path)?;
    // Older backups: only the newest three may remain afterwards.
    for ms in [1, 2, 3] {
        std::fs::write(dir.path().join(format!("valechat.db.bak-{ms}")), b"old")?;
    }

    let store = Store::open(&path).await?;
    assert!(store.list_conversations().await?.is_empty());
    drop(store);

    let found = backups(&path)?;
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(
        !found.iter().any(|p| p.ends_with("valechat.db.bak-1")),
        "oldest not pruned: {found:?}"
    );
    let fresh: Vec<_> = found
        .iter()
        .filter(|p| std::fs::read(p).map(|b| b != b"old").unwrap_or(false))
        .collect();
    assert_eq!(fresh.len(), 1, "exactly one new backup: {found:?}");
    let backup_tables = tables(fresh[0])?;
    assert_eq!(
        backup_tables,
        ["__diesel_schema_migrations", "legacy_notes"],
        "backup is the pre-migration state"
    );
    let migrated = tables(&path)?;
    assert!(
        migrated.iter().any(|t| t == "messages") && migrated.iter().any(|t| t == "legacy_notes")
    );

    // Up to date now: opening again takes no new backup.
    drop(Store::open(&path).await?);
    assert_eq!(backups(&path)?, found);
    Ok(())
}

#[tokio::test]
async fn tool_calls_left_running_by_a_crash_become_failed_on_reopen() -> TestResult {
    use valechat_core::store::{NewToolCall, ToolCallStatus};
    let dir = tempfile::tempdir()?;
    let path = db_in(&dir);
    let store = Store::open(&path).await?;
    let conv = store
        .create_conversation(conversation("Tools", None))
        .await?;
    let reply = store
        .insert_message(message(
            conv.id,
            Role::Assistant,
            "",
            MessageStatus::Streaming,
        ))
        .await?;
    let call = store
        .insert_tool_call(NewToolCall {
            message_id: reply.id,
            position: 0,
            call_id: "call_1".into(),
            name: "everything__echo".into(),
            server_id: Some("everything".into()),
            tool_name: Some("echo".into()),
            arguments: r#"{"message":"hi"}"#.into(),
            provider_data: Some("sig-EqUCCqIC".into()),
        })
        .await?;
    store.mark_tool_call_running(call.id).await?;
    drop(store);

    let reopened = Store::open(&path).await?;
    let calls = reopened.list_tool_calls(conv.id).await?;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].status, ToolCallStatus::Failed);
    assert_eq!(calls[0].provider_data.as_deref(), Some("sig-EqUCCqIC"));
    assert!(calls[0].is_error);
    assert!(
        calls[0]
            .result_for_model
            .as_deref()
            .unwrap_or("")
            .contains("interrupted")
    );
    // Deleting the message takes its calls with it.
    reopened.delete_message(reply.id).await?;
    assert!(reopened.list_tool_calls(conv.id).await?.is_empty());
    Ok(())
}
