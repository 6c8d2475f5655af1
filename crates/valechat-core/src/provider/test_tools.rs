//! Shared test data for the request builders: two tool definitions and a
//! history with a tool round trip (compiled for unit tests only).

use serde_json::json;

use super::{ChatMessage, ToolCall, ToolDefinition};

/// `get_weather(city)` and `list_files(path)`; the second schema carries
/// `$schema` and `additionalProperties`, which Gemini does not accept.
pub fn two_tools() -> Vec<ToolDefinition> {
    vec![
        ToolDefinition {
            name: "get_weather".into(),
            description: "Current weather for a city.".into(),
            parameters: json!({
                "type": "object",
                "properties": {"city": {"type": "string", "description": "City name"}},
                "required": ["city"],
            }),
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

/// system, user, an assistant turn with text and two parallel tool calls,
/// then both results (the second one a failure).
pub fn tool_conversation() -> Vec<ChatMessage> {
    vec![
        ChatMessage::system("Be brief."),
        ChatMessage::user("Weather in Paris, and what is in /tmp?"),
        ChatMessage::assistant_with_tool_calls(
            "Let me check.",
            vec![
                ToolCall {
                    provider_data: None,
                    id: "call_1".into(),
                    name: "get_weather".into(),
                    arguments: json!({"city": "Paris"}),
                },
                ToolCall {
                    provider_data: None,
                    id: "call_2".into(),
                    name: "list_files".into(),
                    arguments: json!({"path": "/tmp"}),
                },
            ],
        ),
        ChatMessage::tool_result("call_1", "get_weather", "12 °C, rain", false),
        ChatMessage::tool_result("call_2", "list_files", "permission denied", true),
    ]
}
