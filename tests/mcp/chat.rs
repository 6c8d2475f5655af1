//! A chat turn that uses a real MCP server: the local provider test server
//! (OpenAI Chat Completions) asks for `everything__echo`, the engine runs it
//! on `@modelcontextprotocol/server-everything` over stdio through the MCP
//! registry, sends the result back, and the final answer lands in the
//! database (issue 4, "A chat test").

use crate::{common, support};

use std::sync::Arc;
use std::time::Duration;

use valechat_core::chat::{Approval, Engine, FixedApprover, SendRequest, ToolSettings, TurnEvent};
use valechat_core::mcp::{ClientHooks, McpServers, McpToolBox};
use valechat_core::provider::ProtocolKind;
use valechat_core::secrets::MemoryKeyStore;
use valechat_core::store::{MessageStatus, Store, ToolCallStatus};

use support::TestServer;
use support::openai::{text_reply, tool_call_reply};

/// Starts server-everything and waits until it is ready (30 s at most).
async fn everything() -> McpServers {
    common::everything_ready(ClientHooks::default()).await
}

/// [`everything`] with `hooks`.
async fn everything_with(hooks: ClientHooks) -> McpServers {
    common::everything_ready(hooks).await
}

/// A turn to its end (20 s at most).
async fn run_turn(engine: &Engine, conversation: i64, text: &str) -> Vec<TurnEvent> {
    let mut turn = engine
        .send(SendRequest::text(conversation, text))
        .await
        .expect("send");
    tokio::time::timeout(Duration::from_secs(20), async {
        let mut events = Vec::new();
        while let Some(e) = turn.next().await {
            events.push(e);
        }
        events
    })
    .await
    .expect("the turn did not end within 20 s")
}

async fn setup(
    replies: Vec<support::Reply>,
    approval: Approval,
) -> (TestServer, McpServers, Engine, i64, tempfile::TempDir) {
    let provider_server = TestServer::start(replies).await;
    let servers = everything().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("valechat.db"))
        .await
        .expect("open store");
    let engine = Engine::new(store, Arc::new(MemoryKeyStore::new())).with_tools(ToolSettings::new(
        Arc::new(McpToolBox::new(servers.clone())),
        Arc::new(FixedApprover(approval)),
    ));
    let provider = engine
        .providers()
        .add(
            ProtocolKind::OpenAiCompatible,
            "Test",
            &provider_server.base_url(),
            None,
        )
        .await
        .expect("add provider");
    let conversation = engine
        .new_conversation(Some(&provider.id), Some("gpt-4o"))
        .await
        .expect("conversation")
        .id;
    (provider_server, servers, engine, conversation, dir)
}

#[tokio::test]
async fn a_tool_call_runs_on_server_everything_and_the_answer_is_stored() {
    let (provider, servers, engine, conversation, _dir) = setup(
        vec![
            tool_call_reply(&[(
                "call_1",
                "everything__echo",
                r#"{"message":"from the model"}"#,
            )]),
            text_reply("The server echoed it."),
        ],
        Approval::AllowOnce,
    )
    .await;

    let events = run_turn(&engine, conversation, "Please echo something").await;

    // The server's tools were offered with their own schemas.
    let first = provider.requests()[0].json();
    let offered: Vec<&str> = first["tools"]
        .as_array()
        .expect("tools offered")
        .iter()
        .filter_map(|t| t["function"]["name"].as_str())
        .collect();
    assert!(offered.contains(&"everything__echo"), "{offered:?}");
    assert!(offered.contains(&"everything__get-sum"), "{offered:?}");
    // The real server's answer went back to the model.
    let second = provider.requests()[1].json();
    let result = second["messages"]
        .as_array()
        .and_then(|m| m.last())
        .expect("a last message")
        .clone();
    assert_eq!(result["role"], "tool");
    assert_eq!(result["tool_call_id"], "call_1");
    assert_eq!(result["content"], "Echo: from the model");
    // Stored: the call with its full result, and the final answer.
    let calls = engine
        .store()
        .list_tool_calls(conversation)
        .await
        .expect("calls");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].status, ToolCallStatus::Succeeded);
    assert_eq!(calls[0].server_id.as_deref(), Some("everything"));
    assert!(
        calls[0]
            .result
            .as_deref()
            .unwrap_or_default()
            .contains("Echo: from the model")
    );
    let messages = engine
        .store()
        .list_messages(conversation)
        .await
        .expect("messages");
    let last = messages.last().expect("a reply");
    assert_eq!(last.content, "The server echoed it.");
    assert_eq!(last.status, MessageStatus::Complete);
    assert!(matches!(events.last(), Some(TurnEvent::Finished(_))));
    servers.shutdown_all().await;
}

#[tokio::test]
async fn structured_content_and_errors_from_the_server_reach_the_model() {
    let (provider, servers, engine, conversation, _dir) = setup(
        vec![
            tool_call_reply(&[
                ("c1", "everything__get-sum", r#"{"a":2,"b":3}"#),
                ("c2", "everything__get-sum", r#"{"a":"two"}"#),
            ]),
            text_reply("5, and the second failed."),
        ],
        Approval::AllowOnce,
    )
    .await;

    run_turn(&engine, conversation, "Add").await;

    let second = provider.requests()[1].json();
    let messages = second["messages"].as_array().expect("messages");
    let n = messages.len();
    let sum = messages[n - 2]["content"].as_str().unwrap_or_default();
    assert!(sum.contains('5'), "{sum}");
    let calls = engine
        .store()
        .list_tool_calls(conversation)
        .await
        .expect("calls");
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].status, ToolCallStatus::Succeeded);
    assert!(!calls[0].is_error);
    // Bad arguments: the server answers with an error, which the model sees.
    assert!(calls[1].is_error, "{:?}", calls[1]);
    servers.shutdown_all().await;
}

#[tokio::test]
async fn a_denied_call_never_reaches_the_server() {
    let (provider, servers, engine, conversation, _dir) = setup(
        vec![
            tool_call_reply(&[("c1", "everything__echo", r#"{"message":"no"}"#)]),
            text_reply("Fine."),
        ],
        Approval::Deny,
    )
    .await;

    run_turn(&engine, conversation, "Echo").await;

    let calls = engine
        .store()
        .list_tool_calls(conversation)
        .await
        .expect("calls");
    assert_eq!(calls[0].status, ToolCallStatus::Denied);
    assert!(calls[0].result.is_none());
    let second = provider.requests()[1].json();
    let last = second["messages"]
        .as_array()
        .and_then(|m| m.last())
        .expect("a last message")
        .clone();
    assert_eq!(last["content"], "The user denied this tool call.");
    servers.shutdown_all().await;
}

#[tokio::test]
async fn a_sampling_request_goes_through_our_provider_and_is_billed() {
    use valechat_core::mcp::{EngineSampler, FixedSamplingApprover};
    let provider_server = TestServer::start(vec![
        tool_call_reply(&[(
            "c1",
            "everything__trigger-sampling-request",
            r#"{"prompt":"Say hi","maxTokens":50}"#,
        )]),
        support::openai::text_reply_with_usage(&["Hi from sampling"], 30, 4),
        text_reply("The server sampled."),
    ])
    .await;
    let sampler = EngineSampler::new(Arc::new(FixedSamplingApprover(true)));
    let servers = everything_with(ClientHooks {
        sampling: Some(sampler.clone()),
        ..ClientHooks::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("valechat.db"))
        .await
        .expect("open store");
    let engine = Engine::new(store, Arc::new(MemoryKeyStore::new())).with_tools(ToolSettings::new(
        Arc::new(McpToolBox::new(servers.clone())),
        Arc::new(FixedApprover(Approval::AllowOnce)),
    ));
    sampler.set_engine(engine.clone());
    let provider = engine
        .providers()
        .add(
            ProtocolKind::OpenAiCompatible,
            "Test",
            &provider_server.base_url(),
            None,
        )
        .await
        .expect("add provider");
    let mut with_default = provider.clone();
    with_default.default_model = Some("gpt-4o".into());
    engine
        .store()
        .update_provider(&with_default)
        .await
        .expect("default model");
    let conversation = engine
        .new_conversation(Some(&provider.id), Some("gpt-4o"))
        .await
        .expect("conversation")
        .id;

    run_turn(&engine, conversation, "Sample something").await;

    // The sampling request reached our provider with the server's prompt.
    let sampled = provider_server.requests()[1].json();
    let prompt = sampled["messages"].to_string();
    assert!(prompt.contains("Say hi"), "{prompt}");
    assert_eq!(
        sampled["max_tokens"]
            .as_u64()
            .or(sampled["max_completion_tokens"].as_u64()),
        Some(50)
    );
    // Its answer went back to the server and into the tool result.
    let calls = engine
        .store()
        .list_tool_calls(conversation)
        .await
        .expect("calls");
    assert_eq!(calls[0].status, ToolCallStatus::Succeeded);
    let result = calls[0].result_for_model.clone().unwrap_or_default();
    assert!(result.contains("Hi from sampling"), "{result}");
    // Three provider requests were billed; the sampling one has no conversation.
    let all = engine.store().list_usage(0, i64::MAX).await.expect("usage");
    assert_eq!(all.len(), 3, "{all:?}");
    assert_eq!(
        all.iter().filter(|r| r.conversation_id.is_none()).count(),
        1
    );
    servers.shutdown_all().await;
}
