//! `valechat library list [NAME]`: the libraries with their figures, or
//! one library's files (`STATE\tPATH\tDETAIL`) and the index's size.

use gettextrs::gettext;

use valechat_core::store::{DocumentState, Library, Store};

use crate::i18n::{gettext_f, ngettext_f};

/// Every library: `NAME\tDOCUMENTS documents\tCHUNKS chunks`.
pub async fn libraries(store: &Store) -> anyhow::Result<()> {
    let libraries = store.list_libraries().await?;
    if libraries.is_empty() {
        println!(
            "{}",
            gettext("No libraries yet (create one with `valechat library create NAME`).")
        );
    }
    for library in libraries {
        let stats = store.library_stats(library.id).await?;
        println!(
            "{}\t{}\t{}",
            library.name,
            gettext_f(
                "{count} documents",
                &[("count", &stats.documents.to_string())]
            ),
            gettext_f("{count} chunks", &[("count", &stats.chunks.to_string())]),
        );
    }
    Ok(())
}

/// `library`'s files and folders, its documents and the index's size.
pub async fn files(store: &Store, library: &Library) -> anyhow::Result<()> {
    for source in store.library_sources(library.id).await? {
        println!("source\t{}", source.path.display());
    }
    for document in store.library_documents(library.id, None).await? {
        let path = document.path.display();
        match &document.state {
            DocumentState::Indexed => {
                let chunks = ngettext_f(
                    "{count} chunk",
                    "{count} chunks",
                    document.chunk_count,
                    &[("count", &document.chunk_count.to_string())],
                );
                println!("indexed\t{path}\t{chunks}");
            }
            DocumentState::Failed(reason) => println!("failed\t{path}\t{reason}"),
            DocumentState::Skipped(reason) => println!("skipped\t{path}\t{reason}"),
        }
    }
    let stats = store.library_stats(library.id).await?;
    println!(
        "{}",
        gettext_f(
            "Index: {indexed} of {documents} files indexed ({failed} failed, {skipped} skipped), {chunks} chunks, {tokens} tokens, {kib} KiB of text.",
            &[
                ("indexed", &stats.indexed.to_string()),
                ("documents", &stats.documents.to_string()),
                ("failed", &stats.failed.to_string()),
                ("skipped", &stats.skipped.to_string()),
                ("chunks", &stats.chunks.to_string()),
                ("tokens", &stats.tokens.to_string()),
                ("kib", &((stats.text_bytes + 1023) / 1024).to_string()),
            ],
        )
    );
    Ok(())
}
