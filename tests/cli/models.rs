//! `valechat models …` against a local server standing in for Hugging
//! Face: its tree API lists the file's SHA-256 and size (`lfs.oid`,
//! `lfs.size`) and `/resolve/` serves the bytes with `Range` support. The
//! model is the tiny GGUF of `tests/llamacpp/make_tiny_model.py`.
//!
//! Covered: progress, the model added with its hash; a download cut
//! mid-body resumed from the bytes on disk (the server sees the `Range`);
//! a wrong hash refused and the file removed; a size larger than the free
//! space refused before any byte is asked for; a write to a full file
//! system (`/dev/full`, which fails every write with `ENOSPC`) reported as
//! a full disk; import, list, info and remove through the binary.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::models_hub::{FILE, Hub, REPO, sha256_hex};
use crate::support::cli::{assert_success, stderr, stdout, valechat_with};
use valechat_core::local::library::download::{self, DownloadError, HfFile, RemoteFile};

fn tiny_model(dir: &Path) -> Vec<u8> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/llamacpp");
    let python = root.join("venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run tests/llamacpp/install-peers.sh",
        python.display()
    );
    let out = dir.join("made.gguf");
    let status = std::process::Command::new(python)
        .arg(root.join("make_tiny_model.py"))
        .arg(&out)
        .status()
        .expect("run make_tiny_model.py");
    assert!(status.success());
    std::fs::read(out).expect("read the tiny model")
}

async fn download_cmd(data: &Path, hub: &str) -> std::process::Output {
    valechat_with(
        data,
        &[("VALECHAT_HF_ENDPOINT", hub)],
        &["models", "download", REPO, FILE],
    )
    .await
}

fn list_json(out: &std::process::Output) -> Vec<serde_json::Value> {
    serde_json::from_str(&stdout(out)).expect("list --format json is JSON")
}

#[tokio::test]
async fn a_download_shows_progress_checks_the_hash_and_joins_the_library() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = tiny_model(dir.path());
    let hub = Arc::new(Hub::new(bytes.clone()));
    let url = hub.start().await;
    let data = dir.path().join("data");

    let out = download_cmd(&data, &url).await;
    assert_success(&out);
    let err = stderr(&out);
    assert!(
        err.contains("  0% ") && err.contains("100% "),
        "progress: {err}"
    );
    assert!(
        err.lines().filter(|l| l.contains("% ")).count() >= 3,
        "{err}"
    );
    assert!(stdout(&out).contains("checked"), "{}", stdout(&out));
    let file = data.join("models").join(FILE);
    assert_eq!(std::fs::read(&file).unwrap(), bytes);
    assert!(!data.join("models/tiny.gguf.part").exists());
    assert_eq!(*hub.ranges.lock().unwrap(), [None]);

    let listed =
        list_json(&valechat_with(&data, &[], &["models", "list", "--format", "json"]).await);
    assert_eq!(listed.len(), 1);
    let model = &listed[0];
    assert_eq!(model["origin"], "downloaded");
    assert_eq!(model["sha256"], hub.listed_sha256.as_str());
    assert_eq!(model["source"], format!("hf:{REPO}/{FILE}@main"));
    assert_eq!(model["metadata"]["architecture"], "llama");
    assert_eq!(model["memory"]["kv_cache_bytes"], 131_072);
    let id = model["id"].as_str().unwrap().to_owned();
    assert_eq!(id, "tiny", "known by its file's name");

    let info = valechat_with(
        &data,
        &[],
        &[
            "models",
            "info",
            &id,
            "--context",
            "128",
            "--format",
            "json",
        ],
    )
    .await;
    assert_success(&info);
    let info: serde_json::Value = serde_json::from_str(&stdout(&info)).unwrap();
    assert_eq!(info["memory"]["kv_cache_bytes"], 65_536);
    let table = valechat_with(&data, &[], &["models", "info", &id]).await;
    assert!(
        stdout(&table).contains("Quantization: F32"),
        "{}",
        stdout(&table)
    );

    // The same file again: refused, the first one untouched.
    let again = download_cmd(&data, &url).await;
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );

    // Remove asks for --yes, then deletes the downloaded file.
    let ask = valechat_with(&data, &[], &["models", "remove", &id]).await;
    assert_success(&ask);
    assert!(stdout(&ask).contains("--yes") && file.exists());
    assert_success(&valechat_with(&data, &[], &["models", "remove", &id, "--yes"]).await);
    assert!(!file.exists());
    assert!(
        list_json(&valechat_with(&data, &[], &["models", "list", "--format", "json"]).await)
            .is_empty()
    );
}

#[tokio::test]
async fn a_cut_download_resumes_from_the_bytes_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = tiny_model(dir.path());
    let half = bytes.len() / 2;
    let mut hub = Hub::new(bytes.clone());
    hub.cut_at = Some(half);
    let hub = Arc::new(hub);
    let url = hub.start().await;
    let data = dir.path().join("data");
    let part = data.join("models/tiny.gguf.part");

    let cut = download_cmd(&data, &url).await;
    assert!(!cut.status.success());
    assert!(
        stderr(&cut).contains("run it again to resume"),
        "{}",
        stderr(&cut)
    );
    assert_eq!(
        std::fs::metadata(&part).unwrap().len(),
        half as u64,
        "the bytes received are kept"
    );

    let resumed = download_cmd(&data, &url).await;
    assert_success(&resumed);
    assert!(
        stderr(&resumed).contains(&format!("Resuming from {} ", crate_size(half))),
        "{}",
        stderr(&resumed)
    );
    assert_eq!(
        *hub.ranges.lock().unwrap(),
        [None, Some(format!("bytes={half}-"))]
    );
    assert_eq!(
        std::fs::read(data.join("models").join(FILE)).unwrap(),
        bytes
    );
    assert!(!part.exists());
}

/// The CLI's size text (powers of 1,000, one decimal).
fn crate_size(bytes: usize) -> String {
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    if bytes >= 1_000_000 {
        format!("{:.1} MB", b / 1e6)
    } else {
        format!("{:.1} kB", b / 1e3)
    }
}

#[tokio::test]
async fn a_wrong_hash_is_refused_and_the_file_removed() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = tiny_model(dir.path());
    let mut hub = Hub::new(bytes);
    hub.listed_sha256 = sha256_hex(b"other bytes");
    let hub = Arc::new(hub);
    let url = hub.start().await;
    let data = dir.path().join("data");

    let out = download_cmd(&data, &url).await;
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("SHA-256") && err.contains(&hub.listed_sha256) && err.contains("removed"),
        "{err}"
    );
    let left: Vec<_> = std::fs::read_dir(data.join("models")).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
    assert!(
        list_json(&valechat_with(&data, &[], &["models", "list", "--format", "json"]).await)
            .is_empty()
    );
}

#[tokio::test]
async fn a_file_larger_than_the_free_space_is_refused_before_downloading() {
    let dir = tempfile::tempdir().unwrap();
    let mut hub = Hub::new(b"GGUF".to_vec());
    hub.listed_size = 1 << 60; // an exbibyte
    let hub = Arc::new(hub);
    let url = hub.start().await;
    let data = dir.path().join("data");

    let out = download_cmd(&data, &url).await;
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("not enough free space"),
        "{}",
        stderr(&out)
    );
    assert!(
        hub.ranges.lock().unwrap().is_empty(),
        "no byte was asked for"
    );
}

#[tokio::test]
async fn a_full_disk_while_writing_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = tiny_model(dir.path());
    let hub = Arc::new(Hub::new(bytes.clone()));
    let url = hub.start().await;
    let file = HfFile::new(&url, REPO, FILE).unwrap();
    let remote = RemoteFile {
        size: bytes.len() as u64,
        sha256: hub.listed_sha256.clone(),
    };
    let result = download::fetch(
        &download::client().unwrap(),
        &file,
        &remote,
        Path::new("/dev/full"),
        &CancellationToken::new(),
        &mut |_| {},
    )
    .await;
    match result {
        Err(e @ DownloadError::DiskFull { .. }) => {
            assert!(e.to_string().contains("the disk is full"), "{e}");
        }
        other => panic!("expected a full disk, got {other:?}"),
    }
}

#[tokio::test]
async fn import_list_and_remove_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = tiny_model(dir.path());
    let original = dir.path().join("mine.gguf");
    std::fs::write(&original, &bytes).unwrap();
    let data = dir.path().join("data");
    let path = original.to_str().unwrap();

    let empty = valechat_with(&data, &[], &["models", "list"]).await;
    assert_success(&empty);
    assert!(stdout(&empty).contains("No models on this computer yet"));

    let copied = valechat_with(&data, &[], &["models", "import", path]).await;
    assert_success(&copied);
    assert!(
        stdout(&copied).contains("valechat-tiny-random"),
        "{}",
        stdout(&copied)
    );
    let referenced = valechat_with(&data, &[], &["models", "import", path, "--reference"]).await;
    assert_success(&referenced);
    let twice = valechat_with(&data, &[], &["models", "import", path, "--reference"]).await;
    assert!(!twice.status.success() && stderr(&twice).contains("already in the library"));
    let bad = dir.path().join("bad.gguf");
    std::fs::write(&bad, &bytes[..100]).unwrap();
    let refused = valechat_with(&data, &[], &["models", "import", bad.to_str().unwrap()]).await;
    assert!(
        !refused.status.success() && stderr(&refused).contains("truncated"),
        "{}",
        stderr(&refused)
    );

    let table = stdout(&valechat_with(&data, &[], &["models", "list"]).await);
    assert!(
        table.contains("copied") && table.contains("referenced") && table.contains("F32"),
        "{table}"
    );
    let listed =
        list_json(&valechat_with(&data, &[], &["models", "list", "--format", "json"]).await);
    assert_eq!(listed.len(), 2);
    for model in &listed {
        let id = model["id"].as_str().unwrap().to_owned();
        assert_success(&valechat_with(&data, &[], &["models", "remove", &id, "--yes"]).await);
    }
    assert_eq!(
        std::fs::read(&original).unwrap(),
        bytes,
        "the referenced original stays"
    );
    assert!(
        !data.join("models/mine.gguf").exists(),
        "the copy is deleted"
    );
    let missing = valechat_with(&data, &[], &["models", "info", "99"]).await;
    assert!(!missing.status.success() && stderr(&missing).contains("no model 99 in the library"));
}
