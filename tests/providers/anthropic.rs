//! Anthropic Messages provider against a local server replaying recorded
//! streams (tests/fixtures/anthropic, see SOURCE.md there) and error replies.

use crate::support;

#[path = "anthropic/failures.rs"]
mod failures;
#[path = "anthropic/images.rs"]
mod images;
#[path = "anthropic/redirects.rs"]
mod redirects;
#[path = "anthropic/replays.rs"]
mod replays;
#[path = "anthropic/split.rs"]
mod split;
#[path = "anthropic/tools.rs"]
mod tools;

use tokio_util::sync::CancellationToken;
use valechat_core::provider::anthropic::{AnthropicConfig, AnthropicProvider};
use valechat_core::provider::{ChatMessage, ChatProvider, ChatRequest, Role, ToolChoice, Usage};

use support::outcome::{Outcome, drain};
use support::{Reply, TestServer};

/// The key the tests configure.
const KEY: &str = "sk-ant-test-key";

fn provider(server: &TestServer) -> AnthropicProvider {
    AnthropicProvider::new(AnthropicConfig::new(server.base_url(), Some(KEY.into())))
        .expect("valid config")
}

fn request() -> ChatRequest {
    ChatRequest {
        sampling: valechat_core::provider::SamplingParameters::default(),
        model: "claude-sonnet-4-5".into(),
        messages: vec![
            ChatMessage::new(Role::System, "Be brief."),
            ChatMessage::new(Role::User, "Weather in Paris?"),
        ],
        temperature: Some(0.5),
        max_output_tokens: None,
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

/// A [`Usage`]: total input (cache included), output, cache reads, cache writes, thinking.
fn usage(input: u64, output: u64, cache_read: u64, cache_write: u64, reasoning: u64) -> Usage {
    Usage {
        input_tokens: input,
        output_tokens: output,
        cache_read_tokens: cache_read,
        reasoning_tokens: reasoning,
        cache_write_tokens: cache_write,
    }
}
