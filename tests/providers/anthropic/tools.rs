//! Tool definitions and a tool round trip as the server receives them.

use serde_json::json;
use tokio_util::sync::CancellationToken;
use valechat_core::provider::ChatProvider;

use super::provider;
use crate::support::outcome::drain;
use crate::support::tools::{tool_request, two_tools};
use crate::support::{Reply, TestServer, fixture};

#[tokio::test]
async fn tools_and_tool_blocks_are_sent_as_documented() {
    let server = TestServer::start(vec![Reply::sse_body(fixture(
        "anthropic/tool_use_response.sse",
    ))])
    .await;
    let out = drain(
        provider(&server)
            .stream_chat(tool_request("claude-sonnet-4-5"), CancellationToken::new())
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
            {"name": "get_weather", "description": "Current weather for a city.",
             "input_schema": tools[0].parameters},
            {"name": "list_files", "description": "Lists a folder.",
             "input_schema": tools[1].parameters},
        ])
    );
    assert_eq!(
        body["messages"],
        json!([
            {"role": "user", "content": "Weather in Paris?"},
            {"role": "assistant", "content": [
                {"type": "tool_use", "id": "call_1", "name": "get_weather",
                 "input": {"city": "Paris"}},
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "call_1", "content": "12 °C",
                 "is_error": false},
            ]},
        ])
    );
}
