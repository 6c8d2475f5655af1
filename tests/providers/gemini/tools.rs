//! Function declarations and a function-call round trip as the server
//! receives them.

use serde_json::json;
use tokio_util::sync::CancellationToken;
use valechat_core::provider::ChatProvider;

use super::{jsonl_as_gemini_sse, provider};
use crate::support::Reply;
use crate::support::TestServer;
use crate::support::outcome::drain;
use crate::support::tools::{tool_request, weather_schema};

#[tokio::test]
async fn declarations_and_function_parts_are_sent_as_documented() {
    let server = TestServer::start(vec![Reply::sse_body(jsonl_as_gemini_sse(
        "gemini/tool_call.chunks.jsonl",
    ))])
    .await;
    let out = drain(
        provider(&server)
            .stream_chat(tool_request("gemini-2.5-flash"), CancellationToken::new())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(out.error, None);
    assert!(!out.tools().is_empty(), "{:?}", out.events);

    let body = server.requests()[0].json();
    assert_eq!(
        body["tools"],
        json!([{"functionDeclarations": [
            {"name": "get_weather", "description": "Current weather for a city.",
             "parameters": weather_schema()},
            // `$schema` and `additionalProperties` are not in Gemini's Schema.
            {"name": "list_files", "description": "Lists a folder.",
             "parameters": {"type": "object", "properties": {"path": {"type": "string"}},
                            "required": ["path"]}},
        ]}])
    );
    assert_eq!(
        body["contents"],
        json!([
            {"role": "user", "parts": [{"text": "Weather in Paris?"}]},
            {"role": "model", "parts": [
                {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}},
            ]},
            {"role": "user", "parts": [
                {"functionResponse": {"name": "get_weather", "response": {"output": "12 °C"}}},
            ]},
        ])
    );
}
