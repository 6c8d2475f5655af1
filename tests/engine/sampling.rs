//! A conversation's sampling parameters (top-p, top-k, min-p, repeat
//! penalty, seed): stored with the conversation, sent with each request,
//! kept when the settings are saved without them (the window's popover).

use valechat_core::chat::{ConversationTarget, NewConversationRequest, SendRequest, UserInput};
use valechat_core::provider::SamplingParameters;
use valechat_core::store::ConversationSettings;

use crate::support::TestServer;
use crate::support::openai::text_reply_with_usage;
use crate::{Harness, drain, finished};

#[tokio::test]
async fn a_conversations_sampling_is_stored_and_sent_with_every_request() {
    let server = TestServer::start(vec![
        text_reply_with_usage(&["One"], 5, 1),
        text_reply_with_usage(&["Two"], 7, 1),
    ])
    .await;
    let h = Harness::new().await;
    let provider = h.provider(&server).await;
    let sampling = SamplingParameters {
        top_p: Some(0.5),
        top_k: Some(7),
        min_p: Some(0.25),
        repeat_penalty: Some(1.5),
        seed: Some(99),
    };
    let request = SendRequest::new(
        ConversationTarget::New(NewConversationRequest {
            provider_id: Some(provider),
            model: Some("gpt-4o".into()),
            settings: ConversationSettings {
                sampling: Some(sampling),
                ..ConversationSettings::default()
            },
            ..NewConversationRequest::default()
        }),
        UserInput::text("First"),
    );
    let mut turn = h.engine.send(request).await.expect("send");
    let conversation = finished(&drain(&mut turn).await).conversation_id;
    let stored = h
        .engine
        .store()
        .get_conversation(conversation)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.sampling(), sampling);

    // Settings saved without sampling (the window's popover) keep it.
    h.engine
        .store()
        .set_conversation_settings(
            conversation,
            ConversationSettings {
                temperature: Some(0.3),
                ..ConversationSettings::default()
            },
        )
        .await
        .unwrap();
    let mut turn = h
        .engine
        .send(SendRequest::new(
            ConversationTarget::Existing(conversation),
            UserInput::text("Second"),
        ))
        .await
        .expect("send");
    drain(&mut turn).await;

    let bodies: Vec<serde_json::Value> = server.requests().iter().map(|r| r.json()).collect();
    assert_eq!(bodies.len(), 2);
    for body in &bodies {
        assert_eq!(body["top_p"], 0.5, "{body}");
        assert_eq!(body["seed"], 99, "{body}");
    }
    assert!(bodies[0].get("temperature").is_none());
    assert_eq!(
        bodies[1]["temperature"]
            .as_f64()
            .map(|t| (t * 10.0).round()),
        Some(3.0)
    );
}
