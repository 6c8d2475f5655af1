//! Unit tests of the Messages request body.

use serde_json::json;

use super::*;
use crate::provider::test_tools::{tool_conversation, two_tools};

fn msg(role: Role, content: &str) -> ChatMessage {
    ChatMessage::new(role, content)
}

#[test]
fn system_goes_top_level_and_same_role_turns_merge() {
    let request = ChatRequest {
        model: "claude-x".into(),
        messages: vec![
            msg(Role::System, "Be brief."),
            msg(Role::User, "Hi"),
            msg(Role::System, "Use British spelling."),
            msg(Role::User, "Colour?"),
            msg(Role::Assistant, "  "),
            msg(Role::Assistant, "Red."),
            msg(Role::User, "Thanks"),
        ],
        temperature: Some(1.7),
        ..ChatRequest::default()
    };
    let body = serde_json::to_value(messages_request(&request)).unwrap();
    assert_eq!(
        body,
        json!({
            "model": "claude-x",
            "max_tokens": DEFAULT_MAX_TOKENS,
            "system": "Be brief.\n\nUse British spelling.",
            "messages": [
                {"role": "user", "content": "Hi\n\nColour?"},
                {"role": "assistant", "content": "Red."},
                {"role": "user", "content": "Thanks"},
            ],
            "stream": true,
            "temperature": 1.0,
        })
    );
}

#[test]
fn no_system_and_no_temperature_leave_the_fields_out() {
    let request = ChatRequest {
        model: "m".into(),
        messages: vec![msg(Role::User, "Hi")],
        max_output_tokens: Some(77),
        ..ChatRequest::default()
    };
    let body = serde_json::to_value(messages_request(&request)).unwrap();
    assert_eq!(body.get("system"), None);
    assert_eq!(body.get("temperature"), None);
    assert_eq!(body.get("tools"), None);
    assert_eq!(body["max_tokens"], 77);
}

#[test]
fn tools_and_a_tool_round_trip_follow_the_documented_shape() {
    let mut messages = tool_conversation();
    messages.push(ChatMessage::user("Thanks."));
    let request = ChatRequest {
        model: "claude-x".into(),
        messages,
        tools: two_tools(),
        ..ChatRequest::default()
    };
    let body = serde_json::to_value(messages_request(&request)).unwrap();
    let tools = two_tools();
    assert_eq!(
        body,
        json!({
            "model": "claude-x",
            "max_tokens": DEFAULT_MAX_TOKENS,
            "system": "Be brief.",
            "messages": [
                {"role": "user", "content": "Weather in Paris, and what is in /tmp?"},
                {"role": "assistant", "content": [
                    {"type": "text", "text": "Let me check."},
                    {"type": "tool_use", "id": "call_1", "name": "get_weather",
                     "input": {"city": "Paris"}},
                    {"type": "tool_use", "id": "call_2", "name": "list_files",
                     "input": {"path": "/tmp"}},
                ]},
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "call_1",
                     "content": "12 °C, rain", "is_error": false},
                    {"type": "tool_result", "tool_use_id": "call_2",
                     "content": "permission denied", "is_error": true},
                    {"type": "text", "text": "Thanks."},
                ]},
            ],
            "stream": true,
            "tools": [
                {"name": "get_weather", "description": "Current weather for a city.",
                 "input_schema": tools[0].parameters},
                {"name": "list_files", "description": "Lists a folder.",
                 "input_schema": tools[1].parameters},
            ],
        })
    );
}

#[test]
fn tool_results_move_before_text_already_in_the_user_turn() {
    let request = ChatRequest {
        model: "m".into(),
        messages: vec![
            ChatMessage::user("Go on"),
            ChatMessage::tool_result("t1", "x", "done", false),
        ],
        ..ChatRequest::default()
    };
    let body = serde_json::to_value(messages_request(&request)).unwrap();
    assert_eq!(
        body["messages"],
        json!([{"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "t1", "content": "done", "is_error": false},
            {"type": "text", "text": "Go on"},
        ]}])
    );
}
