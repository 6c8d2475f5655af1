//! The tool-call grammar in the real runner, on the tiny Qwen 2.5 model
//! (random weights, greedy): with `ToolChoice::Required` or a named tool the
//! reply is a `<tool_call>` that parses, names an offered tool (the named
//! one) and has arguments valid against its schema, although the model
//! alone only ever writes letters (`local_tools.rs`); with
//! `ToolChoice::None` no tools reach the prompt and nothing is a call.
//!
//! The events checked are the ones the engine's tool loop reads
//! (`ToolCallStart`, `ToolCallArgumentsDelta`, `Finished(ToolCalls)`), as
//! `local::tools::the_runners_tool_call_lines_are_the_engines_tool_call_events`
//! shows for a stand-in runner.

use std::collections::BTreeMap;

use futures::StreamExt;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use valechat_core::local::protocol::ToolDefinition;
use valechat_core::provider::{
    ChatEvent, ChatProvider, ChatRequest, FinishReason, ProviderError, ToolChoice,
};

use super::{STEP, collect, provider_with_context, request, stream_error, tiny};

/// A tool whose every valid call is short: an enum and a bounded integer.
fn forecast_tool(name: &str) -> ToolDefinition {
    ToolDefinition {
        name: name.into(),
        description: "Weather forecast".into(),
        parameters: json!({
            "type": "object",
            "properties": {
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer", "minimum": 1, "maximum": 7}
            },
            "required": ["unit", "days"],
            "additionalProperties": false
        }),
    }
}

/// Checks `arguments` against [`forecast_tool`]'s schema, by hand.
fn assert_valid_forecast(arguments: &Value) {
    let object = arguments.as_object().expect("arguments are an object");
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["days", "unit"], "{arguments}");
    assert!(
        matches!(object["unit"].as_str(), Some("celsius" | "fahrenheit")),
        "{arguments}"
    );
    let days = object["days"].as_i64().expect("days is an integer");
    assert!((1..=7).contains(&days), "{arguments}");
}

/// The calls of one reply (name, arguments parsed) and its finish reason.
async fn calls(
    provider: &valechat_core::local::provider::LocalProvider,
    request: ChatRequest,
) -> (Vec<(String, Value)>, Option<FinishReason>) {
    let mut stream = tokio::time::timeout(
        STEP,
        provider.stream_chat(request, CancellationToken::new()),
    )
    .await
    .expect("reply started in time")
    .expect("reply started");
    let mut names = BTreeMap::new();
    let mut arguments: BTreeMap<u32, String> = BTreeMap::new();
    let mut finish = None;
    while let Some(event) = tokio::time::timeout(STEP, stream.next())
        .await
        .expect("event in time")
    {
        match event.expect("no error mid-reply") {
            ChatEvent::ToolCallStart { index, name, .. } => {
                names.insert(index, name);
            }
            ChatEvent::ToolCallArgumentsDelta { index, fragment } => {
                arguments.entry(index).or_default().push_str(&fragment);
            }
            ChatEvent::Finished(f) => finish = Some(f),
            _ => {}
        }
    }
    let calls = names
        .into_iter()
        .map(|(index, name)| {
            let text = arguments.remove(&index).unwrap_or_default();
            let parsed = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("arguments {text:?} are not JSON: {e}"));
            (name, parsed)
        })
        .collect();
    (calls, finish)
}

fn asking(choice: ToolChoice, tools: Vec<ToolDefinition>) -> ChatRequest {
    ChatRequest {
        temperature: Some(0.0),
        tools,
        tool_choice: choice,
        // Room for the converter's whitespace (up to 22 characters between
        // tokens of the JSON), which a random model may well take.
        ..request("tiny-qwen", "What will the weather be?", Some(1000))
    }
}

#[tokio::test]
async fn a_required_call_is_a_valid_call_of_an_offered_tool() {
    let dir = tempfile::tempdir().unwrap();
    let qwen = tiny(dir.path(), "qwen.gguf", &["--chat-template", "qwen2.5"]).await;
    let provider = provider_with_context(&[("tiny-qwen", &qwen)], 2048);

    let (required, finish) = calls(
        &provider,
        asking(ToolChoice::Required, vec![forecast_tool("get_forecast")]),
    )
    .await;
    assert!(!required.is_empty(), "no tool call");
    for (name, arguments) in &required {
        assert_eq!(name, "get_forecast");
        assert_valid_forecast(arguments);
    }
    assert_eq!(finish, Some(FinishReason::ToolCalls));

    // A named tool: every call is of that one.
    let tools = vec![forecast_tool("get_forecast"), forecast_tool("get_history")];
    let (named, finish) = calls(
        &provider,
        asking(ToolChoice::Tool("get_history".into()), tools.clone()),
    )
    .await;
    assert!(!named.is_empty(), "no tool call");
    for (name, arguments) in &named {
        assert_eq!(name, "get_history");
        assert_valid_forecast(arguments);
    }
    assert_eq!(finish, Some(FinishReason::ToolCalls));

    // `None`: the tools are not in the prompt, the reply is text.
    let (text, finish, usage) = collect(&provider, asking(ToolChoice::None, tools.clone())).await;
    assert!(!text.is_empty());
    assert_eq!(finish, Some(FinishReason::Length));
    let (auto_text, auto_finish, with_tools) =
        collect(&provider, asking(ToolChoice::Auto, tools)).await;
    assert!(
        usage.unwrap().input_tokens + 50 < with_tools.unwrap().input_tokens,
        "the tools were rendered for ToolChoice::None"
    );

    // `Auto`: the same prompt and sampler as `Required` gave a call above,
    // but the grammar is lazy and the model never writes `<tool_call>`, so
    // its text is free: letters to the output limit, no call. (What
    // follows a trigger is the grammar `Required` applies from the start.)
    assert!(!auto_text.starts_with("<tool_call>"), "{auto_text}");
    assert!(
        auto_text.chars().filter(char::is_ascii_alphabetic).count() > auto_text.len() / 2,
        "not the model's free letters: {auto_text:?}"
    );
    assert_eq!(auto_finish, Some(FinishReason::Length));
}

/// A schema llama.cpp's converter refuses (a `$ref` to nothing) is an
/// error naming the model and the tool, before anything is generated.
#[tokio::test]
async fn a_schema_the_converter_refuses_is_an_error_naming_the_tool() {
    let dir = tempfile::tempdir().unwrap();
    let qwen = tiny(dir.path(), "qwen.gguf", &["--chat-template", "qwen2.5"]).await;
    let provider = provider_with_context(&[("tiny-qwen", &qwen)], 2048);
    let broken = ToolDefinition {
        name: "lookup".into(),
        description: "Looks something up".into(),
        parameters: json!({
            "type": "object",
            "properties": {"key": {"$ref": "#/$defs/missing"}}
        }),
    };
    let tools = vec![forecast_tool("get_forecast"), broken];
    let error = stream_error(&provider, asking(ToolChoice::Auto, tools.clone())).await;
    let ProviderError::Config(message) = &error else {
        panic!("not a configuration error: {error:?}");
    };
    assert!(message.contains("tiny-qwen"), "{message}");
    assert!(message.contains("the tool lookup"), "{message}");

    // Without that tool, the same model replies.
    let (calls, finish) = calls(&provider, asking(ToolChoice::Required, tools[..1].to_vec())).await;
    assert!(!calls.is_empty());
    assert_eq!(finish, Some(FinishReason::ToolCalls));
}

/// A thinking model (Qwen 3's template: tools and `<think>`) under
/// `Required`: the grammar from the first token lets `<think>…</think>`
/// through before the call. With random weights, greedy, the model takes
/// one of the two paths the grammar allows at `<t`: a call (valid, as
/// above; the path this model takes today, 4 calls) or reasoning, which it
/// never closes, to the output limit. Either way llama.cpp took the
/// grammar with its reasoning prefix (an unparsable grammar is an error);
/// the prefix's rules are checked in `local::grammar`'s unit tests.
#[tokio::test]
async fn a_thinking_model_may_reason_before_a_required_call() {
    let dir = tempfile::tempdir().unwrap();
    let qwen3 = tiny(dir.path(), "qwen3.gguf", &["--chat-template", "qwen3"]).await;
    let provider = provider_with_context(&[("tiny-qwen", &qwen3)], 2048);
    let mut stream = tokio::time::timeout(
        STEP,
        provider.stream_chat(
            asking(ToolChoice::Required, vec![forecast_tool("get_forecast")]),
            CancellationToken::new(),
        ),
    )
    .await
    .expect("reply started in time")
    .expect("reply started");
    let (mut reasoning, mut arguments, mut names, mut finish) =
        (String::new(), String::new(), Vec::new(), None);
    while let Some(event) = tokio::time::timeout(STEP, stream.next())
        .await
        .expect("event in time")
    {
        match event.expect("no error mid-reply") {
            ChatEvent::ReasoningDelta(t) => reasoning.push_str(&t),
            ChatEvent::ToolCallStart { name, .. } => names.push(name),
            ChatEvent::ToolCallArgumentsDelta { fragment, .. } if names.len() == 1 => {
                arguments.push_str(&fragment);
            }
            ChatEvent::Finished(f) => finish = Some(f),
            _ => {}
        }
    }
    if names.is_empty() {
        assert_eq!(finish, Some(FinishReason::Length));
        assert!(!reasoning.is_empty(), "neither a call nor reasoning");
    } else {
        assert!(names.iter().all(|n| n == "get_forecast"), "{names:?}");
        assert_valid_forecast(&serde_json::from_str(&arguments).unwrap());
        assert_eq!(finish, Some(FinishReason::ToolCalls));
    }
}
