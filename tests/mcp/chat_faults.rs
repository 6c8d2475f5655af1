//! Chat turns whose tool call hits a misbehaving MCP server (the fault
//! servers of `tests/mcp/faults/`, run by the registry): one that crashes
//! mid-call, one that never answers, one that floods stderr and prints
//! garbage on stdout. The turn ends, the model is told what happened, the
//! answer and the tool call are stored, and the next turn works.

use crate::{common, support};

use std::sync::Arc;
use std::time::Duration;

use valechat_core::chat::{Approval, Engine, FixedApprover, SendRequest, ToolSettings, TurnEvent};
use valechat_core::mcp::{ClientHooks, McpServers, McpToolBox, ServerState};
use valechat_core::provider::ProtocolKind;
use valechat_core::secrets::MemoryKeyStore;
use valechat_core::store::{MessageStatus, Store, ToolCallRecord, ToolCallStatus};

use support::TestServer;
use support::openai::{text_reply, tool_call_reply};

/// A chat whose only tools are those of the fault server `name`.
struct FaultChat {
    provider: TestServer,
    servers: McpServers,
    engine: Engine,
    conversation: i64,
    _dir: tempfile::TempDir,
}

/// Starts fault server `name` (waits until ready) and a chat whose tool
/// calls have an idle timeout of `timeout_ms`; the provider answers with
/// `replies` in order.
async fn fault_chat(name: &str, timeout_ms: u64, replies: Vec<support::Reply>) -> FaultChat {
    let provider = TestServer::start(replies).await;
    let servers = McpServers::new(
        Arc::new(MemoryKeyStore::new()),
        ClientHooks::default(),
        None,
    );
    let mut states = servers.subscribe();
    let script = common::peer_path(&format!("faults/{name}.py"));
    servers
        .start(common::stdio(name, "python3", &[&script.to_string_lossy()]))
        .await;
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            if let Some(ServerState::Ready { .. }) = states.borrow_and_update().get(name) {
                return;
            }
            states.changed().await.expect("registry alive");
        }
    })
    .await
    .expect("the fault server did not become ready within 30 s");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("valechat.db"))
        .await
        .expect("open store");
    let mut toolbox = McpToolBox::new(servers.clone());
    toolbox.timeout_ms = timeout_ms;
    toolbox.total_cap_ms = timeout_ms * 4;
    let engine = Engine::new(store, Arc::new(MemoryKeyStore::new())).with_tools(ToolSettings::new(
        Arc::new(toolbox),
        Arc::new(FixedApprover(Approval::AllowOnce)),
    ));
    let added = engine
        .providers()
        .add(
            ProtocolKind::OpenAiCompatible,
            "Test",
            &provider.base_url(),
            None,
        )
        .await
        .expect("add provider");
    let conversation = engine
        .new_conversation(Some(&added.id), Some("gpt-4o"))
        .await
        .expect("conversation")
        .id;
    FaultChat {
        provider,
        servers,
        engine,
        conversation,
        _dir: dir,
    }
}

impl FaultChat {
    /// Runs a turn to its end (30 s at most) and returns its last event.
    async fn turn(&self, text: &str) -> TurnEvent {
        let mut turn = self
            .engine
            .send(SendRequest::text(self.conversation, text))
            .await
            .expect("send");
        let last = tokio::time::timeout(Duration::from_secs(30), async {
            let mut last = None;
            while let Some(event) = turn.next().await {
                last = Some(event);
            }
            last
        })
        .await
        .expect("the turn did not end within 30 s");
        last.expect("the turn sent events")
    }

    /// The tool result the model got in provider request `index`.
    fn tool_result_sent(&self, index: usize) -> String {
        let request = self.provider.requests()[index].json();
        let last = request["messages"]
            .as_array()
            .and_then(|m| m.last())
            .expect("a last message")
            .clone();
        assert_eq!(last["role"], "tool", "{last}");
        last["content"].as_str().unwrap_or_default().to_owned()
    }

    async fn calls(&self) -> Vec<ToolCallRecord> {
        self.engine
            .store()
            .list_tool_calls(self.conversation)
            .await
            .expect("calls")
    }

    /// Content and status of the last stored message.
    async fn last_message(&self) -> (String, MessageStatus) {
        let messages = self
            .engine
            .store()
            .list_messages(self.conversation)
            .await
            .expect("messages");
        let last = messages.last().expect("a message");
        (last.content.clone(), last.status)
    }

    /// A plain second turn is answered and stored.
    async fn next_turn_works(&self) {
        assert!(matches!(
            self.turn("And now?").await,
            TurnEvent::Finished(_)
        ));
        assert_eq!(
            self.last_message().await,
            ("Next turn.".to_owned(), MessageStatus::Complete)
        );
    }
}

fn replies(tool: &str, answer: &str) -> Vec<support::Reply> {
    vec![
        tool_call_reply(&[("c1", tool, "{}")]),
        text_reply(answer),
        text_reply("Next turn."),
    ]
}

#[tokio::test]
async fn a_server_that_crashes_mid_call() {
    let chat = fault_chat("crash", 60_000, replies("crash__boom", "It crashed.")).await;
    assert!(matches!(chat.turn("Boom").await, TurnEvent::Finished(_)));
    let told = chat.tool_result_sent(1);
    assert!(told.starts_with("The tool call failed: "), "{told}");
    assert!(told.contains("closed the connection"), "{told}");
    // The server's stderr (here a token) stays out of what the model reads,
    // and stays in the log the person sees.
    for line in ["ghp_crashTokenAbc123XYZ", "crashing now"] {
        assert!(!told.contains(line), "{told}");
        let logged = chat.servers.log("crash").expect("a log").lines();
        assert!(logged.iter().any(|l| l.text.contains(line)), "{logged:?}");
    }
    let calls = chat.calls().await;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].status, ToolCallStatus::Failed);
    assert_eq!(calls[0].result_for_model.as_deref(), Some(told.as_str()));
    assert_eq!(
        chat.last_message().await,
        ("It crashed.".to_owned(), MessageStatus::Complete)
    );
    chat.next_turn_works().await;
    chat.servers.shutdown_all().await;
}

#[tokio::test]
async fn a_server_that_never_answers() {
    let chat = fault_chat("silent", 300, replies("silent__wait", "No answer.")).await;
    assert!(matches!(chat.turn("Wait").await, TurnEvent::Finished(_)));
    let told = chat.tool_result_sent(1);
    assert_eq!(
        told,
        "The tool call failed: the tool did not answer within 300 ms"
    );
    let calls = chat.calls().await;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].status, ToolCallStatus::Failed);
    assert_eq!(
        chat.last_message().await,
        ("No answer.".to_owned(), MessageStatus::Complete)
    );
    chat.next_turn_works().await;
    chat.servers.shutdown_all().await;
}

#[tokio::test]
async fn a_server_that_floods_stderr_and_prints_garbage() {
    let chat = fault_chat("noisy", 60_000, replies("noisy__noise", "It worked.")).await;
    assert!(matches!(chat.turn("Noise").await, TurnEvent::Finished(_)));
    assert_eq!(chat.tool_result_sent(1), "done");
    let calls = chat.calls().await;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].status, ToolCallStatus::Succeeded);
    assert!(!calls[0].is_error);
    assert_eq!(
        chat.last_message().await,
        ("It worked.".to_owned(), MessageStatus::Complete)
    );
    chat.next_turn_works().await;
    chat.servers.shutdown_all().await;
}
