//! `cargo bench --bench mcp_echo`: the round trip of one `tools/call echo`
//! to server-everything over stdio (installed by
//! `tests/mcp/install-peers.sh`).
//!
//! Setup (not timed): one connection, handshake done, and a first call
//! whose answer is checked. Timed: `McpConnection::call_tool("echo", …)`
//! with the default limits — JSON-RPC serialisation, the pipe to node, the
//! server's work and the answer's parsing into a `ToolOutcome`.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use tokio::runtime::Runtime;
use tokio_util::sync::CancellationToken;
use valechat_core::mcp::{
    CallOptions, ClientHooks, McpConnection, ServerConfig, ServerLog, Transport,
};
use valechat_core::secrets::MemoryKeyStore;

/// server-everything over stdio.
fn everything() -> ServerConfig {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(
        "tests/mcp/node_modules-root/node_modules/@modelcontextprotocol/server-everything/dist/index.js",
    );
    assert!(
        script.exists(),
        "{} is missing: run tests/mcp/install-peers.sh",
        script.display()
    );
    ServerConfig {
        id: "everything".into(),
        name: "everything".into(),
        transport: Transport::Stdio {
            command: "node".into(),
            args: vec![script.to_string_lossy().into_owned(), "stdio".into()],
            env: BTreeMap::new(),
            cwd: None,
        },
        enabled: true,
        era: None,
        sandbox: None,
    }
}

async fn echo(connection: &McpConnection) -> String {
    connection
        .call_tool(
            "echo",
            json!({"message": "ping"}),
            CallOptions::default(),
            CancellationToken::new(),
        )
        .await
        .expect("echo")
        .text()
}

fn bench(c: &mut Criterion) {
    let runtime = Runtime::new().expect("runtime");
    let connection = runtime
        .block_on(McpConnection::connect(
            &everything(),
            &MemoryKeyStore::new(),
            ClientHooks::default(),
            ServerLog::default(),
        ))
        .expect("connect to server-everything");
    assert_eq!(runtime.block_on(echo(&connection)), "Echo: ping");
    c.bench_function("mcp_echo_stdio_round_trip", |b| {
        b.iter(|| black_box(runtime.block_on(echo(&connection))));
    });
    runtime.block_on(connection.shutdown());
}

criterion_group!(benches, bench);
criterion_main!(benches);
