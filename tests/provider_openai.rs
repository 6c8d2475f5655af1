//! OpenAI Chat Completions provider against a local server replaying
//! recorded streams (tests/fixtures, see SOURCE.md there) and error replies.

mod support;

#[path = "provider_openai/failures.rs"]
mod failures;
#[path = "provider_openai/replays.rs"]
mod replays;
#[path = "provider_openai/split.rs"]
mod split;

use std::collections::BTreeMap;

use futures::StreamExt;
use tokio_util::sync::CancellationToken;
use valechat::core::provider::openai::{OpenAiConfig, OpenAiProvider};
use valechat::core::provider::{
    ChatEvent, ChatMessage, ChatProvider, ChatRequest, ChatStream, FinishReason, ProviderError,
    Role, Usage,
};

use support::{Reply, TestServer};

/// Everything a stream produced, folded for assertions.
#[derive(Debug, Default)]
struct Outcome {
    events: Vec<ChatEvent>,
    error: Option<ProviderError>,
}

impl Outcome {
    fn text(&self) -> String {
        self.concat(|e| match e {
            ChatEvent::TextDelta(t) => Some(t),
            _ => None,
        })
    }

    fn refusal(&self) -> String {
        self.concat(|e| match e {
            ChatEvent::RefusalDelta(t) => Some(t),
            _ => None,
        })
    }

    fn concat(&self, pick: impl Fn(&ChatEvent) -> Option<&String>) -> String {
        self.events
            .iter()
            .filter_map(pick)
            .map(String::as_str)
            .collect()
    }

    fn finishes(&self) -> Vec<FinishReason> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ChatEvent::Finished(r) => Some(r.clone()),
                _ => None,
            })
            .collect()
    }

    fn usages(&self) -> Vec<Usage> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ChatEvent::Usage(u) => Some(*u),
                _ => None,
            })
            .collect()
    }

    fn started(&self) -> Vec<(Option<String>, Option<String>)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ChatEvent::Started { id, model } => Some((id.clone(), model.clone())),
                _ => None,
            })
            .collect()
    }

    /// Tool calls by index: (id, name, concatenated arguments).
    fn tools(&self) -> BTreeMap<u32, (String, String, String)> {
        let mut calls: BTreeMap<u32, (String, String, String)> = BTreeMap::new();
        for event in &self.events {
            match event {
                ChatEvent::ToolCallStart { index, id, name } => {
                    let old = calls.insert(*index, (id.clone(), name.clone(), String::new()));
                    assert!(old.is_none(), "tool call {index} started twice");
                }
                ChatEvent::ToolCallArgumentsDelta { index, fragment } => {
                    calls
                        .get_mut(index)
                        .expect("arguments before start")
                        .2
                        .push_str(fragment);
                }
                _ => {}
            }
        }
        calls
    }
}

async fn drain(mut stream: ChatStream) -> Outcome {
    let mut outcome = Outcome::default();
    while let Some(item) = stream.next().await {
        assert!(outcome.error.is_none(), "item after an error: {item:?}");
        match item {
            Ok(event) => outcome.events.push(event),
            Err(e) => outcome.error = Some(e),
        }
    }
    outcome
}

fn provider(server: &TestServer, key: Option<&str>) -> OpenAiProvider {
    OpenAiProvider::new(OpenAiConfig::new(server.base_url(), key.map(str::to_owned)))
        .expect("valid config")
}

fn request() -> ChatRequest {
    ChatRequest {
        model: "gpt-4o".into(),
        messages: vec![
            ChatMessage {
                role: Role::System,
                content: "Be brief.".into(),
            },
            ChatMessage {
                role: Role::User,
                content: "Weather in Edinburgh?".into(),
            },
        ],
        temperature: Some(0.5),
        max_output_tokens: Some(256),
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

fn args_json(args: &str) -> serde_json::Value {
    serde_json::from_str(args).unwrap_or_else(|e| panic!("arguments {args:?} are not JSON: {e}"))
}
