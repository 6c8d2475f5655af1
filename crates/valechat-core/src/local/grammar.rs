//! The grammar that keeps a local model's tool calls valid: built from the
//! offered tools' JSON Schemas and the template's [`ToolCallFormat`], for
//! llama.cpp's grammar sampler (GBNF), as llama.cpp's `common/chat.cpp`
//! does for its own server.
//!
//! - One JSON Schema per call: `{"name": const, "arguments": <the tool's
//!   schema>}` (Llama 3: `"parameters"`; Mistral also an optional 9-letter
//!   `"id"`), all of them `anyOf`, turned into GBNF by llama.cpp's
//!   converter (`json_schema_to_grammar`, passed in as `convert` so this
//!   module needs no llama.cpp); its `root` rule becomes `tool-call`.
//! - The format's frame around it, as `root`: Hermes
//!   `<tool_call>…</tool_call>` blocks, Llama 3 an optional
//!   `<|python_tag|>` then calls separated by `;`, Mistral
//!   `[TOOL_CALLS][…, …]`.
//! - [`ToolChoice::Auto`]: the grammar is **lazy**: it waits for
//!   [`ToolGrammar::triggers`] (regular expressions searched in the
//!   generated text: `<tool_call>`, `[TOOL_CALLS]`, a reply that opens with
//!   `<|python_tag|>` or `{"name"`), so text before a call is free and a
//!   call, once begun, is held to the grammar from its opening marker.
//!   [`ToolChoice::Required`] and [`ToolChoice::Tool`]: not lazy, the reply
//!   is the call (for [`ToolChoice::Tool`] of that tool only), after the
//!   `<think>…</think>` of a thinking model ([`ThinkingStart`]).
//!   [`ToolChoice::None`]: no grammar (and no tools rendered).
//! - A schema the converter refuses is an error naming the tool
//!   ([`GrammarError`]); the tool is never offered unconstrained.

use serde_json::{Value, json};

use crate::local::tool_calls::ToolCallFormat;
use crate::provider::{ToolChoice, ToolDefinition};

/// The grammar of one reply's tool calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolGrammar {
    /// GBNF text; its start rule is `root`.
    pub gbnf: String,
    /// `None`: the grammar holds from the first token. `Some`: lazy, it
    /// holds from the first match of one of these regular expressions
    /// (ECMAScript syntax, searched in the text generated so far; the
    /// grammar starts at the first capture group).
    pub triggers: Option<Vec<String>>,
}

/// How a thinking model's reply starts (`<think>` in its template), for a
/// grammar that holds from the first token: the reasoning is let through
/// before the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThinkingStart {
    /// The model may open `<think>…</think>` first.
    MayOpen,
    /// The prompt opened `<think>`: the reply starts inside the reasoning
    /// and closes it before the call.
    Opened,
}

/// Why no grammar could be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrammarError {
    /// llama.cpp's converter refused the tool's JSON Schema.
    #[error(
        "the arguments schema of the tool {tool} cannot be turned into a grammar by llama.cpp \
         ({message}), so its calls cannot be kept valid"
    )]
    Schema {
        /// The tool's name.
        tool: String,
        /// What the converter said.
        message: String,
    },
}

/// The JSON Schema of one call of `tool` in `format`, as text: its
/// properties in the order the model writes them (`name` first), which the
/// converter keeps (a `serde_json::Map` would sort them).
#[must_use]
pub fn call_schema(format: ToolCallFormat, tool: &ToolDefinition) -> String {
    let arguments = if tool.parameters.is_object() {
        tool.parameters.clone()
    } else {
        json!({"type": "object"})
    };
    let (key, extra) = match format {
        ToolCallFormat::Hermes => ("arguments", ""),
        ToolCallFormat::Llama3Json => ("parameters", ""),
        ToolCallFormat::Mistral => (
            "arguments",
            r#","id":{"type":"string","pattern":"^[a-zA-Z0-9]{9}$"}"#,
        ),
    };
    format!(
        r#"{{"type":"object","properties":{{"name":{{"const":{name}}},"{key}":{arguments}{extra}}},"required":["name","{key}"],"additionalProperties":false}}"#,
        name = Value::String(tool.name.clone()),
    )
}

/// The grammar for `tools` under `choice` in `format`; `Ok(None)` when no
/// grammar applies ([`ToolChoice::None`], or no tools). `thinking`: how a
/// thinking model's reply starts (`None` for others); a grammar from the
/// first token then lets its `<think>…</think>` through before the call.
///
/// `convert` turns a JSON Schema (text) into GBNF whose start rule is
/// `root` (llama.cpp's `json_schema_to_grammar`).
///
/// # Errors
/// [`GrammarError::Schema`] naming the first tool whose schema `convert`
/// refuses.
pub fn build(
    format: ToolCallFormat,
    tools: &[ToolDefinition],
    choice: &ToolChoice,
    thinking: Option<ThinkingStart>,
    convert: impl Fn(&str) -> Result<String, String>,
) -> Result<Option<ToolGrammar>, GrammarError> {
    let offered: Vec<&ToolDefinition> = match choice {
        ToolChoice::None => return Ok(None),
        ToolChoice::Auto | ToolChoice::Required => tools.iter().collect(),
        ToolChoice::Tool(name) => tools.iter().filter(|t| &t.name == name).collect(),
    };
    if offered.is_empty() {
        return Ok(None);
    }
    let schemas: Vec<String> = offered.iter().map(|t| call_schema(format, t)).collect();
    let schema = if schemas.len() == 1 {
        schemas[0].clone()
    } else {
        format!(r#"{{"anyOf":[{}]}}"#, schemas.join(","))
    };
    let calls = match convert(&schema) {
        Ok(gbnf) => gbnf,
        Err(message) => {
            // Name the tool: the first whose schema alone is refused.
            let culprit = offered
                .iter()
                .zip(&schemas)
                .find(|(_, s)| convert(s).is_err())
                .map_or_else(|| offered[0].name.clone(), |(t, _)| t.name.clone());
            return Err(GrammarError::Schema {
                tool: culprit,
                message,
            });
        }
    };
    let lazy = matches!(choice, ToolChoice::Auto);
    // A grammar from the first token lets a thinking model reason first.
    let root = match thinking {
        Some(_) if lazy => "root ::= tc-calls",
        None => "root ::= tc-calls",
        Some(ThinkingStart::MayOpen) => {
            "root ::= (\"<think>\" tc-think \"</think>\" tc-ws)? tc-calls\n\
             tc-think ::= ([^<] | \"<\" [^/] | \"</\" [^t] | \"</t\" [^h] | \"</th\" [^i] | \"</thi\" [^n] | \"</thin\" [^k] | \"</think\" [^>])*"
        }
        Some(ThinkingStart::Opened) => {
            "root ::= tc-think \"</think>\" tc-ws tc-calls\n\
             tc-think ::= ([^<] | \"<\" [^/] | \"</\" [^t] | \"</t\" [^h] | \"</th\" [^i] | \"</thi\" [^n] | \"</thin\" [^k] | \"</think\" [^>])*"
        }
    };
    let gbnf = format!("{root}\n{}\n{}", frame(format), rename_root(&calls));
    let triggers = lazy.then(|| triggers(format));
    Ok(Some(ToolGrammar { gbnf, triggers }))
}

/// The format's frame around `tool-call` (rule `tc-calls`), with its
/// whitespace rule.
fn frame(format: ToolCallFormat) -> &'static str {
    match format {
        ToolCallFormat::Hermes => {
            "tc-calls ::= tc-block (tc-ws tc-block)*\n\
             tc-block ::= \"<tool_call>\" tc-ws tool-call tc-ws \"</tool_call>\"\n\
             tc-ws ::= [ \\n]{0,2}"
        }
        ToolCallFormat::Llama3Json => {
            "tc-calls ::= \"<|python_tag|>\"? tool-call (tc-ws \";\" tc-ws tool-call)*\n\
             tc-ws ::= [ \\n]{0,2}"
        }
        ToolCallFormat::Mistral => {
            "tc-calls ::= \"[TOOL_CALLS]\" tc-ws \"[\" tc-ws tool-call (tc-ws \",\" tc-ws tool-call)* tc-ws \"]\"\n\
             tc-ws ::= [ \\n]{0,2}"
        }
    }
}

/// The regular expressions that start the lazy grammar in `format`.
fn triggers(format: ToolCallFormat) -> Vec<String> {
    match format {
        ToolCallFormat::Hermes => vec!["<tool_call>".to_owned()],
        ToolCallFormat::Llama3Json => {
            vec![r#"^\s*(<\|python_tag\|>|\{\s*"name")"#.to_owned()]
        }
        ToolCallFormat::Mistral => vec![r"\[TOOL_CALLS\]".to_owned()],
    }
}

/// The converter's grammar with its `root` rule named `tool-call`.
fn rename_root(gbnf: &str) -> String {
    gbnf.lines()
        .map(|line| match line.strip_prefix("root ::=") {
            Some(rest) => format!("tool-call ::={rest}"),
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
#[path = "grammar_tests.rs"]
mod tests;
