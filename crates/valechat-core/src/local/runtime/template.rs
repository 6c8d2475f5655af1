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

use llama_cpp_2::model::LlamaChatMessage;

use super::models::LoadedModel;
use crate::local::protocol::{Message, RunnerError};

/// A prompt and which engine produced it (`llama.cpp` or `jinja`).
pub(super) struct Applied {
    pub(super) prompt: String,
    pub(super) engine: &'static str,
}

pub(super) fn apply(loaded: &LoadedModel, messages: &[Message]) -> Result<Applied, RunnerError> {
    let name = &loaded.name;
    let template = loaded
        .model()
        .chat_template(None)
        .map_err(|_| RunnerError::Template {
            message: format!(
                "the model {name} has no chat template (tokenizer.chat_template in its GGUF file)"
            ),
        })?;
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
        });
    }
    let source = template.to_string().map_err(|e| RunnerError::Template {
        message: format!("the chat template of {name} is not UTF-8: {e}"),
    })?;
    let vocab = loaded.model().vocab();
    let text = |token| {
        vocab
            .text(token)
            .map(|t| t.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let prompt =
        render_jinja(&source, messages, &text(vocab.bos()), &text(vocab.eos())).map_err(|e| {
            RunnerError::Template {
                message: format!("the chat template of {name} failed: {e}"),
            }
        })?;
    Ok(Applied {
        prompt,
        engine: "jinja",
    })
}

/// Renders a Hugging Face style Jinja chat template with the generation prompt.
///
/// # Errors
/// A template that does not parse, or that calls `raise_exception`.
pub(crate) fn render_jinja(
    source: &str,
    messages: &[Message],
    bos_token: &str,
    eos_token: &str,
) -> Result<String, minijinja::Error> {
    let mut env = minijinja::Environment::new();
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()?,
    );
    env.add_function(
        "raise_exception",
        |message: String| -> Result<String, minijinja::Error> {
            Err(minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                message,
            ))
        },
    );
    env.add_template("chat", source)?;
    env.get_template("chat")?.render(minijinja::context! {
        messages => messages
            .iter()
            .map(|m| {
                std::collections::BTreeMap::from([
                    ("role", minijinja::Value::from(m.role.as_str())),
                    ("content", minijinja::Value::from(m.content.as_str())),
                ])
            })
            .map(minijinja::Value::from)
            .collect::<Vec<_>>(),
        add_generation_prompt => true,
        bos_token => bos_token,
        eos_token => eos_token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(role: &str, content: &str) -> Message {
        Message {
            role: role.into(),
            content: content.into(),
        }
    }

    #[test]
    fn a_hugging_face_template_renders_with_bos_and_the_generation_prompt() {
        let source = "{{ bos_token }}{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}";
        let prompt = render_jinja(source, &[msg("user", "hello")], "<s>", "</s>").unwrap();
        assert_eq!(prompt, "<s>[user] hello\n[assistant]");
    }

    #[test]
    fn raise_exception_is_an_error_with_its_message() {
        let source = "{% if messages[0].role != 'user' %}{{ raise_exception('Conversation must start with user') }}{% endif %}ok";
        let error = render_jinja(source, &[msg("assistant", "x")], "", "").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("Conversation must start with user"),
            "{error}"
        );
    }
}
