//! OpenAI Chat Completions provider against a local server replaying
//! recorded streams (tests/fixtures, see SOURCE.md there) and error replies.

use crate::support;

#[path = "openai/failures.rs"]
mod failures;
#[path = "openai/images.rs"]
mod images;
#[path = "openai/oversized.rs"]
mod oversized;
#[path = "openai/replays.rs"]
mod replays;
#[path = "openai/split.rs"]
mod split;
#[path = "openai/tools.rs"]
mod tools;

use tokio_util::sync::CancellationToken;
use valechat_core::provider::openai::{OpenAiConfig, OpenAiProvider};
use valechat_core::provider::{ChatMessage, ChatProvider, ChatRequest, Role, ToolChoice, Usage};

use support::outcome::{Outcome, args_json, drain};
use support::{Reply, TestServer};

fn provider(server: &TestServer, key: Option<&str>) -> OpenAiProvider {
    OpenAiProvider::new(OpenAiConfig::new(server.base_url(), key.map(str::to_owned)))
        .expect("valid config")
}

fn request() -> ChatRequest {
    ChatRequest {
        sampling: valechat_core::provider::SamplingParameters::default(),
        model: "gpt-4o".into(),
        messages: vec![
            ChatMessage::new(Role::System, "Be brief."),
            ChatMessage::new(Role::User, "Weather in Edinburgh?"),
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
    let stream = provider(&server, Some("sk-test"))
        .stream_chat(request(), CancellationToken::new())
        .await
        .expect("stream starts");
    drain(stream).await
}

fn usage(input: u64, output: u64, cached: u64, reasoning: u64) -> Usage {
    Usage {
        input_tokens: input,
        output_tokens: output,
        cache_read_tokens: cached,
        reasoning_tokens: reasoning,
        cache_write_tokens: 0,
    }
}
