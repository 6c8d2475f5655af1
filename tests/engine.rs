//! The chat engine end to end: a SQLite file on disk, a [`MemoryKeyStore`]
//! and the local HTTP test server speaking OpenAI Chat Completions.
//!
//! `replies` covers finished and failed replies, history, retry, pre-stream
//! errors and API keys; `providers` covers editing providers and their
//! keys; `timeouts` covers per-provider timeouts; `images` covers attached images; `new_conversation` covers sending to a
//! conversation created for the message; `interruptions` covers cut connections, cancel,
//! dropped turns, partial saves and malformed chunks; `bad_input` covers
//! extreme waits, oversized replies and panics in a turn; `hard_limits`
//! the output cap sent and every output token counted; `unpriced`
//! unpriced and proxied models under a hard limit; `usage_estimates`
//! input billed after a failure and clamped counts; `branches` edits and
//! regenerations (messages as a tree); `compare` one prompt to several
//! models side by side; `assistants` conversations started from an
//! assistant; `conversation_servers` the MCP servers chosen for a new
//! conversation and the way back to every enabled server; `sampling` a conversation's top-p, top-k, min-p, repeat
//! penalty and seed sent with each request; `local` (cargo feature `local-models`) the built-in "On this
//! computer" provider over the real `valechat local-runner`; `local_models`
//! (same feature) the models loaded in the engine's runner, unloading them,
//! and embeddings; `local_thinking` (same feature) a thinking model's
//! reasoning kept apart from its reply.

mod support;

#[path = "engine/assistants.rs"]
mod assistants;
#[path = "engine/bad_input.rs"]
mod bad_input;
#[path = "engine/billing.rs"]
mod billing;
#[path = "engine/branches.rs"]
mod branches;
#[path = "engine/compare.rs"]
mod compare;
#[path = "engine/completions.rs"]
mod completions;
#[path = "engine/conversation_servers.rs"]
mod conversation_servers;
#[path = "engine/embeddings.rs"]
mod embeddings;
#[path = "engine/hard_limits.rs"]
mod hard_limits;
#[path = "engine/images.rs"]
mod images;
#[path = "engine/interruptions.rs"]
mod interruptions;
#[cfg(feature = "local-models")]
#[path = "engine/local.rs"]
mod local;
#[cfg(feature = "local-models")]
#[path = "engine/local_models.rs"]
mod local_models;
#[cfg(feature = "local-models")]
#[path = "engine/local_thinking.rs"]
mod local_thinking;
#[path = "engine/new_conversation.rs"]
mod new_conversation;
#[path = "engine/providers.rs"]
mod providers;
#[path = "engine/pull.rs"]
mod pull;
#[path = "engine/replies.rs"]
mod replies;
#[path = "engine/sampling.rs"]
mod sampling;
#[path = "engine/signatures.rs"]
mod signatures;
#[path = "engine/timeouts.rs"]
mod timeouts;
#[path = "engine/tools.rs"]
mod tools;
#[path = "engine/unpriced.rs"]
mod unpriced;
#[path = "engine/usage_estimates.rs"]
mod usage_estimates;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tempfile::TempDir;
use valechat_core::chat::{Engine, Turn, TurnEvent};
use valechat_core::provider::ProtocolKind;
use valechat_core::secrets::MemoryKeyStore;
use valechat_core::store::{Message, Store};

use support::TestServer;

/// Longest a whole turn may take before the test fails instead of hanging.
const TURN_DEADLINE: Duration = Duration::from_secs(10);

/// An engine over a database file in a fresh temporary directory.
struct Harness {
    dir: TempDir,
    db: PathBuf,
    keys: Arc<MemoryKeyStore>,
    engine: Engine,
}

impl Harness {
    async fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("valechat.db");
        let store = Store::open(&db).await.expect("open the database");
        let keys = Arc::new(MemoryKeyStore::new());
        let engine = Engine::new(store, keys.clone());
        Self {
            dir,
            db,
            keys,
            engine,
        }
    }

    /// Adds a keyless provider named "Test" for `server`; returns its id.
    async fn provider(&self, server: &TestServer) -> String {
        self.engine
            .providers()
            .add(
                ProtocolKind::OpenAiCompatible,
                "Test",
                &server.base_url(),
                None,
            )
            .await
            .expect("add provider")
            .id
    }

    /// A new conversation with `gpt-4o` on a fresh provider for `server`.
    async fn conversation(&self, server: &TestServer) -> i64 {
        let provider = self.provider(server).await;
        self.engine
            .new_conversation(Some(&provider), Some("gpt-4o"))
            .await
            .expect("new conversation")
            .id
    }

    async fn messages(&self, conversation: i64) -> Vec<Message> {
        self.engine
            .store()
            .list_messages(conversation)
            .await
            .expect("list messages")
    }
}

/// The next event, failing the test if none comes within [`TURN_DEADLINE`].
async fn next_event(turn: &mut Turn) -> Option<TurnEvent> {
    tokio::time::timeout(TURN_DEADLINE, turn.next())
        .await
        .expect("the turn produced no event in time")
}

/// Every remaining event of `turn`, until it ends.
async fn drain(turn: &mut Turn) -> Vec<TurnEvent> {
    let mut events = Vec::new();
    while let Some(event) = next_event(turn).await {
        events.push(event);
    }
    events
}

/// Events up to and including the first text delta (which must come).
async fn until_first_text(turn: &mut Turn) -> Vec<TurnEvent> {
    let mut events = Vec::new();
    loop {
        let event = next_event(turn)
            .await
            .expect("the turn ended before any text");
        let is_text = matches!(event, TurnEvent::TextDelta(_));
        events.push(event);
        if is_text {
            return events;
        }
    }
}

/// Event names, with consecutive text deltas collapsed into one `TextDelta`.
/// Billing events are left out (they are checked in `billing`).
fn kinds(events: &[TurnEvent]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for event in events {
        let kind = match event {
            TurnEvent::ConversationCreated(_) => "ConversationCreated",
            TurnEvent::UserMessageSaved(_) => "UserMessageSaved",
            TurnEvent::AssistantStarted(_) => "AssistantStarted",
            TurnEvent::TextDelta(_) => "TextDelta",
            TurnEvent::ReasoningDelta(_) => "ReasoningDelta",
            TurnEvent::Usage(_) => "Usage",
            TurnEvent::RoundFinished(_) => "RoundFinished",
            TurnEvent::ToolCallProposed { .. } => "ToolCallProposed",
            TurnEvent::ToolCallRunning(_) => "ToolCallRunning",
            TurnEvent::ToolCallProgress { .. } => "ToolCallProgress",
            TurnEvent::ToolCallFinished(_) => "ToolCallFinished",
            TurnEvent::UsageRecorded(_)
            | TurnEvent::Queued { .. }
            | TurnEvent::LimitAlerts(_)
            | TurnEvent::SoftLimitWarnings(_) => continue,
            TurnEvent::Finished(_) => "Finished",
            TurnEvent::Failed { .. } => "Failed",
        };
        if !(kind == "TextDelta" && out.last() == Some(&"TextDelta")) {
            out.push(kind);
        }
    }
    out
}

/// The text deltas joined.
fn text_of(events: &[TurnEvent]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            TurnEvent::TextDelta(t) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

/// The message of the final `Finished` event.
fn finished(events: &[TurnEvent]) -> Message {
    match events.last() {
        Some(TurnEvent::Finished(m)) => m.clone(),
        other => panic!("the turn did not end with Finished: {other:?}"),
    }
}

/// One `chat.completion.chunk` SSE event carrying `text`.
fn text_chunk(text: &str) -> Vec<u8> {
    let chunk = serde_json::json!({
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "model": "gpt-4o",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}],
    });
    format!("data: {chunk}\n\n").into_bytes()
}

/// The SSE events ending a reply: `finish_reason: stop`, then `[DONE]`.
fn stop_and_done() -> Vec<u8> {
    let chunk = serde_json::json!({
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "model": "gpt-4o",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
    });
    format!("data: {chunk}\n\ndata: [DONE]\n\n").into_bytes()
}

/// A whole SSE body answering with `pieces`, then stopping normally.
fn sse_text(pieces: &[&str]) -> Vec<u8> {
    let mut body: Vec<u8> = pieces.iter().flat_map(|p| text_chunk(p)).collect();
    body.extend(stop_and_done());
    body
}
