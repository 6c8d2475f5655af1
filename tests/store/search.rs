//! Search results on a real database file (issue 14, part 3): snippets with
//! the match marked, messages grouped by conversation and ranked, pages,
//! the provider/model, date, folder and archived filters, prefixes, messages on a branch not
//! shown, and typed FTS5 syntax that never fails.

use std::error::Error;
use std::time::Duration;

use valechat_core::provider::Role;
use valechat_core::store::{
    ArchivedScope, FolderScope, MessageParent, MessageStatus, NewConversation, NewMessage,
    NewProvider, SNIPPET_MATCH_END, SNIPPET_MATCH_START, SearchFilter, SearchPage, SearchResults,
    Store,
};

type TestResult = Result<(), Box<dyn Error>>;

async fn open() -> Result<(tempfile::TempDir, Store), Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("valechat.db")).await?;
    for name in ["Ollama", "OpenAI"] {
        store
            .insert_provider(NewProvider {
                name: name.into(),
                kind: "openai_compatible".into(),
                base_url: "http://localhost:1/v1".into(),
                has_api_key: false,
                default_model: None,
            })
            .await?;
    }
    Ok((dir, store))
}

async fn conversation(
    store: &Store,
    title: &str,
    provider: &str,
    model: &str,
) -> Result<i64, Box<dyn Error>> {
    Ok(store
        .create_conversation(NewConversation {
            title: title.into(),
            provider_id: Some(provider.into()),
            model: Some(model.into()),
        })
        .await?
        .id)
}

/// Stores a user message, or a reply written by `by` (`provider/model`).
async fn say(
    store: &Store,
    conversation_id: i64,
    by: Option<(&str, &str)>,
    text: &str,
) -> Result<(i64, i64), Box<dyn Error>> {
    let m = store
        .insert_message(NewMessage {
            conversation_id,
            role: if by.is_some() {
                Role::Assistant
            } else {
                Role::User
            },
            content: text.into(),
            status: MessageStatus::Complete,
            provider_id: by.map(|b| b.0.into()),
            model: by.map(|b| b.1.into()),
        })
        .await?;
    Ok((m.id, m.created_at))
}

fn ids(results: &SearchResults) -> Vec<i64> {
    results
        .conversations
        .iter()
        .flat_map(|c| c.messages.iter().map(|m| m.message_id))
        .collect()
}

fn marked(word: &str) -> String {
    format!("{SNIPPET_MATCH_START}{word}{SNIPPET_MATCH_END}")
}

#[tokio::test]
async fn matches_come_with_snippets_grouped_by_conversation_best_first() -> TestResult {
    let (_dir, store) = open().await?;
    let trip = conversation(&store, "Trip to Iceland", "ollama", "llama3.2:3b").await?;
    let rust = conversation(&store, "Rust lifetimes", "openai", "gpt-4o").await?;
    let (question, _) = say(
        &store,
        trip,
        None,
        "Where can I see a glacier near Reykjavik?",
    )
    .await?;
    let (answer, _) = say(
        &store,
        trip,
        Some(("ollama", "llama3.2:3b")),
        "The Sólheimajökull glacier is a short drive away; glacier walks start at the car park, \
         and the glacier lagoon is further east.",
    )
    .await?;
    say(&store, rust, None, "Explain the borrow checker").await?;
    let (rust_glacier, _) = say(
        &store,
        rust,
        Some(("openai", "gpt-4o")),
        "Lifetimes in Rust are checked at compile time by the borrow checker, which moves \
         through every scope of your program like a slow glacier down a long valley.",
    )
    .await?;

    let results = store
        .search("GLACIER", &SearchFilter::default(), SearchPage::FIRST, 50)
        .await?;
    assert_eq!(results.count, 3);
    assert!(!results.more);
    let titles: Vec<&str> = results
        .conversations
        .iter()
        .map(|c| c.title.as_str())
        .collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    let trip_group = results
        .conversations
        .iter()
        .find(|c| c.conversation_id == trip)
        .ok_or("no Iceland group")?;
    assert_eq!(trip_group.title, "Trip to Iceland");
    // Three occurrences rank above one (bm25).
    assert_eq!(
        trip_group
            .messages
            .iter()
            .map(|m| m.message_id)
            .collect::<Vec<_>>(),
        [answer, question]
    );
    assert_eq!(
        results.conversations[0].conversation_id, trip,
        "best match first"
    );
    let best = &trip_group.messages[0];
    assert_eq!(best.role, Role::Assistant);
    assert_eq!(best.model.as_deref(), Some("llama3.2:3b"));
    assert!(
        best.snippet.contains(&marked("glacier")),
        "{:?}",
        best.snippet
    );
    // The user's question carries its conversation's model.
    assert_eq!(trip_group.messages[1].role, Role::User);
    assert_eq!(
        trip_group.messages[1].provider_id.as_deref(),
        Some("ollama")
    );
    assert!(ids(&results).contains(&rust_glacier));

    // Pages: one message at a time, in the same order.
    let mut paged = Vec::new();
    let mut offset = 0;
    loop {
        let page = store
            .search(
                "glacier",
                &SearchFilter::default(),
                SearchPage::at(offset),
                1,
            )
            .await?;
        assert_eq!(page.count, 1);
        paged.extend(ids(&page));
        offset += 1;
        if !page.more {
            break;
        }
    }
    assert_eq!(paged, ids(&results));
    assert_eq!(
        store
            .search("glacier", &SearchFilter::default(), SearchPage::at(3), 10)
            .await?
            .count,
        0
    );
    Ok(())
}

#[tokio::test]
async fn filters_narrow_by_provider_model_and_date() -> TestResult {
    let (_dir, store) = open().await?;
    let local = conversation(&store, "Local", "ollama", "llama3.2:3b").await?;
    let cloud = conversation(&store, "Cloud", "openai", "gpt-4o").await?;
    let (early, early_at) = say(&store, local, None, "pasta recipe please").await?;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let (local_reply, local_at) = say(
        &store,
        local,
        Some(("ollama", "llama3.2:3b")),
        "A pasta recipe: boil water",
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let (cloud_reply, cloud_at) = say(
        &store,
        cloud,
        Some(("openai", "gpt-4o-mini")),
        "Pasta with pesto",
    )
    .await?;
    assert!(early_at < local_at && local_at < cloud_at);

    let found = |filter: SearchFilter| {
        let store = store.clone();
        async move {
            let mut found = ids(&store
                .search("pasta", &filter, SearchPage::FIRST, 50)
                .await?);
            found.sort_unstable();
            Ok::<_, Box<dyn Error>>(found)
        }
    };
    assert_eq!(found(SearchFilter::default()).await?.len(), 3);
    assert_eq!(
        found(SearchFilter {
            provider_id: Some("ollama".into()),
            ..SearchFilter::default()
        })
        .await?,
        [early, local_reply],
        "the user's message counts under its conversation's provider"
    );
    assert_eq!(
        found(SearchFilter {
            provider_id: Some("openai".into()),
            model: Some("gpt-4o-mini".into()),
            ..SearchFilter::default()
        })
        .await?,
        [cloud_reply],
        "a reply's own model, not its conversation's"
    );
    assert!(
        found(SearchFilter {
            model: Some("gpt-4o".into()),
            ..SearchFilter::default()
        })
        .await?
        .is_empty()
    );
    assert_eq!(
        found(SearchFilter {
            since: Some(local_at),
            ..SearchFilter::default()
        })
        .await?,
        [local_reply, cloud_reply],
        "since is inclusive"
    );
    assert_eq!(
        found(SearchFilter {
            until: Some(cloud_at),
            ..SearchFilter::default()
        })
        .await?,
        [early, local_reply],
        "until is exclusive"
    );
    assert_eq!(
        found(SearchFilter {
            since: Some(local_at),
            until: Some(cloud_at),
            ..SearchFilter::default()
        })
        .await?,
        [local_reply]
    );
    Ok(())
}

#[tokio::test]
async fn prefixes_branches_not_shown_and_typed_syntax() -> TestResult {
    let (_dir, store) = open().await?;
    let c = conversation(&store, "Words", "ollama", "llama3.2:3b").await?;
    let (first, _) = say(&store, c, None, "Tell me about photosynthesis").await?;
    say(
        &store,
        c,
        Some(("ollama", "llama3.2:3b")),
        "Plants turn light into sugar",
    )
    .await?;
    // An edit of the first message: the first branch is no longer shown.
    let edit = store
        .insert_message_at(
            NewMessage {
                conversation_id: c,
                role: Role::User,
                content: "Tell me about chlorophyll \"quoted\" - stuff*".into(),
                status: MessageStatus::Complete,
                provider_id: None,
                model: None,
            },
            MessageParent::Root,
        )
        .await?;
    assert!(store.active_path(c).await?.iter().all(|m| m.id != first));

    let none = SearchFilter::default();
    assert_eq!(
        ids(&store
            .search("photosynth", &none, SearchPage::FIRST, 10)
            .await?),
        [first],
        "prefix of the last word"
    );
    assert_eq!(
        ids(&store.search("photo", &none, SearchPage::FIRST, 10).await?),
        [first]
    );
    assert!(
        store
            .search("hotosynthesis", &none, SearchPage::FIRST, 10)
            .await?
            .conversations
            .is_empty(),
        "prefixes only"
    );
    assert_eq!(
        ids(&store
            .search("tell chloro", &none, SearchPage::FIRST, 10)
            .await?),
        [edit.id]
    );
    assert!(
        store
            .search("   ", &none, SearchPage::FIRST, 10)
            .await?
            .conversations
            .is_empty()
    );
    let hit = store.search("QUOTED", &none, SearchPage::FIRST, 10).await?;
    assert_eq!(ids(&hit), [edit.id]);
    assert!(
        hit.conversations[0].messages[0]
            .snippet
            .contains(&marked("quoted"))
    );
    // FTS5 syntax typed by the user is text, never an error.
    for odd in [
        "\"",
        "\"quoted\"",
        "stuff*",
        "*",
        "-",
        "- stuff",
        "NEAR",
        "NEAR(tell chlorophyll, 2)",
        "tell NEAR chlorophyll",
        "a:b",
        "content:tell",
        "(",
        ")",
        "AND",
        "OR NOT",
        "^tell",
        "'",
        "{}",
        "+",
    ] {
        store
            .search(odd, &none, SearchPage::FIRST, 10)
            .await
            .map_err(|e| format!("{odd:?}: {e}"))?;
    }
    assert_eq!(
        ids(&store
            .search("\"quoted\"", &none, SearchPage::FIRST, 10)
            .await?),
        [edit.id]
    );
    Ok(())
}

#[tokio::test]
async fn filters_narrow_by_folder_and_archived() -> TestResult {
    let (_dir, store) = open().await?;
    let filed = conversation(&store, "Filed", "ollama", "llama3.2:3b").await?;
    let elsewhere = conversation(&store, "Elsewhere", "ollama", "llama3.2:3b").await?;
    let loose = conversation(&store, "Loose", "openai", "gpt-4o").await?;
    let old = conversation(&store, "Old", "openai", "gpt-4o").await?;
    let work = store.create_folder("Work").await?;
    let home = store.create_folder("Home").await?;
    store.move_to_folder(filed, Some(work.id)).await?;
    store.move_to_folder(elsewhere, Some(home.id)).await?;
    store.move_to_folder(old, Some(work.id)).await?;
    store.set_archived(old, true).await?;
    let (in_work, _) = say(&store, filed, None, "harbour tides today").await?;
    let (in_home, _) = say(&store, elsewhere, None, "harbour lights").await?;
    let (in_none, _) = say(&store, loose, None, "the harbour wall").await?;
    let (archived, _) = say(&store, old, None, "harbour seals last year").await?;

    let found = |filter: SearchFilter| {
        let store = store.clone();
        async move {
            let mut found = ids(&store
                .search("harbour", &filter, SearchPage::FIRST, 50)
                .await?);
            found.sort_unstable();
            Ok::<_, Box<dyn Error>>(found)
        }
    };
    assert_eq!(
        found(SearchFilter::default()).await?,
        [in_work, in_home, in_none, archived],
        "archived conversations are searched by default"
    );
    assert_eq!(
        found(SearchFilter {
            folder: FolderScope::In(work.id),
            ..SearchFilter::default()
        })
        .await?,
        [in_work, archived]
    );
    assert_eq!(
        found(SearchFilter {
            folder: FolderScope::None,
            ..SearchFilter::default()
        })
        .await?,
        [in_none]
    );
    assert_eq!(
        found(SearchFilter {
            archived: ArchivedScope::Exclude,
            ..SearchFilter::default()
        })
        .await?,
        [in_work, in_home, in_none]
    );
    assert_eq!(
        found(SearchFilter {
            archived: ArchivedScope::Only,
            ..SearchFilter::default()
        })
        .await?,
        [archived]
    );
    assert_eq!(
        found(SearchFilter {
            folder: FolderScope::In(work.id),
            archived: ArchivedScope::Exclude,
            ..SearchFilter::default()
        })
        .await?,
        [in_work]
    );
    assert!(
        found(SearchFilter {
            folder: FolderScope::In(home.id),
            archived: ArchivedScope::Only,
            ..SearchFilter::default()
        })
        .await?
        .is_empty()
    );
    // A deleted folder's conversations are in no folder.
    store.delete_folder(home.id).await?;
    assert_eq!(
        found(SearchFilter {
            folder: FolderScope::None,
            ..SearchFilter::default()
        })
        .await?,
        [in_home, in_none]
    );
    Ok(())
}
