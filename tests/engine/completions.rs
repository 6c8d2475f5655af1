//! Completions outside any conversation (`Engine::stream_completion`,
//! `Engine::complete`): what the MCP server mode and the OpenAI-compatible
//! API answer with. Streamed, billed with the client that asked, tools
//! passed to the model and its calls returned, refused before sending over
//! a hard limit, cancelled when the caller stops.

use std::str::FromStr;
use std::time::Duration;

use rust_decimal::Decimal;
use tokio_util::sync::CancellationToken;
use valechat_core::billing::ModelPrice;
use valechat_core::chat::{CompletionEvent, CompletionRequest, CompletionStream, EngineError};
use valechat_core::ledger::{LimitScope, NewLimit, Outcome};
use valechat_core::provider::{ChatMessage, FinishReason, ToolChoice, ToolDefinition};

use crate::Harness;
use crate::support::openai::{chunk, text_reply_with_usage, tool_call_reply};
use crate::support::{Reply, Step, TestServer};

fn usd(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

/// Gives `provider`'s `gpt-4o` the user's price of USD 10 / 30 per 1M
/// input / output tokens.
async fn priced(h: &Harness, provider: &str) {
    h.engine
        .store()
        .set_user_price(
            provider,
            "gpt-4o",
            ModelPrice::from_per_million(usd("10"), usd("30")),
            0,
        )
        .await
        .expect("price");
}

/// Every event of `stream` until its last.
async fn events(stream: &mut CompletionStream) -> Vec<CompletionEvent> {
    let mut all = Vec::new();
    while let Some(event) = tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("an event in time")
    {
        all.push(event);
    }
    all
}

#[tokio::test]
async fn a_completion_streams_its_text_and_is_billed_with_its_client() {
    let server = TestServer::start(vec![text_reply_with_usage(&["Hel", "lo"], 12, 3)]).await;
    let h = Harness::new().await;
    let provider = h.provider(&server).await;
    priced(&h, &provider).await;
    let request = CompletionRequest {
        client: Some("mcp:test-client".into()),
        max_output_tokens: Some(100),
        ..CompletionRequest::new(&provider, "gpt-4o", vec![ChatMessage::user("Hi")])
    };
    let mut stream = h
        .engine
        .stream_completion(request, CancellationToken::new())
        .await
        .expect("stream");
    let all = events(&mut stream).await;
    assert!(
        matches!(&all[0], CompletionEvent::Started { model } if model == "gpt-4o"),
        "{all:?}"
    );
    let text: String = all
        .iter()
        .filter_map(|e| match e {
            CompletionEvent::TextDelta(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(text, "Hello");
    let Some(CompletionEvent::Finished(done)) = all.last() else {
        panic!("ends finished: {all:?}");
    };
    assert_eq!(done.text, "Hello");
    assert_eq!(done.finish, Some(FinishReason::Stop));
    let record = done.record.as_ref().expect("a usage record");
    assert_eq!(record.client.as_deref(), Some("mcp:test-client"));
    assert_eq!(record.conversation_id, None);
    assert_eq!(record.outcome, Outcome::Completed);
    // 12 × $10/M + 3 × $30/M.
    assert_eq!(record.cost_usd, usd("0.00021"));
    let body = server.requests()[0].json();
    assert_eq!(body["max_tokens"], 100, "the caller's cap is sent: {body}");
    let stored = h
        .engine
        .store()
        .usage_by_request(&record.request_id)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(stored.client.as_deref(), Some("mcp:test-client"));
}

#[tokio::test]
async fn tools_are_passed_to_the_model_and_its_calls_returned_not_run() {
    let server = TestServer::start(vec![tool_call_reply(&[(
        "call_1",
        "get_weather",
        r#"{"city":"Oslo"}"#,
    )])])
    .await;
    let h = Harness::new().await;
    let provider = h.provider(&server).await;
    let request = CompletionRequest {
        tools: vec![ToolDefinition {
            name: "get_weather".into(),
            description: "Weather in a city".into(),
            parameters: serde_json::json!({"type": "object",
                "properties": {"city": {"type": "string"}}, "required": ["city"]}),
        }],
        tool_choice: ToolChoice::Required,
        ..CompletionRequest::new(&provider, "gpt-4o", vec![ChatMessage::user("Weather?")])
    };
    let mut stream = h
        .engine
        .stream_completion(request, CancellationToken::new())
        .await
        .expect("stream");
    let all = events(&mut stream).await;
    assert!(
        all.iter().any(
            |e| matches!(e, CompletionEvent::ToolCallStart { index: 0, id, name }
            if id == "call_1" && name == "get_weather")
        ),
        "{all:?}"
    );
    let Some(CompletionEvent::Finished(done)) = all.last() else {
        panic!("ends finished: {all:?}");
    };
    assert_eq!(done.finish, Some(FinishReason::ToolCalls));
    assert_eq!(done.tool_calls.len(), 1);
    assert_eq!(
        done.tool_calls[0].arguments,
        serde_json::json!({"city": "Oslo"})
    );
    let body = server.requests()[0].json();
    assert_eq!(body["tools"][0]["function"]["name"], "get_weather");
    assert_eq!(body["tool_choice"], "required");
    assert_eq!(
        server.requests().len(),
        1,
        "the tool was not run, nothing sent back"
    );
}

#[tokio::test]
async fn a_hard_limit_refuses_a_completion_before_anything_is_sent() {
    let server = TestServer::start(vec![text_reply_with_usage(&["x"], 1, 1)]).await;
    let h = Harness::new().await;
    let provider = h.provider(&server).await;
    priced(&h, &provider).await;
    h.engine
        .store()
        .create_limit(NewLimit::hard(LimitScope::GlobalMonth, None, usd("0.001")))
        .await
        .expect("limit");
    let request = CompletionRequest {
        max_output_tokens: Some(1000),
        ..CompletionRequest::new(&provider, "gpt-4o", vec![ChatMessage::user("Hi")])
    };
    let refused = h
        .engine
        .stream_completion(request, CancellationToken::new())
        .await;
    assert!(
        matches!(refused, Err(EngineError::LimitReached(_))),
        "{refused:?}"
    );
    assert!(server.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn dropping_the_stream_stops_the_provider_request_and_bills_it_cancelled() {
    let mut steps = vec![Step::Send(chunk(
        serde_json::json!({"content": "Hel"}),
        None,
    ))];
    steps.push(Step::HoldOpen);
    let mut server = TestServer::start(vec![Reply::sse(steps)]).await;
    let h = Harness::new().await;
    let provider = h.provider(&server).await;
    let request = CompletionRequest {
        client: Some("api:test".into()),
        ..CompletionRequest::new(&provider, "gpt-4o", vec![ChatMessage::user("Hi")])
    };
    let mut stream = h
        .engine
        .stream_completion(request, CancellationToken::new())
        .await
        .expect("stream");
    loop {
        match stream.next().await.expect("an event") {
            CompletionEvent::TextDelta(_) => break,
            CompletionEvent::Started { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    drop(stream);
    tokio::time::timeout(Duration::from_secs(10), server.next_close())
        .await
        .expect("the provider's connection was closed");
    let mut records = Vec::new();
    for _ in 0..100 {
        records = h
            .engine
            .store()
            .list_usage(0, i64::MAX)
            .await
            .expect("usage");
        if !records.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(records.len(), 1, "the consumed input is billed");
    assert_eq!(records[0].outcome, Outcome::Cancelled);
    assert_eq!(records[0].client.as_deref(), Some("api:test"));
}

#[tokio::test]
async fn a_threshold_a_completion_crosses_is_announced_to_subscribers() {
    let server = TestServer::start(vec![text_reply_with_usage(&["Hello"], 12, 3)]).await;
    let h = Harness::new().await;
    let provider = h.provider(&server).await;
    priced(&h, &provider).await;
    // A soft limit of $0.0004: the request's $0.00021 is past 50 %.
    h.engine
        .store()
        .create_limit(NewLimit {
            hard: false,
            ..NewLimit::hard(LimitScope::GlobalMonth, None, usd("0.0004"))
        })
        .await
        .expect("limit");
    let mut alerts = h.engine.completion_alerts();
    let request = CompletionRequest {
        max_output_tokens: Some(10),
        ..CompletionRequest::new(&provider, "gpt-4o", vec![ChatMessage::user("Hi")])
    };
    h.engine
        .complete(request, CancellationToken::new())
        .await
        .expect("completion");
    let crossed = tokio::time::timeout(Duration::from_secs(5), alerts.recv())
        .await
        .expect("an alert in time")
        .expect("an alert");
    assert_eq!(crossed.len(), 1, "{crossed:?}");
    assert_eq!(crossed[0].threshold, 50);
    assert_eq!(crossed[0].spent, usd("0.00021"));
}
