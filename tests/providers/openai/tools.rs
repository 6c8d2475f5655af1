//! Tool definitions and a tool round trip as the server receives them.

use serde_json::json;
use tokio_util::sync::CancellationToken;
use valechat_core::provider::ChatProvider;

use super::provider;
use crate::support::outcome::drain;
use crate::support::tools::{tool_request, two_tools};
use crate::support::{Reply, TestServer, fixture};

#[tokio::test]
async fn tools_and_tool_turns_are_sent_as_documented() {
    let server = TestServer::start(vec![Reply::sse_body(fixture(
        "openai-chat/parallel_tool_calls.sse",
    ))])
    .await;
    let out = drain(
        provider(&server, None)
            .stream_chat(tool_request("gpt-4o"), CancellationToken::new())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(out.error, None);
    assert!(!out.tools().is_empty(), "{:?}", out.events);

    let body = server.requests()[0].json();
    let tools = two_tools();
    assert_eq!(
        body["tools"],
        json!([
            {"type": "function", "function": {"name": "get_weather",
              "description": "Current weather for a city.", "parameters": tools[0].parameters}},
            {"type": "function", "function": {"name": "list_files",
              "description": "Lists a folder.", "parameters": tools[1].parameters}},
        ])
    );
    assert_eq!(
        body["messages"],
        json!([
            {"role": "user", "content": "Weather in Paris?"},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function",
                 "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}},
            ]},
            {"role": "tool", "tool_call_id": "call_1", "content": "12 °C"},
        ])
    );
}
