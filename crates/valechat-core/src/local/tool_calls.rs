//! Tool calls in a local model's generated text: which format a chat
//! template asks for ([`ToolCallFormat::detect`]), and a streaming parser
//! ([`ToolCallParser`]) that splits the generated text into reply text and
//! tool calls, so the call's text is never shown as reply text.
//!
//! The formats (as llama.cpp's `common/chat.cpp` reads them, detected from
//! the template's own markers):
//! - [`ToolCallFormat::Hermes`] (Hermes 2 Pro, Qwen 2.5 and 3): any number of
//!   `<tool_call>{"name": …, "arguments": {…}}</tool_call>` blocks, text
//!   before them allowed;
//! - [`ToolCallFormat::Llama3Json`] (Llama 3.1, 3.2, 3.3): the whole reply
//!   is `{"name": …, "parameters": {…}}` (or `arguments`), optionally after
//!   `<|python_tag|>`, several separated by `;`;
//! - [`ToolCallFormat::Mistral`] (Mistral Nemo, Small, …):
//!   `[TOOL_CALLS][{"name": …, "arguments": {…}, "id": …}, …]` to the end.
//!
//! Malformed tool-call JSON (not JSON, no `name`, arguments not an object)
//! is kept as reply text, verbatim: nothing the model wrote is lost, and the
//! reply ends as a plain reply (finish reason `stop`), so the user sees what
//! the model attempted.

/// How a model writes tool calls, from its chat template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolCallFormat {
    /// `<tool_call>{json}</tool_call>` blocks (Hermes 2 Pro, Qwen 2.5/3).
    Hermes,
    /// A bare JSON object `{"name", "parameters"}`, optionally after
    /// `<|python_tag|>` (Llama 3.x).
    Llama3Json,
    /// `[TOOL_CALLS]` and a JSON array of calls (Mistral).
    Mistral,
}

const HERMES_OPEN: &str = "<tool_call>";
const HERMES_CLOSE: &str = "</tool_call>";
const PYTHON_TAG: &str = "<|python_tag|>";
const MISTRAL_OPEN: &str = "[TOOL_CALLS]";
/// What a Llama 3 tool call starts with, whitespace removed.
const LLAMA3_STARTS: [&str; 2] = [r#"{"name""#, r#"{"type":"function","name""#];

impl ToolCallFormat {
    /// The format `template` (a GGUF's `tokenizer.chat_template`) asks the
    /// model to write calls in; `None` when it offers no tools or uses a
    /// format not read here. A template must both use `tools` and show one
    /// of the formats' markers.
    #[must_use]
    pub fn detect(template: &str) -> Option<Self> {
        if !template.contains("tools") {
            return None;
        }
        if template.contains(HERMES_OPEN) {
            Some(Self::Hermes)
        } else if template.contains(MISTRAL_OPEN) {
            Some(Self::Mistral)
        } else if template.contains("<|start_header_id|>")
            && (template.contains("ipython") || template.contains(PYTHON_TAG))
        {
            Some(Self::Llama3Json)
        } else {
            None
        }
    }
}

/// One tool call read from the generated text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedCall {
    /// The function's name.
    pub name: String,
    /// The arguments as compact JSON object text (`{}` when none given).
    pub arguments: String,
    /// The call id the model wrote (Mistral), if any.
    pub id: Option<String>,
}

/// A piece of the parsed output, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Reply text to show.
    Text(String),
    /// A complete tool call.
    Call(ParsedCall),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Plain text, watching for an opening marker.
    Text,
    /// Hermes: inside `<tool_call>`, waiting for `</tool_call>`.
    InCall,
    /// Llama 3: the reply's start, not yet known to be a call or text.
    Start,
    /// Everything to the end is tool calls (Llama 3 after the start
    /// matched, Mistral after `[TOOL_CALLS]`); read at [`ToolCallParser::finish`].
    Rest,
    /// Llama 3: the reply is text; everything passes.
    Passthrough,
}

/// Splits streamed generated text into [`Piece`]s; see the module doc.
///
/// Text that may be the start of a marker is held back until the next
/// chunk decides it, so a marker split across chunks is never shown.
#[derive(Debug)]
pub struct ToolCallParser {
    format: ToolCallFormat,
    state: State,
    /// Text not yet decided (a possible marker prefix, a call's body).
    buf: String,
    /// Whitespace after a call, shown only if more text follows.
    pending_space: String,
    /// For [`State::Rest`]: what came before the calls (the marker).
    rest_prefix: String,
    calls: usize,
}

impl ToolCallParser {
    /// A parser for a reply in `format`.
    #[must_use]
    pub fn new(format: ToolCallFormat) -> Self {
        let state = if format == ToolCallFormat::Llama3Json {
            State::Start
        } else {
            State::Text
        };
        Self {
            format,
            state,
            buf: String::new(),
            pending_space: String::new(),
            rest_prefix: String::new(),
            calls: 0,
        }
    }

    /// How many tool calls were read so far.
    #[must_use]
    pub fn calls(&self) -> usize {
        self.calls
    }

    /// Feeds the next generated `chunk`; returns what it decides.
    pub fn push(&mut self, chunk: &str) -> Vec<Piece> {
        self.buf.push_str(chunk);
        let mut out = Vec::new();
        loop {
            match self.state {
                State::Text => {
                    let open = self.open_marker();
                    if let Some(i) = self.buf.find(open) {
                        let before: String = self.buf.drain(..i + open.len()).collect();
                        self.text(&mut out, &before[..i]);
                        if self.format == ToolCallFormat::Hermes {
                            self.state = State::InCall;
                        } else {
                            self.rest_prefix = open.to_owned();
                            self.state = State::Rest;
                        }
                    } else {
                        let keep = marker_prefix_len(&self.buf, open);
                        let sure: String = self.buf.drain(..self.buf.len() - keep).collect();
                        self.text(&mut out, &sure);
                        break;
                    }
                }
                State::InCall => {
                    let Some(i) = self.buf.find(HERMES_CLOSE) else {
                        break;
                    };
                    let body: String = self.buf.drain(..i + HERMES_CLOSE.len()).collect();
                    let body = &body[..i];
                    match parse_call(body) {
                        Some(call) => self.call(&mut out, call),
                        None => self.text(&mut out, &format!("{HERMES_OPEN}{body}{HERMES_CLOSE}")),
                    }
                    self.state = State::Text;
                }
                State::Start => match llama3_start(&self.buf) {
                    Some(true) => {
                        self.rest_prefix.clear();
                        self.state = State::Rest;
                    }
                    Some(false) => self.state = State::Passthrough,
                    None => break,
                },
                State::Passthrough => {
                    let all = std::mem::take(&mut self.buf);
                    self.text(&mut out, &all);
                    break;
                }
                State::Rest => break,
            }
        }
        out
    }

    /// The end of the generation: decides what is still held back (an
    /// unclosed call that is valid JSON is a call; anything else is text).
    pub fn finish(&mut self) -> Vec<Piece> {
        let mut out = Vec::new();
        let buf = std::mem::take(&mut self.buf);
        match self.state {
            State::Text | State::Passthrough | State::Start => self.text(&mut out, &buf),
            State::InCall => match parse_call(&buf) {
                Some(call) => self.call(&mut out, call),
                None => self.text(&mut out, &format!("{HERMES_OPEN}{buf}")),
            },
            State::Rest => {
                if let Some(calls) = parse_calls(self.format, &buf) {
                    for call in calls {
                        self.call(&mut out, call);
                    }
                } else {
                    let prefix = std::mem::take(&mut self.rest_prefix);
                    self.text(&mut out, &format!("{prefix}{buf}"));
                }
            }
        }
        self.state = State::Text;
        out
    }

    fn open_marker(&self) -> &'static str {
        match self.format {
            ToolCallFormat::Mistral => MISTRAL_OPEN,
            _ => HERMES_OPEN,
        }
    }

    fn text(&mut self, out: &mut Vec<Piece>, text: &str) {
        if text.is_empty() {
            return;
        }
        if self.calls > 0 && text.trim().is_empty() {
            self.pending_space.push_str(text);
            return;
        }
        let mut all = std::mem::take(&mut self.pending_space);
        all.push_str(text);
        match out.last_mut() {
            Some(Piece::Text(last)) => last.push_str(&all),
            _ => out.push(Piece::Text(all)),
        }
    }

    fn call(&mut self, out: &mut Vec<Piece>, call: ParsedCall) {
        self.pending_space.clear();
        self.calls += 1;
        out.push(Piece::Call(call));
    }
}

/// The length of the longest end of `text` that begins `marker` (held back
/// in case the next chunk completes the marker).
fn marker_prefix_len(text: &str, marker: &str) -> usize {
    (1..marker.len().min(text.len() + 1))
        .rev()
        .find(|&n| text.is_char_boundary(text.len() - n) && text.ends_with(&marker[..n]))
        .unwrap_or(0)
}

/// Whether a Llama 3 reply starting with `text` is a tool call: `Some(true)`
/// yes, `Some(false)` no, `None` not known yet.
fn llama3_start(text: &str) -> Option<bool> {
    let text = text.trim_start();
    if text.is_empty() {
        return None;
    }
    if text.starts_with(PYTHON_TAG) {
        return Some(true);
    }
    if PYTHON_TAG.starts_with(text) {
        return None;
    }
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(32)
        .collect();
    if LLAMA3_STARTS.iter().any(|s| compact.starts_with(s)) {
        Some(true)
    } else if LLAMA3_STARTS.iter().any(|s| s.starts_with(&compact)) {
        None
    } else {
        Some(false)
    }
}

/// One call object: `name` and `arguments` (or `parameters`), an object or
/// a string holding one; an optional `id`.
fn call_from_value(value: &serde_json::Value) -> Option<ParsedCall> {
    let object = value.as_object()?;
    let object = match object.get("function") {
        Some(serde_json::Value::Object(inner)) if !object.contains_key("name") => inner,
        _ => object,
    };
    let name = object.get("name")?.as_str()?.to_owned();
    let arguments = match object.get("arguments").or_else(|| object.get("parameters")) {
        None | Some(serde_json::Value::Null) => serde_json::Value::Object(serde_json::Map::new()),
        Some(serde_json::Value::String(s)) => serde_json::from_str(s).ok()?,
        Some(other) => other.clone(),
    };
    if !arguments.is_object() || name.is_empty() {
        return None;
    }
    Some(ParsedCall {
        name,
        arguments: arguments.to_string(),
        id: object
            .get("id")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned),
    })
}

/// A Hermes call body (the JSON between the tags).
fn parse_call(body: &str) -> Option<ParsedCall> {
    let value: serde_json::Value = serde_json::from_str(body.trim()).ok()?;
    call_from_value(&value)
}

/// Everything after the start of a Llama 3 or Mistral call: the calls, or
/// `None` when any part is not a call.
fn parse_calls(format: ToolCallFormat, text: &str) -> Option<Vec<ParsedCall>> {
    let text = text.trim_start();
    let text = text.strip_prefix(PYTHON_TAG).unwrap_or(text);
    let mut calls = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<serde_json::Value>();
        let value = values.next()?.ok()?;
        let used = values.byte_offset();
        match (&value, format) {
            (serde_json::Value::Array(items), ToolCallFormat::Mistral) => {
                for item in items {
                    calls.push(call_from_value(item)?);
                }
            }
            _ => calls.push(call_from_value(&value)?),
        }
        rest = rest[used..].trim_start();
        rest = rest.strip_prefix(';').unwrap_or(rest).trim_start();
    }
    (!calls.is_empty()).then_some(calls)
}

#[cfg(test)]
mod tests;
