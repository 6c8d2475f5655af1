//! Streamable HTTP transport setup and legacy HTTP+SSE detection.
//!
//! rmcp's reqwest 0.13 client is built without a bundled TLS crypto
//! provider (so aws-lc is not compiled); [`transport`] installs rustls's
//! `ring` provider as the process default first (a no-op when one is set).
//!
//! Legacy detection heuristic ([`reject_legacy_sse`]), used only after a
//! failed handshake: GET the URL with `Accept: text/event-stream`; the
//! 2024-11-05 HTTP+SSE transport answers `200` with `text/event-stream`
//! and an `event: endpoint` event first, while streamable HTTP servers
//! answer 400/405 to a GET without a session (or stream without an
//! `endpoint` event).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use futures::StreamExt;
use reqwest::header::{HeaderName, HeaderValue};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;

use super::McpError;
use super::oauth::{OAuthHttpClient, OAuthServer, OAuthSettings, OAuthStatus};
use super::stream_ready::{ReadyClient, StreamReady};

/// Longest connecting to an MCP server over HTTP may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest an MCP server's HTTP response may stay silent (between two
/// reads) before the request fails. Generous: a tool call may work for
/// minutes, and the server's event stream is opened again when it drops.
pub const READ_TIMEOUT: Duration = Duration::from_secs(300);

/// The HTTP client of the streamable HTTP transport: connect and read
/// timeouts, and redirects followed only within the server's origin
/// ([`may_follow`](crate::model::redirect::may_follow)), so a server's
/// custom headers (API keys among them) never reach another host.
#[must_use]
pub(crate) fn client() -> reqwest013::Client {
    use crate::model::redirect::{MAX_REDIRECTS, may_follow};
    let policy = reqwest013::redirect::Policy::custom(|attempt| {
        let from = attempt.previous().first().cloned();
        if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else if from.is_some_and(|from| may_follow(&from, attempt.url())) {
            attempt.follow()
        } else {
            attempt.stop()
        }
    });
    reqwest013::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(READ_TIMEOUT)
        .redirect(policy)
        .build()
        .unwrap_or_else(|e| {
            tracing::warn!("cannot build the MCP HTTP client with its limits: {e}");
            reqwest013::Client::default()
        })
}

/// Longest the legacy-SSE probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// The rmcp transport for `url` with `headers` and an optional bearer token
/// (sent as `Authorization: Bearer …`); with `oauth`, a `401` or
/// `403 insufficient_scope` runs the OAuth flow (see `super::oauth`) for
/// `server` (id and display name). Also returns the OAuth status handle
/// (handshake timeout, why sign-in failed) and the [`StreamReady`] that
/// says when the session's standalone stream is open (see
/// `super::stream_ready`).
///
/// # Errors
/// [`McpError::Config`] for a header name or value HTTP cannot carry.
pub fn transport(
    server: &OAuthServer,
    url: &str,
    headers: &BTreeMap<String, String>,
    bearer: Option<String>,
    oauth: Option<OAuthSettings>,
) -> Result<
    (
        StreamableHttpClientTransport<ReadyClient<OAuthHttpClient>>,
        OAuthStatus,
        StreamReady,
    ),
    McpError,
> {
    // Fails only when a provider is installed already, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut custom = HashMap::new();
    for (name, value) in headers {
        let bad = |what: &str| McpError::Config {
            server: server.id.clone(),
            reason: format!("the header {name:?} has an invalid {what}"),
        };
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad("name"))?;
        let value = HeaderValue::from_str(value).map_err(|_| bad("value"))?;
        custom.insert(header, value);
    }
    let mut config = StreamableHttpClientTransportConfig::with_uri(url.to_owned())
        .custom_headers(custom)
        .max_sse_event_size(super::connection::MAX_MESSAGE_BYTES);
    if let Some(token) = bearer {
        config = config.auth_header(token);
    }
    let client = OAuthHttpClient::new(url, server.clone(), oauth);
    let status = client.status();
    let (client, ready) = ReadyClient::new(client);
    Ok((
        StreamableHttpClientTransport::with_client(client, config),
        status,
        ready,
    ))
}

/// Whether an SSE body prefix starts with the legacy `endpoint` event.
pub fn is_legacy_endpoint_event(body: &str) -> bool {
    body.lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with(':'))
        .is_some_and(|line| line == "event: endpoint" || line == "event:endpoint")
}

/// Probes `url` for the legacy HTTP+SSE transport (see the module doc).
///
/// # Errors
/// [`McpError::UnsupportedTransport`] when it is one; `Ok(())` otherwise
/// (including when the probe itself fails).
pub async fn reject_legacy_sse(
    server: &str,
    url: &str,
    headers: &BTreeMap<String, String>,
) -> Result<(), McpError> {
    let probe = async {
        // The probe follows no redirect: it would carry the server's
        // headers to another host.
        let client = reqwest::Client::builder()
            .timeout(PROBE_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .ok()?;
        let mut request = client.get(url).header("Accept", "text/event-stream");
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request.send().await.ok()?;
        let is_sse = response.status().is_success()
            && response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/event-stream"));
        if !is_sse {
            return Some(false);
        }
        let mut body = String::new();
        let mut stream = response.bytes_stream();
        while let Some(Ok(chunk)) = stream.next().await {
            body.push_str(&String::from_utf8_lossy(&chunk));
            if body.contains("\n\n") || body.len() > 4096 {
                break;
            }
        }
        Some(is_legacy_endpoint_event(&body))
    };
    match tokio::time::timeout(PROBE_TIMEOUT, probe).await {
        Ok(Some(true)) => Err(McpError::UnsupportedTransport {
            server: server.to_owned(),
            reason: format!(
                "{url} speaks the deprecated HTTP+SSE transport (protocol 2024-11-05), \
                 which ValeChat does not support; ask for a streamable HTTP endpoint \
                 (often the same server at /mcp) or run it over stdio"
            ),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_event_is_recognised() {
        assert!(is_legacy_endpoint_event(
            ": hi\n\nevent: endpoint\ndata: /messages?s=1\n\n"
        ));
        assert!(!is_legacy_endpoint_event("event: message\ndata: {}\n\n"));
        assert!(!is_legacy_endpoint_event(""));
    }

    #[tokio::test]
    async fn a_legacy_sse_server_is_rejected() {
        use axum::response::IntoResponse;
        let app = axum::Router::new().route(
            "/sse",
            axum::routing::get(|| async {
                (
                    [("content-type", "text/event-stream")],
                    "event: endpoint\ndata: /messages?sessionId=1\n\n",
                )
                    .into_response()
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let url = format!("http://{addr}/sse");
        let error = reject_legacy_sse("old", &url, &BTreeMap::new())
            .await
            .unwrap_err();
        assert!(error.to_string().contains("HTTP+SSE"), "{error}");
        let other = format!("http://{addr}/missing");
        assert!(
            reject_legacy_sse("old", &other, &BTreeMap::new())
                .await
                .is_ok()
        );
    }
}
