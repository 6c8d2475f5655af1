//! The formats ValeChat imports and how a conversation shows which one it
//! is.

use serde_json::Value;

use crate::i18n::gettext_f;

/// A format of conversation export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// ValeChat JSON (`format` `"valechat-export"`).
    ValeChat,
    /// ChatGPT's data export `conversations.json` (`mapping` trees).
    ChatGpt,
    /// Claude.ai's data export `conversations.json` (`chat_messages`).
    Claude,
    /// Open WebUI's "Export All Chats" JSON (`chat.history.messages`).
    OpenWebUi,
}

impl Format {
    /// The value stored in `conversations.source` for this format.
    #[must_use]
    pub fn source(self) -> &'static str {
        match self {
            Self::ValeChat => "valechat",
            Self::ChatGpt => "chatgpt",
            Self::Claude => "claude",
            Self::OpenWebUi => "open_webui",
        }
    }

    /// The format's name for people (`ChatGPT conversations.json`).
    #[must_use]
    pub fn name(self) -> String {
        match self {
            Self::ValeChat => gettext_f("ValeChat JSON", &[]),
            Self::ChatGpt => gettext_f("ChatGPT conversations.json", &[]),
            Self::Claude => gettext_f("Claude conversations.json", &[]),
            Self::OpenWebUi => gettext_f("Open WebUI JSON export", &[]),
        }
    }

    /// Which format the array element `conversation` belongs to, by the
    /// fields only that format has; `None` when it has none of them.
    #[must_use]
    pub fn of_element(conversation: &Value) -> Option<Self> {
        let object = conversation.as_object()?;
        if object.contains_key("mapping") {
            Some(Self::ChatGpt)
        } else if object.contains_key("chat_messages") {
            Some(Self::Claude)
        } else if object
            .get("chat")
            .and_then(|chat| chat.get("history"))
            .is_some()
        {
            Some(Self::OpenWebUi)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Format;

    #[test]
    fn each_format_is_known_by_its_fields() {
        let chatgpt = json!({"title": "t", "mapping": {}, "current_node": null});
        let claude = json!({"uuid": "u", "chat_messages": []});
        let webui = json!({"id": "i", "chat": {"history": {"messages": {}}}});
        assert_eq!(Format::of_element(&chatgpt), Some(Format::ChatGpt));
        assert_eq!(Format::of_element(&claude), Some(Format::Claude));
        assert_eq!(Format::of_element(&webui), Some(Format::OpenWebUi));
        assert_eq!(Format::of_element(&json!({"title": "x"})), None);
        assert_eq!(Format::of_element(&json!(3)), None);
    }
}
