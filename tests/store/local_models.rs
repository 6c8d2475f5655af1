//! The model library on real files and a real database: a tiny GGUF
//! written by `tests/llamacpp/make_tiny_model.py` (gguf-py, the writer
//! llama.cpp ships) imported by copy and by reference, its metadata
//! compared with gguf-py's own reader, kept across a reopen, removed (the
//! copy deleted, the referenced file kept); truncated, corrupt and foreign
//! files refused with nothing copied.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::Command;

use valechat_core::local::library::{self, ImportMode, LibraryError, estimate};
use valechat_core::store::{ModelOrigin, Store};

type TestResult = Result<(), Box<dyn Error>>;

fn python() -> PathBuf {
    let python = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/llamacpp/venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run tests/llamacpp/install-peers.sh (also called by .ci/install-deps)",
        python.display()
    );
    python
}

/// Writes the tiny model to `dir/tiny.gguf`.
fn tiny_model(dir: &Path) -> PathBuf {
    let model = dir.join("tiny.gguf");
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/llamacpp/make_tiny_model.py");
    let status = Command::new(python())
        .arg(script)
        .arg(&model)
        .status()
        .expect("run make_tiny_model.py");
    assert!(status.success(), "make_tiny_model.py failed: {status}");
    model
}

/// The parameter count gguf-py's reader gives for `model`.
fn parameters_by_gguf_py(model: &Path) -> u64 {
    let out = Command::new(python())
        .args([
            "-c",
            "import sys, gguf; r = gguf.GGUFReader(sys.argv[1]); print(sum(int(t.n_elements) for t in r.tensors))",
        ])
        .arg(model)
        .output()
        .expect("run gguf-py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn a_tiny_model_imported_by_copy_and_by_reference_then_removed() -> TestResult {
    let dir = tempfile::tempdir()?;
    let original = tiny_model(dir.path());
    let original_bytes = std::fs::read(&original)?;
    let models = dir.path().join("data/models");
    let db = dir.path().join("valechat.db");
    let store = Store::open(&db).await?;

    let copied = library::import(&store, &original, ImportMode::Copy, &models).await?;
    assert_eq!(copied.origin, ModelOrigin::Copied);
    assert_eq!(copied.path, models.join("tiny.gguf"));
    assert_eq!(
        std::fs::read(&copied.path)?,
        original_bytes,
        "a byte-for-byte copy"
    );
    assert_eq!(files_in(&models), ["tiny.gguf"], "no .part left");
    let m = &copied.metadata;
    assert_eq!(m.architecture, "llama");
    assert_eq!(m.name.as_deref(), Some("valechat-tiny-random"));
    assert_eq!(m.quantization, "F32");
    assert_eq!(m.parameters, parameters_by_gguf_py(&original));
    assert_eq!(
        (m.context_length, m.embedding_length, m.layers),
        (Some(256), Some(64), Some(2))
    );
    assert_eq!((m.attention_heads, m.kv_heads), (Some(4), Some(4)));
    assert_eq!(m.size_bytes, original_bytes.len() as u64);
    assert_eq!(m.chat_template, None, "the tiny model has none");
    // 2 (K, V) × 2 layers × 256 tokens × 4 KV heads × 16 (64 / 4) × 2 bytes.
    let memory = estimate(m, None);
    assert_eq!(
        (memory.context_length, memory.kv_cache_bytes),
        (256, 131_072)
    );
    assert_eq!(memory.total_bytes(), m.size_bytes + 131_072);

    // A second copy gets a free name.
    let second = library::import(&store, &original, ImportMode::Copy, &models).await?;
    assert_eq!(second.path, models.join("tiny-2.gguf"));

    let referenced = library::import(&store, &original, ImportMode::Reference, &models).await?;
    assert_eq!(referenced.origin, ModelOrigin::Referenced);
    assert_eq!(referenced.path, original.canonicalize()?);
    let again = library::import(&store, &original, ImportMode::Reference, &models).await;
    assert!(
        matches!(again, Err(LibraryError::AlreadyThere { ref model_id, .. }) if *model_id == referenced.model_id),
        "{again:?}"
    );
    // Copying a file the library already holds is refused too.
    let copy_of_referenced = library::import(&store, &original, ImportMode::Copy, &models).await;
    assert!(matches!(
        copy_of_referenced,
        Err(LibraryError::AlreadyThere { .. })
    ));

    // Kept across a reopen, metadata included.
    drop(store);
    let store = Store::open(&db).await?;
    let listed = store.local_models().await?;
    assert_eq!(
        listed.iter().map(|l| l.id).collect::<Vec<_>>(),
        [copied.id, second.id, referenced.id]
    );
    // Each is known by its file's name, made unique: the referenced
    // original is a third "tiny".
    assert_eq!(
        listed
            .iter()
            .map(|l| l.model_id.as_str())
            .collect::<Vec<_>>(),
        ["tiny", "tiny-2", "tiny-3"]
    );
    assert_eq!(
        store.local_model_by_model_id("tiny-3").await?.as_ref(),
        Some(&listed[2])
    );
    assert_eq!(store.local_model_by_model_id("3").await?, None);
    assert_eq!(listed[0].metadata, copied.metadata);

    library::remove(&store, copied.id).await?;
    assert!(!copied.path.exists(), "a copied file is deleted");
    library::remove(&store, referenced.id).await?;
    assert_eq!(
        std::fs::read(&original)?,
        original_bytes,
        "a referenced file is never deleted"
    );
    assert!(matches!(
        library::remove(&store, referenced.id).await,
        Err(LibraryError::NoSuchModel(_))
    ));
    assert_eq!(store.local_models().await?.len(), 1);
    assert!(second.path.exists(), "the other copy stays");
    Ok(())
}

#[tokio::test]
async fn truncated_corrupt_and_foreign_files_are_refused_and_nothing_is_copied() -> TestResult {
    let dir = tempfile::tempdir()?;
    let original = tiny_model(dir.path());
    let bytes = std::fs::read(&original)?;
    let models = dir.path().join("models");
    let store = Store::open(&dir.path().join("valechat.db")).await?;

    let truncated = dir.path().join("truncated.gguf");
    std::fs::write(&truncated, &bytes[..1000])?; // inside the vocabulary
    let mut corrupt_bytes = bytes.clone();
    corrupt_bytes[16..24].copy_from_slice(&u64::MAX.to_le_bytes()); // the metadata count
    let corrupt = dir.path().join("corrupt.gguf");
    std::fs::write(&corrupt, &corrupt_bytes)?;
    let foreign = dir.path().join("notes.gguf");
    std::fs::write(&foreign, "these are not weights")?;
    let empty = dir.path().join("empty.gguf");
    std::fs::write(&empty, "")?;
    let missing = dir.path().join("missing.gguf");

    for (path, expected) in [
        (&truncated, "truncated"),
        (&corrupt, "corrupt"),
        (&foreign, "not a GGUF file"),
        (&empty, "truncated"),
        (&missing, "No such file"),
    ] {
        for mode in [ImportMode::Copy, ImportMode::Reference] {
            let err = library::import(&store, path, mode, &models)
                .await
                .expect_err("refused");
            let text = err.to_string();
            assert!(text.contains(expected), "{}: {text}", path.display());
            assert!(
                text.contains(&*path.file_name().unwrap().to_string_lossy()),
                "{text}"
            );
        }
    }
    assert!(
        files_in(&models).is_empty(),
        "nothing copied: {:?}",
        files_in(&models)
    );
    assert!(store.local_models().await?.is_empty());
    Ok(())
}
