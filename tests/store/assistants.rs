//! Assistants in a real database file (issue 14, part 3): added, listed,
//! read by id and by name, edited, removed and chosen as the default,
//! with clear errors for a blank or taken name and an unknown provider or
//! MCP server; the assistant a conversation started from, and its own copy
//! of the assistant's MCP servers, survive a reopen, an edit and the
//! assistant's removal; a conversation from no assistant chooses its own
//! servers (the settings popover) and keeps them.

use std::collections::BTreeMap;
use std::error::Error;

use valechat_core::mcp::{ServerConfig, Transport};
use valechat_core::store::{
    AssistantDraft, ConversationAssistant, NewConversation, NewProvider, Store, StoreError,
};

type TestResult = Result<(), Box<dyn Error>>;

/// A store with provider `openai` and MCP servers `time` and `fetch`.
async fn store_at(path: &std::path::Path) -> Result<Store, Box<dyn Error>> {
    let store = Store::open(path).await?;
    store
        .insert_provider(NewProvider {
            name: "OpenAI".into(),
            kind: "openai_compatible".into(),
            base_url: "http://127.0.0.1:9/v1".into(),
            has_api_key: false,
            default_model: None,
        })
        .await?;
    for id in ["time", "fetch"] {
        store
            .add_mcp_server(&ServerConfig {
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
            })
            .await?;
    }
    Ok(store)
}

fn translator() -> AssistantDraft {
    AssistantDraft {
        name: "  Translator ".into(),
        icon: "🌍".into(),
        system_prompt: Some("Translate everything into French.".into()),
        provider_id: Some("openai".into()),
        model: Some("gpt-4o-mini".into()),
        temperature: Some(0.2),
        max_output_tokens: Some(500),
        mcp_servers: vec!["time".into()],
    }
}

#[tokio::test]
async fn assistants_are_added_listed_edited_and_removed() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("valechat.db");
    let store = store_at(&path).await?;
    assert!(store.list_assistants().await?.is_empty());

    let added = store.add_assistant(translator()).await?;
    assert_eq!(added.name, "Translator", "the name is trimmed");
    assert_eq!(added.icon, "🌍");
    assert_eq!(added.model.as_deref(), Some("gpt-4o-mini"));
    assert_eq!(added.temperature, Some(0.2));
    assert_eq!(added.max_output_tokens, Some(500));
    assert_eq!(added.mcp_servers, vec!["time".to_owned()]);
    assert!(!added.is_default);
    let coder = store
        .add_assistant(AssistantDraft {
            name: "Coder".into(),
            ..AssistantDraft::default()
        })
        .await?;
    drop(store);

    let store = Store::open(&path).await?;
    let names: Vec<_> = store
        .list_assistants()
        .await?
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, ["Coder", "Translator"], "listed by name");
    assert_eq!(store.get_assistant(added.id).await?, Some(added.clone()));
    assert_eq!(
        store.assistant_named("Translator").await?,
        Some(added.clone())
    );
    assert_eq!(store.assistant_named("Nobody").await?, None);

    let mut draft = added.to_draft();
    draft.system_prompt = Some("Translate into German.".into());
    draft.mcp_servers = vec!["fetch".into(), "time".into()];
    draft.temperature = Some(7.0);
    let edited = store.edit_assistant(added.id, draft).await?;
    assert_eq!(
        edited.system_prompt.as_deref(),
        Some("Translate into German.")
    );
    assert_eq!(edited.mcp_servers, ["fetch", "time"]);
    assert_eq!(
        edited.temperature,
        Some(2.0),
        "clamped like a conversation's"
    );
    // Keeping its own name is no clash.
    store.edit_assistant(coder.id, coder.to_draft()).await?;

    store.remove_assistant(coder.id).await?;
    assert_eq!(store.get_assistant(coder.id).await?, None);
    assert!(matches!(
        store.remove_assistant(coder.id).await,
        Err(StoreError::NotFound {
            what: "assistant",
            ..
        })
    ));
    Ok(())
}

#[tokio::test]
async fn bad_assistants_are_refused_and_nothing_is_stored() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = store_at(&dir.path().join("valechat.db")).await?;
    let first = store.add_assistant(translator()).await?;

    let taken = store.add_assistant(translator()).await;
    assert!(
        matches!(&taken, Err(StoreError::AlreadyExists { what: "assistant", name }) if name == "Translator"),
        "{taken:?}"
    );
    let blank = store
        .add_assistant(AssistantDraft {
            name: "   ".into(),
            ..translator()
        })
        .await;
    assert!(
        matches!(blank, Err(StoreError::Invalid { .. })),
        "{blank:?}"
    );
    let unknown_provider = store
        .add_assistant(AssistantDraft {
            name: "Other".into(),
            provider_id: Some("nowhere".into()),
            ..translator()
        })
        .await;
    assert!(
        matches!(&unknown_provider, Err(StoreError::NotFound { what: "provider", id }) if id == "nowhere"),
        "{unknown_provider:?}"
    );
    let unknown_server = store
        .add_assistant(AssistantDraft {
            name: "Other".into(),
            mcp_servers: vec!["time".into(), "nowhere".into()],
            ..translator()
        })
        .await;
    assert!(
        matches!(&unknown_server, Err(StoreError::NotFound { what: "MCP server", id }) if id == "nowhere"),
        "{unknown_server:?}"
    );
    let model_alone = store
        .add_assistant(AssistantDraft {
            name: "Other".into(),
            provider_id: None,
            ..translator()
        })
        .await;
    assert!(
        matches!(model_alone, Err(StoreError::Invalid { .. })),
        "{model_alone:?}"
    );
    // An edit to a taken name changes nothing.
    let other = store
        .add_assistant(AssistantDraft {
            name: "Other".into(),
            ..AssistantDraft::default()
        })
        .await?;
    let renamed = store
        .edit_assistant(
            other.id,
            AssistantDraft {
                name: "Translator".into(),
                ..AssistantDraft::default()
            },
        )
        .await;
    assert!(
        matches!(renamed, Err(StoreError::AlreadyExists { .. })),
        "{renamed:?}"
    );
    assert_eq!(store.get_assistant(other.id).await?, Some(other));
    assert_eq!(store.list_assistants().await?.len(), 2);
    assert_eq!(store.get_assistant(first.id).await?, Some(first));
    Ok(())
}

#[tokio::test]
async fn one_assistant_at_most_is_the_default() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("valechat.db");
    let store = store_at(&path).await?;
    let a = store.add_assistant(translator()).await?;
    let b = store
        .add_assistant(AssistantDraft {
            name: "Coder".into(),
            ..AssistantDraft::default()
        })
        .await?;
    assert_eq!(store.default_assistant().await?, None);
    store.set_default_assistant(Some(a.id)).await?;
    store.set_default_assistant(Some(b.id)).await?;
    drop(store);

    let store = Store::open(&path).await?;
    let default = store.default_assistant().await?.ok_or("no default")?;
    assert_eq!(default.id, b.id);
    assert!(!store.get_assistant(a.id).await?.ok_or("gone")?.is_default);
    // An edit keeps the flag.
    store.edit_assistant(b.id, b.to_draft()).await?;
    assert_eq!(store.default_assistant().await?.map(|d| d.id), Some(b.id));
    assert!(matches!(
        store.set_default_assistant(Some(9999)).await,
        Err(StoreError::NotFound { .. })
    ));
    store.set_default_assistant(None).await?;
    assert_eq!(store.default_assistant().await?, None);
    // Removing the default leaves none.
    store.set_default_assistant(Some(a.id)).await?;
    store.remove_assistant(a.id).await?;
    assert_eq!(store.default_assistant().await?, None);
    Ok(())
}

#[tokio::test]
async fn a_conversation_keeps_its_assistant_and_its_own_servers() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("valechat.db");
    let store = store_at(&path).await?;
    let assistant = store.add_assistant(translator()).await?;
    let plain = store
        .create_conversation(NewConversation {
            title: "plain".into(),
            ..NewConversation::default()
        })
        .await?;
    let started = store
        .create_conversation(NewConversation {
            title: "started".into(),
            ..NewConversation::default()
        })
        .await?;
    store
        .start_conversation_from(started.id, &assistant)
        .await?;
    assert!(matches!(
        store.start_conversation_from(9999, &assistant).await,
        Err(StoreError::NotFound {
            what: "conversation",
            ..
        })
    ));

    assert_eq!(store.conversation_assistant(plain.id).await?, None);
    assert_eq!(store.conversation_mcp_servers(plain.id).await?, None);
    assert_eq!(
        store.conversation_mcp_servers(started.id).await?,
        Some(vec!["time".to_owned()])
    );

    // The conversation changes its servers; the assistant keeps its own.
    store
        .set_conversation_mcp_servers(started.id, vec!["fetch".into()])
        .await?;
    assert!(matches!(
        store
            .set_conversation_mcp_servers(started.id, vec!["nowhere".into()])
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(
        store
            .get_assistant(assistant.id)
            .await?
            .ok_or("gone")?
            .mcp_servers,
        ["time"]
    );
    // Editing the assistant changes no conversation.
    let mut draft = assistant.to_draft();
    draft.name = "Traducteur".into();
    draft.mcp_servers = Vec::new();
    store.edit_assistant(assistant.id, draft).await?;
    drop(store);

    let store = Store::open(&path).await?;
    assert_eq!(
        store.conversation_mcp_servers(started.id).await?,
        Some(vec!["fetch".to_owned()])
    );
    // Removing the assistant keeps its conversation, its name and icon.
    store.remove_assistant(assistant.id).await?;
    assert!(store.get_conversation(started.id).await?.is_some());
    assert_eq!(
        store.conversation_assistant(started.id).await?,
        Some(ConversationAssistant {
            assistant_id: None,
            name: "Translator".into(),
            icon: "🌍".into(),
        })
    );
    assert_eq!(
        store.conversation_mcp_servers(started.id).await?,
        Some(vec!["fetch".to_owned()])
    );
    // A server removed from the configuration leaves the conversation's list.
    store.remove_mcp_server("fetch").await?;
    assert_eq!(
        store.conversation_mcp_servers(started.id).await?,
        Some(vec![])
    );
    // The link goes with its conversation.
    store.delete_conversation(started.id).await?;
    assert_eq!(store.conversation_assistant(started.id).await?, None);
    Ok(())
}

/// The conversation settings popover's MCP servers: a conversation that
/// started from no assistant offers every enabled server until its
/// servers are chosen, then those only, kept across a reopen; an unknown
/// conversation or server changes nothing.
#[tokio::test]
async fn a_conversation_from_no_assistant_chooses_its_own_servers() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("valechat.db");
    let store = store_at(&path).await?;
    let plain = store
        .create_conversation(NewConversation {
            title: "plain".into(),
            ..NewConversation::default()
        })
        .await?;
    let other = store
        .create_conversation(NewConversation {
            title: "other".into(),
            ..NewConversation::default()
        })
        .await?;
    assert_eq!(store.conversation_mcp_servers(plain.id).await?, None);

    store
        .set_conversation_mcp_servers(plain.id, vec!["time".into()])
        .await?;
    assert_eq!(
        store.conversation_mcp_servers(plain.id).await?,
        Some(vec!["time".to_owned()])
    );
    assert!(matches!(
        store
            .set_conversation_mcp_servers(plain.id, vec!["fetch".into(), "nowhere".into()])
            .await,
        Err(StoreError::NotFound {
            what: "MCP server",
            ..
        })
    ));
    assert!(matches!(
        store
            .set_conversation_mcp_servers(9999, vec!["time".into()])
            .await,
        Err(StoreError::NotFound {
            what: "conversation",
            ..
        })
    ));
    // None at all is a choice too, distinct from "every enabled server".
    store
        .set_conversation_mcp_servers(other.id, Vec::new())
        .await?;
    drop(store);

    let store = Store::open(&path).await?;
    assert_eq!(
        store.conversation_mcp_servers(plain.id).await?,
        Some(vec!["time".to_owned()]),
        "the refused change left the choice as it was"
    );
    assert_eq!(
        store.conversation_mcp_servers(other.id).await?,
        Some(vec![])
    );
    assert_eq!(store.conversation_assistant(plain.id).await?, None);
    // The choice goes with its conversation.
    store.delete_conversation(plain.id).await?;
    assert_eq!(store.conversation_mcp_servers(plain.id).await?, None);
    Ok(())
}
