//! Tool calling for models on this computer: the request's tools and the
//! history's tool calls and results rendered by the model's own template
//! (Qwen 2.5 Instruct's, in a tiny model), a template without tool support
//! refused, and the runner's `tool_call` lines turned into the engine's
//! tool-call events.
//!
//! The tiny models have random weights, so no real model here writes a
//! tool call: the parser of the generated text is tested on text fed in
//! chunks (`valechat_core::local::tool_calls`' unit tests), and the
//! protocol's `tool_call` lines by a stand-in runner below.

use std::path::PathBuf;

use futures::StreamExt;
use tokio_util::sync::CancellationToken;
use valechat_core::local::client::{RunnerClient, RunnerCommand};
use valechat_core::local::protocol::{Message, Op, ToolCall, ToolDefinition};
use valechat_core::local::provider::{LocalModel, LocalOptions, LocalProvider};
use valechat_core::provider::{
    ChatEvent, ChatMessage, ChatProvider, FinishReason, ProviderError, Role,
};

use super::{STEP, collect, provider, provider_with_context, request, stream_error, tiny};

fn weather_tool() -> ToolDefinition {
    ToolDefinition {
        name: "get_weather".into(),
        description: "Current weather of a city".into(),
        parameters: serde_json::json!({
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
            "type": "object"
        }),
    }
}

#[tokio::test]
async fn tools_and_tool_turns_reach_the_prompt_as_the_template_renders_them() {
    let dir = tempfile::tempdir().unwrap();
    let qwen = tiny(dir.path(), "qwen.gguf", &["--chat-template", "qwen2.5"]).await;
    let provider = provider(&[("tiny-qwen", &qwen)]);
    provider.load("tiny-qwen").await.unwrap();

    let mut call = Message::new("assistant", "");
    call.tool_calls.push(ToolCall {
        id: "call_1".into(),
        name: "get_weather".into(),
        arguments: serde_json::json!({"city": "Paris"}),
        provider_data: None,
    });
    let mut result = Message::new("tool", "18 °C, sunny");
    result.tool_call_id = Some("call_1".into());
    result.name = Some("get_weather".into());
    let applied = provider
        .client()
        .request(Op::ApplyTemplate {
            model: "tiny-qwen".into(),
            messages: vec![
                Message::new("user", "What's the weather in Paris?"),
                call,
                result,
            ],
            tools: vec![weather_tool()],
        })
        .await
        .unwrap();
    assert_eq!(applied["template"], "jinja");
    let expected = "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Current weather of a city\", \"parameters\": {\"properties\": {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"], \"type\": \"object\"}}}\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n<|im_start|>user\nWhat's the weather in Paris?<|im_end|>\n<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call><|im_end|>\n<|im_start|>user\n<tool_response>\n18 °C, sunny\n</tool_response><|im_end|>\n<|im_start|>assistant\n";
    assert_eq!(applied["prompt"], expected);
}

#[tokio::test]
async fn a_reply_with_tools_offered_streams_through_the_tool_call_reader() {
    let dir = tempfile::tempdir().unwrap();
    let qwen = tiny(dir.path(), "qwen.gguf", &["--chat-template", "qwen2.5"]).await;
    // The tools' text is about 600 tokens in the tiny vocabulary.
    let provider = provider_with_context(&[("tiny-qwen", &qwen)], 1024);
    let (_, _, plain) = collect(&provider, request("tiny-qwen", "Hello", Some(4))).await;
    let mut with_tools = request("tiny-qwen", "Hello", Some(12));
    with_tools.tools = vec![weather_tool()];
    let (text, finish, usage) = collect(&provider, with_tools).await;
    // Random weights write letters, never a <tool_call>: all of it is text.
    assert!(!text.is_empty());
    assert_eq!(finish, Some(FinishReason::Length));
    let (plain, usage) = (plain.unwrap(), usage.unwrap());
    assert_eq!(usage.output_tokens, 12);
    assert!(
        usage.input_tokens > plain.input_tokens + 50,
        "the tools are in the prompt: {} against {} tokens without",
        usage.input_tokens,
        plain.input_tokens
    );
}

#[tokio::test]
async fn a_template_without_tool_support_refuses_tools_naming_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let chatml = tiny(dir.path(), "chatml.gguf", &["--chat-template", "chatml"]).await;
    let provider = provider(&[("tiny-chatml", &chatml)]);
    let mut with_tools = request("tiny-chatml", "Hello", Some(4));
    with_tools.tools = vec![weather_tool()];
    let error = stream_error(&provider, with_tools).await;
    let ProviderError::Config(message) = &error else {
        panic!("not a configuration error: {error:?}");
    };
    assert!(message.contains("tiny-chatml"), "{message}");
    assert!(message.contains("no tool calling"), "{message}");

    // A history with a tool result is refused the same way, tools or not.
    let mut history = request("tiny-chatml", "Hello", Some(4));
    let mut result = ChatMessage::new(Role::Tool, "18 °C");
    result.tool_call_id = Some("call_1".into());
    history.messages.push(result);
    let error = stream_error(&provider, history).await;
    assert!(matches!(error, ProviderError::Config(_)), "{error:?}");

    // Without tools the model still replies.
    let (text, _, _) = collect(&provider, request("tiny-chatml", "Hello", Some(4))).await;
    assert!(!text.is_empty());
}

/// A stand-in for `valechat local-runner` (protocol 3) that answers every
/// `generate` with a `reasoning` line, a `delta`, two `tool_call` lines and
/// `done` with `tool_calls`.
const FAKE_RUNNER: &str = r#"
import json, sys
print(json.dumps({"hello": {"protocol": 4, "version": "fake"}}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    rid = request["id"]
    if request["op"] == "generate":
        assert request["tools"][0]["name"] == "get_weather", request
        replies = [
            {"reasoning": {"id": rid, "text": "Paris: a weather question."}},
            {"delta": {"id": rid, "text": "Let me look."}},
            {"tool_call": {"id": rid, "index": 0, "call_id": "abc123XYZ", "name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}},
            {"tool_call": {"id": rid, "index": 1, "call_id": "def456UVW", "name": "now", "arguments": "{}"}},
            {"done": {"id": rid, "finish_reason": "tool_calls", "input_tokens": 10, "output_tokens": 30}},
        ]
    elif request["op"] == "cancel":
        replies = []
    elif request["op"] == "list":
        replies = [{"ok": {"id": rid, "result": []}}]
    else:
        replies = [{"ok": {"id": rid, "result": None}}]
    for reply in replies:
        print(json.dumps(reply), flush=True)
"#;

#[tokio::test]
async fn the_runners_tool_call_lines_are_the_engines_tool_call_events() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("fake_runner.py");
    std::fs::write(&script, FAKE_RUNNER).unwrap();
    let model_file = dir.path().join("model.gguf");
    std::fs::write(&model_file, b"not read by the stand-in").unwrap();
    let client = std::sync::Arc::new(RunnerClient::new(RunnerCommand {
        program: PathBuf::from("python3"),
        args: vec![script.into()],
    }));
    let models = vec![LocalModel {
        id: "m".into(),
        path: model_file,
        name: None,
    }];
    let provider = LocalProvider::new(client, models, LocalOptions::default());
    let mut with_tools = request("m", "Weather in Paris?", None);
    with_tools.tools = vec![weather_tool()];
    let mut stream = tokio::time::timeout(
        STEP,
        provider.stream_chat(with_tools, CancellationToken::new()),
    )
    .await
    .unwrap()
    .unwrap();
    let mut events = Vec::new();
    while let Some(event) = tokio::time::timeout(STEP, stream.next()).await.unwrap() {
        events.push(event.unwrap());
    }
    let expected = [
        ChatEvent::ReasoningDelta("Paris: a weather question.".into()),
        ChatEvent::TextDelta("Let me look.".into()),
        ChatEvent::ToolCallStart {
            index: 0,
            id: "abc123XYZ".into(),
            name: "get_weather".into(),
        },
        ChatEvent::ToolCallArgumentsDelta {
            index: 0,
            fragment: r#"{"city":"Paris"}"#.into(),
        },
        ChatEvent::ToolCallStart {
            index: 1,
            id: "def456UVW".into(),
            name: "now".into(),
        },
        ChatEvent::ToolCallArgumentsDelta {
            index: 1,
            fragment: "{}".into(),
        },
        ChatEvent::Finished(FinishReason::ToolCalls),
    ];
    assert_eq!(&events[1..8], &expected, "{events:?}");
    assert!(matches!(events[0], ChatEvent::Started { .. }));
}
