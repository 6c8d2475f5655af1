//! [`ToolChoice`]: whether the model may, must or must not call a tool.
//!
//! Each protocol maps it to its own field (left out for
//! [`ToolChoice::Auto`], so a request that does not set it is sent as
//! before):
//!
//! | choice | OpenAI-compatible, Mistral | Anthropic | Gemini | Ollama `/api/chat` | local runner |
//! | --- | --- | --- | --- | --- | --- |
//! | `Auto` | nothing | nothing | nothing | nothing | lazy grammar |
//! | `None` | `"none"` | `{"type":"none"}` | `mode: NONE` | tools left out | no tools rendered, no grammar |
//! | `Required` | `"required"` | `{"type":"any"}` | `mode: ANY` | not enforced (tools offered) | grammar from the first token |
//! | `Tool(name)` | `{"type":"function","function":{"name"}}` | `{"type":"tool","name"}` | `mode: ANY`, `allowedFunctionNames: [name]` | only that tool offered, not enforced | grammar of that tool from the first token |
//!
//! Sources: OpenAI `ChatCompletionToolChoiceOption` (`openai-openapi.yaml`);
//! Mistral's chat completion reference (`"auto"|"none"|"any"|"required"` or
//! the named-function object: `"required"` and the object are the same as
//! OpenAI's, so Mistral needs no mapping of its own); Anthropic `ToolChoice`
//! (`auto|any|tool`, and `none` in the current Messages reference);
//! Gemini `ToolConfig.functionCallingConfig`; Ollama's `/api/chat` has no
//! such field (`docs/api.md`, `ollama-openapi.yaml`).

use serde::{Deserialize, Serialize};

use super::{ProviderError, ToolDefinition};

/// Whether the model may, must or must not call one of the offered tools.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "name")]
pub enum ToolChoice {
    /// The model decides (the default; no field is sent).
    #[default]
    Auto,
    /// The model must not call a tool: it answers in text.
    None,
    /// The model must call at least one of the offered tools.
    Required,
    /// The model must call the tool of this name, which must be among the
    /// request's tools.
    Tool(String),
}

impl ToolChoice {
    /// Checks the choice against the offered `tools`, before anything is
    /// sent.
    ///
    /// # Errors
    /// [`ProviderError::Config`] when [`ToolChoice::Tool`] names a tool that
    /// is not offered, or [`ToolChoice::Required`] / [`ToolChoice::Tool`] is
    /// asked with no tools at all.
    pub fn check(&self, tools: &[ToolDefinition]) -> Result<(), ProviderError> {
        match self {
            Self::Required if tools.is_empty() => Err(ProviderError::Config(
                "a tool call is required but the request offers no tools".to_owned(),
            )),
            Self::Tool(name) if !tools.iter().any(|t| &t.name == name) => {
                let offered: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
                Err(ProviderError::Config(if offered.is_empty() {
                    format!(
                        "a call of the tool \"{name}\" is required but the request offers no tools"
                    )
                } else {
                    format!(
                        "a call of the tool \"{name}\" is required but it is not among the offered tools ({})",
                        offered.join(", ")
                    )
                }))
            }
            Self::Auto | Self::None | Self::Required | Self::Tool(_) => Ok(()),
        }
    }

    /// Whether tools are offered to the model at all (`false` for
    /// [`ToolChoice::None`] on protocols without a field for it).
    #[must_use]
    pub fn offers_tools(&self) -> bool {
        !matches!(self, Self::None)
    }

    /// The name of the forced tool, for [`ToolChoice::Tool`].
    #[must_use]
    pub fn forced_tool(&self) -> Option<&str> {
        match self {
            Self::Tool(name) => Some(name),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn tool(name: &str) -> ToolDefinition {
        ToolDefinition {
            name: name.to_owned(),
            description: String::new(),
            parameters: json!({"type": "object"}),
        }
    }

    #[test]
    fn a_named_tool_must_be_offered() {
        let tools = [tool("get_weather"), tool("read_file")];
        assert!(ToolChoice::Tool("read_file".into()).check(&tools).is_ok());
        let err = ToolChoice::Tool("delete_all".into())
            .check(&tools)
            .unwrap_err();
        let ProviderError::Config(words) = err else {
            panic!("{err:?}");
        };
        assert!(words.contains("\"delete_all\""), "{words}");
        assert!(words.contains("get_weather, read_file"), "{words}");
    }

    #[test]
    fn required_needs_tools_and_auto_or_none_never_fail() {
        assert!(ToolChoice::Required.check(&[]).is_err());
        assert!(ToolChoice::Tool("x".into()).check(&[]).is_err());
        assert!(ToolChoice::Required.check(&[tool("x")]).is_ok());
        assert!(ToolChoice::Auto.check(&[]).is_ok());
        assert!(ToolChoice::None.check(&[]).is_ok());
    }
}
