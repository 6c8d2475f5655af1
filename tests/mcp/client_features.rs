//! Client features against server-everything over stdio: roots, sampling,
//! elicitation, logging, list_changed (through the registry), resource
//! subscriptions and completions.

// Sampling and logging are deprecated by SEP-2577 (rmcp warns); the
// 2025-11-25 servers tested here still use them.
#![allow(deprecated)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::model::{
    CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult,
    ElicitationAction, Role, SamplingMessage,
};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use valechat_core::mcp::{
    CallOptions, ClientHooks, CompletionTarget, Elicitor, ListKind, LogLevel, LogSource,
    McpConnection, McpServers, RootsSource, SamplingHandler, ServerLog, ServerState, ToolOutcome,
    WorkspaceRoot,
};
use valechat_core::secrets::MemoryKeyStore;

use super::common::everything_config;

/// Longest a test waits for something the server sends on its own.
const DEADLINE: Duration = Duration::from_secs(20);

async fn connect_with(hooks: ClientHooks, log: ServerLog) -> McpConnection {
    McpConnection::connect(&everything_config(), &MemoryKeyStore::new(), hooks, log)
        .await
        .unwrap_or_else(|e| panic!("connecting to server-everything: {e}"))
}

async fn call(conn: &McpConnection, tool: &str, args: Value) -> ToolOutcome {
    conn.call_tool(tool, args, CallOptions::default(), CancellationToken::new())
        .await
        .unwrap_or_else(|e| panic!("calling {tool}: {e}"))
}

/// Waits until `log` holds a line matching `wanted`, and returns it.
async fn log_line(
    log: &ServerLog,
    wanted: impl Fn(&valechat_core::mcp::LogLine) -> bool,
) -> valechat_core::mcp::LogLine {
    let found = tokio::time::timeout(DEADLINE, async {
        loop {
            if let Some(line) = log.lines().into_iter().find(|l| wanted(l)) {
                return line;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    found.unwrap_or_else(|_| panic!("no such log line in {:#?}", log.lines()))
}

#[tokio::test]
async fn roots_are_answered_and_logged_with_their_level() {
    let hooks = ClientHooks {
        roots: RootsSource::new(vec![
            WorkspaceRoot::from_path("/tmp/project-a"),
            WorkspaceRoot::from_path("/tmp/project-b"),
        ]),
        ..ClientHooks::default()
    };
    let log = ServerLog::default();
    let conn = connect_with(hooks, log.clone()).await;
    let listed = call(&conn, "get-roots-list", json!({})).await;
    let text = listed.text();
    assert!(text.contains("file:///tmp/project-a"), "{text}");
    assert!(text.contains("project-b"), "{text}");
    // The server logs the roots it received at level info.
    let line = log_line(&log, |l| l.text.contains("Roots updated: 2 root(s)")).await;
    assert_eq!(line.source, LogSource::Protocol);
    assert_eq!(line.level, Some(LogLevel::Info));
    assert!(
        line.text.starts_with("everything-server: "),
        "{}",
        line.text
    );
    conn.set_log_level(LogLevel::Debug).await.unwrap();
    conn.shutdown().await;
}

/// Records sampling requests and answers with a fixed completion.
#[derive(Default)]
struct Sampler {
    seen: Mutex<Vec<CreateMessageRequestParams>>,
}

#[async_trait::async_trait]
impl SamplingHandler for Sampler {
    async fn create_message(
        &self,
        server_id: &str,
        params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, String> {
        assert_eq!(server_id, "everything");
        self.seen.lock().unwrap().push(params);
        Ok(CreateMessageResult::new(
            SamplingMessage::new(
                Role::Assistant,
                rmcp::model::SamplingMessageContentBlock::text("Rayleigh scattering."),
            ),
            "valechat-test-model".into(),
        )
        .with_stop_reason(CreateMessageResult::STOP_REASON_END_TURN))
    }
}

#[tokio::test]
async fn sampling_requests_reach_the_handler_and_its_answer_the_server() {
    let sampler = Arc::new(Sampler::default());
    let hooks = ClientHooks {
        sampling: Some(sampler.clone()),
        ..ClientHooks::default()
    };
    let conn = connect_with(hooks, ServerLog::default()).await;
    let outcome = call(
        &conn,
        "trigger-sampling-request",
        json!({"prompt": "Why is the sky blue?", "maxTokens": 42}),
    )
    .await;
    assert!(!outcome.is_error, "{outcome:?}");
    let text = outcome.text();
    assert!(text.contains("valechat-test-model"), "{text}");
    assert!(text.contains("Rayleigh scattering."), "{text}");

    let seen = sampler.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let request = &seen[0];
    assert_eq!(request.max_tokens, 42);
    assert_eq!(
        request.system_prompt.as_deref(),
        Some("You are a helpful test server.")
    );
    assert!(request.model_preferences.is_none());
    let messages = serde_json::to_string(&request.messages).unwrap();
    assert!(messages.contains("Why is the sky blue?"), "{messages}");
    assert_eq!(request.messages[0].role, Role::User);
    conn.shutdown().await;
}

#[tokio::test]
async fn without_a_sampling_handler_the_request_is_declined() {
    let conn = connect_with(ClientHooks::default(), ServerLog::default()).await;
    let outcome = call(&conn, "trigger-sampling-request", json!({"prompt": "hi"})).await;
    assert!(outcome.is_error, "{outcome:?}");
    assert!(
        outcome.text().contains("declined the sampling request"),
        "{}",
        outcome.text()
    );
    conn.shutdown().await;
}

/// Answers every elicitation with a scripted action, recording the request.
struct Scripted {
    answer: ElicitResult,
    seen: Mutex<Vec<Value>>,
}

#[async_trait::async_trait]
impl Elicitor for Scripted {
    async fn elicit(&self, _server_id: &str, params: ElicitRequestParams) -> ElicitResult {
        self.seen
            .lock()
            .unwrap()
            .push(serde_json::to_value(&params).unwrap());
        self.answer.clone()
    }
}

async fn elicit(answer: ElicitResult) -> (String, Vec<Value>) {
    let elicitor = Arc::new(Scripted {
        answer,
        seen: Mutex::new(Vec::new()),
    });
    let hooks = ClientHooks {
        elicitor: Some(elicitor.clone()),
        ..ClientHooks::default()
    };
    let conn = connect_with(hooks, ServerLog::default()).await;
    let outcome = call(&conn, "trigger-elicitation-request", json!({})).await;
    conn.shutdown().await;
    assert!(!outcome.is_error, "{outcome:?}");
    let seen = elicitor.seen.lock().unwrap().clone();
    (outcome.text(), seen)
}

#[tokio::test]
async fn elicitation_form_accept_decline_cancel() {
    let accept = ElicitResult::new(ElicitationAction::Accept)
        .with_content(json!({"name": "Ada Lovelace", "check": true, "integer": 7}));
    let (text, seen) = elicit(accept).await;
    assert!(text.contains("- Name: Ada Lovelace"), "{text}");
    assert!(text.contains("- Agreed to terms: true"), "{text}");
    assert!(text.contains("- Favorite Integer: 7"), "{text}");
    assert_eq!(seen.len(), 1);
    let request = &seen[0];
    assert_eq!(request["mode"], "form");
    assert_eq!(
        request["message"],
        "Please provide inputs for the following fields:"
    );
    let schema = &request["requestedSchema"];
    assert_eq!(schema["properties"]["name"]["type"], "string");
    assert_eq!(schema["properties"]["integer"]["default"], 42);
    assert_eq!(schema["required"], json!(["name"]));

    let (text, _) = elicit(ElicitResult::new(ElicitationAction::Decline)).await;
    assert!(text.contains("User declined"), "{text}");
    let (text, _) = elicit(ElicitResult::new(ElicitationAction::Cancel)).await;
    assert!(text.contains("User cancelled"), "{text}");
}

#[tokio::test]
async fn resource_subscriptions_deliver_updates() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let hooks = ClientHooks {
        on_resource_updated: Some(Arc::new(move |server: &str, uri: &str| {
            let _ = tx.send((server.to_owned(), uri.to_owned()));
        })),
        ..ClientHooks::default()
    };
    let log = ServerLog::default();
    let conn = connect_with(hooks, log.clone()).await;
    let uri = "demo://resource/static/document/features.md";
    conn.subscribe(uri).await.unwrap();
    // The server acknowledges in its log (level info).
    let line = log_line(&log, |l| {
        l.text.contains("Received Subscribe Resource request")
    })
    .await;
    assert_eq!(line.level, Some(LogLevel::Info));
    // Starts simulated updates, the first one at once.
    call(&conn, "toggle-subscriber-updates", json!({})).await;
    let update = tokio::time::timeout(DEADLINE, rx.recv())
        .await
        .expect("a resources/updated notification")
        .expect("channel open");
    assert_eq!(update, ("everything".to_owned(), uri.to_owned()));
    conn.unsubscribe(uri).await.unwrap();
    log_line(&log, |l| {
        l.text.contains("Received Unsubscribe Resource request")
    })
    .await;
    call(&conn, "toggle-subscriber-updates", json!({})).await;
    conn.shutdown().await;
}

#[tokio::test]
async fn prompt_arguments_complete() {
    let conn = connect_with(ClientHooks::default(), ServerLog::default()).await;
    let prompt = CompletionTarget::Prompt("completable-prompt");
    let departments = conn.complete(prompt, "department", "", &[]).await.unwrap();
    assert_eq!(
        departments.values,
        ["Engineering", "Sales", "Marketing", "Support"]
    );
    let narrowed = conn.complete(prompt, "department", "S", &[]).await.unwrap();
    assert_eq!(narrowed.values, ["Sales", "Support"]);
    let names = conn
        .complete(prompt, "name", "", &[("department", "Sales")])
        .await
        .unwrap();
    assert_eq!(names.values, ["David", "Eve", "Frank"]);
    let none = conn.complete(prompt, "name", "", &[]).await.unwrap();
    assert!(none.values.is_empty());
    conn.shutdown().await;
}

/// Waits for a `Ready` state of `id` satisfying `wanted`.
async fn ready(
    servers: &McpServers,
    id: &str,
    wanted: impl Fn(usize, usize, usize) -> bool,
) -> (usize, usize, usize) {
    let mut states = servers.subscribe();
    let found = tokio::time::timeout(DEADLINE, async {
        loop {
            if let Some(ServerState::Ready {
                tools,
                resources,
                prompts,
            }) = states.borrow_and_update().get(id).cloned()
                && wanted(tools, resources, prompts)
            {
                return (tools, resources, prompts);
            }
            if states.changed().await.is_err() {
                panic!("registry dropped");
            }
        }
    })
    .await;
    found.unwrap_or_else(|_| {
        panic!(
            "{id} never reached the wanted state: {:?}",
            servers.state(id)
        )
    })
}

#[tokio::test]
async fn list_changed_refreshes_the_registry() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let hooks = ClientHooks {
        on_list_changed: Some(Arc::new(move |kind| {
            let _ = tx.send(kind);
        })),
        ..ClientHooks::default()
    };
    let servers = McpServers::new(Arc::new(MemoryKeyStore::new()), hooks, None);
    servers.start_all(vec![everything_config()]).await;
    let (_, resources, _) = ready(&servers, "everything", |_, _, _| true).await;

    // The tools registered after `initialized` (roots, sampling, elicitation) are announced.
    let first = tokio::time::timeout(DEADLINE, rx.recv())
        .await
        .expect("a list_changed")
        .expect("open");
    assert_eq!(first, ListKind::Tools);

    // gzip-file-as-resource registers a session resource: resources/list_changed.
    let conn = servers.connection("everything").expect("connected");
    let outcome = call(
        &conn,
        "gzip-file-as-resource",
        json!({"name": "hello.txt.gz", "data": "data:text/plain;base64,aGVsbG8=", "outputType": "resourceLink"}),
    )
    .await;
    assert!(!outcome.is_error, "{outcome:?}");
    let kind = tokio::time::timeout(DEADLINE, async {
        loop {
            match rx.recv().await {
                Some(ListKind::Resources) => return ListKind::Resources,
                Some(_) => continue,
                None => panic!("channel closed"),
            }
        }
    })
    .await
    .expect("resources list_changed");
    assert_eq!(kind, ListKind::Resources);
    let (_, after, _) = ready(&servers, "everything", |_, r, _| r == resources + 1).await;
    assert_eq!(after, resources + 1);
    let log = servers.log("everything").expect("log");
    let refreshes = log
        .lines()
        .iter()
        .filter(|l| l.source == LogSource::Client && l.text.starts_with("lists refreshed"))
        .count();
    assert!(refreshes >= 2, "{:#?}", log.lines());
    servers.shutdown_all().await;
}
