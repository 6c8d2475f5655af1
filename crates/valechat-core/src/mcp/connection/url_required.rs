//! The error path of URL-mode elicitation (spec 2025-11-25,
//! client/elicitation, "URL Elicitation Required Error"): instead of
//! sending `elicitation/create`, a server may answer a request with the
//! JSON-RPC error `-32042` whose `data.elicitations` lists URL-mode
//! elicitations (`mode`, `url`, `message`, `elicitationId`) the user must
//! complete before the request can succeed.
//!
//! ValeChat shows each one through the connection's elicitor, exactly as a
//! URL-mode `elicitation/create` (the user confirms before the browser
//! opens), and then sends the original request once more. A second `-32042`
//! for the same request ends it with a clear error naming the pages, so the
//! user is never asked in a loop; they can ask again once done in the
//! browser.

use rmcp::ErrorData;
use rmcp::model::{ElicitRequestParams, ElicitationAction};

use super::McpConnection;
use super::input_required::Exchange;
use crate::mcp::McpError;
use crate::mcp::log::LogSource;

/// JSON-RPC error code of "URL elicitation required".
pub const URL_ELICITATION_REQUIRED: i32 = -32042;

/// The URL-mode elicitations of a `-32042` error, `None` for any other
/// error (or one without a URL elicitation ValeChat can read).
pub(super) fn required_urls(error: &ErrorData) -> Option<Vec<ElicitRequestParams>> {
    if error.code.0 != URL_ELICITATION_REQUIRED {
        return None;
    }
    let listed = error.data.as_ref()?.get("elicitations")?.as_array()?;
    let urls: Vec<ElicitRequestParams> = listed
        .iter()
        .filter_map(|item| serde_json::from_value(item.clone()).ok())
        .filter(|params| matches!(params, ElicitRequestParams::UrlElicitationParams { .. }))
        .collect();
    (!urls.is_empty()).then_some(urls)
}

/// The pages of `urls`, comma-separated, for messages.
fn pages(urls: &[ElicitRequestParams]) -> String {
    urls.iter()
        .filter_map(|params| match params {
            ElicitRequestParams::UrlElicitationParams { url, .. } => Some(url.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl McpConnection {
    /// Shows the user each of `urls` (through the elicitor). `Ok` when all
    /// were accepted, so the request may be sent again.
    ///
    /// # Errors
    /// [`McpError::Protocol`] naming the page when the user declined or
    /// cancelled one (or no elicitor is set).
    pub(super) async fn open_required_urls(
        &self,
        limits: &Exchange,
        urls: Vec<ElicitRequestParams>,
    ) -> Result<(), McpError> {
        let client = self.service.service();
        for params in urls {
            let page = pages(std::slice::from_ref(&params));
            let result = client.elicit(params).await;
            self.log.push(
                LogSource::Client,
                &format!(
                    "{}: URL elicitation required (-32042) for {page}: {:?}",
                    limits.name, result.action
                ),
            );
            if result.action != ElicitationAction::Accept {
                return Err(McpError::Protocol {
                    server: self.server_id.clone(),
                    request: limits.name.clone(),
                    reason: format!(
                        "the server needs you to open {page} first, and that was declined"
                    ),
                });
            }
        }
        Ok(())
    }

    /// The error for a request that still requires `urls` after the user
    /// was shown them once.
    pub(super) fn still_requires(
        &self,
        limits: &Exchange,
        urls: &[ElicitRequestParams],
    ) -> McpError {
        McpError::Protocol {
            server: self.server_id.clone(),
            request: limits.name.clone(),
            reason: format!(
                "the server still needs you to finish at {} (URL elicitation required); \
                 try again when you are done there",
                pages(urls)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use rmcp::model::ErrorCode;
    use serde_json::json;

    use super::*;

    #[test]
    fn only_url_elicitations_of_a_32042_error_are_read() {
        let data = json!({"elicitations": [
            {"mode": "url", "url": "https://example.com/connect", "message": "Connect your account", "elicitationId": "e1"},
            {"mode": "form", "message": "x", "requestedSchema": {"type": "object", "properties": {}}},
        ]});
        let error = ErrorData::new(
            ErrorCode(URL_ELICITATION_REQUIRED),
            "needs a page",
            Some(data.clone()),
        );
        let urls = required_urls(&error).expect("one URL elicitation");
        assert_eq!(urls.len(), 1);
        assert_eq!(pages(&urls), "https://example.com/connect");

        let other = ErrorData::new(ErrorCode(-32603), "internal", Some(data));
        assert!(required_urls(&other).is_none());
        let empty = ErrorData::new(
            ErrorCode(URL_ELICITATION_REQUIRED),
            "x",
            Some(json!({"elicitations": []})),
        );
        assert!(required_urls(&empty).is_none());
        let no_data = ErrorData::new(ErrorCode(URL_ELICITATION_REQUIRED), "x", None);
        assert!(required_urls(&no_data).is_none());
    }
}
