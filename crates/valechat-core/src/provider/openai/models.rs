//! One `GET {base}/models` entry as a [`ModelInfo`].
//!
//! OpenAI, Groq, Mistral and local servers send only `id` and `owned_by`.
//! OpenRouter adds `name`, `context_length`, `architecture.input_modalities`,
//! `supported_parameters` and `top_provider.max_completion_tokens`
//! (openrouter.ai/docs "List available models"). Those extras are read
//! leniently: a missing or oddly typed member leaves the field unknown
//! (`None`) instead of failing the whole list.

use serde_json::Value;

use super::wire::WireModel;
use crate::provider::ModelInfo;

/// Maps one wire model; blank strings and non-positive counts are unknown.
pub fn model_info(m: WireModel) -> ModelInfo {
    let positive = |v: &Value| v.as_u64().filter(|n| *n > 0);
    let top_provider = m.top_provider.as_ref();
    ModelInfo {
        owned_by: m.owned_by.filter(|o| !o.is_empty()),
        display_name: m
            .name
            .as_ref()
            .and_then(Value::as_str)
            .filter(|n| !n.trim().is_empty())
            .map(str::to_owned),
        context_length: m.context_length.as_ref().and_then(positive).or_else(|| {
            top_provider
                .and_then(|t| t.get("context_length"))
                .and_then(positive)
        }),
        max_output_tokens: top_provider
            .and_then(|t| t.get("max_completion_tokens"))
            .and_then(positive),
        supports_tools: string_list(m.supported_parameters.as_ref())
            .map(|params| params.contains(&"tools")),
        supports_vision: string_list(
            m.architecture
                .as_ref()
                .and_then(|a| a.get("input_modalities")),
        )
        .map(|modalities| modalities.contains(&"image")),
        id: m.id,
    }
}

/// The strings of a JSON array; `None` when `value` is absent or not an array.
fn string_list(value: Option<&Value>) -> Option<Vec<&str>> {
    value
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> ModelInfo {
        model_info(serde_json::from_str(json).unwrap())
    }

    #[test]
    fn openrouter_extras_fill_the_fields() {
        let m = parse(
            r#"{"id":"openai/gpt-4o","name":"OpenAI: GPT-4o","context_length":128000,
                "architecture":{"input_modalities":["text","image"]},
                "supported_parameters":["tools","temperature"],
                "top_provider":{"max_completion_tokens":16384}}"#,
        );
        assert_eq!(m.display_name.as_deref(), Some("OpenAI: GPT-4o"));
        assert_eq!(m.context_length, Some(128_000));
        assert_eq!(m.max_output_tokens, Some(16_384));
        assert_eq!(m.supports_tools, Some(true));
        assert_eq!(m.supports_vision, Some(true));
    }

    #[test]
    fn absent_or_odd_extras_stay_unknown() {
        let m = parse(r#"{"id":"gpt-4o-mini","owned_by":"system"}"#);
        assert_eq!(
            m,
            ModelInfo {
                owned_by: Some("system".into()),
                ..ModelInfo::new("gpt-4o-mini")
            }
        );
        let m = parse(
            r#"{"id":"x","name":7,"context_length":"big","architecture":null,
                "supported_parameters":["temperature"],"top_provider":{"context_length":4096}}"#,
        );
        assert_eq!(m.display_name, None);
        assert_eq!(m.context_length, Some(4096));
        assert_eq!(m.supports_tools, Some(false));
        assert_eq!(m.supports_vision, None);
    }
}
