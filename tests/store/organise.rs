//! Pin, archive and folders in a real database file (issue 14, part 3):
//! the sidebar's listing (pinned first, archived hidden unless asked
//! for), folders created, renamed and deleted without losing a
//! conversation, names refused with a clear error, state kept across a
//! reopen; the database of the linear version (`tests/fixtures/db-8595b87/`)
//! migrated; ChatGPT's archived conversations imported archived.

use std::error::Error;
use std::path::Path;

use valechat_core::store::{
    Conversation, FolderNameProblem, Listing, NewConversation, Store, StoreError,
};
use valechat_core::transfer::import_file;

type TestResult = Result<(), Box<dyn Error>>;

fn conversation(title: &str) -> NewConversation {
    NewConversation {
        title: title.into(),
        provider_id: None,
        model: None,
    }
}

fn titles(list: &[Conversation]) -> Vec<&str> {
    list.iter().map(|c| c.title.as_str()).collect()
}

#[tokio::test]
async fn pinned_come_first_and_archived_are_hidden_unless_asked_for() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("valechat.db");
    let store = Store::open(&path).await?;
    let a = store.create_conversation(conversation("A")).await?;
    let b = store.create_conversation(conversation("B")).await?;
    let c = store.create_conversation(conversation("C")).await?;
    let active = store.list_conversations_for(Listing::Active).await?;
    assert_eq!(titles(&active), ["C", "B", "A"]);
    assert!(
        active
            .iter()
            .all(|c| !c.pinned && !c.archived && c.folder_id.is_none())
    );

    store.set_pinned(a.id, true).await?;
    let active = store.list_conversations_for(Listing::Active).await?;
    assert_eq!(titles(&active), ["A", "C", "B"]);
    assert!(active[0].pinned);
    // Pinning is not activity.
    assert_eq!(active[0].updated_at, a.updated_at);

    store.set_archived(c.id, true).await?;
    assert_eq!(
        titles(&store.list_conversations_for(Listing::Active).await?),
        ["A", "B"]
    );
    assert_eq!(
        titles(&store.list_conversations_for(Listing::Archived).await?),
        ["C"]
    );
    assert_eq!(
        titles(&store.list_conversations_for(Listing::All).await?),
        ["A", "C", "B"]
    );
    // An archived pinned conversation keeps its pin.
    store.set_archived(a.id, true).await?;
    assert_eq!(
        titles(&store.list_conversations_for(Listing::Archived).await?),
        ["A", "C"]
    );
    store.set_archived(a.id, false).await?;
    store.set_pinned(a.id, false).await?;
    drop(store);

    // Kept across a reopen.
    let store = Store::open(&path).await?;
    assert_eq!(
        titles(&store.list_conversations_for(Listing::Active).await?),
        ["B", "A"]
    );
    let archived = store.list_conversations_for(Listing::Archived).await?;
    assert_eq!((archived.len(), archived[0].id), (1, c.id));
    store.set_archived(c.id, false).await?;
    assert_eq!(
        titles(&store.list_conversations_for(Listing::Active).await?),
        ["C", "B", "A"]
    );
    let _ = b;

    // Unknown ids are errors, not silent successes.
    for result in [
        store.set_pinned(999, true).await,
        store.set_archived(999, true).await,
        store.move_to_folder(999, None).await,
    ] {
        assert!(
            matches!(
                result,
                Err(StoreError::NotFound {
                    what: "conversation",
                    ..
                })
            ),
            "{result:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn deleting_a_folder_keeps_its_conversations() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("valechat.db");
    let store = Store::open(&path).await?;
    let a = store.create_conversation(conversation("A")).await?;
    let b = store.create_conversation(conversation("B")).await?;

    let work = store.create_folder("  Work ").await?;
    assert_eq!(work.name, "Work");
    let home = store.create_folder("home").await?;
    // By name, ignoring case.
    let names: Vec<_> = store
        .list_folders()
        .await?
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(names, ["home", "Work"]);
    assert_eq!(store.folder_named("WORK").await?, Some(work.clone()));
    assert_eq!(store.folder_named("nothing").await?, None);

    store.move_to_folder(a.id, Some(work.id)).await?;
    store.move_to_folder(b.id, Some(work.id)).await?;
    store.move_to_folder(b.id, Some(home.id)).await?;
    let folder_of =
        |list: &[Conversation], id| list.iter().find(|c| c.id == id).and_then(|c| c.folder_id);
    let list = store.list_conversations_for(Listing::All).await?;
    assert_eq!(folder_of(&list, a.id), Some(work.id));
    assert_eq!(folder_of(&list, b.id), Some(home.id));
    // Filing is not activity.
    assert_eq!(
        list.iter().find(|c| c.id == a.id).map(|c| c.updated_at),
        Some(a.updated_at)
    );

    // Names: blank and taken (ignoring case) are refused and change nothing.
    let blank = store.create_folder("   ").await;
    assert!(
        matches!(
            blank,
            Err(StoreError::FolderName {
                problem: FolderNameProblem::Blank,
                ..
            })
        ),
        "{blank:?}"
    );
    let taken = store.rename_folder(home.id, "work").await;
    assert!(
        matches!(&taken, Err(StoreError::FolderName { problem: FolderNameProblem::Taken, name }) if name == "work"),
        "{taken:?}"
    );
    assert!(
        taken
            .err()
            .is_some_and(|e| e.to_string() == "a folder named \"work\" exists already")
    );
    assert!(store.create_folder("HOME").await.is_err());
    assert_eq!(store.list_folders().await?.len(), 2);
    // A change of case of its own name is a rename.
    store.rename_folder(home.id, "Home").await?;
    store.rename_folder(work.id, "Projects").await?;
    let names: Vec<_> = store
        .list_folders()
        .await?
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(names, ["Home", "Projects"]);
    assert!(matches!(
        store.rename_folder(999, "X").await,
        Err(StoreError::NotFound { what: "folder", .. })
    ));
    assert!(matches!(
        store.move_to_folder(a.id, Some(999)).await,
        Err(StoreError::NotFound { what: "folder", .. })
    ));

    let deleted = store.delete_folder(work.id).await?;
    assert_eq!(deleted.conversations_kept, 1);
    assert!(matches!(
        store.delete_folder(work.id).await,
        Err(StoreError::NotFound { what: "folder", .. })
    ));
    drop(store);

    let store = Store::open(&path).await?;
    let list = store.list_conversations_for(Listing::All).await?;
    assert_eq!(titles(&list), ["B", "A"], "no conversation is lost");
    assert_eq!(folder_of(&list, a.id), None);
    assert_eq!(folder_of(&list, b.id), Some(home.id));
    store.move_to_folder(b.id, None).await?;
    let list = store.list_conversations_for(Listing::All).await?;
    assert_eq!(folder_of(&list, b.id), None);
    Ok(())
}

#[tokio::test]
async fn the_database_of_the_linear_version_gets_pins_archive_and_folders() -> TestResult {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/db-8595b87/valechat.db");
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("valechat.db");
    std::fs::copy(fixture, &path)?;
    let store = Store::open(&path).await?;
    let all = store.list_conversations_for(Listing::Active).await?;
    assert_eq!(all.len(), 3);
    assert!(
        all.iter()
            .all(|c| !c.pinned && !c.archived && c.folder_id.is_none())
    );
    assert!(store.list_folders().await?.is_empty());

    let last = all[2].id;
    store.set_pinned(last, true).await?;
    let folder = store.create_folder("Old").await?;
    store.move_to_folder(last, Some(folder.id)).await?;
    store.set_archived(all[0].id, true).await?;
    let active = store.list_conversations_for(Listing::Active).await?;
    assert_eq!(
        active.iter().map(|c| c.id).collect::<Vec<_>>(),
        [last, all[1].id]
    );
    assert_eq!(active[0].folder_id, Some(folder.id));
    // The messages are untouched.
    assert_eq!(store.list_messages(1).await?.len(), 6);
    Ok(())
}

#[tokio::test]
async fn conversations_archived_in_chatgpt_are_imported_archived() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("valechat.db")).await?;
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/chatgpt.json");
    let summary = import_file(&store, &file, |_| {}).await?;
    assert_eq!(summary.archived, ["A chart and some code"]);
    assert_eq!(
        titles(&store.list_conversations_for(Listing::Archived).await?),
        ["A chart and some code"]
    );
    assert_eq!(
        titles(&store.list_conversations_for(Listing::Active).await?),
        ["Sorting in Rust"]
    );
    // A ValeChat JSON round trip keeps it archived.
    let archived = store.list_conversations_for(Listing::Archived).await?;
    let whole = store.archive_conversation(archived[0].id).await?;
    assert!(whole.archived);
    Ok(())
}
