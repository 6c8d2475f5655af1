//! What `generate` and `compare_models` share: the model to use (given,
//! or the default), the messages, and the text of an engine error for a
//! tool error.

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};
use valechat_core::chat::{Completion, Engine, EngineError};
use valechat_core::provider::ChatMessage;

/// One message of `messages`: a role and its text.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageArg {
    /// `user`, `assistant` or `system`.
    pub role: String,
    /// The message's text.
    pub text: String,
}

/// The JSON Schema of `messages`.
#[must_use]
pub fn messages_schema() -> Value {
    json!({
        "type": "array",
        "description": "The conversation so far, oldest first (instead of prompt).",
        "items": {
            "type": "object",
            "properties": {
                "role": {"type": "string", "enum": ["user", "assistant", "system"]},
                "text": {"type": "string"},
            },
            "required": ["role", "text"],
            "additionalProperties": false,
        },
        "minItems": 1,
    })
}

/// The messages to send: `system` first when given, then `prompt` as one
/// user message or `messages` as given.
///
/// # Errors
/// Neither or both of `prompt` and `messages`, an empty prompt, an unknown
/// role.
pub fn messages(
    system: Option<&str>,
    prompt: Option<&str>,
    messages: Option<&[MessageArg]>,
) -> Result<Vec<ChatMessage>, String> {
    let mut out = Vec::new();
    if let Some(system) = system.filter(|s| !s.trim().is_empty()) {
        out.push(ChatMessage::system(system));
    }
    match (prompt, messages) {
        (Some(prompt), None) => {
            if prompt.trim().is_empty() {
                return Err("the prompt is empty".to_owned());
            }
            out.push(ChatMessage::user(prompt));
        }
        (None, Some(list)) if !list.is_empty() => {
            for m in list {
                out.push(match m.role.as_str() {
                    "user" => ChatMessage::user(&m.text),
                    "assistant" => ChatMessage::assistant(&m.text),
                    "system" => ChatMessage::system(&m.text),
                    other => {
                        return Err(format!(
                            "unknown role “{other}” (user, assistant or system)"
                        ));
                    }
                });
            }
        }
        (Some(_), Some(_)) => return Err("give prompt or messages, not both".to_owned()),
        (None, _) => return Err("give prompt or messages".to_owned()),
    }
    Ok(out)
}

/// Splits `provider/model` at the first `/` (provider ids have none; model
/// ids such as OpenRouter's may), checking the provider is configured.
///
/// # Errors
/// No `/`, or no such provider.
pub async fn split_model(engine: &Engine, text: &str) -> Result<(String, String), String> {
    let Some((provider, model)) = text
        .split_once('/')
        .filter(|(p, m)| !p.is_empty() && !m.is_empty())
    else {
        return Err(format!("“{text}” is not provider/model (see list_models)"));
    };
    match engine.store().get_provider(provider).await {
        Ok(Some(_)) => Ok((provider.to_owned(), model.to_owned())),
        Ok(None) => Err(format!(
            "no provider has the id “{provider}” (see list_models)"
        )),
        Err(e) => Err(format!("could not read the providers: {e}")),
    }
}

/// The model `generate` uses when none is given: the default assistant's
/// provider and model when it has both (as `valechat chat` starts), else
/// the first enabled provider's default model (as the window starts).
///
/// # Errors
/// When there is none, or the database fails.
pub async fn default_model(engine: &Engine) -> Result<(String, String), String> {
    let store = engine.store();
    if let Ok(Some(assistant)) = store.default_assistant().await
        && let (Some(provider), Some(model)) = (assistant.provider_id, assistant.model)
    {
        return Ok((provider, model));
    }
    let providers = engine
        .providers()
        .list()
        .await
        .map_err(|e| format!("could not read the providers: {e}"))?;
    providers
        .into_iter()
        .filter(|p| p.enabled)
        .find_map(|p| p.default_model.map(|m| (p.id, m)))
        .ok_or_else(|| {
            "no default model is set: give provider and model (see list_models)".to_owned()
        })
}

/// An engine error as a tool error's text: which hard limit refused, what
/// is spent and what is left; else the engine's sentence for people, with
/// the server's words.
#[must_use]
pub fn error_text(error: &EngineError) -> String {
    let usd = |d: Decimal| format!("{} USD", d.round_dp(6).normalize());
    if let EngineError::LimitReached(refusal) = error {
        let limit = &refusal.limit;
        return format!(
            "Refused by a hard spending limit: {} of {} has {} left ({} spent), and this request could cost up to {}.",
            valechat_core::chat::limit_name(&limit.limit),
            usd(limit.limit.amount_usd),
            usd(limit.remaining()),
            usd(limit.spent),
            usd(refusal.worst_case)
        );
    }
    let user = error.user_error();
    match user.detail {
        Some(detail) => format!("{} ({detail})", user.sentence),
        None => user.sentence,
    }
}

/// The usage and cost of `completion` as JSON: input and output tokens,
/// `cost_usd` as a decimal string (null when it was not billed).
#[must_use]
pub fn usage_json(completion: &Completion) -> Value {
    let (input, output) = completion.usage.as_ref().map_or_else(
        || {
            completion
                .record
                .as_ref()
                .map_or((0, 0), |r| (r.tokens.input, r.tokens.output))
        },
        |u| {
            (
                i64::try_from(u.input_tokens).unwrap_or(i64::MAX),
                i64::try_from(u.output_tokens).unwrap_or(i64::MAX),
            )
        },
    );
    json!({
        "input_tokens": input,
        "output_tokens": output,
        "cost_usd": completion.record.as_ref().map(|r| r.cost_usd.normalize().to_string()),
    })
}
