//! Messages from an MCP server over HTTP are bounded like those of a stdio
//! server (issue 13, point 6): an event or a JSON body over
//! [`MAX_MESSAGE_BYTES`] (16 MiB) ends the handshake with an error instead
//! of being read into memory whole. (WebSocket messages have the same
//! bound, set on tungstenite: `mcp/websocket.rs`.)

use std::collections::BTreeMap;

use valechat_core::mcp::{
    ClientHooks, McpConnection, ServerConfig, ServerLog, Transport, connection::MAX_MESSAGE_BYTES,
};
use valechat_core::secrets::MemoryKeyStore;

use crate::support::{Reply, TestServer};

/// Connects to `server` as a streamable HTTP MCP server.
async fn connect(server: &TestServer) -> Result<McpConnection, String> {
    let config = ServerConfig {
        id: "oversized".into(),
        name: "Oversized".into(),
        transport: Transport::Http {
            url: format!("http://{}/mcp", server.addr),
            headers: BTreeMap::new(),
        },
        enabled: true,
        era: None,
        sandbox: None,
    };
    McpConnection::connect(
        &config,
        &MemoryKeyStore::new(),
        ClientHooks::default(),
        ServerLog::default(),
    )
    .await
    .map_err(|e| e.to_string())
}

/// An `initialize` result padded to `bytes` with a long server name.
fn initialize_result(bytes: usize) -> String {
    serde_json::json!({"jsonrpc": "2.0", "id": 0, "result": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "serverInfo": {"name": "x".repeat(bytes), "version": "1"}}})
    .to_string()
}

#[tokio::test]
async fn an_event_over_the_bound_ends_the_handshake() {
    let body = format!("data: {}\n\n", initialize_result(MAX_MESSAGE_BYTES + 1024));
    let server = TestServer::start(vec![Reply::fixed(200, "text/event-stream", body); 4]).await;
    let error = connect(&server)
        .await
        .map(|_| "connected")
        .expect_err("connected through a 16 MiB event");
    // rmcp's SSE reader drops the event at the bound, and the handshake
    // ends without its answer ("connection closed: discover response").
    assert!(error.contains("did not complete the handshake"), "{error}");
}

#[tokio::test]
async fn a_json_body_over_the_bound_ends_the_handshake() {
    let body = initialize_result(MAX_MESSAGE_BYTES + 1024);
    let server = TestServer::start(vec![Reply::fixed(200, "application/json", body); 4]).await;
    let error = connect(&server)
        .await
        .map(|_| "connected")
        .expect_err("connected through a 16 MiB body");
    assert!(
        error.contains("exceeded the maximum size of 16777216 bytes"),
        "{error}"
    );
}
