//! The chat template: the GGUF's `tokenizer.chat_template`, applied by
//! llama.cpp's own template support (`llama_chat_apply_template`, which
//! recognises the common templates by their markers) and, for a template it
//! does not know, by the Jinja engine `minijinja` with what Hugging Face
//! templates use (`messages`, `add_generation_prompt`, `bos_token`,
//! `eos_token`, `raise_exception`, trim/lstrip blocks).
//!
//! A model without a template gets [`RunnerError::Template`] naming it: no
//! guessed `ChatML`, whose markers a model not trained on them would read as
//! text (documented in `docs/ARCHITECTURE.md`).
//!
//! Tools: a request that offers tools, or a conversation with tool calls or
//! tool results, is rendered by the Jinja engine (llama.cpp's built-in
//! templates take no tools) with the HF convention (`jinja.rs`), and only
//! for a template whose tool-call format ValeChat reads
//! ([`ToolCallFormat::detect`]); any other template is refused with
//! [`RunnerError::Template`] naming the model, never rendered with the tools
//! silently left out.
//!
//! Thinking: a template that names the `<think>` tag (Qwen 3, `QwQ`,
//! DeepSeek-R1) is always rendered by the Jinja engine, since llama.cpp's
//! built-in rendering of a template it recognises writes its own generation
//! prompt (without DeepSeek-R1's `<think>\n`, or Qwen 3's handling of
//! earlier reasoning); the reply's reasoning is then split from its text
//! (`local::reasoning`).

use llama_cpp_2::model::LlamaChatMessage;

use super::jinja::{self, Conversation};
use super::models::LoadedModel;
use crate::local::protocol::{Message, RunnerError, ToolDefinition};
use crate::local::reasoning;
use crate::local::tool_calls::ToolCallFormat;

/// A prompt, which engine produced it (`llama.cpp` or `jinja`), when
/// tools were offered the format the model writes its calls in, and
/// whether the model thinks in `<think>` tags first.
pub(super) struct Applied {
    pub(super) prompt: String,
    pub(super) engine: &'static str,
    pub(super) tool_format: Option<ToolCallFormat>,
    pub(super) thinking: Option<Thinking>,
}

/// How a thinking model's reply starts (`local::reasoning`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Thinking {
    /// With its own `<think>`, if it reasons.
    MayOpen,
    /// Inside the reasoning: the prompt wrote the opening tag.
    Opened,
}

impl Thinking {
    /// How the reply to `prompt` rendered from `template` starts; `None`:
    /// the template knows no `<think>` tag.
    fn of(template: &str, prompt: &str) -> Option<Self> {
        if !reasoning::thinks(template) {
            None
        } else if reasoning::prompt_opens_reasoning(prompt) {
            Some(Self::Opened)
        } else {
            Some(Self::MayOpen)
        }
    }
}

pub(super) fn apply(
    loaded: &LoadedModel,
    messages: &[Message],
    tools: &[ToolDefinition],
) -> Result<Applied, RunnerError> {
    let name = &loaded.name;
    let template = loaded
        .model()
        .chat_template(None)
        .map_err(|_| RunnerError::Template {
            message: format!(
                "the model {name} has no chat template (tokenizer.chat_template in its GGUF file)"
            ),
        })?;
    let with_tools = !tools.is_empty() || messages.iter().any(Message::is_tool_turn);
    let thinks = template.to_str().is_ok_and(reasoning::thinks);
    if !with_tools && !thinks {
        let chat: Result<Vec<LlamaChatMessage>, _> = messages
            .iter()
            .map(|m| LlamaChatMessage::new(m.role.clone(), m.content.clone()))
            .collect();
        let chat = chat.map_err(|e| RunnerError::Other {
            message: format!("a message cannot be sent to {name}: {e}"),
        })?;
        if let Ok(prompt) = loaded.model().apply_chat_template(&template, &chat, true) {
            return Ok(Applied {
                prompt,
                engine: "llama.cpp",
                tool_format: None,
                thinking: None,
            });
        }
    }
    let source = template.to_string().map_err(|e| RunnerError::Template {
        message: format!("the chat template of {name} is not UTF-8: {e}"),
    })?;
    let tool_format = if with_tools {
        let format = ToolCallFormat::detect(&source).ok_or_else(|| RunnerError::Template {
            message: format!(
                "the chat template of {name} has no tool calling ValeChat can use \
                 (<tool_call> tags, Llama 3 JSON or [TOOL_CALLS]), so {name} cannot be \
                 offered tools or continue a conversation with tool calls: choose a model \
                 whose template supports tools, or chat without tools (MCP servers off, or \
                 `valechat chat --no-tools`)"
            ),
        })?;
        (!tools.is_empty()).then_some(format)
    } else {
        None
    };
    let vocab = loaded.model().vocab();
    let text = |token| {
        vocab
            .text(token)
            .map(|t| t.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let (bos, eos) = (text(vocab.bos()), text(vocab.eos()));
    let conversation = Conversation {
        messages,
        tools,
        bos_token: &bos,
        eos_token: &eos,
    };
    let prompt = jinja::render(&source, &conversation).map_err(|e| RunnerError::Template {
        message: format!("the chat template of {name} failed: {e}"),
    })?;
    Ok(Applied {
        thinking: Thinking::of(&source, &prompt),
        prompt,
        engine: "jinja",
        tool_format,
    })
}

#[cfg(test)]
#[path = "template_tests.rs"]
mod tests;
