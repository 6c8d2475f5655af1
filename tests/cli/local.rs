//! "On this computer" from the command line (cargo feature `local-models`):
//! the built-in `local` provider is listed, its models are the library's
//! (`models import`), `chat --provider local --model ID` replies through the
//! real `valechat local-runner` on the tiny GGUF of
//! `tests/llamacpp/make_tiny_model.py`, and it cannot be removed;
//! `models load` and `models info --hardware` reach the runner.

use std::path::{Path, PathBuf};

use crate::support::cli::{assert_success, stderr, stdout, valechat_with};

/// Writes the tiny ChatML model into `dir`.
pub(crate) fn tiny_chat_model(dir: &Path) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/llamacpp");
    let python = root.join("venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run tests/llamacpp/install-peers.sh",
        python.display()
    );
    let out = dir.join("tiny-chat.gguf");
    let status = std::process::Command::new(python)
        .arg(root.join("make_tiny_model.py"))
        .args(["--chat-template", "chatml"])
        .arg(&out)
        .status()
        .expect("run make_tiny_model.py");
    assert!(status.success());
    out
}

#[tokio::test]
async fn chat_with_a_library_model_on_this_computer() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let model = tiny_chat_model(dir.path());

    let out = valechat_with(&data, &[], &["providers", "list"]).await;
    assert_success(&out);
    let listed = stdout(&out);
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("local\tOn this computer\tlocal\t")),
        "{listed}"
    );
    let out = valechat_with(&data, &[], &["providers", "models", "local"]).await;
    assert_success(&out);
    assert_eq!(stdout(&out), "", "an empty library offers no model");

    let path = model.to_str().unwrap();
    assert_success(&valechat_with(&data, &[], &["models", "import", "--reference", path]).await);
    let out = valechat_with(&data, &[], &["providers", "models", "local"]).await;
    assert_success(&out);
    assert_eq!(stdout(&out), "tiny-chat\n", "known by its file's name");

    let out = valechat_with(
        &data,
        &[],
        &[
            "chat",
            "--no-tools",
            "--provider",
            "local",
            "--model",
            "tiny-chat",
            "--max-tokens",
            "5",
            "Hello world!",
        ],
    )
    .await;
    assert_success(&out);
    assert!(!stdout(&out).trim().is_empty(), "a reply: {}", stderr(&out));

    let out = valechat_with(
        &data,
        &[],
        &["usage", "--by", "provider", "--format", "json"],
    )
    .await;
    assert_success(&out);
    let usage = stdout(&out);
    assert!(usage.contains("\"local\""), "{usage}");

    let out = valechat_with(&data, &[], &["providers", "remove", "local"]).await;
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("built into ValeChat"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn models_load_checks_and_loads_and_info_hardware_reports_the_cpu() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let model = tiny_chat_model(dir.path());
    let path = model.to_str().unwrap();
    assert_success(&valechat_with(&data, &[], &["models", "import", "--reference", path]).await);

    let out = valechat_with(
        &data,
        &[],
        &["models", "load", "tiny-chat", "--format", "json"],
    )
    .await;
    assert_success(&out);
    let loaded: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(loaded["model"]["model"], "tiny-chat");
    assert!(loaded["model"]["size_bytes"].as_u64().unwrap() > 0);
    let out = valechat_with(&data, &[], &["models", "load", "7"]).await;
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("no model 7 in the library"),
        "{}",
        stderr(&out)
    );

    let out = valechat_with(
        &data,
        &[],
        &["models", "info", "--hardware", "--format", "json"],
    )
    .await;
    assert_success(&out);
    let hardware: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert!(hardware["threads"].as_u64().unwrap() >= 1, "{hardware}");
    assert!(hardware["cpu_features"].is_array(), "{hardware}");
    assert!(
        hardware["devices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d.as_str().unwrap().contains("CPU")),
        "{hardware}"
    );
    let out = valechat_with(&data, &[], &["models", "info", "--hardware"]).await;
    assert_success(&out);
    assert!(
        stdout(&out).starts_with("CPU features: "),
        "{}",
        stdout(&out)
    );
}
