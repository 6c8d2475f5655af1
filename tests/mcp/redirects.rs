//! An MCP server's HTTP redirects (issue 13, point 7): reqwest followed up
//! to ten of them anywhere and dropped only `Authorization` and `Cookie`
//! on a cross-host hop, so a server's custom headers (an API key in
//! `X-Api-Key`) reached whatever host it redirected to. Redirects are now
//! followed only within the server's origin.

use std::collections::BTreeMap;

use valechat_core::mcp::{ClientHooks, McpConnection, ServerConfig, ServerLog, Transport};
use valechat_core::secrets::MemoryKeyStore;

use crate::support::{Reply, TestServer};

/// The key the configuration sends in a custom header.
const KEY: &str = "sk-test-redirect-9f2c";

#[tokio::test]
async fn a_redirect_to_another_server_does_not_carry_the_servers_headers() {
    let elsewhere = TestServer::start(vec![Reply::fixed(200, "application/json", "{}"); 4]).await;
    let location = format!("http://{}/mcp", elsewhere.addr);
    let redirecting = TestServer::start(vec![
        Reply::fixed(307, "text/plain", "")
            .header("location", &location);
        4
    ])
    .await;
    let config = ServerConfig {
        id: "redirecting".into(),
        name: "Redirecting".into(),
        transport: Transport::Http {
            url: format!("http://{}/mcp", redirecting.addr),
            headers: BTreeMap::from([("X-Api-Key".to_owned(), KEY.to_owned())]),
        },
        enabled: true,
        era: None,
        sandbox: None,
    };
    let connected = McpConnection::connect(
        &config,
        &MemoryKeyStore::new(),
        ClientHooks::default(),
        ServerLog::default(),
    )
    .await;
    assert!(connected.is_err(), "connected through a redirect");
    let asked = redirecting.requests();
    assert!(!asked.is_empty(), "the server was never asked");
    assert!(
        asked[0].headers.iter().any(|(_, v)| v == KEY),
        "the server itself did not get its header"
    );
    let leaked: Vec<_> = elsewhere
        .requests()
        .into_iter()
        .map(|r| (r.method, r.path, r.headers))
        .collect();
    assert!(leaked.is_empty(), "the other server was asked: {leaked:?}");
}
