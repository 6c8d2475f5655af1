//! Favourite models in a real database file: round trip, reopening, and
//! removal together with their provider.

use std::error::Error;

use valechat_core::store::{NewProvider, Store, StoreError};

type TestResult = Result<(), Box<dyn Error>>;

fn provider(name: &str) -> NewProvider {
    NewProvider {
        name: name.into(),
        kind: "openai_compatible".into(),
        base_url: "http://localhost:11434/v1".into(),
        has_api_key: false,
        default_model: None,
    }
}

/// (provider id, model) of every favourite, in listing order.
async fn pairs(store: &Store) -> Result<Vec<(String, String)>, StoreError> {
    Ok(store
        .list_favourites()
        .await?
        .into_iter()
        .map(|f| (f.provider_id, f.model))
        .collect())
}

fn pair(provider: &str, model: &str) -> (String, String) {
    (provider.into(), model.into())
}

#[tokio::test]
async fn favourites_survive_a_reopen_and_unstar() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("valechat.db");
    let store = Store::open(&path).await?;
    let ollama = store.insert_provider(provider("Ollama")).await?;
    let openai = store.insert_provider(provider("OpenAI")).await?;
    assert!(store.list_favourites().await?.is_empty());

    store.set_favourite(&ollama.id, "llama3.2:3b", true).await?;
    store.set_favourite(&openai.id, "gpt-4o-mini", true).await?;
    let first = store.list_favourites().await?;
    // Starring again neither duplicates nor moves it.
    store.set_favourite(&ollama.id, "llama3.2:3b", true).await?;
    assert_eq!(store.list_favourites().await?, first);
    // Unstarring something that is not a favourite is harmless.
    store.set_favourite(&openai.id, "o3", false).await?;
    drop(store);

    let store = Store::open(&path).await?;
    let mut listed = pairs(&store).await?;
    listed.sort();
    assert_eq!(
        listed,
        [pair("ollama", "llama3.2:3b"), pair("openai", "gpt-4o-mini")]
    );
    store
        .set_favourite(&ollama.id, "llama3.2:3b", false)
        .await?;
    assert_eq!(pairs(&store).await?, [pair("openai", "gpt-4o-mini")]);
    Ok(())
}

#[tokio::test]
async fn deleting_a_provider_deletes_its_favourites() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("valechat.db")).await?;
    let ollama = store.insert_provider(provider("Ollama")).await?;
    let openai = store.insert_provider(provider("OpenAI")).await?;
    store.set_favourite(&ollama.id, "qwen2.5:7b", true).await?;
    store.set_favourite(&ollama.id, "llama3.2:3b", true).await?;
    store.set_favourite(&openai.id, "gpt-4o", true).await?;

    store.delete_provider(&ollama.id).await?;
    assert_eq!(pairs(&store).await?, [pair("openai", "gpt-4o")]);
    Ok(())
}

#[tokio::test]
async fn starring_for_an_unknown_provider_fails() -> TestResult {
    let store = Store::open_in_memory().await?;
    let err = store.set_favourite("nobody", "m", true).await.err();
    assert!(
        matches!(err, Some(StoreError::Query { .. })),
        "expected a foreign-key error, got {err:?}"
    );
    assert!(store.list_favourites().await?.is_empty());
    Ok(())
}
