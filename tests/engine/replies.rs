//! Replies that finish or fail as a whole, history, retry, errors before the
//! stream, and API keys.

use std::sync::Arc;

use valechat_core::chat::{Engine, EngineError, SendRequest, TurnEvent};
use valechat_core::provider::{ProtocolKind, ProviderError, Role, Usage};
use valechat_core::secrets::KeyStore;
use valechat_core::store::{ConversationSettings, MessageStatus, Store};

use crate::support::{Reply, TestServer, fixture};
use crate::{Harness, drain, finished, kinds, sse_text, text_of};

/// The answer in `openai-chat/text_with_usage.sse`.
const WEATHER_TEXT: &str = "I'm unable to provide real-time weather updates. To get the current \
weather in San Francisco, I recommend checking a reliable weather website or a weather app.";

/// The `role`/`content` pairs of a recorded chat request's `messages`.
fn request_messages(request: &crate::support::Recorded) -> Vec<(String, String)> {
    request.json()["messages"]
        .as_array()
        .expect("messages is an array")
        .iter()
        .map(|m| {
            (
                m["role"].as_str().expect("role").to_owned(),
                m["content"].as_str().expect("content").to_owned(),
            )
        })
        .collect()
}

fn pair(role: &str, content: &str) -> (String, String) {
    (role.to_owned(), content.to_owned())
}

#[tokio::test]
async fn full_reply_is_streamed_stored_and_survives_reopening() {
    let server = TestServer::start(vec![Reply::sse_body(fixture(
        "openai-chat/text_with_usage.sse",
    ))])
    .await;
    let h = Harness::new().await;
    let conv = h.conversation(&server).await;
    let prompt = "What's the weather in San Francisco?";

    let mut turn = h
        .engine
        .send(SendRequest::text(conv, prompt))
        .await
        .expect("send");
    let events = drain(&mut turn).await;

    assert_eq!(
        kinds(&events),
        [
            "UserMessageSaved",
            "AssistantStarted",
            "TextDelta",
            "Usage",
            "Finished"
        ]
    );
    let deltas = events
        .iter()
        .filter(|e| matches!(e, TurnEvent::TextDelta(_)))
        .count();
    assert_eq!(deltas, 30, "one delta per non-empty content chunk");
    assert_eq!(text_of(&events), WEATHER_TEXT);
    let user = match events.first() {
        Some(TurnEvent::UserMessageSaved(user)) => user.clone(),
        other => panic!("first event: {other:?}"),
    };
    assert_eq!(user.role, Role::User);
    assert_eq!(user.content, prompt);
    assert!(events.iter().any(|e| matches!(
        e,
        TurnEvent::Usage(Usage {
            input_tokens: 14,
            output_tokens: 30,
            ..
        })
    )));

    let assistant = finished(&events);
    assert_eq!(assistant.role, Role::Assistant);
    assert_eq!(assistant.status, MessageStatus::Complete);
    assert_eq!(assistant.content, WEATHER_TEXT);
    assert_eq!(assistant.finish_reason.as_deref(), Some("stop"));
    assert_eq!(assistant.error, None);
    assert_eq!(assistant.input_tokens, Some(14));
    assert_eq!(assistant.output_tokens, Some(30));
    assert_eq!(assistant.model.as_deref(), Some("gpt-4o"));

    let stored = h.messages(conv).await;
    assert_eq!(stored, vec![user.clone(), assistant.clone()]);
    let conversation = h
        .engine
        .store()
        .get_conversation(conv)
        .await
        .expect("read conversation")
        .expect("conversation exists");
    assert_eq!(conversation.title, prompt);

    // Close every connection, then open the file again.
    let Harness {
        dir, db, engine, ..
    } = h;
    drop(turn);
    drop(engine);
    let reopened = Store::open(&db).await.expect("reopen");
    assert_eq!(
        reopened.list_messages(conv).await.expect("list"),
        vec![user, assistant]
    );
    drop(dir);
}

#[tokio::test]
async fn each_request_carries_the_conversation_history() {
    let server = TestServer::start(vec![
        Reply::sse_body(sse_text(&["Hello", " there"])),
        Reply::sse_body(sse_text(&["Fine, thanks."])),
    ])
    .await;
    let h = Harness::new().await;
    let conv = h.conversation(&server).await;

    let first = drain(
        &mut h
            .engine
            .send(SendRequest::text(conv, "Hi"))
            .await
            .expect("send 1"),
    )
    .await;
    assert_eq!(finished(&first).content, "Hello there");
    let second = drain(
        &mut h
            .engine
            .send(SendRequest::text(conv, "How are you?"))
            .await
            .expect("send 2"),
    )
    .await;
    assert_eq!(finished(&second).content, "Fine, thanks.");

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/v1/chat/completions");
        assert_eq!(request.json()["model"], "gpt-4o");
        assert_eq!(request.json()["stream"], true);
    }
    assert_eq!(request_messages(&requests[0]), [pair("user", "Hi")]);
    assert_eq!(
        request_messages(&requests[1]),
        [
            pair("user", "Hi"),
            pair("assistant", "Hello there"),
            pair("user", "How are you?"),
        ]
    );
}

#[tokio::test]
async fn conversation_settings_reach_the_request_and_survive_a_reopen() {
    let server = TestServer::start(vec![
        Reply::sse_body(sse_text(&["Ahoy"])),
        Reply::sse_body(sse_text(&["Plain"])),
    ])
    .await;
    let h = Harness::new().await;
    let conv = h.conversation(&server).await;
    let store = h.engine.store();
    store
        .set_conversation_settings(
            conv,
            ConversationSettings {
                sampling: None,
                system_prompt: Some("Answer like a pirate.".into()),
                temperature: Some(0.25),
                max_output_tokens: Some(256),
            },
        )
        .await
        .expect("save settings");

    drain(
        &mut h
            .engine
            .send(SendRequest::text(conv, "Hi"))
            .await
            .expect("send"),
    )
    .await;
    let body = server.requests()[0].json();
    assert_eq!(body["temperature"], 0.25);
    assert_eq!(body["max_tokens"], 256);
    assert_eq!(
        request_messages(&server.requests()[0]),
        [pair("system", "Answer like a pirate."), pair("user", "Hi")]
    );

    // Out-of-range values are clamped, a blank prompt is none, and the
    // settings are in the file after a reopen.
    store
        .set_conversation_settings(
            conv,
            ConversationSettings {
                sampling: None,
                system_prompt: Some("   ".into()),
                temperature: Some(7.0),
                max_output_tokens: None,
            },
        )
        .await
        .expect("save settings");
    let reopened = Store::open(&h.db).await.expect("reopen");
    let c = reopened
        .get_conversation(conv)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(
        ConversationSettings::of(&c),
        ConversationSettings {
            sampling: None,
            system_prompt: None,
            temperature: Some(2.0),
            max_output_tokens: None,
        }
    );
    drain(
        &mut h
            .engine
            .send(SendRequest::text(conv, "Again"))
            .await
            .expect("send"),
    )
    .await;
    let body = server.requests()[1].json();
    assert_eq!(body["temperature"], 2.0);
    // No cap of the conversation's any more: the one the reservation
    // assumed is sent (gpt-4o's largest reply; on this local server the
    // model is priced as OpenAI's, assumed).
    assert_eq!(body["max_tokens"], 16_384, "{body}");
    assert_eq!(
        request_messages(&server.requests()[1])[0],
        pair("user", "Hi")
    );
}

#[tokio::test]
async fn unauthorized_reply_fails_and_retry_replaces_the_empty_message() {
    let unauthorized = serde_json::json!({"error": {
        "message": "Incorrect API key provided",
        "type": "invalid_request_error",
        "param": null,
        "code": "invalid_api_key",
    }});
    let server = TestServer::start(vec![
        Reply::fixed(401, "application/json", unauthorized.to_string()),
        Reply::sse_body(sse_text(&["Second", " try"])),
    ])
    .await;
    let h = Harness::new().await;
    let conv = h.conversation(&server).await;

    let events = drain(
        &mut h
            .engine
            .send(SendRequest::text(conv, "Hello?"))
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(
        kinds(&events),
        ["UserMessageSaved", "AssistantStarted", "Failed"]
    );
    let Some(TurnEvent::Failed {
        message: Some(failed),
        error,
    }) = events.last()
    else {
        panic!("no failed message: {events:?}")
    };
    assert!(
        matches!(
            error.as_ref(),
            EngineError::Provider(ProviderError::Unauthorized { message })
                if message == "Incorrect API key provided"
        ),
        "{error:?}"
    );
    assert_eq!(failed.status, MessageStatus::Failed);
    assert_eq!(failed.content, "");
    assert_eq!(
        failed.error.as_deref(),
        Some(
            "The server rejected the API key. Check the key in the provider's settings.\n\
             Incorrect API key provided"
        )
    );
    assert_eq!(h.messages(conv).await.len(), 2);

    let retried = drain(&mut h.engine.retry(conv).await.expect("retry")).await;
    assert_eq!(
        kinds(&retried),
        ["AssistantStarted", "TextDelta", "Finished"]
    );
    let reply = finished(&retried);
    assert_eq!(reply.status, MessageStatus::Complete);
    assert_eq!(reply.content, "Second try");

    let stored = h.messages(conv).await;
    let shape: Vec<_> = stored
        .iter()
        .map(|m| (m.role, m.status, m.content.as_str()))
        .collect();
    assert_eq!(
        shape,
        [
            (Role::User, MessageStatus::Complete, "Hello?"),
            (Role::Assistant, MessageStatus::Complete, "Second try"),
        ]
    );
    assert!(stored.iter().all(|m| m.id != failed.id));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(request_messages(&requests[1]), [pair("user", "Hello?")]);
}

#[tokio::test]
async fn errors_before_the_stream_are_returned_by_send() {
    let server = TestServer::start(Vec::new()).await;
    let h = Harness::new().await;
    let conv = h.conversation(&server).await;

    let empty = h
        .engine
        .send(SendRequest::text(conv, "  \n\t "))
        .await
        .err();
    assert!(
        matches!(empty, Some(EngineError::EmptyMessage)),
        "{empty:?}"
    );
    assert!(h.messages(conv).await.is_empty());

    let provider = h.provider(&server).await;
    let no_model = h
        .engine
        .new_conversation(Some(&provider), None)
        .await
        .expect("new conversation")
        .id;
    let err = h.engine.send(SendRequest::text(no_model, "hi")).await.err();
    assert!(matches!(err, Some(EngineError::NoModelChosen)), "{err:?}");
    assert!(h.messages(no_model).await.is_empty());

    let err = h.engine.send(SendRequest::text(987_654, "hi")).await.err();
    assert!(
        matches!(err, Some(EngineError::UnknownConversation(987_654))),
        "{err:?}"
    );
    assert!(server.requests().is_empty());
}

/// Every file SQLite keeps for the database (main file, WAL, shared memory).
fn database_bytes(h: &Harness) -> Vec<u8> {
    let name = h.db.file_name().expect("file name").to_owned();
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(h.dir.path()).expect("read dir") {
        let entry = entry.expect("dir entry");
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(&*name.to_string_lossy())
        {
            bytes.extend(std::fs::read(entry.path()).expect("read database file"));
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn api_key_goes_to_the_key_store_and_the_authorization_header() {
    const KEY: &str = "sk-test-123";
    let server = TestServer::start(vec![Reply::sse_body(sse_text(&["ok"]))]).await;
    let h = Harness::new().await;
    let provider = h
        .engine
        .providers()
        .add(
            ProtocolKind::OpenAiCompatible,
            "Keyed",
            &server.base_url(),
            Some(KEY),
        )
        .await
        .expect("add provider");
    assert_eq!(provider.id, "keyed");
    assert!(provider.has_api_key);
    assert_eq!(
        h.keys.api_key("keyed").await.expect("read key").as_deref(),
        Some(KEY)
    );

    let conv = h
        .engine
        .new_conversation(Some("keyed"), Some("gpt-4o"))
        .await
        .expect("new conversation")
        .id;
    let events = drain(
        &mut h
            .engine
            .send(SendRequest::text(conv, "hi"))
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(finished(&events).content, "ok");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].header("authorization"),
        Some("Bearer sk-test-123")
    );

    let bytes = database_bytes(&h);
    // The provider's row is there, so the files read are the right ones…
    assert!(contains(&bytes, &server.base_url()));
    // …and the key is not.
    assert!(
        !contains(&bytes, KEY),
        "the API key was written to the database"
    );

    h.engine.providers().remove("keyed").await.expect("remove");
    assert_eq!(h.keys.api_key("keyed").await.expect("read key"), None);
    assert_eq!(
        h.engine.store().get_provider("keyed").await.expect("read"),
        None
    );
}

#[tokio::test]
async fn keyless_provider_sends_no_authorization_header() {
    let server = TestServer::start(vec![Reply::sse_body(sse_text(&["ok"]))]).await;
    let keys = Arc::new(valechat_core::secrets::MemoryKeyStore::new());
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("db.sqlite"))
        .await
        .expect("open");
    let engine = Engine::new(store, keys.clone());
    let provider = engine
        .providers()
        .add(
            ProtocolKind::OpenAiCompatible,
            "Local",
            &server.base_url(),
            Some("   "),
        )
        .await
        .expect("add provider");
    assert!(!provider.has_api_key, "a blank key is no key");
    assert_eq!(keys.api_key("local").await.expect("read key"), None);
    let conv = engine
        .new_conversation(Some("local"), Some("m"))
        .await
        .expect("new conversation")
        .id;
    drain(
        &mut engine
            .send(SendRequest::text(conv, "hi"))
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(server.requests()[0].header("authorization"), None);
}
