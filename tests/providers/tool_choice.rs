//! `tool_choice` as each protocol sends it: the request body the local
//! server received for each [`ToolChoice`], nothing at all for `Auto` (so
//! earlier request bodies are unchanged), and a named tool that is not
//! offered refused before any request is sent.

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use valechat_core::provider::anthropic::{AnthropicConfig, AnthropicProvider};
use valechat_core::provider::gemini::{GeminiConfig, GeminiProvider};
use valechat_core::provider::ollama::{OllamaConfig, OllamaProvider};
use valechat_core::provider::openai::{OpenAiConfig, OpenAiProvider};
use valechat_core::provider::{
    ChatMessage, ChatProvider, ChatRequest, ProviderError, Role, ToolChoice, ToolDefinition,
};

use crate::support::{Reply, TestServer};

fn tool(name: &str) -> ToolDefinition {
    ToolDefinition {
        name: name.into(),
        description: format!("The {name} tool."),
        parameters: json!({"type": "object", "properties": {"city": {"type": "string"}}}),
    }
}

fn request(choice: ToolChoice) -> ChatRequest {
    ChatRequest {
        model: "m".into(),
        messages: vec![ChatMessage::new(Role::User, "Weather in Edinburgh?")],
        tools: vec![tool("get_weather"), tool("get_time")],
        tool_choice: choice,
        ..ChatRequest::default()
    }
}

fn refusing() -> Vec<Reply> {
    vec![Reply::fixed(
        400,
        "application/json",
        r#"{"error":{"message":"no"}}"#,
    )]
}

/// The body `make(server)` sent for `choice` (the server answers with an
/// error: only the body matters).
async fn body_for<P: ChatProvider>(make: impl Fn(&TestServer) -> P, choice: ToolChoice) -> Value {
    let server = TestServer::start(refusing()).await;
    let provider = make(&server);
    let _ = provider
        .stream_chat(request(choice), CancellationToken::new())
        .await;
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "one request sent");
    requests[0].json()
}

/// `make`'s provider refuses a named tool that is not offered, and sends
/// nothing.
async fn refuses_an_unknown_tool<P: ChatProvider>(make: impl Fn(&TestServer) -> P) {
    let server = TestServer::start(refusing()).await;
    let provider = make(&server);
    let result = provider
        .stream_chat(
            request(ToolChoice::Tool("delete_everything".into())),
            CancellationToken::new(),
        )
        .await;
    let Err(ProviderError::Config(words)) = result else {
        panic!("not refused as a configuration error");
    };
    assert!(words.contains("\"delete_everything\""), "{words}");
    assert!(words.contains("get_weather, get_time"), "{words}");
    assert!(server.requests().is_empty(), "nothing sent");
}

fn openai(server: &TestServer) -> OpenAiProvider {
    OpenAiProvider::new(OpenAiConfig::new(server.base_url(), None)).unwrap()
}

fn anthropic(server: &TestServer) -> AnthropicProvider {
    AnthropicProvider::new(AnthropicConfig::new(server.base_url(), Some("k".into()))).unwrap()
}

fn gemini(server: &TestServer) -> GeminiProvider {
    GeminiProvider::new(GeminiConfig::new(server.base_url(), Some("k".into()))).unwrap()
}

fn ollama(server: &TestServer) -> OllamaProvider {
    OllamaProvider::new(OllamaConfig::new(format!("http://{}", server.addr), None)).unwrap()
}

fn tool_names(tools: &Value, pointer: &str) -> Vec<String> {
    tools
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.pointer(pointer).unwrap().as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn openai_and_mistral_send_none_required_or_the_named_function() {
    let auto = body_for(openai, ToolChoice::Auto).await;
    assert!(auto.get("tool_choice").is_none(), "{auto}");
    assert_eq!(
        body_for(openai, ToolChoice::None).await["tool_choice"],
        json!("none")
    );
    assert_eq!(
        body_for(openai, ToolChoice::Required).await["tool_choice"],
        json!("required")
    );
    let named = body_for(openai, ToolChoice::Tool("get_time".into())).await;
    assert_eq!(
        named["tool_choice"],
        json!({"type": "function", "function": {"name": "get_time"}})
    );
    assert_eq!(
        tool_names(&named["tools"], "/function/name"),
        ["get_weather", "get_time"]
    );
    refuses_an_unknown_tool(openai).await;
}

#[tokio::test]
async fn anthropic_sends_none_any_or_tool() {
    let auto = body_for(anthropic, ToolChoice::Auto).await;
    assert!(auto.get("tool_choice").is_none(), "{auto}");
    assert_eq!(
        body_for(anthropic, ToolChoice::None).await["tool_choice"],
        json!({"type": "none"})
    );
    assert_eq!(
        body_for(anthropic, ToolChoice::Required).await["tool_choice"],
        json!({"type": "any"})
    );
    assert_eq!(
        body_for(anthropic, ToolChoice::Tool("get_time".into())).await["tool_choice"],
        json!({"type": "tool", "name": "get_time"})
    );
    refuses_an_unknown_tool(anthropic).await;
}

#[tokio::test]
async fn gemini_sends_a_function_calling_config() {
    let auto = body_for(gemini, ToolChoice::Auto).await;
    assert!(auto.get("toolConfig").is_none(), "{auto}");
    assert_eq!(
        body_for(gemini, ToolChoice::None).await["toolConfig"],
        json!({"functionCallingConfig": {"mode": "NONE"}})
    );
    assert_eq!(
        body_for(gemini, ToolChoice::Required).await["toolConfig"],
        json!({"functionCallingConfig": {"mode": "ANY"}})
    );
    assert_eq!(
        body_for(gemini, ToolChoice::Tool("get_time".into())).await["toolConfig"],
        json!({"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_time"]}})
    );
    refuses_an_unknown_tool(gemini).await;
}

/// Ollama's `/api/chat` has no `tool_choice`: `None` sends no tools, a
/// named tool only that one, `Required` all of them.
#[tokio::test]
async fn ollama_narrows_the_tools_it_offers() {
    let auto = body_for(ollama, ToolChoice::Auto).await;
    assert!(auto.get("tool_choice").is_none(), "{auto}");
    assert_eq!(
        tool_names(&auto["tools"], "/function/name"),
        ["get_weather", "get_time"]
    );
    let none = body_for(ollama, ToolChoice::None).await;
    assert!(none.get("tools").is_none(), "{none}");
    let named = body_for(ollama, ToolChoice::Tool("get_time".into())).await;
    assert_eq!(tool_names(&named["tools"], "/function/name"), ["get_time"]);
    assert!(named.get("tool_choice").is_none(), "{named}");
    let required = body_for(ollama, ToolChoice::Required).await;
    assert_eq!(
        tool_names(&required["tools"], "/function/name"),
        ["get_weather", "get_time"]
    );
    refuses_an_unknown_tool(ollama).await;
}

/// A request without tools sends no `tool_choice` even when one is set
/// (OpenAI refuses `tool_choice` without `tools`).
#[tokio::test]
async fn no_tools_no_tool_choice() {
    let server = TestServer::start(refusing()).await;
    let request = ChatRequest {
        tools: Vec::new(),
        ..request(ToolChoice::None)
    };
    let _ = openai(&server)
        .stream_chat(request, CancellationToken::new())
        .await;
    let body = server.requests()[0].json();
    assert!(body.get("tool_choice").is_none(), "{body}");
    assert!(body.get("tools").is_none(), "{body}");
}
