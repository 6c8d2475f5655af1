//! Replies that stop early: a cut connection, Stop, a dropped turn, a
//! malformed chunk, and the partial saves that survive a crash.

use std::time::Duration;

use tokio::time::Instant;
use valechat_core::chat::{EngineError, SendRequest, TurnEvent};
use valechat_core::provider::{ProviderError, Role};
use valechat_core::store::{Message, MessageStatus};

use crate::support::{Reply, Step, TestServer};
use crate::{
    Harness, drain, finished, kinds, stop_and_done, text_chunk, text_of, until_first_text,
};

/// How long to wait for the store to reach a state before failing.
const STORE_DEADLINE: Duration = Duration::from_secs(5);

/// The conversation's assistant message (there must be exactly one).
async fn assistant(h: &Harness, conv: i64) -> Message {
    let mut replies: Vec<Message> = h
        .messages(conv)
        .await
        .into_iter()
        .filter(|m| m.role == Role::Assistant)
        .collect();
    assert_eq!(replies.len(), 1, "{replies:?}");
    replies.remove(0)
}

/// Polls the assistant message until `done` holds, failing after [`STORE_DEADLINE`].
async fn wait_for_assistant(h: &Harness, conv: i64, done: impl Fn(&Message) -> bool) -> Message {
    let deadline = Instant::now() + STORE_DEADLINE;
    loop {
        let message = assistant(h, conv).await;
        if done(&message) {
            return message;
        }
        assert!(
            Instant::now() < deadline,
            "the stored reply never reached the expected state: {message:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The `Failed` event ending `events`: its stored message and error.
fn failure(events: &[TurnEvent]) -> (Message, &EngineError) {
    match events.last() {
        Some(TurnEvent::Failed {
            message: Some(m),
            error,
        }) => (m.clone(), error.as_ref()),
        other => panic!("the turn did not end with a failed message: {other:?}"),
    }
}

#[tokio::test]
async fn cut_connection_keeps_the_text_that_arrived() {
    let server = TestServer::start(vec![Reply::sse(vec![
        Step::Send(text_chunk("Hel")),
        Step::Send(text_chunk("lo, wor")),
        Step::Cut,
    ])])
    .await;
    let h = Harness::new().await;
    let conv = h.conversation(&server).await;

    let events = drain(
        &mut h
            .engine
            .send(SendRequest::text(conv, "hi"))
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(
        kinds(&events),
        [
            "UserMessageSaved",
            "AssistantStarted",
            "TextDelta",
            "Failed"
        ]
    );
    assert_eq!(text_of(&events), "Hello, wor");
    let (message, error) = failure(&events);
    assert!(
        matches!(error, EngineError::Provider(ProviderError::Connection(_))),
        "{error:?}"
    );
    assert_eq!(message.status, MessageStatus::Incomplete);
    assert_eq!(message.content, "Hello, wor");
    assert_eq!(message.error, Some(error.user_error().stored()));
    assert!(
        error.to_string().starts_with("connection failed: "),
        "{error}"
    );
    assert_eq!(assistant(&h, conv).await, message);
}

#[tokio::test]
async fn cancel_stops_the_reply_keeps_the_text_and_closes_the_connection() {
    let mut server = TestServer::start(vec![Reply::sse(vec![
        Step::Send(text_chunk("Partial answer")),
        Step::HoldOpen,
    ])])
    .await;
    let h = Harness::new().await;
    let conv = h.conversation(&server).await;

    let mut turn = h
        .engine
        .send(SendRequest::text(conv, "hi"))
        .await
        .expect("send");
    let mut events = until_first_text(&mut turn).await;
    turn.cancel();
    events.extend(drain(&mut turn).await);

    assert_eq!(
        kinds(&events),
        [
            "UserMessageSaved",
            "AssistantStarted",
            "TextDelta",
            "Finished"
        ]
    );
    let message = finished(&events);
    assert_eq!(message.status, MessageStatus::Incomplete);
    assert_eq!(message.content, "Partial answer");
    assert_eq!(message.error, None);
    assert_eq!(message.finish_reason, None);
    assert_eq!(assistant(&h, conv).await, message);
    server.next_close().await;
}

#[tokio::test]
async fn dropping_the_turn_stores_the_partial_text_as_incomplete() {
    let mut server = TestServer::start(vec![Reply::sse(vec![
        Step::Send(text_chunk("Dropped mid-way")),
        Step::HoldOpen,
    ])])
    .await;
    let h = Harness::new().await;
    let conv = h.conversation(&server).await;

    let mut turn = h
        .engine
        .send(SendRequest::text(conv, "hi"))
        .await
        .expect("send");
    until_first_text(&mut turn).await;
    drop(turn);

    let message = wait_for_assistant(&h, conv, |m| m.status != MessageStatus::Streaming).await;
    assert_eq!(message.status, MessageStatus::Incomplete);
    assert_eq!(message.content, "Dropped mid-way");
    assert_eq!(message.error, None);
    server.next_close().await;
}

#[tokio::test]
async fn partial_text_is_saved_while_the_server_pauses() {
    let server = TestServer::start(vec![Reply::sse(vec![
        Step::Send(text_chunk("First")),
        Step::Delay(Duration::from_millis(1500)),
        Step::Send(text_chunk(" second")),
        Step::Send(stop_and_done()),
    ])])
    .await;
    let h = Harness::new().await;
    let conv = h.conversation(&server).await;

    let mut turn = h
        .engine
        .send(SendRequest::text(conv, "hi"))
        .await
        .expect("send");
    let events = until_first_text(&mut turn).await;
    assert_eq!(text_of(&events), "First");

    // Nothing more arrives for 1.5 s; within SAVE_INTERVAL (400 ms) of the
    // first piece the store must hold it, as a crash now would leave it.
    let saved = wait_for_assistant(&h, conv, |m| !m.content.is_empty()).await;
    assert_eq!(saved.content, "First", "saved only when more text came");
    assert_eq!(saved.status, MessageStatus::Streaming);

    let rest = drain(&mut turn).await;
    assert_eq!(text_of(&rest), " second");
    let message = finished(&rest);
    assert_eq!(message.status, MessageStatus::Complete);
    assert_eq!(message.content, "First second");
}

#[tokio::test]
async fn malformed_chunk_fails_and_keeps_the_partial_text() {
    let server = TestServer::start(vec![Reply::sse(vec![
        Step::Send(text_chunk("Before the junk")),
        Step::Send(b"data: {\"choices\": [oops\n\n".to_vec()),
        Step::Send(text_chunk(" never seen")),
        Step::Send(stop_and_done()),
    ])])
    .await;
    let h = Harness::new().await;
    let conv = h.conversation(&server).await;

    let events = drain(
        &mut h
            .engine
            .send(SendRequest::text(conv, "hi"))
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(text_of(&events), "Before the junk");
    let (message, error) = failure(&events);
    assert!(
        matches!(error, EngineError::Provider(ProviderError::Malformed(_))),
        "{error:?}"
    );
    assert_eq!(message.status, MessageStatus::Incomplete);
    assert_eq!(message.content, "Before the junk");
    assert_eq!(message.error, Some(error.user_error().stored()));
    assert_eq!(assistant(&h, conv).await, message);
}
