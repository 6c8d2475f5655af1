//! Rendering Hugging Face style Jinja chat templates with `minijinja`, with
//! what `transformers`' `apply_chat_template` gives a template:
//! `messages` (with `tool_calls`, `tool_call_id` and `name` in the HF
//! convention), `tools` (each `{"type": "function", "function": {name,
//! description, parameters}}`), `add_generation_prompt`, `bos_token`,
//! `eos_token`, `raise_exception`, `strftime_now` (local time), a
//! `tojson` filter that writes what Python's `json.dumps` writes (`", "` and
//! `": "` separators, `indent=` honoured, keys in their order), and the
//! methods of Python's strings, lists and dicts that templates call
//! (`startswith`, `split`, `strip`, `items`…: `minijinja-contrib`'s
//! `pycompat`, which Qwen 3's template needs), so a template renders the
//! text the model was trained on.

use minijinja::value::{Kwargs, Value, ValueKind};

use crate::local::protocol::{Message, ToolDefinition};

/// What a template renders.
pub(crate) struct Conversation<'a> {
    /// The messages, oldest first.
    pub messages: &'a [Message],
    /// Tools offered; empty renders `tools` as undefined (as `transformers`
    /// does for `tools=None`).
    pub tools: &'a [ToolDefinition],
    /// The model's BOS text.
    pub bos_token: &'a str,
    /// The model's EOS text.
    pub eos_token: &'a str,
}

/// Renders `source` with `conversation` and the generation prompt.
///
/// # Errors
/// A template that does not parse, or that calls `raise_exception`.
pub(crate) fn render(
    source: &str,
    conversation: &Conversation<'_>,
) -> Result<String, minijinja::Error> {
    let mut env = minijinja::Environment::new();
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()?,
    );
    env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
    env.add_function(
        "raise_exception",
        |message: String| -> Result<String, minijinja::Error> {
            Err(minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                message,
            ))
        },
    );
    env.add_function("strftime_now", |format: String| -> String {
        chrono::Local::now().format(&format).to_string()
    });
    env.add_filter(
        "tojson",
        |value: Value, kwargs: Kwargs| -> Result<Value, minijinja::Error> {
            let indent: Option<usize> = kwargs.get("indent")?;
            kwargs.assert_all_used()?;
            let mut out = String::new();
            write_json(&mut out, &value, indent, 0)?;
            Ok(Value::from_safe_string(out))
        },
    );
    env.add_template("chat", source)?;
    let messages: Vec<Value> = conversation.messages.iter().map(message_value).collect();
    let tools: Option<Vec<Value>> = (!conversation.tools.is_empty())
        .then(|| conversation.tools.iter().map(tool_value).collect());
    env.get_template("chat")?.render(minijinja::context! {
        messages => messages,
        tools => tools.map_or(Value::UNDEFINED, Value::from),
        add_generation_prompt => true,
        bos_token => conversation.bos_token,
        eos_token => conversation.eos_token,
    })
}

/// A message as HF templates read it; keys a message does not have are
/// absent (templates test `'tool_calls' in message`).
fn message_value(m: &Message) -> Value {
    let mut pairs = vec![
        ("role", Value::from(m.role.as_str())),
        ("content", Value::from(m.content.as_str())),
    ];
    if !m.tool_calls.is_empty() {
        let calls: Vec<Value> = m
            .tool_calls
            .iter()
            .map(|call| {
                Value::from_pairs([
                    ("id", Value::from(call.id.as_str())),
                    ("type", Value::from("function")),
                    (
                        "function",
                        Value::from_pairs([
                            ("name", Value::from(call.name.as_str())),
                            ("arguments", from_json(&call.arguments_object())),
                        ]),
                    ),
                ])
            })
            .collect();
        pairs.push(("tool_calls", Value::from(calls)));
    }
    if let Some(id) = &m.tool_call_id {
        pairs.push(("tool_call_id", Value::from(id.as_str())));
    }
    if let Some(name) = &m.name {
        pairs.push(("name", Value::from(name.as_str())));
    }
    Value::from_pairs(pairs)
}

/// A tool as HF templates read it (the OpenAI shape).
fn tool_value(t: &ToolDefinition) -> Value {
    let mut function = vec![("name", Value::from(t.name.as_str()))];
    if !t.description.is_empty() {
        function.push(("description", Value::from(t.description.as_str())));
    }
    function.push(("parameters", from_json(&t.parameters)));
    Value::from_pairs([
        ("type", Value::from("function")),
        ("function", Value::from_pairs(function)),
    ])
}

/// Writes `value` as Python's `json.dumps(value, ensure_ascii=False,
/// indent=indent)` does.
fn write_json(
    out: &mut String,
    value: &Value,
    indent: Option<usize>,
    depth: usize,
) -> Result<(), minijinja::Error> {
    let newline = |out: &mut String, depth: usize| {
        if let Some(width) = indent {
            out.push('\n');
            out.push_str(&" ".repeat(width * depth));
        }
    };
    let separator = if indent.is_some() { "," } else { ", " };
    match value.kind() {
        ValueKind::Map => {
            let keys: Vec<Value> = value.try_iter()?.collect();
            if keys.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, key) in keys.iter().enumerate() {
                if i > 0 {
                    out.push_str(separator);
                }
                newline(out, depth + 1);
                let key_text = key.as_str().map_or_else(|| key.to_string(), str::to_owned);
                out.push_str(&serde_json::to_string(&key_text).unwrap_or_default());
                out.push_str(": ");
                write_json(out, &value.get_item(key)?, indent, depth + 1)?;
            }
            newline(out, depth);
            out.push('}');
        }
        ValueKind::Seq | ValueKind::Iterable => {
            let items: Vec<Value> = value.try_iter()?.collect();
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(separator);
                }
                newline(out, depth + 1);
                write_json(out, item, indent, depth + 1)?;
            }
            newline(out, depth);
            out.push(']');
        }
        ValueKind::Undefined | ValueKind::None => out.push_str("null"),
        ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
        ValueKind::Number => out.push_str(&value.to_string()),
        _ => {
            let text = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            out.push_str(&serde_json::Value::String(text).to_string());
        }
    }
    Ok(())
}

/// A JSON value as a template value (objects keep their key order).
fn from_json(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::from(()),
        serde_json::Value::Bool(b) => Value::from(*b),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(Value::from)
            .or_else(|| n.as_u64().map(Value::from))
            .or_else(|| n.as_f64().map(Value::from))
            .unwrap_or_else(|| Value::from(n.to_string())),
        serde_json::Value::String(text) => Value::from(text.as_str()),
        serde_json::Value::Array(items) => items.iter().map(from_json).collect(),
        serde_json::Value::Object(map) => {
            Value::from_pairs(map.iter().map(|(k, v)| (k.as_str(), from_json(v))))
        }
    }
}
