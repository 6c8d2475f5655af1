//! The JSON-lines protocol between ValeChat and `valechat local-runner`.
//!
//! One JSON object per line, UTF-8, over the runner's stdin (requests) and
//! stdout (replies); the runner's stderr is llama.cpp's log. The runner
//! first writes a [`Reply::Hello`] with [`PROTOCOL_VERSION`]; a client that
//! sees another version refuses to talk to it. Every request carries an `id`
//! chosen by the client; every reply line names the request it answers.
//! `generate` answers with any number of [`Reply::Delta`],
//! [`Reply::Reasoning`] and [`Reply::ToolCall`] lines, then one
//! [`Reply::Done`] (or one [`Reply::Error`]); every other request answers
//! with one [`Reply::Ok`] or one [`Reply::Error`]. Requests are served in
//! order, one at a time, except [`Op::Cancel`], which the runner reads
//! while it generates.

use serde::{Deserialize, Serialize};

pub use crate::provider::{ToolCall, ToolChoice, ToolDefinition};

/// Version of this protocol; bumped on any incompatible change (2: tools,
/// tool calls and tool results, [`Reply::ToolCall`]; 3: [`Reply::Reasoning`];
/// 4: `tool_choice` in [`Op::Generate`] and the tool-call grammar).
pub const PROTOCOL_VERSION: u32 = 4;

/// One request line (client → runner).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Chosen by the client, echoed in every reply line to this request.
    pub id: u64,
    /// What to do.
    #[serde(flatten)]
    pub op: Op,
}

/// A chat message as the runner sees it: a role (`system`, `user`,
/// `assistant`, `tool`), its text, and the tool data of the Hugging Face
/// chat-template convention: an assistant turn's `tool_calls`, a tool
/// result's `tool_call_id` and `name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// `system`, `user`, `assistant` or `tool`.
    pub role: String,
    /// The message's text (a tool result's text for `tool`).
    pub content: String,
    /// The tool calls an assistant turn made, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// For `tool`: the id of the call it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
    /// For `tool`: the name of the tool that answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Message {
    /// A plain message of `role` with `content` and no tool data.
    pub fn new(role: impl Into<String>, content: impl Into<String>) -> Self {
        Self {
            role: role.into(),
            content: content.into(),
            tool_calls: Vec::new(),
            tool_call_id: None,
            name: None,
        }
    }

    /// Whether this message is a tool call or a tool result (which only a
    /// template with tool support can render).
    #[must_use]
    pub fn is_tool_turn(&self) -> bool {
        !self.tool_calls.is_empty() || self.role == "tool"
    }
}

/// Sampling parameters of one reply; `None` takes llama.cpp's usual default
/// (temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, repeat penalty 1.0
/// (off), a random seed).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Sampling {
    /// Temperature (0 = greedy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
    /// Nucleus sampling threshold (0–1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f32>,
    /// Keep the k most likely tokens (0 = all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_k: Option<i32>,
    /// Drop tokens less likely than `min_p` × the most likely one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_p: Option<f32>,
    /// Penalty on tokens among the last 64 (1.0 = off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_penalty: Option<f32>,
    /// Random seed, for reproducible replies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u32>,
}

/// The requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// Loads the GGUF at `path` under the name `model`; loading a name
    /// already loaded from the same path is a no-op.
    Load {
        /// Name the other requests use.
        model: String,
        /// Path of the `.gguf` file.
        path: String,
        /// Context length in tokens; `None` takes the model's trained length
        /// capped at 4096.
        #[serde(default)]
        context_length: Option<u32>,
        /// CPU threads for generation; `None` takes the available cores.
        #[serde(default)]
        threads: Option<u32>,
        /// Layers to offload to the GPU (0 = none).
        #[serde(default)]
        gpu_layers: u32,
    },
    /// Unloads `model`, freeing its memory.
    Unload {
        /// Name given at load.
        model: String,
    },
    /// Lists the loaded models ([`Loaded`] in `Ok.result`).
    List,
    /// Generates a reply to `messages` with the model's chat template.
    /// With `tools`, the template must support them ([`RunnerError::Template`]
    /// otherwise) and the reply's tool calls come as [`Reply::ToolCall`]
    /// lines, never as text.
    Generate {
        /// Name given at load.
        model: String,
        /// The conversation, oldest first.
        messages: Vec<Message>,
        /// Tools the model may call; empty offers none.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tools: Vec<ToolDefinition>,
        /// Whether the model may (`auto`, the default: a lazy grammar
        /// keeps a call valid once begun), must (`required`, or `tool`
        /// with its `name`: the reply is that call, held to the grammar from
        /// the first token) or must not (`none`: no tools rendered) call
        /// one of `tools` (`{"type":"auto"|"none"|"required"|"tool","name"}`;
        /// `crate::local::grammar`).
        #[serde(default, skip_serializing_if = "is_auto")]
        tool_choice: ToolChoice,
        /// Sampling parameters.
        #[serde(default)]
        sampling: Sampling,
        /// Upper bound on output tokens; `None` runs to the context's end.
        #[serde(default)]
        max_output_tokens: Option<u32>,
    },
    /// Stops the generation started by request `target` at the next token.
    Cancel {
        /// Id of the `generate` request.
        target: u64,
    },
    /// The prompt `messages` become under the model's chat template
    /// (`{"prompt": …, "template": "llama.cpp"|"jinja"}` in `Ok.result`).
    ApplyTemplate {
        /// Name given at load.
        model: String,
        /// The conversation, oldest first.
        messages: Vec<Message>,
        /// Tools offered, rendered as the template expects.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tools: Vec<ToolDefinition>,
    },
    /// Token ids of `text` under the model's tokenizer (`{"tokens": [...]}`).
    Tokenize {
        /// Name given at load.
        model: String,
        /// Text to tokenize.
        text: String,
        /// Add the model's BOS/EOS tokens as it asks.
        #[serde(default)]
        add_special: bool,
        /// Read special tokens written in the text (`<|im_start|>`) as such.
        #[serde(default)]
        parse_special: bool,
    },
    /// Mean-pooled, L2-normalised embeddings of `texts` (`{"embeddings": [[f32]]}`).
    Embed {
        /// Name given at load.
        model: String,
        /// Texts to embed.
        texts: Vec<String>,
    },
    /// What the runner can use ([`Acceleration`] in `Ok.result`).
    Acceleration,
}

fn is_auto(choice: &ToolChoice) -> bool {
    *choice == ToolChoice::Auto
}

/// One reply line (runner → client).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    /// First line the runner writes.
    Hello {
        /// [`PROTOCOL_VERSION`] of the runner.
        protocol: u32,
        /// The runner's ValeChat version.
        version: String,
    },
    /// A request succeeded; `result` depends on the request.
    Ok {
        /// Request id.
        id: u64,
        /// The answer (`null` for load, unload and cancel).
        result: serde_json::Value,
    },
    /// A piece of generated text.
    Delta {
        /// Request id.
        id: u64,
        /// The text (whole UTF-8 characters).
        text: String,
    },
    /// A piece of the model's reasoning: generated text inside
    /// `<think>…</think>` (`local::reasoning`), never part of the reply's
    /// text.
    Reasoning {
        /// Request id.
        id: u64,
        /// The text (whole UTF-8 characters).
        text: String,
    },
    /// A tool call the model made, read from its generated text (whose
    /// call text is not sent as [`Reply::Delta`]); the calls of a reply are
    /// numbered from 0 by `index`.
    ToolCall {
        /// Request id.
        id: u64,
        /// Position among this reply's calls.
        index: u32,
        /// The call id the model wrote (Mistral), else one made by the runner.
        call_id: String,
        /// The function's name.
        name: String,
        /// The arguments, JSON object text.
        arguments: String,
    },
    /// The generation ended.
    Done {
        /// Request id.
        id: u64,
        /// `stop` (end of generation token), `tool_calls` (it ended after
        /// [`Reply::ToolCall`]s), `length` (output limit or context full)
        /// or `cancelled`.
        finish_reason: String,
        /// Prompt tokens after the template, from the model's tokenizer.
        input_tokens: u64,
        /// Tokens generated.
        output_tokens: u64,
        /// Of `input_tokens`, those already in the model's kept context
        /// (the prefix shared with the previous prompt and reply), not
        /// decoded again; 0 from a runner that kept none.
        #[serde(default)]
        cached_tokens: u64,
    },
    /// A request failed.
    Error {
        /// Request id (0 for a line that could not be read as a request).
        id: u64,
        /// What failed.
        #[serde(flatten)]
        error: RunnerError,
    },
}

/// A failure inside the runner, by kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RunnerError {
    /// The model file could not be loaded (missing, truncated, corrupt,
    /// unknown architecture).
    #[error("{message}")]
    Load {
        /// What llama.cpp or the file check said.
        message: String,
    },
    /// No model is loaded under that name.
    #[error("no model named {model} is loaded")]
    NotLoaded {
        /// The name asked for.
        model: String,
    },
    /// The prompt does not fit in the context.
    #[error(
        "the conversation needs {input_tokens} tokens but {model}'s context holds {context_length}"
    )]
    ContextOverflow {
        /// The model's name.
        model: String,
        /// Prompt tokens after the template.
        input_tokens: u64,
        /// The context length in tokens.
        context_length: u64,
    },
    /// The model has no chat template, or its template failed.
    #[error("{message}")]
    Template {
        /// What failed, naming the model.
        message: String,
    },
    /// A tool's arguments schema cannot be turned into the grammar that
    /// keeps its calls valid (llama.cpp's JSON Schema converter refused
    /// it); nothing was generated.
    #[error(
        "{model} cannot be offered the tool {tool}: its arguments schema cannot be turned \
         into a grammar by llama.cpp ({message}); turn that tool's MCP server off or \
         choose another model"
    )]
    ToolSchema {
        /// The model's name.
        model: String,
        /// The tool's name.
        tool: String,
        /// What the converter said.
        message: String,
    },
    /// A malformed request line or a failure while running it.
    #[error("{message}")]
    Other {
        /// What failed.
        message: String,
    },
}

/// One loaded model, as [`Op::List`] reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loaded {
    /// Name given at load.
    pub model: String,
    /// Path of the GGUF file.
    pub path: String,
    /// Context length in tokens.
    pub context_length: u32,
    /// Layers offloaded to the GPU.
    pub gpu_layers: u32,
    /// Size of the weights in bytes.
    pub size_bytes: u64,
    /// Parameter count.
    pub parameters: u64,
}

/// What the runner can use, as [`Op::Acceleration`] reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acceleration {
    /// CPU features llama.cpp was built for and found (`AVX2`, `AVX512`, `NEON`, …).
    pub cpu_features: Vec<String>,
    /// The CPU back end ggml chose for this CPU where back ends are loaded
    /// at run time (Linux): the module's name, `cpu-x64`, `cpu-sse42`,
    /// `cpu-haswell`, `cpu-icelake`, `cpu-armv8.2_1`…; `None` where
    /// llama.cpp is linked into the binary (macOS).
    #[serde(default)]
    pub cpu_backend: Option<String>,
    /// The file of [`Self::cpu_backend`] (`/usr/lib/valechat/libggml-cpu-icelake.so`).
    #[serde(default)]
    pub cpu_backend_file: Option<String>,
    /// Threads available to generation.
    pub threads: u32,
    /// Whether a GPU back end is compiled in and can offload layers.
    pub gpu_offload: bool,
    /// Back-end devices found (`CPU`, `Vulkan0`, …), with their description.
    pub devices: Vec<String>,
}

#[cfg(test)]
mod tests;
