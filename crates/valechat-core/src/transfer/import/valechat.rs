//! ValeChat JSON: each element of `conversations` is an
//! [`ArchivedConversation`] as written by the export, restored as it was
//! (usage records included). A version 1 element has no sampling
//! parameters and no `mcp_servers`: they read as unset and `None` (every
//! enabled server).

use serde_json::Value;

use crate::model::archive::ArchivedConversation;

/// Reads one exported conversation.
///
/// # Errors
/// The field that is missing or of the wrong type.
pub(super) fn convert(value: Value) -> Result<ArchivedConversation, String> {
    serde_json::from_value(value).map_err(|e| e.to_string())
}
