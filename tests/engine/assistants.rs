//! A conversation started from an assistant (issue 14, part 3): the engine
//! copies the assistant's model, system prompt and parameters into the new
//! conversation, remembers the assistant, and offers only the tools of the
//! assistant's MCP servers; the conversation's later changes leave the
//! assistant as it was.

use std::collections::BTreeMap;

use valechat_core::chat::{
    ConversationTarget, NewConversationRequest, OfferedTool, SendRequest, TurnEvent, UserInput,
};
use valechat_core::mcp::{ServerConfig, Transport};
use valechat_core::store::{AssistantDraft, ConversationSettings};

use crate::support::TestServer;
use crate::support::openai::{text_reply, text_reply_with_usage};
use crate::tools::{FakeTools, Scripted, offered, with_tools};
use crate::{Harness, drain};

/// Stores MCP servers with these ids (the assistants' servers must exist).
pub(crate) async fn add_servers(h: &Harness, ids: &[&str]) {
    for id in ids {
        h.engine
            .store()
            .add_mcp_server(&ServerConfig {
                id: (*id).into(),
                name: (*id).into(),
                transport: Transport::Stdio {
                    command: "true".into(),
                    args: Vec::new(),
                    env: BTreeMap::default(),
                    cwd: None,
                },
                enabled: true,
                era: None,
                sandbox: None,
            })
            .await
            .expect("add server");
    }
}

/// A tool `name` of server `server`.
pub(crate) fn tool_of(server: &str, name: &str) -> OfferedTool {
    let mut tool = offered(name, "hash");
    tool.server_id = server.into();
    tool.definition.name = format!("{server}__{name}");
    tool
}

/// Names of the tools in the `n`-th request the server received.
pub(crate) fn sent_tools(server: &TestServer, n: usize) -> Vec<String> {
    server.requests()[n].json()["tools"]
        .as_array()
        .map(|tools| {
            tools
                .iter()
                .map(|t| t["function"]["name"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_conversation_started_from_an_assistant_gets_a_copy_of_its_settings() {
    let server = TestServer::start(vec![text_reply_with_usage(&["Bonjour"], 12, 3)]).await;
    let h = Harness::new().await;
    let provider = h.provider(&server).await;
    add_servers(&h, &["time"]).await;
    let store = h.engine.store();
    let assistant = store
        .add_assistant(AssistantDraft {
            name: "Translator".into(),
            icon: "🌍".into(),
            system_prompt: Some("Translate into French.".into()),
            provider_id: Some(provider.clone()),
            model: Some("gpt-4o-mini".into()),
            temperature: Some(0.5),
            max_output_tokens: Some(300),
            mcp_servers: vec!["time".into()],
        })
        .await
        .expect("add assistant");

    let request = SendRequest::new(
        ConversationTarget::New(NewConversationRequest::from_assistant(&assistant)),
        UserInput::text("Hello"),
    );
    let mut turn = h.engine.send(request).await.expect("send");
    let events = drain(&mut turn).await;
    let TurnEvent::ConversationCreated(created) = &events[0] else {
        panic!("the first event is {:?}", events[0]);
    };
    assert_eq!(created.provider_id.as_deref(), Some(provider.as_str()));
    assert_eq!(created.model.as_deref(), Some("gpt-4o-mini"));
    assert_eq!(ConversationSettings::of(created), assistant.settings());
    let link = store
        .conversation_assistant(created.id)
        .await
        .expect("read")
        .expect("linked");
    assert_eq!(link.assistant_id, Some(assistant.id));
    assert_eq!(
        (link.name.as_str(), link.icon.as_str()),
        ("Translator", "🌍")
    );
    assert_eq!(
        store
            .conversation_mcp_servers(created.id)
            .await
            .expect("read"),
        Some(vec!["time".to_owned()])
    );

    // What the provider received is the assistant's.
    let sent = server.requests()[0].json();
    assert_eq!(sent["model"], "gpt-4o-mini");
    assert_eq!(sent["messages"][0]["role"], "system");
    assert_eq!(sent["messages"][0]["content"], "Translate into French.");
    assert_eq!(sent["temperature"], 0.5);
    assert_eq!(sent["max_tokens"], 300);

    // The conversation changes its settings; the assistant keeps its own.
    store
        .set_conversation_settings(
            created.id,
            ConversationSettings {
                system_prompt: Some("Translate into German.".into()),
                ..assistant.settings()
            },
        )
        .await
        .expect("settings");
    let kept = store
        .get_assistant(assistant.id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(
        kept.system_prompt.as_deref(),
        Some("Translate into French.")
    );
}

#[tokio::test]
async fn a_conversation_from_an_assistant_offers_only_its_servers_tools() {
    let server = TestServer::start(vec![text_reply("one"), text_reply("two")]).await;
    let h = Harness::new().await;
    let provider = h.provider(&server).await;
    add_servers(&h, &["time", "fetch"]).await;
    let tools = FakeTools::new(vec![tool_of("time", "now"), tool_of("fetch", "get")]);
    let h = with_tools(h, tools, Scripted::new(&[]));
    let assistant = h
        .engine
        .store()
        .add_assistant(AssistantDraft {
            name: "Clock".into(),
            provider_id: Some(provider.clone()),
            model: Some("gpt-4o".into()),
            mcp_servers: vec!["time".into()],
            ..AssistantDraft::default()
        })
        .await
        .expect("add assistant");

    let from_assistant = SendRequest::new(
        ConversationTarget::New(NewConversationRequest::from_assistant(&assistant)),
        UserInput::text("What time is it?"),
    );
    drain(&mut h.engine.send(from_assistant).await.expect("send")).await;
    assert_eq!(sent_tools(&server, 0), ["time__now"]);

    // A conversation started without an assistant offers every server.
    let plain = SendRequest::new(
        ConversationTarget::New(NewConversationRequest::with_model(&provider, "gpt-4o")),
        UserInput::text("And now?"),
    );
    drain(&mut h.engine.send(plain).await.expect("send")).await;
    assert_eq!(sent_tools(&server, 1), ["time__now", "fetch__get"]);
}

/// The conversation settings popover's MCP servers: a conversation from no
/// assistant offers every server until its servers are chosen, then those
/// only.
#[tokio::test]
async fn a_conversation_from_no_assistant_offers_the_servers_chosen_for_it() {
    let server = TestServer::start(vec![
        text_reply("one"),
        text_reply("two"),
        text_reply("three"),
    ])
    .await;
    let h = Harness::new().await;
    let provider = h.provider(&server).await;
    add_servers(&h, &["time", "fetch"]).await;
    let tools = FakeTools::new(vec![tool_of("time", "now"), tool_of("fetch", "get")]);
    let h = with_tools(h, tools, Scripted::new(&[]));
    let conversation = h
        .engine
        .new_conversation(Some(&provider), Some("gpt-4o"))
        .await
        .expect("conversation")
        .id;
    let send = |text: &str| SendRequest::text(conversation, text);

    drain(&mut h.engine.send(send("Every server")).await.expect("send")).await;
    assert_eq!(sent_tools(&server, 0), ["time__now", "fetch__get"]);

    let store = h.engine.store();
    store
        .set_conversation_mcp_servers(conversation, vec!["fetch".into()])
        .await
        .expect("choose");
    drain(&mut h.engine.send(send("Fetch only")).await.expect("send")).await;
    assert_eq!(sent_tools(&server, 1), ["fetch__get"]);

    store
        .set_conversation_mcp_servers(conversation, Vec::new())
        .await
        .expect("choose none");
    drain(&mut h.engine.send(send("No tools")).await.expect("send")).await;
    assert!(sent_tools(&server, 2).is_empty());
}
