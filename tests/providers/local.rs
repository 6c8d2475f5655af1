//! "On this computer": llama.cpp inside ValeChat. The real `valechat
//! local-runner` (the binary under test) runs tiny random-weights GGUF
//! models written by `tests/llamacpp/make_tiny_model.py` (with a chat
//! template and a vocabulary that tokenizes real text); token ids are
//! compared with llama-cpp-python's (the llama.cpp of the server test, in
//! `tests/llamacpp/venv`) on the same file.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use tokio::process::Command;
use tokio_util::sync::CancellationToken;
use valechat_core::local::client::{ClientError, RunnerClient, RunnerCommand};
use valechat_core::local::protocol::{Message, Op, RunnerError, Sampling};
use valechat_core::local::provider::{LocalModel, LocalOptions, LocalProvider};
use valechat_core::provider::{
    ChatEvent, ChatMessage, ChatProvider, ChatRequest, FinishReason, ProviderError, Role,
};

/// Longest one step (a load, a short reply) may take.
pub(crate) const STEP: Duration = Duration::from_secs(60);

fn peers() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/llamacpp")
}

fn python() -> PathBuf {
    let python = peers().join("venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run tests/llamacpp/install-peers.sh (also called by .ci/install-deps)",
        python.display()
    );
    python
}

/// Writes a tiny model into `dir/name` with the script's extra `args`.
pub(crate) async fn tiny(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let status = Command::new(python())
        .arg(peers().join("make_tiny_model.py"))
        .args(args)
        .arg(&path)
        .status()
        .await
        .expect("run make_tiny_model.py");
    assert!(status.success(), "make_tiny_model.py failed: {status}");
    path
}

pub(crate) fn client() -> Arc<RunnerClient> {
    Arc::new(RunnerClient::new(RunnerCommand {
        program: PathBuf::from(env!("CARGO_BIN_EXE_valechat")),
        args: vec!["local-runner".into()],
    }))
}

pub(crate) fn provider(models: &[(&str, &Path)]) -> LocalProvider {
    provider_with_context(models, 256)
}

/// A provider whose models get `context_length` tokens (above the tiny
/// model's trained 256, a reply without an output limit runs long enough
/// to be stopped or killed in its middle).
pub(crate) fn provider_with_context(
    models: &[(&str, &Path)],
    context_length: u32,
) -> LocalProvider {
    let models = models
        .iter()
        .map(|(id, path)| LocalModel {
            id: (*id).to_owned(),
            path: path.to_path_buf(),
            name: None,
        })
        .collect();
    let options = LocalOptions {
        context_length: Some(context_length),
        threads: Some(1),
        gpu_layers: 0,
        sampling: Sampling {
            seed: Some(7),
            ..Sampling::default()
        },
        ..LocalOptions::default()
    };
    LocalProvider::new(client(), models, options)
}

pub(crate) fn request(model: &str, text: &str, max_output_tokens: Option<u32>) -> ChatRequest {
    ChatRequest {
        model: model.to_owned(),
        messages: vec![ChatMessage::new(Role::User, text)],
        max_output_tokens,
        ..ChatRequest::default()
    }
}

fn user(text: &str) -> Vec<Message> {
    vec![Message::new("user", text)]
}

/// Collects a whole reply: its text, finish reason, usage, and the error it ended with.
pub(crate) async fn collect(
    provider: &LocalProvider,
    request: ChatRequest,
) -> (
    String,
    Option<FinishReason>,
    Option<valechat_core::provider::Usage>,
) {
    let mut stream = tokio::time::timeout(
        STEP,
        provider.stream_chat(request, CancellationToken::new()),
    )
    .await
    .expect("reply started in time")
    .expect("reply started");
    let (mut text, mut finish, mut usage) = (String::new(), None, None);
    while let Some(event) = tokio::time::timeout(STEP, stream.next())
        .await
        .expect("event in time")
    {
        match event.expect("no error mid-reply") {
            ChatEvent::TextDelta(t) => text.push_str(&t),
            ChatEvent::Finished(f) => finish = Some(f),
            ChatEvent::Usage(u) => usage = Some(u),
            _ => {}
        }
    }
    (text, finish, usage)
}

pub(crate) async fn stream_error(provider: &LocalProvider, request: ChatRequest) -> ProviderError {
    match tokio::time::timeout(
        STEP,
        provider.stream_chat(request, CancellationToken::new()),
    )
    .await
    .expect("answered in time")
    {
        Ok(_) => panic!("the request should have failed"),
        Err(e) => e,
    }
}

#[tokio::test]
async fn a_reply_streams_with_exact_usage_and_the_template_applied() {
    let dir = tempfile::tempdir().unwrap();
    let chatml = tiny(dir.path(), "chatml.gguf", &["--chat-template", "chatml"]).await;
    let provider = provider(&[("tiny-chatml", &chatml)]);
    let (text, finish, usage) =
        collect(&provider, request("tiny-chatml", "Hello world!", Some(8))).await;
    assert!(!text.is_empty(), "some text streamed");
    assert_eq!(
        finish,
        Some(FinishReason::Length),
        "8 tokens asked, 8 given"
    );
    let usage = usage.expect("usage reported");
    assert_eq!(usage.output_tokens, 8);

    // The prompt that reached the model: llama.cpp's own ChatML.
    let client = provider.client();
    let applied = client
        .request(Op::ApplyTemplate {
            model: "tiny-chatml".into(),
            messages: user("Hello world!"),
            tools: Vec::new(),
        })
        .await
        .unwrap();
    let prompt = applied["prompt"].as_str().unwrap();
    assert_eq!(
        prompt,
        "<|im_start|>user\nHello world!<|im_end|>\n<|im_start|>assistant\n"
    );
    assert_eq!(applied["template"], "llama.cpp");
    // Input tokens are those of that prompt (BOS added, specials parsed).
    let tokens = client
        .request(Op::Tokenize {
            model: "tiny-chatml".into(),
            text: prompt.into(),
            add_special: true,
            parse_special: true,
        })
        .await
        .unwrap();
    let count = tokens["tokens"].as_array().unwrap().len() as u64;
    assert_eq!(usage.input_tokens, count);
    assert_eq!(
        tokens["tokens"][1], 312,
        "<|im_start|> is one control token"
    );
}

#[tokio::test]
async fn a_template_llama_cpp_does_not_know_goes_through_jinja() {
    let dir = tempfile::tempdir().unwrap();
    let custom = tiny(dir.path(), "custom.gguf", &["--chat-template", "custom"]).await;
    let plain = tiny(dir.path(), "plain.gguf", &[]).await;
    let provider = provider(&[("tiny-custom", &custom), ("tiny-plain", &plain)]);
    provider.load("tiny-custom").await.unwrap();
    let applied = provider
        .client()
        .request(Op::ApplyTemplate {
            model: "tiny-custom".into(),
            messages: user("Tell me a story"),
            tools: Vec::new(),
        })
        .await
        .unwrap();
    assert_eq!(applied["template"], "jinja");
    assert_eq!(
        applied["prompt"],
        "<s>### USER:\nTell me a story\n### ASSISTANT:\n"
    );
    let (_, finish, usage) = collect(
        &provider,
        request("tiny-custom", "Tell me a story", Some(3)),
    )
    .await;
    assert_eq!(finish, Some(FinishReason::Length));
    assert_eq!(usage.unwrap().output_tokens, 3);

    // raise_exception in the template is a clear error.
    let mut bad = request("tiny-custom", "x", Some(3));
    bad.messages = vec![ChatMessage::new(Role::Assistant, "I start")];
    let error = stream_error(&provider, bad).await;
    assert!(
        matches!(&error, ProviderError::Config(m) if m.contains("must start with a user")),
        "{error:?}"
    );
    // No template: an error naming the model.
    let error = stream_error(&provider, request("tiny-plain", "hi", Some(3))).await;
    assert!(
        matches!(&error, ProviderError::Config(m) if m.contains("tiny-plain") && m.contains("no chat template")),
        "{error:?}"
    );
}

#[tokio::test]
async fn token_ids_equal_llama_cpp_pythons() {
    let dir = tempfile::tempdir().unwrap();
    let chatml = tiny(dir.path(), "chatml.gguf", &["--chat-template", "chatml"]).await;
    let texts = [
        "Hello world!",
        "Tell me a short story, please.",
        "What is the model? 42 (yes) - no; thank you",
        "<|im_start|>user\nhow are you<|im_end|>",
        "naïve café ✓ 日本",
        "",
    ];
    let provider = provider(&[("m", &chatml)]);
    provider.load("m").await.unwrap();
    let mut ours = Vec::new();
    for text in texts {
        let reply = provider
            .client()
            .request(Op::Tokenize {
                model: "m".into(),
                text: text.into(),
                add_special: true,
                parse_special: true,
            })
            .await
            .unwrap();
        ours.push(reply["tokens"].clone());
    }
    let script = r#"
import json, sys, llama_cpp
texts = json.loads(sys.argv[2])
m = llama_cpp.Llama(sys.argv[1], vocab_only=True, verbose=False)
print(json.dumps([m.tokenize(t.encode(), add_bos=True, special=True) for t in texts]))
"#;
    let out = Command::new(python())
        .args(["-c", script])
        .arg(&chatml)
        .arg(serde_json::to_string(&texts).unwrap())
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(serde_json::Value::Array(ours), theirs);
    // Real text is words, not letters: "world" is one token.
    assert_eq!(
        theirs[0].as_array().unwrap().len(),
        8,
        "BOS and 7: {theirs}"
    );
}

#[tokio::test]
async fn stop_ends_the_reply_at_once_and_the_runner_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let chatml = tiny(dir.path(), "chatml.gguf", &["--chat-template", "chatml"]).await;
    let provider = provider_with_context(&[("m", &chatml)], 8192);
    let cancel = CancellationToken::new();
    let mut stream = provider
        .stream_chat(request("m", "Tell me a story", None), cancel.clone())
        .await
        .unwrap();
    loop {
        match tokio::time::timeout(STEP, stream.next()).await.unwrap() {
            Some(Ok(ChatEvent::TextDelta(_))) => break,
            Some(Ok(_)) => {}
            other => panic!("expected text first, got {other:?}"),
        }
    }
    cancel.cancel();
    let stopped = std::time::Instant::now();
    let mut after = Vec::new();
    while let Some(event) = tokio::time::timeout(STEP, stream.next()).await.unwrap() {
        after.push(event);
        if after.last().unwrap().is_err() {
            break;
        }
    }
    assert!(
        matches!(after.last(), Some(Err(ProviderError::Cancelled))),
        "{after:?}"
    );
    assert!(
        stopped.elapsed() < Duration::from_secs(2),
        "{:?}",
        stopped.elapsed()
    );
    // The runner stopped generating and serves the next reply.
    let (_, finish, _) = collect(&provider, request("m", "hi", Some(2))).await;
    assert_eq!(finish, Some(FinishReason::Length));
}

#[tokio::test]
async fn two_models_load_list_and_unload() {
    let dir = tempfile::tempdir().unwrap();
    let chatml = tiny(dir.path(), "chatml.gguf", &["--chat-template", "chatml"]).await;
    let custom = tiny(dir.path(), "custom.gguf", &["--chat-template", "custom"]).await;
    let provider = provider(&[("a", &chatml), ("b", &custom)]);
    provider.load("a").await.unwrap();
    provider.load("b").await.unwrap();
    let client = provider.client();
    let list = client.request(Op::List).await.unwrap();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["model"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(list[0]["context_length"], 256);
    assert!(list[0]["parameters"].as_u64().unwrap() > 10_000);
    client.unload("a").await.unwrap();
    let list = client.request(Op::List).await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(
        client.unload("a").await,
        Err(ClientError::Runner(RunnerError::NotLoaded {
            model: "a".into()
        }))
    );
    // Generating with an unloaded model loads it again.
    let (_, finish, _) = collect(&provider, request("a", "hi", Some(2))).await;
    assert_eq!(finish, Some(FinishReason::Length));

    let acceleration = client.request(Op::Acceleration).await.unwrap();
    assert!(acceleration["threads"].as_u64().unwrap() >= 1);
    assert!(
        acceleration["devices"].to_string().contains("CPU"),
        "{acceleration}"
    );

    let embedded = client
        .request(Op::Embed {
            model: "b".into(),
            texts: vec!["hello world".into(), "tell me a story".into()],
        })
        .await
        .unwrap();
    let vectors = embedded["embeddings"].as_array().unwrap();
    assert_eq!(vectors.len(), 2);
    for v in vectors {
        let v: Vec<f64> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        assert_eq!(v.len(), 64, "the embedding length of the model");
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3, "normalised: {norm}");
    }
    assert_ne!(vectors[0], vectors[1]);
}

#[tokio::test]
async fn bad_files_and_long_conversations_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let chatml = tiny(dir.path(), "chatml.gguf", &["--chat-template", "chatml"]).await;
    let frob = tiny(dir.path(), "frob.gguf", &["--architecture", "frobnicator"]).await;
    let text = dir.path().join("notes.gguf");
    std::fs::write(&text, "not a model").unwrap();
    let truncated = dir.path().join("truncated.gguf");
    let bytes = std::fs::read(&chatml).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let provider = provider(&[
        ("good", &chatml),
        ("frob", &frob),
        ("text", &text),
        ("truncated", &truncated),
    ]);
    let cases = [
        ("text", "not a GGUF model file"),
        ("truncated", "could not load"),
        ("frob", "frobnicator"),
    ];
    for (model, words) in cases {
        let error = stream_error(&provider, request(model, "hi", Some(2))).await;
        assert!(
            matches!(&error, ProviderError::Config(m) if m.contains(words)),
            "{model}: {error:?}"
        );
    }
    let error = stream_error(&provider, request("nowhere", "hi", Some(2))).await;
    assert!(matches!(error, ProviderError::NotFound { .. }), "{error:?}");

    // A conversation longer than the 256-token context.
    let long = "the model is a chat ".repeat(80);
    let error = stream_error(&provider, request("good", &long, Some(2))).await;
    let ProviderError::TooLarge(message) = &error else {
        panic!("{error:?}");
    };
    assert!(message.contains("context holds 256"), "{message}");
    assert!(message.contains("the conversation needs"), "{message}");

    // The caller (and the runner) keep going.
    let (_, finish, _) = collect(&provider, request("good", "hi", Some(2))).await;
    assert_eq!(finish, Some(FinishReason::Length));
}

#[tokio::test]
async fn a_runner_killed_mid_reply_is_a_connection_error_and_the_next_reply_works() {
    let dir = tempfile::tempdir().unwrap();
    let chatml = tiny(dir.path(), "chatml.gguf", &["--chat-template", "chatml"]).await;
    let provider = provider_with_context(&[("m", &chatml)], 8192);
    let mut stream = provider
        .stream_chat(
            request("m", "Tell me a story", None),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    let mut partial = String::new();
    while partial.is_empty() {
        if let Some(Ok(ChatEvent::TextDelta(t))) =
            tokio::time::timeout(STEP, stream.next()).await.unwrap()
        {
            partial.push_str(&t);
        }
    }
    let pid = provider
        .client()
        .runner_pid()
        .await
        .expect("a runner is running");
    let status = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .await
        .unwrap();
    assert!(status.success());
    let error = loop {
        match tokio::time::timeout(STEP, stream.next()).await.unwrap() {
            Some(Ok(ChatEvent::TextDelta(t))) => partial.push_str(&t),
            Some(Ok(other)) => panic!("no end after a kill: {other:?}"),
            Some(Err(e)) => break e,
            None => panic!("the stream ended without an error"),
        }
    };
    assert!(
        matches!(&error, ProviderError::Connection(m) if m.contains("signal 9") && m.contains("middle of the reply")),
        "{error:?}"
    );
    assert!(!partial.is_empty());
    // A new runner, the model loaded again.
    let (_, finish, _) = collect(&provider, request("m", "hi", Some(2))).await;
    assert_eq!(finish, Some(FinishReason::Length));
    assert_ne!(provider.client().runner_pid().await, Some(pid));
}

/// A greedy provider (temperature 0), so two runs of one prompt agree.
fn greedy_provider(models: &[(&str, &Path)]) -> LocalProvider {
    let models = models
        .iter()
        .map(|(id, path)| LocalModel {
            id: (*id).to_owned(),
            path: path.to_path_buf(),
            name: None,
        })
        .collect();
    let options = LocalOptions {
        context_length: Some(256),
        threads: Some(1),
        gpu_layers: 0,
        sampling: Sampling {
            temperature: Some(0.0),
            ..Sampling::default()
        },
        ..LocalOptions::default()
    };
    LocalProvider::new(client(), models, options)
}

#[tokio::test]
async fn a_follow_up_reuses_the_kept_context_and_replies_as_a_fresh_runner_would() {
    let dir = tempfile::tempdir().unwrap();
    let chatml = tiny(dir.path(), "chatml.gguf", &["--chat-template", "chatml"]).await;
    let kept = greedy_provider(&[("tiny", &chatml)]);
    let (first, _, usage) = collect(&kept, request("tiny", "Hello world!", Some(8))).await;
    let first_usage = usage.expect("usage");
    assert_eq!(
        first_usage.cache_read_tokens, 0,
        "nothing kept before the first reply"
    );

    let follow_up = || ChatRequest {
        model: "tiny".into(),
        messages: vec![
            ChatMessage::new(Role::User, "Hello world!"),
            ChatMessage::new(Role::Assistant, first.as_str()),
            ChatMessage::new(Role::User, "And the weather?"),
        ],
        max_output_tokens: Some(8),
        ..ChatRequest::default()
    };
    let (text, _, usage) = collect(&kept, follow_up()).await;
    let usage = usage.expect("usage");
    println!(
        "follow-up: {} input tokens, {} from the kept context (the first prompt had {})",
        usage.input_tokens, usage.cache_read_tokens, first_usage.input_tokens
    );
    assert!(
        usage.cache_read_tokens + 2 >= first_usage.input_tokens,
        "the first prompt is reused: {usage:?} after {first_usage:?}"
    );
    assert!(usage.cache_read_tokens < usage.input_tokens);

    // A new runner decodes the whole prompt and must say the same.
    let fresh = greedy_provider(&[("tiny", &chatml)]);
    let (fresh_text, _, fresh_usage) = collect(&fresh, follow_up()).await;
    let fresh_usage = fresh_usage.expect("usage");
    assert_eq!(fresh_usage.cache_read_tokens, 0);
    assert_eq!(fresh_usage.input_tokens, usage.input_tokens);
    assert_eq!(
        text, fresh_text,
        "the kept context changes nothing in the reply"
    );

    // The first prompt again (a prefix of what is kept): all but its last
    // token come from the cache, and the reply is the first one.
    let (again, _, usage) = collect(&kept, request("tiny", "Hello world!", Some(8))).await;
    assert_eq!(again, first);
    assert_eq!(
        usage.expect("usage").cache_read_tokens,
        first_usage.input_tokens - 1
    );
}

#[path = "local_tools.rs"]
mod tools;

#[path = "local_grammar.rs"]
mod grammar;
