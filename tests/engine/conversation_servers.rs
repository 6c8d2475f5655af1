//! The MCP servers a conversation offers, chosen in the window's
//! conversation settings (issue 14): chosen for a new conversation before
//! its first message ([`NewConversationRequest::mcp_servers`]), they are
//! stored with it and the first request already offers only their tools;
//! taken back to every enabled server
//! (`Store::use_all_enabled_mcp_servers`), the conversation offers every
//! server's tools again, a server added afterwards included.

use valechat_core::chat::{
    ConversationTarget, EngineError, McpServerChoice, NewConversationRequest, SendRequest,
    TurnEvent, UserInput,
};
use valechat_core::store::{AssistantDraft, StoreError};

use crate::assistants::{add_servers, sent_tools, tool_of};
use crate::support::TestServer;
use crate::support::openai::text_reply;
use crate::tools::{FakeTools, Scripted, with_tools};
use crate::{Harness, drain};

/// A harness whose tool box offers `time__now`, `fetch__get` and
/// `weather__forecast`, with servers `time` and `fetch` configured (not
/// `weather`), and a provider for `server`.
async fn harness(server: &TestServer) -> (Harness, String) {
    let h = Harness::new().await;
    let provider = h.provider(server).await;
    add_servers(&h, &["time", "fetch"]).await;
    let tools = FakeTools::new(vec![
        tool_of("time", "now"),
        tool_of("fetch", "get"),
        tool_of("weather", "forecast"),
    ]);
    (with_tools(h, tools, Scripted::new(&[])), provider)
}

/// A first message to a new conversation with `gpt-4o` and `new`'s choices.
fn first_message(provider: &str, new: NewConversationRequest) -> SendRequest {
    SendRequest::new(
        ConversationTarget::New(NewConversationRequest {
            provider_id: Some(provider.to_owned()),
            model: Some("gpt-4o".to_owned()),
            ..new
        }),
        UserInput::text("What time is it?"),
    )
}

/// Sends `request`, drains the turn and returns the conversation created.
async fn created(h: &Harness, request: SendRequest) -> i64 {
    let mut turn = h.engine.send(request).await.expect("send");
    let events = drain(&mut turn).await;
    match &events[0] {
        TurnEvent::ConversationCreated(c) => c.id,
        other => panic!("the first event is {other:?}"),
    }
}

#[tokio::test]
async fn servers_chosen_before_the_first_message_are_its_first_requests_tools() {
    let server = TestServer::start(vec![
        text_reply("one"),
        text_reply("two"),
        text_reply("three"),
    ])
    .await;
    let (h, provider) = harness(&server).await;
    let store = h.engine.store();

    let only_fetch = NewConversationRequest {
        mcp_servers: McpServerChoice::Only(vec!["fetch".into()]),
        ..NewConversationRequest::default()
    };
    let id = created(&h, first_message(&provider, only_fetch)).await;
    assert_eq!(sent_tools(&server, 0), ["fetch__get"]);
    assert_eq!(
        store.conversation_mcp_servers(id).await.expect("read"),
        Some(vec!["fetch".to_owned()])
    );

    // None at all: the first request offers no tool.
    let none = NewConversationRequest {
        mcp_servers: McpServerChoice::Only(Vec::new()),
        ..NewConversationRequest::default()
    };
    let id = created(&h, first_message(&provider, none)).await;
    assert!(sent_tools(&server, 1).is_empty());
    assert_eq!(
        store.conversation_mcp_servers(id).await.expect("read"),
        Some(vec![])
    );

    // Nothing chosen and no assistant: every server's tools.
    let id = created(
        &h,
        first_message(&provider, NewConversationRequest::default()),
    )
    .await;
    assert_eq!(
        sent_tools(&server, 2),
        ["time__now", "fetch__get", "weather__forecast"]
    );
    assert_eq!(
        store.conversation_mcp_servers(id).await.expect("read"),
        None
    );
}

#[tokio::test]
async fn a_choice_made_for_a_new_conversation_replaces_its_assistants_servers() {
    let server = TestServer::start(vec![text_reply("one"), text_reply("two")]).await;
    let (h, provider) = harness(&server).await;
    let store = h.engine.store();
    let assistant = store
        .add_assistant(AssistantDraft {
            name: "Clock".into(),
            provider_id: Some(provider.clone()),
            model: Some("gpt-4o".into()),
            mcp_servers: vec!["time".into()],
            ..AssistantDraft::default()
        })
        .await
        .expect("add assistant");

    let fetch_instead = NewConversationRequest {
        mcp_servers: McpServerChoice::Only(vec!["fetch".into()]),
        ..NewConversationRequest::from_assistant(&assistant)
    };
    let id = created(&h, first_message(&provider, fetch_instead)).await;
    assert_eq!(sent_tools(&server, 0), ["fetch__get"]);
    assert!(
        store
            .conversation_assistant(id)
            .await
            .expect("read")
            .is_some(),
        "it still started from the assistant"
    );

    let every_server = NewConversationRequest {
        mcp_servers: McpServerChoice::AllEnabled,
        ..NewConversationRequest::from_assistant(&assistant)
    };
    let id = created(&h, first_message(&provider, every_server)).await;
    assert_eq!(
        sent_tools(&server, 1),
        ["time__now", "fetch__get", "weather__forecast"]
    );
    assert_eq!(
        store.conversation_mcp_servers(id).await.expect("read"),
        None
    );
}

#[tokio::test]
async fn a_chosen_server_no_longer_configured_refuses_the_first_message() {
    let server = TestServer::start(Vec::new()).await;
    let (h, provider) = harness(&server).await;
    let gone = NewConversationRequest {
        mcp_servers: McpServerChoice::Only(vec!["time".into(), "weather".into()]),
        ..NewConversationRequest::default()
    };
    let refused = h.engine.send(first_message(&provider, gone)).await;
    assert!(
        matches!(
            refused,
            Err(EngineError::Store(StoreError::NotFound {
                what: "MCP server",
                ..
            }))
        ),
        "{:?}",
        refused.err()
    );
    assert!(
        h.engine
            .store()
            .list_conversations()
            .await
            .expect("list")
            .is_empty(),
        "no conversation is left behind"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn back_to_every_enabled_server_offers_a_server_added_afterwards() {
    let server = TestServer::start(vec![text_reply("one"), text_reply("two")]).await;
    let (h, provider) = harness(&server).await;
    let store = h.engine.store();
    let only_time = NewConversationRequest {
        mcp_servers: McpServerChoice::Only(vec!["time".into()]),
        ..NewConversationRequest::default()
    };
    let id = created(&h, first_message(&provider, only_time)).await;
    assert_eq!(sent_tools(&server, 0), ["time__now"]);

    store
        .use_all_enabled_mcp_servers(id)
        .await
        .expect("use all enabled servers");
    add_servers(&h, &["weather"]).await;
    drain(
        &mut h
            .engine
            .send(SendRequest::text(id, "And the weather?"))
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(
        sent_tools(&server, 1),
        ["time__now", "fetch__get", "weather__forecast"]
    );
}
