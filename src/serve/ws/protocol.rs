//! The messages of `/v1/ws`, version [`VERSION`] (`docs/api/websocket.md`).
//!
//! Every message is a JSON object with `"type"` and `"v"` (the major
//! version). Money is a decimal string in USD, times are RFC 3339 UTC,
//! token counts are integers. Client messages are read leniently (unknown
//! fields are ignored); server messages are built from the engine's
//! values in `convert`.

use serde::Deserialize;

/// The major version of the contract; a client message with another `v`
/// gets an `error` (`unsupported_version`) and the close code
/// [`CLOSE_UNSUPPORTED_VERSION`].
pub const VERSION: u32 = 1;

/// Close code after a message of another major version.
pub const CLOSE_UNSUPPORTED_VERSION: u16 = 4001;

/// Close code for a slow client whose outgoing queue overflowed (after
/// `dropped`).
pub const CLOSE_TOO_SLOW: u16 = 4008;

/// Close code for a client that did not answer pings in time.
pub const CLOSE_NO_PONG: u16 = 4009;

/// An image sent with `send`: base64 data (standard alphabet, padded) and
/// the media type the client claims; the engine sniffs the bytes and
/// applies its attachment rules (PNG, JPEG, WebP or GIF, at most 20 MiB).
#[derive(Debug, Clone, Deserialize)]
pub struct AttachmentIn {
    /// File name shown to the person.
    #[serde(default)]
    pub name: Option<String>,
    /// Claimed media type, e.g. `image/png`.
    pub media_type: String,
    /// The file, base64.
    pub data: String,
}

/// A conversation to create for a `send` (`new`).
#[derive(Debug, Clone, Deserialize)]
pub struct NewConversationIn {
    /// Provider id.
    pub provider: String,
    /// Model id at that provider.
    pub model: String,
    /// System prompt, if any.
    #[serde(default)]
    pub system_prompt: Option<String>,
}

/// The client's name in its `hello`.
#[derive(Debug, Clone, Deserialize)]
pub struct ClientInfo {
    /// Short name (recorded as `ws:<name>` in usage records).
    pub name: String,
    /// Its version, if it says.
    #[serde(default)]
    pub version: Option<String>,
}

/// A message from the client (`"type"` selects the variant).
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// Names the client (optional, before its first `send`).
    Hello {
        /// Who is asking.
        client: ClientInfo,
    },
    /// Sends a user message; answered by `turn_started` then the turn's events.
    Send {
        /// Chosen by the client; repeated in `turn_started` or the `error`.
        request_id: String,
        /// A stored conversation (exclusive with `new`).
        #[serde(default)]
        conversation_id: Option<i64>,
        /// A conversation to create (exclusive with `conversation_id`).
        #[serde(default)]
        new: Option<NewConversationIn>,
        /// The message text.
        #[serde(default)]
        text: String,
        /// Images.
        #[serde(default)]
        attachments: Vec<AttachmentIn>,
    },
    /// Stops a turn (its partial reply is kept).
    Cancel {
        /// The turn.
        turn_id: String,
    },
    /// Runs a proposed tool call.
    Approve {
        /// The turn.
        turn_id: String,
        /// The stored call's id, from `tool_call_proposed`.
        tool_call_id: i64,
        /// Also allow later calls of the same tool (until revoked).
        #[serde(default)]
        always: bool,
    },
    /// Refuses a proposed tool call (the model is told).
    Deny {
        /// The turn.
        turn_id: String,
        /// The stored call's id.
        tool_call_id: i64,
    },
    /// A page of conversations, newest first.
    ListConversations {
        /// Repeated in the answer.
        #[serde(default)]
        request_id: Option<String>,
        /// How many to skip.
        #[serde(default)]
        offset: usize,
        /// Page size, 1–200 (default 50).
        #[serde(default)]
        limit: Option<usize>,
    },
    /// One conversation and its active path.
    GetConversation {
        /// Repeated in the answer.
        #[serde(default)]
        request_id: Option<String>,
        /// The conversation.
        conversation_id: i64,
    },
    /// Every enabled provider's models.
    ListModels {
        /// Repeated in the answer.
        #[serde(default)]
        request_id: Option<String>,
    },
    /// Follows a turn again after `last_seq`.
    Resume {
        /// The turn.
        turn_id: String,
        /// The last sequence number the client saw (0: none).
        last_seq: u64,
    },
    /// Answered by `pong`.
    Ping {
        /// Repeated in the `pong`.
        #[serde(default)]
        request_id: Option<String>,
    },
}

/// Why a client message was refused: sent as an `error` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadMessage {
    /// Machine-readable code (`invalid_json`, `missing_field`, …).
    pub code: &'static str,
    /// The field at fault, when one is.
    pub field: Option<String>,
    /// What is wrong, one sentence.
    pub message: String,
    /// The message's `request_id`, when it had one.
    pub request_id: Option<String>,
}

impl BadMessage {
    /// A refusal with `code`, `field` and `message`.
    pub fn new(code: &'static str, field: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            code,
            field: field.map(str::to_owned),
            message: message.into(),
            request_id: None,
        }
    }
}

/// Parses one client text message.
///
/// # Errors
/// A [`BadMessage`]: not JSON or not an object (`invalid_json`), no or a
/// wrong `v` (`missing_field` / `unsupported_version`), no or an unknown
/// `type` (`missing_field` / `unknown_type`), or fields that do not fit
/// (`invalid_field`, naming the field when serde does).
pub fn parse(text: &str) -> Result<ClientMessage, BadMessage> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| BadMessage::new("invalid_json", None, format!("not JSON: {e}")))?;
    let Some(object) = value.as_object() else {
        return Err(BadMessage::new(
            "invalid_json",
            None,
            "a message is a JSON object",
        ));
    };
    let request_id = object
        .get("request_id")
        .and_then(|r| r.as_str())
        .map(str::to_owned);
    let with_id = |mut bad: BadMessage| {
        bad.request_id.clone_from(&request_id);
        bad
    };
    match object.get("v") {
        None => {
            return Err(with_id(BadMessage::new(
                "missing_field",
                Some("v"),
                format!("every message needs \"v\": {VERSION}"),
            )));
        }
        Some(v) if v.as_u64() != Some(u64::from(VERSION)) => {
            return Err(with_id(BadMessage::new(
                "unsupported_version",
                Some("v"),
                format!("this server speaks version {VERSION} only, not {v}"),
            )));
        }
        Some(_) => {}
    }
    let Some(kind) = object.get("type").and_then(|t| t.as_str()) else {
        return Err(with_id(BadMessage::new(
            "missing_field",
            Some("type"),
            "every message needs a string \"type\"",
        )));
    };
    const KNOWN: [&str; 10] = [
        "hello",
        "send",
        "cancel",
        "approve",
        "deny",
        "list_conversations",
        "get_conversation",
        "list_models",
        "resume",
        "ping",
    ];
    if !KNOWN.contains(&kind) {
        return Err(with_id(BadMessage::new(
            "unknown_type",
            Some("type"),
            format!("unknown message type {kind:?}"),
        )));
    }
    serde_json::from_value(value.clone()).map_err(|e| {
        let text = e.to_string();
        let field = text
            .split('`')
            .nth(1)
            .filter(|f| !f.is_empty() && !f.contains(' '))
            .map(str::to_owned);
        with_id(BadMessage {
            code: "invalid_field",
            field,
            message: format!("{kind}: {text}"),
            request_id: None,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_field_is_named() {
        let bad = parse(r#"{"v":1,"type":"cancel","request_id":"r"}"#).unwrap_err();
        assert_eq!(bad.code, "invalid_field");
        assert_eq!(bad.field.as_deref(), Some("turn_id"));
        assert_eq!(bad.request_id.as_deref(), Some("r"));
    }

    #[test]
    fn another_version_is_refused() {
        let bad = parse(r#"{"v":2,"type":"ping"}"#).unwrap_err();
        assert_eq!(bad.code, "unsupported_version");
        assert!(matches!(
            parse(r#"{"v":1,"type":"ping"}"#),
            Ok(ClientMessage::Ping { request_id: None })
        ));
    }
}
