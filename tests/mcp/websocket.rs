//! The WebSocket transport against an in-test MCP server: rmcp's server side
//! over the same JSON-RPC-over-WebSocket adapter, behind a tokio-tungstenite
//! listener that requires the `mcp` subprotocol.

use std::sync::{Arc, Mutex};

use rmcp::handler::server::ServerHandler;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig as RmcpServerConfig, Tool,
};
use rmcp::service::{RequestContext, RoleServer};
use serde_json::json;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_util::sync::CancellationToken;
use valechat_core::mcp::websocket::json_rpc;
use valechat_core::mcp::{CallOptions, McpError, ServerConfig, Transport};

use super::common::connect;

/// An MCP server with one tool, `echo`.
#[derive(Clone)]
struct Echo;

impl ServerHandler for Echo {
    fn get_info(&self) -> RmcpServerConfig {
        let capabilities: ServerCapabilities =
            serde_json::from_value(json!({"tools": {}})).expect("capabilities");
        RmcpServerConfig::new(capabilities)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, rmcp::ErrorData> {
        let schema = json!({"type": "object", "properties": {"message": {"type": "string"}}});
        let schema = schema.as_object().cloned().expect("object");
        Ok(ListToolsResult::with_all_items(vec![Tool::new(
            "echo",
            "Echoes the message",
            Arc::new(schema),
        )]))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, rmcp::ErrorData> {
        let message = request
            .arguments
            .and_then(|a| a.get("message").and_then(|m| m.as_str().map(str::to_owned)))
            .unwrap_or_default();
        Ok(CallToolResponse::Complete(CallToolResult::success(vec![
            ContentBlock::text(format!("Echo: {message}")),
        ])))
    }
}

/// Serves [`Echo`] over WebSocket on a free local port; returns the URL and
/// the subprotocols each client asked for.
async fn serve() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("ws://{}/mcp", listener.local_addr().expect("addr"));
    let asked = Arc::new(Mutex::new(Vec::new()));
    let seen = asked.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                // The error type is tungstenite's (an HTTP response), not ours.
                #[allow(clippy::result_large_err)]
                let callback = |request: &Request, mut response: Response| {
                    let protocols = request
                        .headers()
                        .get("Sec-WebSocket-Protocol")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    let mcp = protocols.split(',').any(|p| p.trim() == "mcp");
                    seen.lock().unwrap().push(protocols);
                    if mcp {
                        response
                            .headers_mut()
                            .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("mcp"));
                    }
                    Ok(response)
                };
                let Ok(socket) = tokio_tungstenite::accept_hdr_async(stream, callback).await else {
                    return;
                };
                let transport = json_rpc(socket);
                if let Ok(running) = rmcp::serve_server(Echo, transport).await {
                    let _ = running.waiting().await;
                }
            });
        }
    });
    (url, asked)
}

fn websocket(url: &str) -> ServerConfig {
    ServerConfig {
        id: "socket".into(),
        name: "Socket".into(),
        transport: Transport::WebSocket { url: url.into() },
        enabled: true,
        era: None,
        sandbox: None,
    }
}

#[tokio::test]
async fn tools_over_websocket() {
    let (url, asked) = serve().await;
    let conn = connect(&websocket(&url)).await;
    assert_eq!(*asked.lock().unwrap(), ["mcp"]);
    let tools = conn.list_tools().await.unwrap();
    assert_eq!(tools.len(), 1);
    assert_eq!(tools[0].name, "echo");
    let outcome = conn
        .call_tool(
            "echo",
            json!({"message": "over the socket"}),
            CallOptions::default(),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(outcome.text(), "Echo: over the socket");
    assert!(!conn.is_closed());
    conn.shutdown().await;
}

#[tokio::test]
async fn a_refused_websocket_is_a_handshake_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("ws://{}/mcp", listener.local_addr().expect("addr"));
    drop(listener);
    let error = valechat_core::mcp::McpConnection::connect(
        &websocket(&url),
        &valechat_core::secrets::MemoryKeyStore::new(),
        Default::default(),
        Default::default(),
    )
    .await
    .expect_err("nothing listens");
    assert!(matches!(error, McpError::Handshake { .. }), "{error}");
    assert!(error.to_string().contains(&url), "{error}");
}
