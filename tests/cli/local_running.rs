//! `valechat models loaded|unload` ask the running window over D-Bus (its
//! `io.github.valechat.ValeChat.LocalModels` object): with no window they
//! say ValeChat is not running (`loaded` succeeds, `unload` fails); with
//! the real window started headless (Xvfb of `tests/run-in-session.sh`)
//! they reach its engine. A model loaded in the window is covered by
//! `tests/ui/test_local_models.py`. `models embed` runs the tiny GGUF in
//! the command's own runner.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::cli::{assert_success, stderr, stdout, valechat_with};

use super::local::tiny_chat_model;

const NOT_RUNNING: &str = "ValeChat is not running: no model is loaded";

/// Starts the window on the test's session with its data in `data`.
fn start_window(data: &Path) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_valechat"))
        .env("VALECHAT_DATA_DIR", data)
        .env("GDK_BACKEND", "x11")
        .env("GSK_RENDERER", "cairo")
        .env("RUST_LOG", "off")
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the window")
}

#[tokio::test]
async fn models_loaded_and_unload_ask_the_running_window() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "run inside tests/run-in-session.sh (it needs a display and a session bus)"
    );
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    // No window: `loaded` says so and succeeds; `unload` fails.
    let out = valechat_with(&data, &[], &["models", "loaded"]).await;
    assert_success(&out);
    assert_eq!(stdout(&out).trim(), NOT_RUNNING);
    let out = valechat_with(&data, &[], &["models", "loaded", "--format", "json"]).await;
    assert_success(&out);
    assert_eq!(stdout(&out).trim(), "[]");
    let out = valechat_with(&data, &[], &["models", "unload", "tiny-chat"]).await;
    assert!(!out.status.success());
    assert!(stderr(&out).contains(NOT_RUNNING), "{}", stderr(&out));

    // The window, once its engine is ready, answers for it.
    let mut window = start_window(&data);
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let out = valechat_with(&data, &[], &["models", "loaded"]).await;
        if out.status.success() && stdout(&out).trim() == "No model is loaded in ValeChat." {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the window never answered: {} {}",
            stdout(&out),
            stderr(&out)
        );
        assert!(window.try_wait().unwrap().is_none(), "the window ended");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let out = valechat_with(&data, &[], &["models", "loaded", "--format", "json"]).await;
    assert_success(&out);
    let listed: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(listed, serde_json::json!([]));
    let out = valechat_with(&data, &[], &["models", "unload", "tiny-chat"]).await;
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("model tiny-chat is not loaded"),
        "{}",
        stderr(&out)
    );

    window.kill().await.unwrap();
    let out = valechat_with(&data, &[], &["models", "loaded"]).await;
    assert_success(&out);
    assert_eq!(stdout(&out).trim(), NOT_RUNNING);
}

#[tokio::test]
async fn models_embed_prints_one_unit_vector_per_text() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let model = tiny_chat_model(dir.path());
    let path = model.to_str().unwrap();
    assert_success(&valechat_with(&data, &[], &["models", "import", "--reference", path]).await);

    let args = [
        "models",
        "embed",
        "tiny-chat",
        "hello world",
        "tell me a story",
    ];
    let out = valechat_with(&data, &[], &[&args[..], &["--format", "json"]].concat()).await;
    assert_success(&out);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(json["dimensions"], 64);
    let vectors = json["embeddings"].as_array().unwrap();
    assert_eq!(vectors.len(), 2);
    for v in vectors {
        let norm: f64 = v
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap().powi(2))
            .sum::<f64>()
            .sqrt();
        assert!((norm - 1.0).abs() < 1e-3, "{norm}");
    }
    let out = valechat_with(&data, &[], &args).await;
    assert_success(&out);
    let table = stdout(&out);
    assert!(table.starts_with("2 vectors of 64 dimensions"), "{table}");
    assert_eq!(table.lines().count(), 3, "{table}");

    // The tiny model's trained context, 256 tokens, is the limit per text.
    let long = "hello world ".repeat(400);
    let out = valechat_with(&data, &[], &["models", "embed", "tiny-chat", "fine", &long]).await;
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("text 2 has") && err.contains("at most 256"),
        "{err}"
    );
    let out = valechat_with(&data, &[], &["models", "embed", "9", "x"]).await;
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("no model 9 in the library"),
        "{}",
        stderr(&out)
    );
}
