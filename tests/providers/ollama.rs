//! Ollama native provider against a local server replaying the documented
//! `/api/chat` NDJSON streams (tests/fixtures/ollama, see SOURCE.md there),
//! error replies, `/api/tags`, `/api/show` and `/api/pull`.

use crate::support;

#[path = "ollama/failures.rs"]
mod failures;
#[path = "ollama/images.rs"]
mod images;
#[path = "ollama/models.rs"]
mod models;
#[path = "ollama/replays.rs"]
mod replays;
#[path = "ollama/split.rs"]
mod split;
#[path = "ollama/tools.rs"]
mod tools;

use tokio_util::sync::CancellationToken;
use valechat_core::provider::ollama::{OllamaConfig, OllamaProvider};
use valechat_core::provider::{ChatMessage, ChatProvider, ChatRequest, Role, ToolChoice};

use support::outcome::{Outcome, drain};
use support::{Reply, Step, TestServer, fixture};

/// Media type Ollama streams with.
const NDJSON: &str = "application/x-ndjson";

/// The server root (no `/v1`), as the Ollama preset configures it.
fn root(server: &TestServer) -> String {
    format!("http://{}", server.addr)
}

fn provider(server: &TestServer) -> OllamaProvider {
    OllamaProvider::new(OllamaConfig::new(root(server), None)).expect("valid config")
}

fn request() -> ChatRequest {
    ChatRequest {
        sampling: valechat_core::provider::SamplingParameters::default(),
        model: "llama3.2".into(),
        messages: vec![
            ChatMessage::new(Role::System, "Be brief."),
            ChatMessage::new(Role::User, "Weather in Tokyo?"),
        ],
        temperature: Some(0.5),
        max_output_tokens: Some(256),
        tools: Vec::new(),
        tool_choice: ToolChoice::Auto,
    }
}

/// A 200 NDJSON reply sending `body` in one piece.
fn ndjson(body: impl Into<Vec<u8>>) -> Reply {
    Reply::fixed(200, NDJSON, body)
}

/// A 200 chunked reply playing `steps` (the content type is the replay
/// server's; Ollama's client side does not look at it).
fn ndjson_steps(steps: Vec<Step>) -> Reply {
    Reply::sse(steps)
}

/// `body` cut into HTTP chunks of `size` bytes.
fn in_chunks(body: &[u8], size: usize) -> Vec<Step> {
    body.chunks(size).map(|c| Step::Send(c.to_vec())).collect()
}

/// Streams one reply from a server playing `reply`.
async fn replay(reply: Reply) -> Outcome {
    let server = TestServer::start(vec![reply]).await;
    let stream = provider(&server)
        .stream_chat(request(), CancellationToken::new())
        .await
        .expect("stream starts");
    drain(stream).await
}

/// `ollama/generate_midstream_error_docs.ndjson` (an `/api/generate` stream)
/// in `/api/chat` shape: each `response` becomes `message.content`; the
/// `{"error"}` line is kept verbatim.
fn chat_midstream_error() -> Vec<u8> {
    let text = String::from_utf8(fixture("ollama/generate_midstream_error_docs.ndjson"))
        .expect("fixture is UTF-8");
    let mut out = String::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut value: serde_json::Value =
            serde_json::from_str(line).expect("fixture line is JSON");
        if let Some(piece) = value.as_object_mut().and_then(|o| o.remove("response")) {
            value["message"] = serde_json::json!({"role": "assistant", "content": piece});
        }
        out.push_str(&value.to_string());
        out.push('\n');
    }
    out.into_bytes()
}
