//! `input_required` (multi round-trip requests, 2026-07-28) against the real
//! rmcp stateless server of `mrtr_server.rs`: tools, prompts and resources
//! that ask for elicitation, roots and sampling; the round cap; cancellation
//! and the total cap while the user is being asked.

// Sampling is deprecated by SEP-2577 (rmcp warns); MRTR still carries it.
#![allow(deprecated)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rmcp::model::{
    CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult,
    ElicitationAction, Role, SamplingMessage, SamplingMessageContentBlock,
};
use serde_json::{Map, json};
use tokio_util::sync::CancellationToken;
use valechat_core::mcp::{
    CallOptions, ClientHooks, Elicitor, Era, LogSource, MAX_INPUT_ROUNDS, McpConnection, McpError,
    RootsSource, SamplingHandler, ServerConfig, ServerLog, Transport, WorkspaceRoot,
};
use valechat_core::secrets::MemoryKeyStore;

use super::mrtr_server::serve;

/// Answers `name` with "Ada" and `colour` with "green"; records messages.
#[derive(Default)]
struct Answers {
    messages: Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl Elicitor for Answers {
    async fn elicit(&self, server_id: &str, params: ElicitRequestParams) -> ElicitResult {
        assert_eq!(server_id, "mrtr");
        let ElicitRequestParams::FormElicitationParams { message, .. } = params else {
            panic!("expected a form elicitation");
        };
        self.messages.lock().unwrap().push(message.clone());
        let content = if message.contains("colour") {
            json!({"colour": "green"})
        } else {
            json!({"name": "Ada"})
        };
        let mut result = ElicitResult::new(ElicitationAction::Accept);
        result.content = Some(content);
        result
    }
}

/// Never answers (a user who leaves the form open).
struct NeverAnswers;

#[async_trait::async_trait]
impl Elicitor for NeverAnswers {
    async fn elicit(&self, _server_id: &str, _params: ElicitRequestParams) -> ElicitResult {
        std::future::pending().await
    }
}

/// Answers every sampling request with "hi there".
struct Sampler;

#[async_trait::async_trait]
impl SamplingHandler for Sampler {
    async fn create_message(
        &self,
        _server_id: &str,
        _params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, String> {
        let message = SamplingMessage::new(
            Role::Assistant,
            SamplingMessageContentBlock::text("hi there"),
        );
        Ok(CreateMessageResult::new(message, "fake-model".into()))
    }
}

fn config(url: &str) -> ServerConfig {
    ServerConfig {
        id: "mrtr".into(),
        name: "MRTR".into(),
        transport: Transport::WebSocket { url: url.into() },
        enabled: true,
        era: None,
        sandbox: None,
    }
}

fn hooks(elicitor: Arc<dyn Elicitor>) -> ClientHooks {
    ClientHooks {
        roots: RootsSource::new(vec![WorkspaceRoot::new("/home/me/project", "project")]),
        elicitor: Some(elicitor),
        ..ClientHooks::default()
    }
}

async fn connect(url: &str, hooks: ClientHooks, log: ServerLog) -> McpConnection {
    let conn = McpConnection::connect(&config(url), &MemoryKeyStore::new(), hooks, log)
        .await
        .unwrap_or_else(|e| panic!("connecting to the MRTR server: {e}"));
    assert_eq!(conn.era(), &Era::Stateless2026);
    conn
}

#[tokio::test]
async fn a_tool_asks_twice_then_completes_with_every_answer() {
    let (url, seen) = serve().await;
    let answers = Arc::new(Answers::default());
    let log = ServerLog::default();
    let conn = connect(&url, hooks(answers.clone()), log.clone()).await;
    let progress = Arc::new(AtomicUsize::new(0));
    let counted = progress.clone();
    let options = CallOptions {
        progress: Some(Arc::new(move |value, _, _| {
            assert_eq!(value, 2.0);
            counted.fetch_add(1, Ordering::SeqCst);
        })),
        ..CallOptions::default()
    };
    let outcome = conn
        .call_tool("ask", json!({}), options, CancellationToken::new())
        .await
        .unwrap();
    assert!(!outcome.is_error, "{outcome:?}");
    assert_eq!(
        outcome.text(),
        "Ada likes green; root file:///home/me/project"
    );
    assert_eq!(
        *answers.messages.lock().unwrap(),
        ["What is your name?", "Favourite colour?"]
    );
    // The server got the original request, then each retry with the state
    // it gave and exactly the answers it asked for.
    let seen = seen.lock().unwrap().clone();
    let expected = [
        ("ask", None, vec![]),
        ("ask", Some("step1"), vec!["name"]),
        ("ask", Some("step2:Ada"), vec!["colour", "where"]),
    ];
    assert_eq!(seen.len(), expected.len(), "{seen:?}");
    for ((name, state, keys), (want_name, want_state, want_keys)) in seen.iter().zip(expected) {
        assert_eq!(name, want_name);
        assert_eq!(state.as_deref(), want_state);
        assert_eq!(keys, &want_keys);
    }
    // The progress notification of the second round reached the observer
    // (it precedes that round's result on the same socket).
    assert_eq!(progress.load(Ordering::SeqCst), 1);
    let rounds: Vec<String> = log
        .lines()
        .into_iter()
        .filter(|l| l.source == LogSource::Client && l.text.starts_with("tools/call ask"))
        .map(|l| l.text)
        .collect();
    assert!(
        rounds[0].contains("input round 1 of at most 8: elicitation \"name\""),
        "{rounds:?}"
    );
    assert!(
        rounds.iter().any(|l| l.contains("input round 2")),
        "{rounds:?}"
    );
    assert!(
        rounds
            .last()
            .unwrap()
            .contains("completed after 2 input round(s)"),
        "{rounds:?}"
    );
    conn.shutdown().await;
}

#[tokio::test]
async fn prompts_and_resources_ask_for_input_too() {
    let (url, _seen) = serve().await;
    let conn = connect(
        &url,
        hooks(Arc::new(Answers::default())),
        ServerLog::default(),
    )
    .await;
    let prompt = conn.get_prompt("greet", Map::new()).await.unwrap();
    let text = serde_json::to_value(&prompt.messages).unwrap();
    assert_eq!(text[0]["content"]["text"], "Greet Ada", "{text}");
    let resource = conn.read_resource("vault://secret").await.unwrap();
    let contents = serde_json::to_value(&resource.contents).unwrap();
    assert_eq!(contents[0]["text"], "root file:///home/me/project");
    conn.shutdown().await;
}

#[tokio::test]
async fn without_an_elicitor_the_input_is_declined_and_the_server_told() {
    let (url, _seen) = serve().await;
    let log = ServerLog::default();
    let conn = connect(&url, ClientHooks::default(), log.clone()).await;
    let prompt = conn.get_prompt("greet", Map::new()).await.unwrap();
    let text = serde_json::to_value(&prompt.messages).unwrap();
    assert_eq!(text[0]["content"]["text"], "Greet <decline>", "{text}");
    assert!(
        log.lines()
            .iter()
            .any(|l| l.text.contains("declined an elicitation request")),
        "{:#?}",
        log.lines()
    );
    conn.shutdown().await;
}

#[tokio::test]
async fn a_server_that_always_asks_hits_the_round_cap() {
    let (url, seen) = serve().await;
    let log = ServerLog::default();
    let conn = connect(&url, ClientHooks::default(), log.clone()).await;
    let error = conn
        .call_tool(
            "forever",
            json!({}),
            CallOptions::default(),
            CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, McpError::Protocol { .. }), "{error}");
    assert!(error.to_string().contains("after 8 rounds"), "{error}");
    // The original request and one retry per answered round.
    assert_eq!(seen.lock().unwrap().len(), MAX_INPUT_ROUNDS + 1);
    assert!(
        log.lines().iter().any(|l| l.text.contains("gave up")),
        "{:#?}",
        log.lines()
    );
    // The session is still usable.
    let outcome = conn
        .call_tool(
            "sample",
            json!({}),
            CallOptions::default(),
            CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert!(
        outcome.to_string().contains("sampling is not enabled"),
        "{outcome}"
    );
    conn.shutdown().await;
}

#[tokio::test]
async fn sampling_input_goes_through_the_sampling_handler() {
    let (url, _seen) = serve().await;
    let hooks = ClientHooks {
        sampling: Some(Arc::new(Sampler)),
        ..ClientHooks::default()
    };
    let conn = connect(&url, hooks, ServerLog::default()).await;
    let outcome = conn
        .call_tool(
            "sample",
            json!({}),
            CallOptions::default(),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(outcome.text(), "the model said hi there");
    conn.shutdown().await;
}

#[tokio::test]
async fn cancelling_while_the_user_is_asked_ends_the_call() {
    let (url, _seen) = serve().await;
    let conn = connect(&url, hooks(Arc::new(NeverAnswers)), ServerLog::default()).await;
    let cancel = CancellationToken::new();
    let call = conn.call_tool("ask", json!({}), CallOptions::default(), cancel.clone());
    let canceller = async {
        // Cancel once the server's first answer has been received, i.e.
        // while the elicitation is open.
        let mut lines = conn.log().subscribe();
        while let Ok(line) = lines.recv().await {
            if line.text.contains("input round 1") {
                break;
            }
        }
        cancel.cancel();
    };
    let (result, ()) = tokio::join!(call, canceller);
    let error = result.unwrap_err();
    assert!(matches!(error, McpError::Cancelled { .. }), "{error}");
    conn.shutdown().await;
}

#[tokio::test]
async fn the_total_cap_covers_the_time_spent_answering() {
    let (url, _seen) = serve().await;
    let conn = connect(&url, hooks(Arc::new(NeverAnswers)), ServerLog::default()).await;
    let options = CallOptions {
        timeout_ms: 200,
        total_cap_ms: 300,
        progress: None,
    };
    let error = conn
        .call_tool("ask", json!({}), options, CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            McpError::Timeout {
                timeout_ms: 300,
                ..
            }
        ),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains("total cap for the call, while answering"),
        "{error}"
    );
    conn.shutdown().await;
}
