//! Tool calls in a turn: the model (the local OpenAI-compatible test
//! server) asks for tools, the engine asks the approver, runs the calls on a
//! scripted tool box, sends the results back and stores everything.
//!
//! The tool box here stands in for the MCP registry so that approval,
//! refusal, cancellation and round limits can be driven exactly; the same
//! loop against a real MCP server is in `tests/mcp_chat.rs`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use valechat_core::chat::{
    Approval, ApprovalRequest, Approver, OfferedTool, SendRequest, ToolBox, ToolError, ToolHints,
    ToolLimits, ToolOutput, ToolProgress, ToolSettings, TurnEvent,
};
use valechat_core::provider::ToolDefinition;
use valechat_core::store::{MessageStatus, ToolCallStatus};

use crate::support::openai::tool_call_reply;
use crate::support::{Reply, TestServer};
use crate::{Harness, drain, finished, sse_text};

/// A scripted tool box offering `echo` (and optionally others).
pub(crate) struct FakeTools {
    tools: Vec<OfferedTool>,
    calls: Mutex<Vec<(String, serde_json::Value)>>,
    /// When set, calls wait until cancelled (to test Stop during a call).
    hang: bool,
}

pub(crate) fn offered(name: &str, hash: &str) -> OfferedTool {
    OfferedTool {
        definition: ToolDefinition {
            name: format!("everything__{name}"),
            description: format!("The {name} tool"),
            parameters: serde_json::json!({"type": "object",
                "properties": {"message": {"type": "string"}}}),
        },
        server_id: "everything".into(),
        server_name: "Everything".into(),
        server_binding: "npx -y @modelcontextprotocol/server-everything".into(),
        tool_name: name.into(),
        definition_hash: hash.into(),
        hints: ToolHints {
            read_only: Some(true),
            ..ToolHints::default()
        },
    }
}

impl FakeTools {
    pub(crate) fn new(tools: Vec<OfferedTool>) -> Arc<Self> {
        Arc::new(Self {
            tools,
            calls: Mutex::new(Vec::new()),
            hang: false,
        })
    }

    fn calls(&self) -> Vec<(String, serde_json::Value)> {
        self.calls.lock().unwrap().clone()
    }
}

#[async_trait::async_trait]
impl ToolBox for FakeTools {
    async fn tools(&self) -> Vec<OfferedTool> {
        self.tools.clone()
    }

    async fn call(
        &self,
        tool: &OfferedTool,
        arguments: serde_json::Value,
        progress: mpsc::UnboundedSender<ToolProgress>,
        cancel: CancellationToken,
    ) -> Result<ToolOutput, ToolError> {
        self.calls
            .lock()
            .unwrap()
            .push((tool.tool_name.clone(), arguments.clone()));
        let _ = progress.send(ToolProgress {
            progress: 1.0,
            total: Some(2.0),
            message: Some("half way".into()),
        });
        if self.hang {
            cancel.cancelled().await;
            return Err(ToolError::Cancelled);
        }
        let text = format!("Echo: {}", arguments["message"].as_str().unwrap_or(""));
        Ok(ToolOutput {
            full: serde_json::json!({"content": [{"type": "text", "text": text}]}),
            text,
            is_error: false,
        })
    }
}

/// An approver answering from a script and recording what it was asked.
pub(crate) struct Scripted {
    answers: Mutex<VecDeque<Approval>>,
    asked: Mutex<Vec<ApprovalRequest>>,
}

impl Scripted {
    pub(crate) fn new(answers: &[Approval]) -> Arc<Self> {
        Arc::new(Self {
            answers: Mutex::new(answers.iter().copied().collect()),
            asked: Mutex::new(Vec::new()),
        })
    }

    fn asked(&self) -> Vec<ApprovalRequest> {
        self.asked.lock().unwrap().clone()
    }
}

#[async_trait::async_trait]
impl Approver for Scripted {
    async fn approve(&self, request: ApprovalRequest, _cancel: CancellationToken) -> Approval {
        self.asked.lock().unwrap().push(request);
        self.answers
            .lock()
            .unwrap()
            .pop_front()
            .expect("the approver was asked more often than scripted")
    }
}

/// The `messages` array of the `n`-th request the server received.
fn sent_messages(server: &TestServer, n: usize) -> Vec<serde_json::Value> {
    server.requests()[n].json()["messages"]
        .as_array()
        .expect("messages")
        .clone()
}

pub(crate) fn with_tools(h: Harness, tools: Arc<FakeTools>, approver: Arc<Scripted>) -> Harness {
    let engine = h
        .engine
        .clone()
        .with_tools(ToolSettings::new(tools, approver));
    Harness { engine, ..h }
}

#[tokio::test]
async fn approved_call_runs_and_its_result_reaches_the_model() {
    let server = TestServer::start(vec![
        tool_call_reply(&[("call_1", "everything__echo", r#"{"message":"hi there"}"#)]),
        Reply::sse_body(sse_text(&["The tool said ", "hi there."])),
    ])
    .await;
    let tools = FakeTools::new(vec![offered("echo", "h1")]);
    let approver = Scripted::new(&[Approval::AllowOnce]);
    let h = with_tools(Harness::new().await, tools.clone(), approver.clone());
    let conv = h.conversation(&server).await;

    let mut turn = h
        .engine
        .send(SendRequest::text(conv, "Echo hi there"))
        .await
        .expect("send");
    let events = drain(&mut turn).await;

    // The tools were offered in the first request.
    let first = server.requests()[0].json();
    assert_eq!(first["tools"][0]["function"]["name"], "everything__echo");
    // The approver saw the parsed arguments; the tool ran with them.
    let asked = approver.asked();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].arguments["message"], "hi there");
    assert_eq!(asked[0].tool.server_name, "Everything");
    assert_eq!(
        tools.calls(),
        [(
            "echo".to_owned(),
            serde_json::json!({"message": "hi there"})
        )]
    );
    // The second request carries the assistant's call and the result.
    let second = sent_messages(&server, 1);
    let n = second.len();
    assert_eq!(second[n - 2]["role"], "assistant");
    assert_eq!(second[n - 2]["tool_calls"][0]["id"], "call_1");
    assert_eq!(second[n - 1]["role"], "tool");
    assert_eq!(second[n - 1]["tool_call_id"], "call_1");
    assert_eq!(second[n - 1]["content"], "Echo: hi there");
    // Events: proposed, running, progress, finished, then the answer.
    assert!(
        events
            .iter()
            .any(|e| matches!(e, TurnEvent::RoundFinished(_)))
    );
    assert!(events.iter().any(|e| matches!(e,
        TurnEvent::ToolCallProgress { progress, .. } if progress.fraction() == Some(0.5))));
    let done = events
        .iter()
        .find_map(|e| match e {
            TurnEvent::ToolCallFinished(c) => Some(c.clone()),
            _ => None,
        })
        .expect("a finished tool call");
    assert_eq!(done.status, ToolCallStatus::Succeeded);
    assert!(done.duration_ms.is_some());
    let last = finished(&events);
    assert_eq!(last.content, "The tool said hi there.");
    assert_eq!(last.status, MessageStatus::Complete);
    // Stored: two assistant messages and one succeeded call with the full result.
    let stored = h.engine.store().list_tool_calls(conv).await.expect("calls");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].status, ToolCallStatus::Succeeded);
    assert!(
        stored[0]
            .result
            .as_deref()
            .unwrap_or("")
            .contains("Echo: hi there")
    );
    assert_eq!(h.messages(conv).await.len(), 3);
}

#[tokio::test]
async fn denied_call_does_not_run_and_the_model_is_told() {
    let server = TestServer::start(vec![
        tool_call_reply(&[("call_1", "everything__echo", r#"{"message":"x"}"#)]),
        Reply::sse_body(sse_text(&["Understood."])),
    ])
    .await;
    let tools = FakeTools::new(vec![offered("echo", "h1")]);
    let h = with_tools(
        Harness::new().await,
        tools.clone(),
        Scripted::new(&[Approval::Deny]),
    );
    let conv = h.conversation(&server).await;

    let events = drain(
        &mut h
            .engine
            .send(SendRequest::text(conv, "go"))
            .await
            .expect("send"),
    )
    .await;

    assert!(tools.calls().is_empty(), "a denied tool must not run");
    let second = sent_messages(&server, 1);
    let result = second.last().expect("a tool result");
    assert_eq!(result["role"], "tool");
    assert_eq!(result["content"], "The user denied this tool call.");
    assert_eq!(finished(&events).content, "Understood.");
    let stored = h.engine.store().list_tool_calls(conv).await.expect("calls");
    assert_eq!(stored[0].status, ToolCallStatus::Denied);
}

#[tokio::test]
async fn always_allow_holds_until_the_tool_definition_changes() {
    let server = TestServer::start(vec![
        tool_call_reply(&[("call_1", "everything__echo", r#"{"message":"a"}"#)]),
        Reply::sse_body(sse_text(&["one"])),
        tool_call_reply(&[("call_2", "everything__echo", r#"{"message":"b"}"#)]),
        Reply::sse_body(sse_text(&["two"])),
        tool_call_reply(&[("call_3", "everything__echo", r#"{"message":"c"}"#)]),
        Reply::sse_body(sse_text(&["three"])),
    ])
    .await;
    let approver = Scripted::new(&[Approval::AlwaysAllow, Approval::AllowOnce]);
    let base = Harness::new().await;
    let h = with_tools(
        base,
        FakeTools::new(vec![offered("echo", "h1")]),
        approver.clone(),
    );
    let conv = h.conversation(&server).await;

    drain(
        &mut h
            .engine
            .send(SendRequest::text(conv, "first"))
            .await
            .expect("send"),
    )
    .await;
    drain(
        &mut h
            .engine
            .send(SendRequest::text(conv, "second"))
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(
        approver.asked().len(),
        1,
        "the standing permission was not used"
    );

    // The server changed the tool: its hash differs, so the person is asked again.
    let changed = h.engine.clone().with_tools(ToolSettings::new(
        FakeTools::new(vec![offered("echo", "h2")]),
        approver.clone(),
    ));
    drain(
        &mut changed
            .send(SendRequest::text(conv, "third"))
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(approver.asked().len(), 2);
    let statuses: Vec<_> = h
        .engine
        .store()
        .list_tool_calls(conv)
        .await
        .expect("calls")
        .into_iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(statuses, [ToolCallStatus::Succeeded; 3]);
    // Revoking brings the question back.
    assert!(
        h.engine
            .store()
            .revoke_tool("npx -y @modelcontextprotocol/server-everything", "echo")
            .await
            .expect("revoke")
    );
}

#[tokio::test]
async fn stop_during_a_call_cancels_it_and_keeps_everything_stored() {
    let server = TestServer::start(vec![tool_call_reply(&[(
        "call_1",
        "everything__echo",
        r#"{"message":"slow"}"#,
    )])])
    .await;
    let tools = Arc::new(FakeTools {
        tools: vec![offered("echo", "h1")],
        calls: Mutex::new(Vec::new()),
        hang: true,
    });
    let h = with_tools(
        Harness::new().await,
        tools.clone(),
        Scripted::new(&[Approval::AllowOnce]),
    );
    let conv = h.conversation(&server).await;

    let mut turn = h
        .engine
        .send(SendRequest::text(conv, "go"))
        .await
        .expect("send");
    let mut events = Vec::new();
    while let Some(e) = crate::next_event(&mut turn).await {
        let running = matches!(e, TurnEvent::ToolCallRunning(_));
        events.push(e);
        if running {
            turn.cancel();
        }
    }

    assert_eq!(tools.calls().len(), 1);
    let stored = h.engine.store().list_tool_calls(conv).await.expect("calls");
    assert_eq!(stored[0].status, ToolCallStatus::Cancelled);
    assert!(matches!(events.last(), Some(TurnEvent::Finished(_))));
    // Only the first request was made: nothing is sent after a stop.
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn round_limit_refuses_further_calls_and_ends_the_turn() {
    let call = |id| tool_call_reply(&[(id, "everything__echo", r#"{"message":"again"}"#)]);
    let server = TestServer::start(vec![call("c1"), call("c2"), call("c3"), call("c4")]).await;
    let tools = FakeTools::new(vec![offered("echo", "h1")]);
    let approver = Scripted::new(&[Approval::AlwaysAllow]);
    let mut settings = ToolSettings::new(tools.clone(), approver);
    settings.max_rounds = 1;
    let base = Harness::new().await;
    let engine = base.engine.clone().with_tools(settings);
    let h = Harness { engine, ..base };
    let conv = h.conversation(&server).await;

    let events = drain(
        &mut h
            .engine
            .send(SendRequest::text(conv, "loop"))
            .await
            .expect("send"),
    )
    .await;

    // Round 0 runs; round 1 is refused with a note; round 2 ends the turn.
    assert_eq!(tools.calls().len(), 1);
    assert_eq!(server.requests().len(), 3);
    let third = sent_messages(&server, 2);
    let note = third.last().expect("a tool result")["content"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(note.contains("at most 1 rounds"), "{note}");
    assert!(matches!(events.last(), Some(TurnEvent::Finished(_))));
    let statuses: Vec<_> = h
        .engine
        .store()
        .list_tool_calls(conv)
        .await
        .expect("calls")
        .into_iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(
        statuses,
        [
            ToolCallStatus::Succeeded,
            ToolCallStatus::Denied,
            ToolCallStatus::Denied
        ]
    );
}

#[tokio::test]
async fn stored_tool_limits_replace_the_engine_defaults_for_the_next_turn() {
    let long = "x".repeat(1_500);
    let args = format!(r#"{{"message":"{long}"}}"#);
    let call = |id| tool_call_reply(&[(id, "everything__echo", args.as_str())]);
    let server = TestServer::start(vec![call("c1"), call("c2"), call("c3"), call("c4")]).await;
    let tools = FakeTools::new(vec![offered("echo", "h1")]);
    let approver = Scripted::new(&[Approval::AlwaysAllow]);
    // The engine has the defaults (10 rounds, 32,000 characters)…
    let h = with_tools(Harness::new().await, tools.clone(), approver);
    // …and the user stored 2 rounds and 1,000 characters.
    let limits = ToolLimits {
        max_rounds: 2,
        max_result_chars: 1_000,
    };
    h.engine
        .store()
        .set_tool_limits(limits)
        .await
        .expect("store");
    assert_eq!(
        h.engine.store().tool_limits().await.expect("read"),
        Some(limits)
    );
    let conv = h.conversation(&server).await;

    drain(
        &mut h
            .engine
            .send(SendRequest::text(conv, "loop"))
            .await
            .expect("send"),
    )
    .await;

    // Rounds 0 and 1 run, round 2 is refused, round 3 ends the turn.
    assert_eq!(tools.calls().len(), 2);
    assert_eq!(server.requests().len(), 4);
    let second = sent_messages(&server, 1);
    let result = second.last().expect("a tool result")["content"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(result.starts_with(&format!("Echo: {}", "x".repeat(994))));
    assert!(result.contains("1000 of 1506 characters shown"), "{result}");
    // The person still has the whole result.
    let stored = h.engine.store().list_tool_calls(conv).await.expect("calls");
    assert!(stored[0].result.as_deref().unwrap_or("").contains(&long));
}

#[tokio::test]
async fn unknown_tools_and_bad_arguments_fail_without_running() {
    let server = TestServer::start(vec![
        tool_call_reply(&[
            ("c1", "nobody__nothing", "{}"),
            ("c2", "everything__echo", r#"{"message": "#),
        ]),
        Reply::sse_body(sse_text(&["Sorry."])),
    ])
    .await;
    let tools = FakeTools::new(vec![offered("echo", "h1")]);
    let h = with_tools(Harness::new().await, tools.clone(), Scripted::new(&[]));
    let conv = h.conversation(&server).await;

    drain(
        &mut h
            .engine
            .send(SendRequest::text(conv, "go"))
            .await
            .expect("send"),
    )
    .await;

    assert!(tools.calls().is_empty());
    let second = sent_messages(&server, 1);
    let n = second.len();
    // The model (and the person, in the call's row) learns which tools
    // exist, by the names to call them by.
    let unknown = second[n - 2]["content"].as_str().unwrap_or("");
    assert!(
        unknown.contains("No tool named \"nobody__nothing\"")
            && unknown.contains("The tools offered are \"everything__echo\"."),
        "{unknown}"
    );
    assert!(
        second[n - 1]["content"]
            .as_str()
            .unwrap_or("")
            .contains("not valid JSON")
    );
    let stored = h.engine.store().list_tool_calls(conv).await.expect("calls");
    assert_eq!(stored.len(), 2);
    assert!(
        stored
            .iter()
            .all(|c| c.status == ToolCallStatus::Failed && c.is_error)
    );
}

#[tokio::test]
async fn later_turns_replay_calls_and_results_from_the_database() {
    let server = TestServer::start(vec![
        tool_call_reply(&[("call_9", "everything__echo", r#"{"message":"kept"}"#)]),
        Reply::sse_body(sse_text(&["Done."])),
        Reply::sse_body(sse_text(&["Again."])),
    ])
    .await;
    let h = with_tools(
        Harness::new().await,
        FakeTools::new(vec![offered("echo", "h1")]),
        Scripted::new(&[Approval::AllowOnce]),
    );
    let conv = h.conversation(&server).await;
    drain(
        &mut h
            .engine
            .send(SendRequest::text(conv, "first"))
            .await
            .expect("send"),
    )
    .await;

    // A new engine over the same file, as after a restart.
    let reopened = valechat_core::store::Store::open(&h.db)
        .await
        .expect("reopen");
    let engine = valechat_core::chat::Engine::new(reopened, h.keys.clone());
    drain(
        &mut engine
            .send(SendRequest::text(conv, "second"))
            .await
            .expect("send"),
    )
    .await;

    let third = sent_messages(&server, 2);
    let roles: Vec<&str> = third
        .iter()
        .map(|m| m["role"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(roles, ["user", "assistant", "tool", "assistant", "user"]);
    assert_eq!(
        third[1]["tool_calls"][0]["function"]["name"],
        "everything__echo"
    );
    assert_eq!(third[2]["content"], "Echo: kept");
    // Without tools offered, no `tools` field is sent.
    assert!(server.requests()[2].json().get("tools").is_none());
}
