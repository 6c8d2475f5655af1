//! Hard limits that cannot be bypassed (issue 13, point 8): the output cap
//! the reservation assumes is sent to every protocol, every output token
//! counts against the limit while a reply streams, and an unpriced model
//! under a hard limit is not free.
//!
//! The test server runs on 127.0.0.1; the tests give the model a price of
//! the user's (USD 10 / 30 per 1M input / output tokens) unless they test
//! the unpriced case.

use std::str::FromStr;

use rust_decimal::Decimal;
use valechat_core::billing::ModelPrice;
use valechat_core::chat::SendRequest;
use valechat_core::provider::ProtocolKind;

use crate::support::openai::text_reply;
use crate::support::{Reply, TestServer, fixture};
use crate::{Harness, drain};

fn usd(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

/// A conversation with `model` on a new provider of `kind` at `base_url`,
/// priced by the user at the test price.
async fn priced_conversation(
    h: &Harness,
    kind: ProtocolKind,
    base_url: &str,
    model: &str,
) -> i64 {
    let provider = h
        .engine
        .providers()
        .add(kind, "Test", base_url, Some("test-key"))
        .await
        .expect("add provider")
        .id;
    h.engine
        .store()
        .set_user_price(
            &provider,
            model,
            ModelPrice::from_per_million(usd("10"), usd("30")),
            0,
        )
        .await
        .expect("set price");
    h.engine
        .new_conversation(Some(&provider), Some(model))
        .await
        .expect("conversation")
        .id
}

/// Sends "Hi" and returns the body of the one request the server received.
async fn sent_body(h: &Harness, server: &TestServer, conversation: i64) -> serde_json::Value {
    drain(
        &mut h
            .engine
            .send(SendRequest::text(conversation, "Hi"))
            .await
            .expect("send"),
    )
    .await;
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "one request");
    requests[0].json()
}

#[tokio::test]
async fn the_reserved_output_cap_is_sent_to_an_openai_compatible_server() {
    let server = TestServer::start(vec![text_reply("Hello")]).await;
    let h = Harness::new().await;
    let conversation = priced_conversation(
        &h,
        ProtocolKind::OpenAiCompatible,
        &server.base_url(),
        "gpt-4o",
    )
    .await;
    let body = sent_body(&h, &server, conversation).await;
    // The user's price names no largest reply: the reservation assumed
    // DEFAULT_MAX_OUTPUT_TOKENS, and the server is told so.
    assert_eq!(body["max_tokens"], 8_192, "{body}");
}

#[tokio::test]
async fn the_reserved_output_cap_is_sent_to_gemini() {
    let text = String::from_utf8(fixture("gemini/text.chunks.jsonl")).expect("UTF-8");
    let sse: String = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("data: {l}\r\n\r\n"))
        .collect();
    let server = TestServer::start(vec![Reply::sse_body(sse)]).await;
    let h = Harness::new().await;
    let conversation = priced_conversation(
        &h,
        ProtocolKind::Gemini,
        &server.base_url(),
        "gemini-2.5-flash",
    )
    .await;
    let body = sent_body(&h, &server, conversation).await;
    assert_eq!(body["generationConfig"]["maxOutputTokens"], 8_192, "{body}");
}

#[tokio::test]
async fn the_reserved_output_cap_is_sent_to_ollama() {
    let server = TestServer::start(vec![Reply::fixed(
        200,
        "application/x-ndjson",
        fixture("ollama/chat_stream_docs.ndjson"),
    )])
    .await;
    let h = Harness::new().await;
    let root = format!("http://{}", server.addr);
    let conversation = priced_conversation(&h, ProtocolKind::Ollama, &root, "llama3.2").await;
    let body = sent_body(&h, &server, conversation).await;
    assert_eq!(body["options"]["num_predict"], 8_192, "{body}");
}

#[tokio::test]
async fn a_free_local_model_gets_no_cap_it_did_not_ask_for() {
    let server = TestServer::start(vec![text_reply("Hello")]).await;
    let h = Harness::new().await;
    let provider = h.provider(&server).await;
    let conversation = h
        .engine
        .new_conversation(Some(&provider), Some("llama3.2"))
        .await
        .expect("conversation")
        .id;
    let body = sent_body(&h, &server, conversation).await;
    assert_eq!(body.get("max_tokens"), None, "{body}");
}
