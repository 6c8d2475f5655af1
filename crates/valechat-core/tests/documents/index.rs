//! Indexing a folder into a library on a real SQLite file: per-file
//! states, resuming an interrupted run, re-indexing only what changed,
//! files gone, and removing a path.

use std::ops::ControlFlow;
use std::path::Path;

use valechat_core::documents::index::{FileOutcome, index_path};
use valechat_core::documents::retrieve::{RetrieveOptions, retrieve};
use valechat_core::store::{DocumentState, Store};

use super::fixture;

/// A folder with the fixtures (good and bad) and a hidden file and folder.
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in [
        "plain.txt",
        "notes.md",
        "page.html",
        "text.pdf",
        "encrypted.pdf",
        "scanned.pdf",
        "image.png",
        "sample.docx",
        "sample.odt",
        "latin1.txt",
    ] {
        std::fs::copy(fixture(name), dir.path().join(name)).expect("copy fixture");
    }
    std::fs::write(dir.path().join(".hidden.txt"), "secret words").expect("hidden");
    std::fs::create_dir(dir.path().join(".git")).expect(".git");
    std::fs::write(dir.path().join(".git/config"), "[core]").expect("config");
    dir
}

async fn store(dir: &Path) -> Store {
    Store::open(&dir.join("valechat.db"))
        .await
        .expect("open store")
}

#[tokio::test]
async fn a_folder_is_indexed_with_each_files_state() {
    let files = folder();
    let db = tempfile::tempdir().expect("db dir");
    let store = store(db.path()).await;
    let library = store.create_library("Harbour").await.expect("create");
    let mut reported = Vec::new();
    let summary = index_path(&store, &library, files.path(), |p| {
        reported.push((p.done, p.total));
        ControlFlow::Continue(())
    })
    .await
    .expect("index");
    // Hidden folders are not entered: 10 fixtures + the hidden file.
    assert_eq!(reported.len(), 11);
    assert_eq!(reported.last(), Some(&(11, 11)));
    let documents = store
        .library_documents(library.id, None)
        .await
        .expect("documents");
    let state = |name: &str| {
        documents
            .iter()
            .find(|d| d.path.ends_with(name))
            .map_or_else(|| panic!("{name} not recorded"), |d| d.state.clone())
    };
    assert_eq!(state("plain.txt"), DocumentState::Indexed);
    assert_eq!(state("text.pdf"), DocumentState::Indexed);
    assert_eq!(state("sample.odt"), DocumentState::Indexed);
    assert!(matches!(state("encrypted.pdf"), DocumentState::Failed(r) if r.contains("encrypted")));
    assert!(matches!(state("scanned.pdf"), DocumentState::Failed(r) if r.contains("text layer")));
    assert!(matches!(state("image.png"), DocumentState::Skipped(r) if r.contains("binary")));
    assert!(matches!(state(".hidden.txt"), DocumentState::Skipped(r) if r.contains("hidden")));
    assert!(!documents.iter().any(|d| d.path.ends_with("config")));
    assert_eq!(
        summary.count(|o| matches!(o, FileOutcome::Indexed { .. })),
        7
    );
    let figures = store.library_stats(library.id).await.expect("stats");
    assert_eq!(
        (
            figures.documents,
            figures.indexed,
            figures.failed,
            figures.skipped
        ),
        (11, 7, 2, 2)
    );
    assert!(figures.chunks >= 7 && figures.text_bytes > 0, "{figures:?}");

    // Found by words, with its page.
    let hits = retrieve(
        &store,
        library.id,
        "keeper's cottage rooms?",
        RetrieveOptions::default(),
    )
    .await
    .expect("retrieve");
    assert!(hits[0].path.ends_with("text.pdf"), "{hits:?}");
    assert_eq!(hits[0].page, Some(2));
}

#[tokio::test]
async fn an_interrupted_run_resumes_where_it_stopped() {
    let files = folder();
    let db = tempfile::tempdir().expect("db dir");
    let store = store(db.path()).await;
    let library = store.create_library("Harbour").await.expect("create");
    // The run stops after 4 files, as a kill between two files would.
    let first = index_path(&store, &library, files.path(), |p| {
        if p.done == 4 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .await
    .expect("first run");
    assert!(first.interrupted);
    assert_eq!(first.files.len(), 4);
    assert_eq!(
        store
            .library_documents(library.id, None)
            .await
            .expect("docs")
            .len(),
        4
    );

    let second = index_path(
        &store,
        &library,
        files.path(),
        |_| ControlFlow::Continue(()),
    )
    .await
    .expect("second run");
    assert!(!second.interrupted);
    assert_eq!(
        second.count(|o| *o == FileOutcome::Unchanged),
        4,
        "{second:#?}"
    );
    assert_eq!(second.files.len(), 11);
    assert_eq!(
        store
            .library_documents(library.id, None)
            .await
            .expect("docs")
            .len(),
        11
    );

    // A third run touches nothing.
    let third = index_path(
        &store,
        &library,
        files.path(),
        |_| ControlFlow::Continue(()),
    )
    .await
    .expect("third run");
    assert_eq!(third.count(|o| *o == FileOutcome::Unchanged), 11);
}

#[tokio::test]
async fn a_changed_file_replaces_only_its_chunks() {
    let files = folder();
    let db = tempfile::tempdir().expect("db dir");
    let store = store(db.path()).await;
    let library = store.create_library("Harbour").await.expect("create");
    index_path(
        &store,
        &library,
        files.path(),
        |_| ControlFlow::Continue(()),
    )
    .await
    .expect("index");
    let plain = files
        .path()
        .canonicalize()
        .expect("canonical")
        .join("plain.txt");
    let notes = files
        .path()
        .canonicalize()
        .expect("canonical")
        .join("notes.md");
    let plain_doc = store
        .document_at(library.id, &plain)
        .await
        .expect("read")
        .expect("plain");
    let notes_doc = store
        .document_at(library.id, &notes)
        .await
        .expect("read")
        .expect("notes");
    let plain_before = store.document_chunk_ids(plain_doc.id).await.expect("ids");
    let notes_before = store.document_chunk_ids(notes_doc.id).await.expect("ids");

    // Touched with the same content: its chunks stay.
    let content = std::fs::read(&plain).expect("read");
    std::fs::write(&plain, &content).expect("rewrite");
    set_modified(&plain, 1);
    let run = index_path(
        &store,
        &library,
        files.path(),
        |_| ControlFlow::Continue(()),
    )
    .await
    .expect("index");
    assert_eq!(run.count(|o| *o == FileOutcome::Unchanged), 11);
    assert_eq!(
        store.document_chunk_ids(plain_doc.id).await.expect("ids"),
        plain_before
    );

    // Changed: new chunks for it, the others' rows untouched.
    std::fs::write(&plain, "Tide tables moved to the harbour office wall.\n").expect("change");
    set_modified(&plain, 2);
    let run = index_path(
        &store,
        &library,
        files.path(),
        |_| ControlFlow::Continue(()),
    )
    .await
    .expect("index");
    assert_eq!(
        run.count(|o| matches!(o, FileOutcome::Indexed { .. })),
        1,
        "{run:#?}"
    );
    let plain_after = store.document_chunk_ids(plain_doc.id).await.expect("ids");
    assert_ne!(plain_after, plain_before);
    assert_eq!(
        store.document_chunk_ids(notes_doc.id).await.expect("ids"),
        notes_before
    );
    let hits = retrieve(
        &store,
        library.id,
        "office wall",
        RetrieveOptions::default(),
    )
    .await
    .expect("retrieve");
    assert!(hits[0].text.contains("office wall"), "{hits:?}");
    let old = retrieve(&store, library.id, "06:12 pier", RetrieveOptions::default())
        .await
        .expect("retrieve");
    assert!(
        old.iter().all(|h| !h.path.ends_with("plain.txt")),
        "old text gone: {old:?}"
    );
}

#[tokio::test]
async fn a_file_gone_loses_its_rows_and_a_path_can_be_removed() {
    let files = folder();
    let db = tempfile::tempdir().expect("db dir");
    let store = store(db.path()).await;
    let library = store.create_library("Harbour").await.expect("create");
    index_path(
        &store,
        &library,
        files.path(),
        |_| ControlFlow::Continue(()),
    )
    .await
    .expect("index");
    let notes = files
        .path()
        .canonicalize()
        .expect("canonical")
        .join("notes.md");
    std::fs::remove_file(&notes).expect("remove");
    let run = index_path(
        &store,
        &library,
        files.path(),
        |_| ControlFlow::Continue(()),
    )
    .await
    .expect("index");
    assert_eq!(run.count(|o| *o == FileOutcome::Removed), 1);
    assert!(
        store
            .document_at(library.id, &notes)
            .await
            .expect("read")
            .is_none()
    );
    let root = files.path().canonicalize().expect("canonical");
    let removed = store
        .remove_library_path(library.id, &root)
        .await
        .expect("remove");
    assert_eq!(removed, 10);
    assert_eq!(
        store.library_stats(library.id).await.expect("stats").chunks,
        0
    );
    assert!(
        store
            .library_sources(library.id)
            .await
            .expect("sources")
            .is_empty()
    );
}

/// Sets `path`'s modification time `seconds` past the epoch plus a day,
/// so a rewrite within the same millisecond still counts as a change.
fn set_modified(path: &Path, seconds: u64) {
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(86_400 + seconds);
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(time))
        .expect("set modified");
}
