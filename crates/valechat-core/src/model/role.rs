//! [`Role`]: who wrote a message, as the database stores it and every
//! protocol sends it.

use serde::{Deserialize, Serialize};

/// Who wrote a message in a chat request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Instructions that frame the conversation (OpenAI `system`).
    System,
    /// The person using ValeChat.
    User,
    /// The model.
    Assistant,
    /// The result of a tool call the model asked for (OpenAI / Ollama `tool`;
    /// a `tool_result` block in an Anthropic user turn; a `functionResponse`
    /// part in a Gemini user turn).
    Tool,
}

impl Role {
    /// Stable identifier stored in the database and sent on the wire:
    /// `system`, `user`, `assistant` or `tool`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::User => "user",
            Self::Assistant => "assistant",
            Self::Tool => "tool",
        }
    }

    /// Parses the identifier written by [`Role::as_str`]; `None` for an unknown role.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "system" => Some(Self::System),
            "user" => Some(Self::User),
            "assistant" => Some(Self::Assistant),
            "tool" => Some(Self::Tool),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_including_tool() {
        for role in [Role::System, Role::User, Role::Assistant, Role::Tool] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::Tool.as_str(), "tool");
        assert_eq!(Role::parse("function"), None);
    }
}
