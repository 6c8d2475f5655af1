//! A tool-use request shared by the provider tests: two tools and a history
//! of (user, assistant with a tool call, tool result).

use serde_json::{Value, json};
use valechat_core::provider::{ChatMessage, ChatRequest, ToolCall, ToolDefinition};

/// `get_weather(city)` and `list_files(path)`; the second schema carries
/// `$schema` and `additionalProperties`, which Gemini does not accept.
pub fn two_tools() -> Vec<ToolDefinition> {
    vec![
        ToolDefinition {
            name: "get_weather".into(),
            description: "Current weather for a city.".into(),
            parameters: weather_schema(),
        },
        ToolDefinition {
            name: "list_files".into(),
            description: "Lists a folder.".into(),
            parameters: json!({
                "$schema": "http://json-schema.org/draft-07/schema#",
                "type": "object",
                "properties": {"path": {"type": "string"}},
                "required": ["path"],
                "additionalProperties": false,
            }),
        },
    ]
}

/// The `get_weather` parameters schema.
pub fn weather_schema() -> Value {
    json!({
        "type": "object",
        "properties": {"city": {"type": "string", "description": "City name"}},
        "required": ["city"],
    })
}

/// A request for `model` offering [`two_tools`], after the model called
/// `get_weather({"city":"Paris"})` as `call_1` and the tool answered `12 °C`.
pub fn tool_request(model: &str) -> ChatRequest {
    ChatRequest {
        model: model.into(),
        messages: vec![
            ChatMessage::user("Weather in Paris?"),
            ChatMessage::assistant_with_tool_calls(
                "",
                vec![ToolCall {
                    provider_data: None,
                    id: "call_1".into(),
                    name: "get_weather".into(),
                    arguments: json!({"city": "Paris"}),
                }],
            ),
            ChatMessage::tool_result("call_1", "get_weather", "12 °C", false),
        ],
        tools: two_tools(),
        ..ChatRequest::default()
    }
}
