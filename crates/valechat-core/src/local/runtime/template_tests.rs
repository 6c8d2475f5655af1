//! The Jinja engine against real templates (Qwen 2.5 Instruct, Qwen 3 and
//! Llama 3.2 Instruct, as their GGUF files carry them, in `testdata/`),
//! compared with the text `transformers`' `apply_chat_template` gives for
//! the same conversation (for Qwen 3: Jinja2 3.1 with `transformers`'
//! environment, trim/lstrip blocks and its `tojson`).

use super::jinja::{Conversation, render};
use crate::local::protocol::{Message, ToolCall, ToolDefinition};

const QWEN: &str = include_str!("testdata/qwen2.5-instruct.jinja");
const LLAMA: &str = include_str!("testdata/llama3.2-instruct.jinja");
const QWEN3: &str = include_str!("testdata/qwen3.jinja");

fn msg(role: &str, content: &str) -> Message {
    Message::new(role, content)
}

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

/// A user question, the assistant's tool call, the tool's result.
fn with_tool_result() -> Vec<Message> {
    let mut call = msg("assistant", "");
    call.tool_calls.push(ToolCall {
        id: "call_1".into(),
        name: "get_weather".into(),
        arguments: serde_json::json!({"city": "Paris"}),
        provider_data: None,
    });
    let mut result = msg("tool", "18 °C, sunny");
    result.tool_call_id = Some("call_1".into());
    result.name = Some("get_weather".into());
    vec![msg("user", "What's the weather in Paris?"), call, result]
}

fn rendered(source: &str, messages: &[Message], tools: &[ToolDefinition], bos: &str) -> String {
    render(
        source,
        &Conversation {
            messages,
            tools,
            bos_token: bos,
            eos_token: "",
        },
    )
    .unwrap()
}

const QWEN_TOOLS_SYSTEM: &str = "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Current weather of a city\", \"parameters\": {\"properties\": {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"], \"type\": \"object\"}}}\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n";

#[test]
fn qwen_2_5_renders_the_tools_in_its_system_prompt() {
    let prompt = rendered(
        QWEN,
        &[msg("user", "What's the weather in Paris?")],
        &[weather_tool()],
        "",
    );
    let expected = format!(
        "{QWEN_TOOLS_SYSTEM}<|im_start|>user\nWhat's the weather in Paris?<|im_end|>\n<|im_start|>assistant\n"
    );
    assert_eq!(prompt, expected);
}

#[test]
fn qwen_2_5_renders_a_tool_call_and_its_result() {
    let prompt = rendered(QWEN, &with_tool_result(), &[weather_tool()], "");
    let expected = format!(
        "{QWEN_TOOLS_SYSTEM}<|im_start|>user\nWhat's the weather in Paris?<|im_end|>\n<|im_start|>assistant\n<tool_call>\n{{\"name\": \"get_weather\", \"arguments\": {{\"city\": \"Paris\"}}}}\n</tool_call><|im_end|>\n<|im_start|>user\n<tool_response>\n18 °C, sunny\n</tool_response><|im_end|>\n<|im_start|>assistant\n"
    );
    assert_eq!(prompt, expected);
}

#[test]
fn qwen_2_5_without_tools_is_plain_chatml() {
    let prompt = rendered(
        QWEN,
        &[msg("system", "Be brief."), msg("user", "Hi")],
        &[],
        "",
    );
    assert_eq!(
        prompt,
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
    );
}

#[test]
fn qwen_3_renders_a_tool_call_and_its_result() {
    // Qwen 3 reads its messages with Python's string methods
    // (`startswith`, `endswith`) and reversed slicing (`messages[::-1]`).
    let prompt = rendered(QWEN3, &with_tool_result(), &[weather_tool()], "");
    let system = QWEN_TOOLS_SYSTEM.replacen(
        "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.\n\n",
        "",
        1,
    );
    let expected = format!(
        "{system}<|im_start|>user\nWhat's the weather in Paris?<|im_end|>\n<|im_start|>assistant\n<tool_call>\n{{\"name\": \"get_weather\", \"arguments\": {{\"city\": \"Paris\"}}}}\n</tool_call><|im_end|>\n<|im_start|>user\n<tool_response>\n18 °C, sunny\n</tool_response><|im_end|>\n<|im_start|>assistant\n"
    );
    assert_eq!(prompt, expected);
}

#[test]
fn qwen_3_leaves_out_an_earlier_replys_reasoning() {
    // `split`, `lstrip` and `rstrip` take the reasoning out of a reply
    // written before the last question.
    let prompt = rendered(
        QWEN3,
        &[
            msg("user", "Hi"),
            msg("assistant", "<think>\ngreet them\n</think>\n\nHello!"),
            msg("user", "How are you?"),
        ],
        &[],
        "",
    );
    assert_eq!(
        prompt,
        "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nHow are you?<|im_end|>\n<|im_start|>assistant\n"
    );
}

fn llama_tools_head() -> String {
    let today = chrono::Local::now().format("%d %b %Y");
    format!(
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nEnvironment: ipython\nCutting Knowledge Date: December 2023\nToday Date: {today}\n\n<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nGiven the following functions, please respond with a JSON for a function call with its proper arguments that best answers the given prompt.\n\nRespond in the format {{\"name\": function name, \"parameters\": dictionary of argument name and its value}}.Do not use variables.\n\n{{\n    \"type\": \"function\",\n    \"function\": {{\n        \"name\": \"get_weather\",\n        \"description\": \"Current weather of a city\",\n        \"parameters\": {{\n            \"properties\": {{\n                \"city\": {{\n                    \"type\": \"string\"\n                }}\n            }},\n            \"required\": [\n                \"city\"\n            ],\n            \"type\": \"object\"\n        }}\n    }}\n}}\n\nWhat's the weather in Paris?<|eot_id|>"
    )
}

#[test]
fn llama_3_2_puts_the_tools_in_the_first_user_message() {
    let prompt = rendered(
        LLAMA,
        &[msg("user", "What's the weather in Paris?")],
        &[weather_tool()],
        "<|begin_of_text|>",
    );
    let expected = format!(
        "{}<|start_header_id|>assistant<|end_header_id|>\n\n",
        llama_tools_head()
    );
    assert_eq!(prompt, expected);
}

#[test]
fn llama_3_2_renders_a_tool_call_and_its_result() {
    let prompt = rendered(
        LLAMA,
        &with_tool_result(),
        &[weather_tool()],
        "<|begin_of_text|>",
    );
    let expected = format!(
        "{}<|start_header_id|>assistant<|end_header_id|>\n\n{{\"name\": \"get_weather\", \"parameters\": {{\"city\": \"Paris\"}}}}<|eot_id|><|start_header_id|>ipython<|end_header_id|>\n\n\"18 °C, sunny\"<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
        llama_tools_head()
    );
    assert_eq!(prompt, expected);
}

#[test]
fn a_hugging_face_template_renders_with_bos_and_the_generation_prompt() {
    let source = "{{ bos_token }}{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}";
    let prompt = rendered(source, &[msg("user", "hello")], &[], "<s>");
    assert_eq!(prompt, "<s>[user] hello\n[assistant]");
}

#[test]
fn raise_exception_is_an_error_with_its_message() {
    let source = "{% if messages[0].role != 'user' %}{{ raise_exception('Conversation must start with user') }}{% endif %}ok";
    let error = render(
        source,
        &Conversation {
            messages: &[msg("assistant", "x")],
            tools: &[],
            bos_token: "",
            eos_token: "",
        },
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("Conversation must start with user"),
        "{error}"
    );
}
