//! A thinking model on this computer: a tiny GGUF whose template opens
//! `<think>` in its generation prompt (as DeepSeek-R1's does) replies
//! through the real `valechat local-runner`; what it writes before closing
//! the tag arrives as reasoning and is stored as the message's reasoning,
//! never as its reply text.

use valechat_core::chat::{
    ConversationTarget, LOCAL_PROVIDER_ID, NewConversationRequest, SendRequest, TurnEvent,
    UserInput,
};
use valechat_core::local::library::{self, ImportMode};
use valechat_core::store::ConversationSettings;

use crate::drain;
use crate::local::{local_harness, tiny_model_with};

#[tokio::test]
async fn a_thinking_models_reasoning_is_kept_apart_from_its_reply() {
    let h = local_harness().await;
    let file = tiny_model_with(h.dir.path(), "thinking", "tiny-thinking.gguf").await;
    let imported = library::import(
        h.engine.store(),
        &file,
        ImportMode::Reference,
        &h.dir.path().join("models"),
    )
    .await
    .expect("import");
    assert_eq!(imported.model_id, "tiny-thinking");

    let request = SendRequest::new(
        ConversationTarget::New(NewConversationRequest {
            provider_id: Some(LOCAL_PROVIDER_ID.to_owned()),
            model: Some(imported.model_id.clone()),
            settings: ConversationSettings {
                max_output_tokens: Some(8),
                ..ConversationSettings::default()
            },
            ..NewConversationRequest::default()
        }),
        UserInput::text("Hello world!"),
    );
    let mut turn = h.engine.send(request).await.expect("send");
    let events = drain(&mut turn).await;
    let reasoning: String = events
        .iter()
        .filter_map(|e| match e {
            TurnEvent::ReasoningDelta(text) => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert!(!reasoning.is_empty(), "no reasoning: {events:?}");
    assert!(
        !events.iter().any(|e| matches!(e, TurnEvent::TextDelta(_))),
        "the unclosed reasoning is not reply text: {events:?}"
    );
    let Some(TurnEvent::Finished(reply)) = events.last() else {
        panic!("the turn did not finish: {events:?}");
    };
    let stored = h
        .engine
        .store()
        .message(reply.id)
        .await
        .expect("read the reply")
        .expect("the reply is stored");
    assert_eq!(
        stored.reasoning, reasoning,
        "stored as the message's reasoning"
    );
    assert_eq!(stored.content, "", "and not as its text");
}
