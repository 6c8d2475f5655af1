//! Google Gemini provider against a local server replaying recorded
//! `streamGenerateContent?alt=sse` streams (tests/fixtures/gemini, see
//! SOURCE.md there), error replies and model-list pages.

use crate::support;

#[path = "gemini/failures.rs"]
mod failures;
#[path = "gemini/images.rs"]
mod images;
#[path = "gemini/models.rs"]
mod models;
#[path = "gemini/replays.rs"]
mod replays;
#[path = "gemini/split.rs"]
mod split;
#[path = "gemini/tools.rs"]
mod tools;

use tokio_util::sync::CancellationToken;
use valechat_core::provider::gemini::{GeminiConfig, GeminiProvider};
use valechat_core::provider::{ChatMessage, ChatProvider, ChatRequest, Role, ToolChoice, Usage};

use support::outcome::{Outcome, drain};
use support::{Reply, TestServer, fixture};

/// The key the tests configure; it must never appear in a URL.
const KEY: &str = "AIzaSy-test-key";

fn provider(server: &TestServer) -> GeminiProvider {
    GeminiProvider::new(GeminiConfig::new(server.base_url(), Some(KEY.to_owned())))
        .expect("valid config")
}

fn request() -> ChatRequest {
    ChatRequest {
        sampling: valechat_core::provider::SamplingParameters::default(),
        model: "gemini-2.5-flash".into(),
        messages: vec![
            ChatMessage::new(Role::System, "Be brief."),
            ChatMessage::new(Role::User, "How many r in strawberry?"),
        ],
        temperature: Some(0.5),
        max_output_tokens: Some(256),
        tools: Vec::new(),
        tool_choice: ToolChoice::Auto,
    }
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

/// Payloads framed as Google frames them: `data: <json>\r\n\r\n`, no `[DONE]`.
fn gemini_sse<S: AsRef<str>>(payloads: &[S]) -> Vec<u8> {
    payloads
        .iter()
        .map(|p| format!("data: {}\r\n\r\n", p.as_ref()))
        .collect::<String>()
        .into_bytes()
}

/// A `gemini/*.chunks.jsonl` fixture as a Gemini SSE body.
fn jsonl_as_gemini_sse(name: &str) -> Vec<u8> {
    let text = String::from_utf8(fixture(name)).expect("fixture is UTF-8");
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    gemini_sse(&lines)
}

fn usage(input: u64, output: u64, cached: u64, reasoning: u64) -> Usage {
    Usage {
        input_tokens: input,
        output_tokens: output,
        cache_read_tokens: cached,
        cache_write_tokens: 0,
        reasoning_tokens: reasoning,
    }
}
