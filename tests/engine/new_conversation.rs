//! `Engine::send` to a new conversation ([`ConversationTarget::New`]): the
//! conversation is created with its settings and workspace folders and
//! announced as the turn's first event; a refused send leaves no
//! conversation behind.

use std::str::FromStr;

use rust_decimal::Decimal;
use valechat_core::billing::ModelPrice;
use valechat_core::chat::{
    ConversationTarget, EngineError, NewConversationRequest, SendRequest, TurnEvent, UserInput,
};
use valechat_core::ledger::{LimitScope, NewLimit};
use valechat_core::mcp::WorkspaceRoot;
use valechat_core::store::ConversationSettings;

use crate::support::TestServer;
use crate::support::openai::text_reply_with_usage;
use crate::{Harness, drain, finished, kinds};

fn new_request(provider: &str, text: &str, new: NewConversationRequest) -> SendRequest {
    SendRequest::new(
        ConversationTarget::New(NewConversationRequest {
            provider_id: Some(provider.to_owned()),
            model: Some("gpt-4o".to_owned()),
            ..new
        }),
        UserInput::text(text),
    )
}

async fn conversation_count(h: &Harness) -> usize {
    h.engine
        .store()
        .list_conversations()
        .await
        .expect("list conversations")
        .len()
}

#[tokio::test]
async fn a_new_conversation_is_created_with_its_settings_and_folders_and_announced_first() {
    let server = TestServer::start(vec![text_reply_with_usage(&["Hello", " there"], 12, 3)]).await;
    let h = Harness::new().await;
    let provider = h.provider(&server).await;
    let folder = tempfile::tempdir().expect("folder");
    let settings = ConversationSettings {
        sampling: None,
        system_prompt: Some("Answer in one line.".to_owned()),
        temperature: Some(0.25),
        max_output_tokens: Some(200),
    };
    let request = new_request(
        &provider,
        "  Plan a walk  ",
        NewConversationRequest {
            settings: settings.clone(),
            folders: vec![WorkspaceRoot::new(folder.path(), "Walks")],
            ..NewConversationRequest::default()
        },
    );

    let mut turn = h.engine.send(request).await.expect("send");
    let events = drain(&mut turn).await;

    assert_eq!(
        kinds(&events),
        [
            "ConversationCreated",
            "UserMessageSaved",
            "AssistantStarted",
            "TextDelta",
            "Usage",
            "Finished"
        ]
    );
    let TurnEvent::ConversationCreated(created) = &events[0] else {
        panic!("the first event is {:?}", events[0]);
    };
    assert_eq!(created.provider_id.as_deref(), Some(provider.as_str()));
    assert_eq!(created.model.as_deref(), Some("gpt-4o"));
    assert_eq!(ConversationSettings::of(created), settings);
    assert_eq!(finished(&events).conversation_id, created.id);

    let stored = h
        .engine
        .store()
        .get_conversation(created.id)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(stored.title, "Plan a walk");
    let roots = h
        .engine
        .store()
        .list_conversation_roots(created.id)
        .await
        .expect("roots");
    let roots: Vec<(String, String)> = roots.into_iter().map(|r| (r.path, r.name)).collect();
    assert_eq!(
        roots,
        [(
            folder.path().to_string_lossy().into_owned(),
            "Walks".to_owned()
        )]
    );
    let messages = h.messages(created.id).await;
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0].content, "Plan a walk");

    // The settings reach the provider with the first message.
    let sent = server.requests()[0].json();
    assert_eq!(sent["messages"][0]["role"], "system");
    assert_eq!(sent["messages"][0]["content"], "Answer in one line.");
    assert_eq!(sent["temperature"], 0.25);
    assert_eq!(sent["max_tokens"], 200);
}

#[tokio::test]
async fn a_refused_first_message_leaves_no_conversation() {
    let server = TestServer::start(vec![text_reply_with_usage(&["Never sent"], 1000, 500)]).await;
    let h = Harness::new().await;
    let provider = h.provider(&server).await;

    // Nothing to send.
    let blank = new_request(&provider, "   ", NewConversationRequest::default());
    assert!(matches!(
        h.engine.send(blank).await,
        Err(EngineError::EmptyMessage)
    ));

    // No model chosen.
    let no_model = SendRequest::new(
        ConversationTarget::New(NewConversationRequest {
            provider_id: Some(provider.clone()),
            ..NewConversationRequest::default()
        }),
        UserInput::text("Hello"),
    );
    assert!(matches!(
        h.engine.send(no_model).await,
        Err(EngineError::NoModelChosen)
    ));

    // A hard limit refuses after the conversation was created: it goes again.
    h.engine
        .store()
        .set_user_price(
            &provider,
            "gpt-4o",
            ModelPrice::from_per_million(Decimal::from(10), Decimal::from(30)),
            0,
        )
        .await
        .expect("set price");
    h.engine
        .store()
        .create_limit(NewLimit::hard(
            LimitScope::GlobalDay,
            None,
            Decimal::from_str("0.10").expect("decimal"),
        ))
        .await
        .expect("limit");
    let folder = tempfile::tempdir().expect("folder");
    let over = new_request(
        &provider,
        "Hello",
        NewConversationRequest {
            folders: vec![WorkspaceRoot::new(folder.path(), "Walks")],
            ..NewConversationRequest::default()
        },
    );
    assert!(matches!(
        h.engine.send(over).await,
        Err(EngineError::LimitReached(_))
    ));

    assert_eq!(
        conversation_count(&h).await,
        0,
        "a refused send stores no conversation"
    );
    assert!(server.requests().is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn a_send_naming_its_client_records_it_in_the_usage_records() {
    let server = TestServer::start(vec![
        text_reply_with_usage(&["One"], 10, 2),
        text_reply_with_usage(&["Two"], 11, 2),
    ])
    .await;
    let h = Harness::new().await;
    let provider = h.provider(&server).await;

    let request = new_request(&provider, "Hello", NewConversationRequest::default())
        .with_client("ws:test-client");
    let mut turn = h.engine.send(request).await.expect("send");
    let events = drain(&mut turn).await;
    let TurnEvent::ConversationCreated(created) = &events[0] else {
        panic!("the first event is {:?}", events[0]);
    };
    // A later send without a client (the window's) records none.
    let mut turn = h
        .engine
        .send(SendRequest::text(created.id, "Again"))
        .await
        .expect("second send");
    drain(&mut turn).await;

    let records = h
        .engine
        .store()
        .conversation_usage_records(created.id)
        .await
        .expect("usage records");
    let clients: Vec<_> = records.iter().map(|r| r.client.as_deref()).collect();
    assert_eq!(clients, [Some("ws:test-client"), None]);
}
