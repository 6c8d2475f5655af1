//! MCP prompts and resources in the chat, against the real
//! `@modelcontextprotocol/server-everything` (issue "Prompts and
//! resources"): a prompt with arguments becomes a draft, argument
//! completions, an embedded resource, and a resource attached to a message
//! that is stored, sent to the provider as a `<resource>` block and rebuilt
//! after the store is reopened.

use crate::{common, support};

use std::sync::Arc;
use std::time::Duration;

use valechat_core::chat::{Engine, SendRequest};
use valechat_core::mcp::{CallOptions, ClientHooks, CompletionTarget, McpServers, ServerState};
use valechat_core::provider::{ProtocolKind, ResourceBody};
use valechat_core::secrets::MemoryKeyStore;
use valechat_core::store::Store;

use support::TestServer;
use support::openai::text_reply;

const DOCUMENT: &str = "demo://resource/static/document/architecture.md";

/// Starts server-everything and waits until it is ready (30 s at most).
async fn everything() -> McpServers {
    common::everything_ready(ClientHooks::default()).await
}

/// [`everything`], watching `DOCUMENT`: each `notifications/resources/updated`
/// arrives on the receiver as `(server id, URI)`.
async fn everything_watching_document() -> (
    McpServers,
    tokio::sync::mpsc::UnboundedReceiver<(String, String)>,
) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let hooks = ClientHooks {
        on_resource_updated: Some(Arc::new(move |server: &str, uri: &str| {
            let _ = tx.send((server.to_owned(), uri.to_owned()));
        })),
        ..ClientHooks::default()
    };
    let servers = common::everything_ready(hooks).await;
    servers
        .watch_resource("everything", DOCUMENT, true)
        .await
        .expect("resources/subscribe");
    (servers, rx)
}

fn args(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test]
async fn prompts_are_listed_and_one_with_arguments_becomes_a_draft() {
    let servers = everything().await;
    let prompts = servers.list_all_prompts().await;
    let args_prompt = prompts
        .iter()
        .find(|p| p.prompt.name == "args-prompt")
        .expect("args-prompt listed");
    assert_eq!(args_prompt.server_id, "everything");
    assert!(args_prompt.has_arguments());
    assert!(
        args_prompt
            .label()
            .starts_with("everything: args-prompt — "),
        "{}",
        args_prompt.label()
    );
    let simple = prompts
        .iter()
        .find(|p| p.prompt.name == "simple-prompt")
        .expect("simple-prompt listed");
    assert!(!simple.has_arguments());

    let draft = servers
        .prompt_draft(
            "everything",
            "args-prompt",
            &args(&[("city", "Lyon"), ("state", "Rhône")]),
        )
        .await
        .expect("prompts/get");
    assert_eq!(draft.text, "What's weather in Lyon, Rhône?");
    assert!(draft.images.is_empty() && draft.resources.is_empty());
    servers.shutdown_all().await;
}

#[tokio::test]
async fn completions_follow_what_is_typed_and_the_context() {
    let servers = everything().await;
    let target = CompletionTarget::Prompt("completable-prompt");
    let departments = servers
        .complete("everything", target, "department", "Sa", &[])
        .await
        .expect("completion/complete");
    assert_eq!(departments.values, ["Sales"]);
    let names = servers
        .complete(
            "everything",
            target,
            "name",
            "",
            &[("department", "Engineering")],
        )
        .await
        .expect("completion/complete with context");
    assert_eq!(names.values, ["Alice", "Bob", "Charlie"]);
    servers.shutdown_all().await;
}

#[tokio::test]
async fn an_embedded_resource_of_a_prompt_becomes_a_resource_attachment() {
    let servers = everything().await;
    let draft = servers
        .prompt_draft(
            "everything",
            "resource-prompt",
            &args(&[("resourceType", "Text"), ("resourceId", "2")]),
        )
        .await
        .expect("prompts/get");
    assert!(draft.text.contains("resource with id: 2"), "{}", draft.text);
    assert_eq!(draft.resources.len(), 1);
    let resource = &draft.resources[0];
    assert_eq!(resource.uri, "demo://resource/dynamic/text/2");
    assert_eq!(resource.server_id, "everything");
    assert!(matches!(&resource.body, ResourceBody::Text(t) if !t.is_empty()));
    servers.shutdown_all().await;
}

#[tokio::test]
async fn a_resource_is_stored_sent_as_a_block_and_rebuilt_after_reopening() {
    let provider =
        TestServer::start(vec![text_reply("Read it."), text_reply("Still there.")]).await;
    let servers = everything().await;
    let listed = servers.list_all_resources().await;
    let offered = listed
        .iter()
        .find(|s| s.server_id == "everything")
        .expect("server-everything lists resources");
    assert!(offered.resources.iter().any(|r| r.uri == DOCUMENT));
    assert!(offered.subscribe, "server-everything offers subscriptions");
    assert!(
        offered
            .templates
            .iter()
            .any(|t| t.uri_template == "demo://resource/dynamic/text/{resourceId}")
    );
    let resources = servers
        .read_attachments("everything", DOCUMENT, "architecture.md")
        .await
        .expect("resources/read");
    let ResourceBody::Text(document) = &resources[0].body else {
        panic!("a text document");
    };
    let document = document.clone();

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("valechat.db");
    let store = Store::open(&path).await.expect("open store");
    let engine = Engine::new(store, Arc::new(MemoryKeyStore::new()));
    let target = engine
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
        .new_conversation(Some(&target.id), Some("gpt-4o"))
        .await
        .expect("conversation")
        .id;
    let mut turn = engine
        .send(SendRequest::text(conversation, "Summarise this").with_resources(resources.clone()))
        .await
        .expect("send");
    while turn.next().await.is_some() {}
    let expected = format!(
        "Summarise this\n\n<resource uri=\"{DOCUMENT}\" mimeType=\"text/markdown\">\n{document}\n</resource>"
    );
    let first = provider.requests()[0].json();
    assert_eq!(first["messages"][0]["role"], "user");
    assert_eq!(first["messages"][0]["content"], expected.as_str());
    drop(engine);

    // Reopened: the resource is still attached and sent again as it was.
    let store = Store::open(&path).await.expect("reopen store");
    let stored = store
        .list_resource_attachments(conversation)
        .await
        .expect("list resources");
    let user_id = store.list_messages(conversation).await.expect("messages")[0].id;
    assert_eq!(stored.get(&user_id), Some(&resources));
    let engine = Engine::new(store, Arc::new(MemoryKeyStore::new()));
    let mut turn = engine
        .send(SendRequest::text(conversation, "And now?"))
        .await
        .expect("send");
    while turn.next().await.is_some() {}
    let second = provider.requests()[1].json();
    assert_eq!(second["messages"][0]["content"], expected.as_str());
    assert_eq!(second["messages"][2]["content"], "And now?");
    servers.shutdown_all().await;
}

#[tokio::test]
async fn a_watched_resource_reports_its_changes() {
    let (servers, mut rx) = everything_watching_document().await;
    // server-everything sends updates for subscribed resources once its
    // simulation is switched on (at once, then every 5 s).
    let connection = servers.connection("everything").expect("ready");
    connection
        .call_tool(
            "toggle-subscriber-updates",
            serde_json::Value::Null,
            CallOptions::default(),
            tokio_util::sync::CancellationToken::new(),
        )
        .await
        .expect("toggle-subscriber-updates");
    let update = tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("no notifications/resources/updated within 20 s")
        .expect("hook alive");
    assert_eq!(update, ("everything".to_owned(), DOCUMENT.to_owned()));
    servers
        .watch_resource("everything", DOCUMENT, false)
        .await
        .expect("resources/unsubscribe");
    servers.shutdown_all().await;
}

/// Turns server-everything's simulated updates on for its current session
/// (a new process starts with them off).
async fn start_updates(servers: &McpServers) {
    servers
        .connection("everything")
        .expect("ready")
        .call_tool(
            "toggle-subscriber-updates",
            serde_json::Value::Null,
            CallOptions::default(),
            tokio_util::sync::CancellationToken::new(),
        )
        .await
        .expect("toggle-subscriber-updates");
}

/// Waits (60 s at most) for a ready session other than `old`.
async fn new_session(
    servers: &McpServers,
    old: &Arc<valechat_core::mcp::McpConnection>,
) -> Arc<valechat_core::mcp::McpConnection> {
    tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            if let (Some(ServerState::Ready { .. }), Some(connection)) = (
                servers.state("everything"),
                servers.connection("everything"),
            ) && !Arc::ptr_eq(&connection, old)
            {
                return connection;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("server-everything did not come back within 60 s")
}

/// Drains what came before, then waits for the next update of `DOCUMENT`.
async fn next_update(rx: &mut tokio::sync::mpsc::UnboundedReceiver<(String, String)>) {
    while rx.try_recv().is_ok() {}
    let update = tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("no notifications/resources/updated within 20 s")
        .expect("hook alive");
    assert_eq!(update, ("everything".to_owned(), DOCUMENT.to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watched_resources_are_subscribed_again_after_a_restart() {
    let (servers, mut rx) = everything_watching_document().await;
    assert_eq!(servers.watched_uris("everything"), [DOCUMENT]);

    // A crash: the whole process group is killed; the supervisor restarts it.
    let first = servers.connection("everything").expect("ready");
    let pgid = first.pgid().expect("a stdio server has a process group");
    let killed = std::process::Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .status()
        .expect("kill");
    assert!(killed.success());
    let second = new_session(&servers, &first).await;
    drop(first);
    start_updates(&servers).await;
    next_update(&mut rx).await;
    let log = servers.log("everything").expect("log");
    assert!(
        log.lines()
            .iter()
            .any(|l| l.text == format!("subscribed again to {DOCUMENT}")),
        "{:?}",
        log.lines()
    );

    // The Restart button: the server is started again from its config.
    servers.start(common::everything_config()).await;
    new_session(&servers, &second).await;
    drop(second);
    start_updates(&servers).await;
    next_update(&mut rx).await;

    // Unwatched: a later restart does not subscribe again.
    servers
        .watch_resource("everything", DOCUMENT, false)
        .await
        .expect("resources/unsubscribe");
    assert!(servers.watched_uris("everything").is_empty());
    servers.shutdown_all().await;
}
