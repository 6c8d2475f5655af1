//! Gemini 3's `thoughtSignature` on a function call goes back unchanged:
//! in the same turn's next request, and in a later turn's history rebuilt
//! from the database (after a restart).

use valechat_core::chat::{Approval, Engine, SendRequest};
use valechat_core::provider::ProtocolKind;
use valechat_core::store::Store;

use crate::support::{Reply, TestServer};
use crate::tools::{FakeTools, Scripted, offered, with_tools};
use crate::{Harness, drain};

const SIGNATURE: &str = "EqUCCqICAb4+9vsh8Pd5taZVoPzSvjWWwzBrvh==";

/// A Gemini SSE event with `parts` and a STOP finish.
fn gemini_reply(parts: serde_json::Value) -> Reply {
    let chunk = serde_json::json!({"candidates": [{
        "content": {"parts": parts, "role": "model"},
        "finishReason": "STOP", "index": 0,
    }]});
    Reply::sse_body(format!("data: {chunk}\n\n").into_bytes())
}

/// The model turn holding the call in request `n`'s `contents`.
fn call_part(server: &TestServer, n: usize) -> serde_json::Value {
    let body = server.requests()[n].json();
    body["contents"]
        .as_array()
        .expect("contents")
        .iter()
        .flat_map(|c| c["parts"].as_array().cloned().unwrap_or_default())
        .find(|p| p.get("functionCall").is_some())
        .unwrap_or_else(|| panic!("no functionCall part in request {n}: {body}"))
}

#[tokio::test]
async fn a_function_calls_signature_is_sent_back_in_this_turn_and_the_next() {
    let server = TestServer::start(vec![
        gemini_reply(serde_json::json!([{
            "functionCall": {"name": "everything__echo", "args": {"message": "hi"}},
            "thoughtSignature": SIGNATURE,
        }])),
        gemini_reply(serde_json::json!([{"text": "Done."}])),
        gemini_reply(serde_json::json!([{"text": "Again."}])),
    ])
    .await;
    let h = with_tools(
        Harness::new().await,
        FakeTools::new(vec![offered("echo", "h1")]),
        Scripted::new(&[Approval::AllowOnce]),
    );
    let provider = h
        .engine
        .providers()
        .add(ProtocolKind::Gemini, "Gemini", &server.base_url(), None)
        .await
        .expect("add")
        .id;
    let conv = h
        .engine
        .new_conversation(Some(&provider), Some("gemini-3-pro-preview"))
        .await
        .expect("conversation")
        .id;
    drain(
        &mut h
            .engine
            .send(SendRequest::text(conv, "first"))
            .await
            .expect("send"),
    )
    .await;
    let expected = serde_json::json!({
        "functionCall": {"name": "everything__echo", "args": {"message": "hi"}},
        "thoughtSignature": SIGNATURE,
    });
    assert_eq!(call_part(&server, 1), expected, "same turn");

    // A new engine over the same file: the history comes from the database.
    let engine = Engine::new(Store::open(&h.db).await.expect("reopen"), h.keys.clone());
    drain(
        &mut engine
            .send(SendRequest::text(conv, "second"))
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(call_part(&server, 2), expected, "next turn");
}
