//! A real llama.cpp server (llama-cpp-python's OpenAI-compatible
//! `llama_cpp.server`) with a tiny random-weights model written offline by
//! `tests/llamacpp/make_tiny_model.py`, reached through the llama.cpp preset.
//!
//! The peers live in `tests/llamacpp/venv` (installed by
//! `tests/llamacpp/install-peers.sh`, which `.ci/install-deps` calls); when
//! they are missing the test fails with that hint rather than skipping.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use futures::StreamExt;
use tokio::process::{Child, Command};
use tokio_util::sync::CancellationToken;
use valechat_core::provider::openai::{OpenAiConfig, OpenAiProvider};
use valechat_core::provider::{
    ChatEvent, ChatMessage, ChatProvider, ChatRequest, FinishReason, ProtocolKind, Role, presets,
};

/// Longest the server may take to load the model and answer `/v1/models`.
const STARTUP: Duration = Duration::from_secs(90);
/// Longest one reply of at most 8 tokens may take.
const REPLY: Duration = Duration::from_secs(60);

fn peers() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/llamacpp")
}

/// The venv's Python, or a failure saying how to install it.
fn python() -> PathBuf {
    let python = peers().join("venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run tests/llamacpp/install-peers.sh (also called by .ci/install-deps)",
        python.display()
    );
    python
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local addr").port()
}

/// Writes the tiny model into `dir` and returns its path.
async fn tiny_model(python: &Path, dir: &Path) -> PathBuf {
    let model = dir.join("tiny.gguf");
    let status = Command::new(python)
        .arg(peers().join("make_tiny_model.py"))
        .arg(&model)
        .status()
        .await
        .expect("run make_tiny_model.py");
    assert!(status.success(), "make_tiny_model.py failed: {status}");
    model
}

/// Starts `python -m llama_cpp.server` on `port`; killed when dropped.
fn start_server(python: &Path, model: &Path, port: u16, log: &Path) -> Child {
    let log = std::fs::File::create(log).expect("server log");
    Command::new(python)
        .args([
            "-m",
            "llama_cpp.server",
            "--host",
            "127.0.0.1",
            "--n_ctx",
            "256",
        ])
        .arg("--port")
        .arg(port.to_string())
        .arg("--model")
        .arg(model)
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log handle"))
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("start llama_cpp.server")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_llamacpp_preset_lists_models_and_streams_a_reply() {
    let python = python();
    let dir = tempfile::tempdir().expect("temp dir");
    let model = tiny_model(&python, dir.path()).await;
    let port = free_port();
    let log = dir.path().join("server.log");
    let mut server = start_server(&python, &model, port, &log);

    let preset = presets::find("llamacpp").expect("the llama.cpp preset");
    assert_eq!(preset.kind, ProtocolKind::OpenAiCompatible);
    assert!(!preset.needs_key);
    let base_url = preset
        .base_url
        .replace("localhost:8080", &format!("127.0.0.1:{port}"));
    let provider = OpenAiProvider::new(OpenAiConfig::new(base_url, None)).expect("config");

    // The server lists the model under its path once it has loaded it.
    let started = tokio::time::Instant::now();
    let models = loop {
        if let Some(status) = server.try_wait().expect("server status") {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            panic!("llama_cpp.server exited ({status}):\n{log}");
        }
        match provider.list_models().await {
            Ok(models) => break models,
            Err(e) if started.elapsed() < STARTUP => {
                tracing::debug!("server not ready yet: {e}");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => panic!("the server did not come up within {STARTUP:?}: {e}"),
        }
    };
    let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, [model.to_string_lossy().as_ref()]);

    let request = ChatRequest {
        model: models[0].id.clone(),
        messages: vec![ChatMessage::new(Role::User, "Say something.")],
        max_output_tokens: Some(8),
        ..ChatRequest::default()
    };
    let stream = tokio::time::timeout(
        REPLY,
        provider.stream_chat(request, CancellationToken::new()),
    )
    .await
    .expect("no reply head in time")
    .expect("the stream opens");
    let events: Vec<_> = tokio::time::timeout(REPLY, stream.collect::<Vec<_>>())
        .await
        .expect("the reply did not end in time");
    let mut text = String::new();
    let mut finish = None;
    let mut usage = None;
    for event in events {
        match event.expect("no stream error") {
            ChatEvent::TextDelta(t) => text.push_str(&t),
            ChatEvent::Finished(reason) => finish = Some(reason),
            ChatEvent::Usage(u) => usage = Some(u),
            _ => {}
        }
    }
    // Random weights: gibberish made of the vocabulary's letters and spaces.
    assert!(!text.trim().is_empty(), "empty reply");
    assert!(
        text.chars().all(|c| c == ' ' || c.is_ascii_lowercase()),
        "{text:?}"
    );
    // The tiny vocabulary has no way to stop early: 8 tokens, cut for length.
    assert_eq!(finish, Some(FinishReason::Length));
    // llama-cpp-python 0.3.36 sends no usage chunk in a stream, even though
    // ValeChat asks with `stream_options.include_usage` (the engine then
    // estimates the tokens); this pins what the server does.
    assert_eq!(usage, None, "llama_cpp.server now reports usage");

    server.kill().await.expect("stop the server");
}
