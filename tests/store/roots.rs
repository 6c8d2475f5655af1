//! Workspace folders (MCP roots) of conversations in a real database file:
//! add, idempotent re-add, order, remove, reorder, reopen, and removal
//! together with their conversation.

use std::error::Error;

use valechat_core::store::{NewConversation, Store, StoreError};

type TestResult = Result<(), Box<dyn Error>>;

fn conversation(title: &str) -> NewConversation {
    NewConversation {
        title: title.into(),
        provider_id: None,
        model: None,
    }
}

/// `(path, name, position)` of every folder of `id`, in order.
async fn folders(store: &Store, id: i64) -> Result<Vec<(String, String, i32)>, StoreError> {
    Ok(store
        .list_conversation_roots(id)
        .await?
        .into_iter()
        .map(|r| (r.path, r.name, r.position))
        .collect())
}

fn folder(path: &str, name: &str, position: i32) -> (String, String, i32) {
    (path.into(), name.into(), position)
}

#[tokio::test]
async fn folders_are_added_ordered_removed_and_survive_a_reopen() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("valechat.db");
    let store = Store::open(&path).await?;
    let a = store.create_conversation(conversation("A")).await?;
    let b = store.create_conversation(conversation("B")).await?;
    assert!(store.list_conversation_roots(a.id).await?.is_empty());

    let first = store
        .add_conversation_root(a.id, "/home/me/My Project", "My Project")
        .await?;
    assert_eq!(first.conversation_id, a.id);
    assert_eq!(first.position, 0);
    store
        .add_conversation_root(a.id, "/srv/data", "data")
        .await?;
    store
        .add_conversation_root(a.id, "/opt/tools", "tools")
        .await?;
    // Adding the same path again changes nothing and returns the same row.
    let again = store
        .add_conversation_root(a.id, "/home/me/My Project", "other name")
        .await?;
    assert_eq!(again, first);
    // The same path in another conversation is its own row.
    store
        .add_conversation_root(b.id, "/srv/data", "data")
        .await?;
    assert_eq!(
        folders(&store, a.id).await?,
        vec![
            folder("/home/me/My Project", "My Project", 0),
            folder("/srv/data", "data", 1),
            folder("/opt/tools", "tools", 2),
        ]
    );

    // Removing closes the gap; removing an absent path reports false.
    assert!(store.remove_conversation_root(a.id, "/srv/data").await?);
    assert!(!store.remove_conversation_root(a.id, "/srv/data").await?);
    assert_eq!(
        folders(&store, a.id).await?,
        vec![
            folder("/home/me/My Project", "My Project", 0),
            folder("/opt/tools", "tools", 1),
        ]
    );
    assert_eq!(
        folders(&store, b.id).await?,
        vec![folder("/srv/data", "data", 0)]
    );

    // Reorder: listed paths first, unknown ones ignored.
    let reordered = store
        .reorder_conversation_roots(a.id, &["/nowhere".into(), "/opt/tools".into()])
        .await?;
    let order: Vec<&str> = reordered.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(order, ["/opt/tools", "/home/me/My Project"]);

    drop(store);
    let store = Store::open(&path).await?;
    assert_eq!(
        folders(&store, a.id).await?,
        vec![
            folder("/opt/tools", "tools", 0),
            folder("/home/me/My Project", "My Project", 1),
        ]
    );
    Ok(())
}

#[tokio::test]
async fn folders_go_with_their_conversation() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("valechat.db")).await?;
    let a = store.create_conversation(conversation("A")).await?;
    let b = store.create_conversation(conversation("B")).await?;
    store.add_conversation_root(a.id, "/srv/a", "a").await?;
    store.add_conversation_root(b.id, "/srv/b", "b").await?;

    store.delete_conversation(a.id).await?;
    assert!(store.list_conversation_roots(a.id).await?.is_empty());
    assert_eq!(folders(&store, b.id).await?, vec![folder("/srv/b", "b", 0)]);

    // A folder cannot be added to a conversation that does not exist.
    let error = store
        .add_conversation_root(a.id, "/srv/a", "a")
        .await
        .expect_err("the conversation was deleted");
    assert!(
        matches!(
            error,
            StoreError::NotFound {
                what: "conversation",
                ..
            }
        ),
        "{error}"
    );
    Ok(())
}
