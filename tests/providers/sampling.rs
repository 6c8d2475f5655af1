//! Top-p, top-k, min-p, repeat penalty and seed as each protocol sends
//! them: the request body the local server received, for a request setting
//! all five (a field the protocol does not have is left out).

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use valechat_core::provider::anthropic::{AnthropicConfig, AnthropicProvider};
use valechat_core::provider::gemini::{GeminiConfig, GeminiProvider};
use valechat_core::provider::ollama::{OllamaConfig, OllamaProvider};
use valechat_core::provider::openai::{OpenAiConfig, OpenAiProvider};
use valechat_core::provider::{ChatMessage, ChatProvider, ChatRequest, Role, SamplingParameters};

use crate::support::{Reply, TestServer};

fn request() -> ChatRequest {
    ChatRequest {
        model: "m".into(),
        messages: vec![ChatMessage::new(Role::User, "Hi")],
        temperature: Some(0.5),
        max_output_tokens: Some(64),
        sampling: SamplingParameters {
            top_p: Some(0.75),
            top_k: Some(20),
            min_p: Some(0.125),
            repeat_penalty: Some(1.25),
            seed: Some(4242),
        },
        ..ChatRequest::default()
    }
}

/// Sends [`request`] through `provider` to `server` (which answers with an
/// error: only the body it received matters) and returns that body.
async fn body_sent(provider: &dyn ChatProvider, server: &TestServer) -> Value {
    let _ = provider
        .stream_chat(request(), CancellationToken::new())
        .await;
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "one request sent");
    requests[0].json()
}

fn refusing() -> Vec<Reply> {
    vec![Reply::fixed(
        400,
        "application/json",
        r#"{"error":{"message":"no"}}"#,
    )]
}

#[tokio::test]
async fn openai_sends_top_p_and_seed() {
    let server = TestServer::start(refusing()).await;
    let provider = OpenAiProvider::new(OpenAiConfig::new(server.base_url(), None)).unwrap();
    let body = body_sent(&provider, &server).await;
    assert_eq!(body["top_p"], json!(0.75));
    assert_eq!(body["seed"], json!(4242));
    for absent in ["top_k", "min_p", "repeat_penalty"] {
        assert!(body.get(absent).is_none(), "{absent} in {body}");
    }
}

#[tokio::test]
async fn anthropic_sends_top_p_and_top_k() {
    let server = TestServer::start(refusing()).await;
    let provider =
        AnthropicProvider::new(AnthropicConfig::new(server.base_url(), Some("k".into()))).unwrap();
    let body = body_sent(&provider, &server).await;
    assert_eq!(body["top_p"], json!(0.75));
    assert_eq!(body["top_k"], json!(20));
    for absent in ["seed", "min_p", "repeat_penalty"] {
        assert!(body.get(absent).is_none(), "{absent} in {body}");
    }
}

#[tokio::test]
async fn gemini_sends_top_p_top_k_and_seed_in_the_generation_config() {
    let server = TestServer::start(refusing()).await;
    let provider =
        GeminiProvider::new(GeminiConfig::new(server.base_url(), Some("k".into()))).unwrap();
    let body = body_sent(&provider, &server).await;
    assert_eq!(
        body["generationConfig"],
        json!({"temperature": 0.5, "maxOutputTokens": 64, "topP": 0.75, "topK": 20, "seed": 4242})
    );
}

#[tokio::test]
async fn ollama_sends_all_five_as_options() {
    let server = TestServer::start(refusing()).await;
    let root = format!("http://{}", server.addr);
    let provider = OllamaProvider::new(OllamaConfig::new(root, None)).unwrap();
    let body = body_sent(&provider, &server).await;
    assert_eq!(
        body["options"],
        json!({"temperature": 0.5, "num_predict": 64, "top_p": 0.75, "top_k": 20,
               "min_p": 0.125, "repeat_penalty": 1.25, "seed": 4242})
    );
}
