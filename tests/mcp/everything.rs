//! server-everything (stdio and streamable HTTP) and mcp-server-time.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;
use tokio_util::sync::CancellationToken;
use valechat_core::mcp::content::tool_hints;
use valechat_core::mcp::{CallOptions, ContentBlock, Era, ServerConfig, Transport};

use super::common::{connect, everything_config, peer_path, require, stdio};

#[tokio::test]
async fn everything_over_stdio_tools_resources_prompts() {
    let config = everything_config();
    let conn = connect(&config).await;
    assert!(matches!(
        conn.era(),
        Era::Legacy { .. } | Era::Stateless2026
    ));

    let tools = conn.list_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    for wanted in [
        "echo",
        "get-sum",
        "get-structured-content",
        "trigger-long-running-operation",
    ] {
        assert!(names.contains(&wanted), "{wanted} missing from {names:?}");
    }
    let echo_tool = tools.iter().find(|t| t.name == "echo").unwrap();
    let _ = tool_hints(echo_tool);

    let none = CancellationToken::new();
    let echo = conn
        .call_tool(
            "echo",
            json!({"message": "hello"}),
            CallOptions::default(),
            none.clone(),
        )
        .await
        .unwrap();
    assert!(!echo.is_error);
    assert!(echo.text().contains("hello"), "{echo:?}");

    let sum = conn
        .call_tool(
            "get-sum",
            json!({"a": 2, "b": 40}),
            CallOptions::default(),
            none.clone(),
        )
        .await
        .unwrap();
    assert!(sum.text().contains("42"), "{sum:?}");

    let structured = conn
        .call_tool(
            "get-structured-content",
            json!({"location": "Chicago"}),
            CallOptions::default(),
            none.clone(),
        )
        .await
        .unwrap();
    let value = structured.structured.expect("structuredContent");
    assert!(
        value
            .get("temperature")
            .is_some_and(serde_json::Value::is_number),
        "{value}"
    );

    let progress = Arc::new(AtomicUsize::new(0));
    let seen = progress.clone();
    let options = CallOptions {
        // Shorter than the whole operation: only progress resets keep it alive.
        timeout_ms: 1_500,
        total_cap_ms: 30_000,
        progress: Some(Arc::new(move |_, _, _| {
            seen.fetch_add(1, Ordering::SeqCst);
        })),
    };
    let long = conn
        .call_tool(
            "trigger-long-running-operation",
            json!({"duration": 3, "steps": 3}),
            options,
            none.clone(),
        )
        .await
        .unwrap();
    assert!(!long.is_error, "{long:?}");
    assert!(
        progress.load(Ordering::SeqCst) >= 2,
        "progress callback fired too rarely"
    );

    let resources = conn.list_resources().await.unwrap();
    let first = resources.first().expect("resources");
    let read = conn.read_resource(&first.uri).await.unwrap();
    assert!(!read.contents.is_empty());
    let _ = conn.list_resource_templates().await.unwrap();

    let prompts = conn.list_prompts().await.unwrap();
    assert!(
        prompts.iter().any(|p| p.name == "args-prompt"),
        "{prompts:?}"
    );
    let mut args = serde_json::Map::new();
    args.insert("city".into(), json!("Lyon"));
    let prompt = conn.get_prompt("args-prompt", args).await.unwrap();
    let text = serde_json::to_string(&prompt.messages).unwrap();
    assert!(text.contains("Lyon"), "{text}");

    let unknown = conn
        .call_tool("no-such-tool", json!({}), CallOptions::default(), none)
        .await;
    match unknown {
        Ok(outcome) => assert!(outcome.is_error),
        Err(error) => assert!(error.to_string().contains("no-such-tool"), "{error}"),
    }
    conn.shutdown().await;
}

#[tokio::test]
async fn cancelling_a_call_returns_promptly() {
    let conn = connect(&everything_config()).await;
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        trigger.cancel();
    });
    let result = conn
        .call_tool(
            "trigger-long-running-operation",
            json!({"duration": 20, "steps": 2}),
            CallOptions::default(),
            cancel,
        )
        .await;
    assert!(result.unwrap_err().to_string().contains("cancelled"));
    conn.shutdown().await;
}

#[tokio::test]
async fn everything_over_streamable_http() {
    let script = require(&peer_path(
        "node_modules-root/node_modules/@modelcontextprotocol/server-everything/dist/index.js",
    ));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = tokio::process::Command::new("node")
        .args([&script, "streamableHttp"])
        .env("PORT", port.to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let config = ServerConfig {
        id: "everything-http".into(),
        name: "everything".into(),
        transport: Transport::Http {
            url: format!("http://127.0.0.1:{port}/mcp"),
            headers: Default::default(),
        },
        enabled: true,
        era: None,
        sandbox: None,
    };
    let conn = connect(&config).await;
    let tools = conn.list_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "echo"));
    let echo = conn
        .call_tool(
            "echo",
            json!({"message": "over http"}),
            CallOptions::default(),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    assert!(echo.text().contains("over http"));
    conn.shutdown().await;
    let _ = server.kill().await;
}

#[tokio::test]
async fn time_server_over_stdio() {
    let exe = require(&peer_path("venv/bin/mcp-server-time"));
    let conn = connect(&stdio("time", &exe, &["--local-timezone", "UTC"])).await;
    let tools = conn.list_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "get_current_time"));
    let now = conn
        .call_tool(
            "get_current_time",
            json!({"timezone": "Europe/Paris"}),
            CallOptions::default(),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    assert!(!now.is_error);
    assert!(
        matches!(&now.content[0], ContentBlock::Text { text } if text.contains("Europe/Paris")),
        "{now:?}"
    );
    conn.shutdown().await;
}
