//! Resources of the running servers, for the resource browser and the
//! composer: listing resources and templates of a ready server, expanding a
//! template's `{variables}`, reading a resource into
//! [`ResourceAttachment`]s, and subscribing (MCP spec 2025-11-25,
//! "Resources": `resources/list`, `resources/templates/list`,
//! `resources/read`, `resources/subscribe`).

use std::fmt::Write as _;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use rmcp::model::{Resource, ResourceContents, ResourceTemplate};

use super::log::{LogSource, ServerLog};
use super::{McpConnection, McpError, McpServers, ServerState};
use crate::provider::{ResourceAttachment, ResourceBody};

/// What one ready server offers in the resource browser.
#[derive(Debug, Clone)]
pub struct ServerResources {
    /// Server id.
    pub server_id: String,
    /// Its resources (name, URI, MIME type, size in bytes).
    pub resources: Vec<Resource>,
    /// Its resource templates.
    pub templates: Vec<ResourceTemplate>,
    /// Whether it offers `resources.subscribe`.
    pub subscribe: bool,
}

impl McpServers {
    /// Ids of the servers that are `Ready`, sorted.
    #[must_use]
    pub fn ready_ids(&self) -> Vec<String> {
        self.subscribe()
            .borrow()
            .iter()
            .filter(|(_, state)| matches!(state, ServerState::Ready { .. }))
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// The live connection of `id`, or [`McpError::Closed`] naming `request`.
    pub(super) fn ready(&self, id: &str, request: &str) -> Result<Arc<McpConnection>, McpError> {
        self.connection(id).ok_or_else(|| McpError::Closed {
            server: id.to_owned(),
            request: request.to_owned(),
            stderr: String::new(),
        })
    }

    /// Resources and templates of every ready server that has any; a server
    /// that fails to list is left out (its error is logged).
    pub async fn list_all_resources(&self) -> Vec<ServerResources> {
        let mut out = Vec::new();
        for id in self.ready_ids() {
            let Some(connection) = self.connection(&id) else {
                continue;
            };
            let resources = connection.list_resources().await.unwrap_or_else(|e| {
                tracing::debug!(server = %id, "no resources: {e}");
                Vec::new()
            });
            let templates = connection
                .list_resource_templates()
                .await
                .unwrap_or_default();
            if resources.is_empty() && templates.is_empty() {
                continue;
            }
            out.push(ServerResources {
                subscribe: connection.offers_subscriptions(),
                server_id: id,
                resources,
                templates,
            });
        }
        out
    }

    /// Reads `uri` on server `server_id`; one attachment per returned
    /// content, named `name` (with the content's URI when it differs).
    ///
    /// # Errors
    /// [`McpError::Closed`] when the server is not ready, then those of
    /// [`McpConnection::read_resource`]; [`McpError::Protocol`] for a blob
    /// that is not base64 or an empty result.
    pub async fn read_attachments(
        &self,
        server_id: &str,
        uri: &str,
        name: &str,
    ) -> Result<Vec<ResourceAttachment>, McpError> {
        let request = format!("resources/read {uri}");
        let connection = self.ready(server_id, &request)?;
        let result = connection.read_resource(uri).await?;
        if result.contents.is_empty() {
            return Err(McpError::Protocol {
                server: server_id.to_owned(),
                request,
                reason: "the result has no contents".into(),
            });
        }
        result
            .contents
            .into_iter()
            .map(|contents| attachment(server_id, name, contents))
            .collect()
    }

    /// Subscribes to (`watch`) or unsubscribes from `uri` on `server_id`.
    /// The registry remembers the watched URIs and subscribes to them again
    /// whenever the server restarts ([`McpServers::watched_uris`]).
    ///
    /// # Errors
    /// [`McpError::Closed`] when the server is not ready, then those of
    /// [`McpConnection::subscribe`].
    pub async fn watch_resource(
        &self,
        server_id: &str,
        uri: &str,
        watch: bool,
    ) -> Result<(), McpError> {
        let connection = self.ready(server_id, &format!("resources/subscribe {uri}"))?;
        if watch {
            connection.subscribe(uri).await?;
        } else {
            connection.unsubscribe(uri).await?;
        }
        self.set_watched(server_id, uri, watch);
        Ok(())
    }

    /// Subscribes `connection` (a new session of `server_id`) to every URI
    /// watched on that server; a refusal is written to `log` and the URI
    /// stays watched, for the next session.
    pub(super) async fn resubscribe(
        &self,
        server_id: &str,
        connection: &McpConnection,
        log: &ServerLog,
    ) {
        for uri in self.watched_uris(server_id) {
            match connection.subscribe(&uri).await {
                Ok(()) => log.push(LogSource::Client, &format!("subscribed again to {uri}")),
                Err(e) => log.push(
                    LogSource::Client,
                    &format!("could not subscribe again to {uri}: {e}"),
                ),
            }
        }
    }
}

/// An attachment from one `ResourceContents` read from `server_id`.
///
/// # Errors
/// [`McpError::Protocol`] when a blob is not valid base64.
pub fn attachment(
    server_id: &str,
    name: &str,
    contents: ResourceContents,
) -> Result<ResourceAttachment, McpError> {
    let (uri, mime_type, body) = match contents {
        ResourceContents::TextResourceContents {
            uri,
            mime_type,
            text,
            ..
        } => (uri, mime_type, ResourceBody::Text(text)),
        ResourceContents::BlobResourceContents {
            uri,
            mime_type,
            blob,
            ..
        } => {
            let data = STANDARD
                .decode(blob.trim())
                .map_err(|e| McpError::Protocol {
                    server: server_id.to_owned(),
                    request: format!("resources/read {uri}"),
                    reason: format!("the blob is not base64: {e}"),
                })?;
            (uri, mime_type, ResourceBody::Blob(Bytes::from(data)))
        }
        _ => {
            return Err(McpError::Protocol {
                server: server_id.to_owned(),
                request: "resources/read".into(),
                reason: "contents of an unknown kind".into(),
            });
        }
    };
    let name = if name.is_empty() {
        uri.clone()
    } else {
        name.to_owned()
    };
    Ok(ResourceAttachment {
        server_id: server_id.to_owned(),
        uri,
        name,
        mime_type,
        body,
    })
}

/// The variable names of an RFC 6570 URI template, in order, without
/// operators or modifiers: `demo://{type}/{+id}{?q,lang}` → `type, id, q, lang`.
#[must_use]
pub fn template_variables(template: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let inner =
            rest[start + 1..start + len].trim_start_matches(['+', '#', '.', '/', ';', '?', '&']);
        for name in inner.split(',') {
            let name = name.trim_end_matches('*');
            let name = name.split(':').next().unwrap_or(name);
            if !name.is_empty() && !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        }
        rest = &rest[start + len + 1..];
    }
    names
}

/// Expands `template` with `values` (name → value): simple `{a}` and
/// reserved `{+a}` expressions are replaced by the value (percent-encoded
/// for simple ones), query `{?a,b}` by `?a=…&b=…`; unknown or empty
/// variables expand to nothing (RFC 6570 levels 1–3, without prefixes).
#[must_use]
pub fn expand_template(template: &str, values: &[(String, String)]) -> String {
    let value_of = |name: &str| {
        values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let expression = &rest[start + 1..start + len];
        let (operator, names) = match expression.chars().next() {
            Some(op @ ('+' | '#' | '?' | '&' | '/' | '.' | ';')) => (Some(op), &expression[1..]),
            _ => (None, expression),
        };
        let mut first = true;
        for name in names.split(',').map(|n| n.trim_end_matches('*')) {
            let Some(value) = value_of(name) else {
                continue;
            };
            match operator {
                Some('?' | '&') => {
                    let lead = if first { operator.unwrap_or('?') } else { '&' };
                    out.push(lead);
                    out.push_str(name);
                    out.push('=');
                    out.push_str(&encode(value));
                }
                Some('+' | '#') => {
                    if first && operator == Some('#') {
                        out.push('#');
                    } else if !first {
                        out.push(',');
                    }
                    out.push_str(value);
                }
                Some(op @ ('/' | '.' | ';')) => {
                    out.push(op);
                    out.push_str(&encode(value));
                }
                _ => {
                    if !first {
                        out.push(',');
                    }
                    out.push_str(&encode(value));
                }
            }
            first = false;
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn encode(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_of_a_template() {
        assert_eq!(
            template_variables("demo://{type}/{+id}{?q,lang}"),
            ["type", "id", "q", "lang"]
        );
        assert!(template_variables("demo://static").is_empty());
    }

    #[test]
    fn expansion_encodes_simple_values_and_builds_queries() {
        let values = vec![
            ("id".to_owned(), "a b/c".to_owned()),
            ("q".to_owned(), "x".to_owned()),
        ];
        assert_eq!(
            expand_template("demo://r/{id}{?q,lang}", &values),
            "demo://r/a%20b%2Fc?q=x"
        );
        assert_eq!(expand_template("file:///{+id}", &values), "file:///a b/c");
    }

    #[test]
    fn a_bad_blob_is_a_protocol_error() {
        let contents = ResourceContents::BlobResourceContents {
            uri: "demo://b".into(),
            mime_type: None,
            blob: "not base64!".into(),
            meta: None,
        };
        assert!(matches!(
            attachment("s", "b", contents),
            Err(McpError::Protocol { .. })
        ));
    }
}
