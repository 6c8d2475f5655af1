//! Drafts kept per conversation in a real database file: written, replaced,
//! removed when emptied, one for the new conversation, kept across a
//! reopen, skipped for a deleted conversation and gone with their
//! conversation.

use std::error::Error;

use valechat_core::store::{NewConversation, Store};

type TestResult = Result<(), Box<dyn Error>>;

fn conversation(title: &str) -> NewConversation {
    NewConversation {
        title: title.into(),
        provider_id: None,
        model: None,
    }
}

#[tokio::test]
async fn drafts_are_kept_per_conversation_and_survive_a_reopen() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("valechat.db");
    let store = Store::open(&path).await?;
    let a = store.create_conversation(conversation("A")).await?;
    let b = store.create_conversation(conversation("B")).await?;
    assert_eq!(store.draft(Some(a.id)).await?, None);
    assert_eq!(store.draft(None).await?, None);

    store
        .save_drafts(vec![
            (Some(a.id), "first try".into()),
            (Some(b.id), "for B".into()),
            (None, "a new thought".into()),
            // A later text for the same conversation wins.
            (Some(a.id), "second try, with ünïcode ✓".into()),
        ])
        .await?;
    // The new conversation has at most one draft.
    store
        .save_drafts(vec![(None, "a newer thought".into())])
        .await?;
    drop(store);

    let store = Store::open(&path).await?;
    assert_eq!(
        store.draft(Some(a.id)).await?.as_deref(),
        Some("second try, with ünïcode ✓")
    );
    assert_eq!(store.draft(Some(b.id)).await?.as_deref(), Some("for B"));
    assert_eq!(store.draft(None).await?.as_deref(), Some("a newer thought"));

    // Emptying a draft removes it.
    store
        .save_drafts(vec![(Some(b.id), String::new()), (None, String::new())])
        .await?;
    assert_eq!(store.draft(Some(b.id)).await?, None);
    assert_eq!(store.draft(None).await?, None);
    Ok(())
}

#[tokio::test]
async fn drafts_go_with_their_conversation() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("valechat.db")).await?;
    let a = store.create_conversation(conversation("A")).await?;
    let b = store.create_conversation(conversation("B")).await?;
    store
        .save_drafts(vec![
            (Some(a.id), "unsent".into()),
            (Some(b.id), "kept".into()),
        ])
        .await?;
    store.delete_conversation(a.id).await?;
    assert_eq!(store.draft(Some(a.id)).await?, None);
    assert_eq!(store.draft(Some(b.id)).await?.as_deref(), Some("kept"));

    // A draft written after its conversation was deleted (the user typed
    // while it went) is skipped, and the rest of the batch still lands.
    store
        .save_drafts(vec![
            (Some(a.id), "too late".into()),
            (Some(b.id), "newer".into()),
        ])
        .await?;
    assert_eq!(store.draft(Some(a.id)).await?, None);
    assert_eq!(store.draft(Some(b.id)).await?.as_deref(), Some("newer"));
    Ok(())
}
