//! The documented `/api/chat` streams replayed over HTTP, and the request sent.

use tokio_util::sync::CancellationToken;
use valechat_core::provider::ollama::{OllamaConfig, OllamaProvider};
use valechat_core::provider::{ChatEvent, ChatProvider, FinishReason, ProviderError, Usage};

use super::{chat_midstream_error, in_chunks, ndjson, ndjson_steps, replay, request};
use crate::support::outcome::{args_json, drain};
use crate::support::{TestServer, fixture};

fn usage(input: u64, output: u64) -> Usage {
    Usage {
        input_tokens: input,
        output_tokens: output,
        ..Usage::default()
    }
}

#[tokio::test]
async fn text_stream_gives_text_finish_and_exact_usage_last() {
    let out = replay(ndjson(fixture("ollama/chat_stream_docs.ndjson"))).await;
    assert_eq!(out.error, None);
    assert_eq!(out.started(), vec![(None, Some("llama3.2".into()))]);
    assert_eq!(out.text(), "The");
    assert_eq!(out.finishes(), vec![FinishReason::Stop]);
    assert_eq!(out.usages(), vec![usage(26, 282)]);
    assert_eq!(out.events.last(), Some(&ChatEvent::Usage(usage(26, 282))));
}

#[tokio::test]
async fn tool_call_arguments_object_becomes_json_text() {
    let body = fixture("ollama/chat_tool_stream_docs.ndjson");
    // Whole, and split across 7-byte HTTP chunks: the same events.
    for reply in [ndjson(body.clone()), ndjson_steps(in_chunks(&body, 7))] {
        let out = replay(reply).await;
        assert_eq!(out.error, None);
        let tools = out.tools();
        assert_eq!(tools.len(), 1);
        let (id, name, args) = &tools[&0];
        assert_eq!((id.as_str(), name.as_str()), ("call_0", "get_weather"));
        assert_eq!(args_json(args), serde_json::json!({"city": "Tokyo"}));
        assert_eq!(out.text(), "");
        assert_eq!(out.finishes(), vec![FinishReason::ToolCalls]);
        assert_eq!(out.usages(), vec![usage(169, 15)]);
    }
}

#[tokio::test]
async fn error_line_mid_stream_ends_with_a_stream_error_after_the_text() {
    let out = replay(ndjson(chat_midstream_error())).await;
    assert_eq!(out.started(), vec![(None, Some("gemma4".into()))]);
    assert_eq!(out.text(), " Yes.Ican");
    assert_eq!(out.finishes(), vec![]);
    assert_eq!(out.usages(), vec![]);
    assert_eq!(
        out.error,
        Some(ProviderError::Stream {
            message: "an error was encountered while running the model".into()
        })
    );
}

#[tokio::test]
async fn request_is_a_streaming_api_chat_post_with_options() {
    let server = TestServer::start(vec![ndjson(fixture("ollama/chat_stream_docs.ndjson"))]).await;
    let stream = super::provider(&server)
        .stream_chat(request(), CancellationToken::new())
        .await
        .expect("stream starts");
    drain(stream).await;
    let sent = &server.requests()[0];
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/api/chat")
    );
    assert_eq!(sent.header("authorization"), None);
    assert_eq!(sent.header("accept"), Some("application/x-ndjson"));
    assert_eq!(
        sent.json(),
        serde_json::json!({
            "model": "llama3.2",
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Weather in Tokyo?"}
            ],
            "stream": true,
            "options": {"temperature": 0.5, "num_predict": 256}
        })
    );
}

#[tokio::test]
async fn without_sampling_settings_options_are_left_out() {
    let server = TestServer::start(vec![ndjson(fixture("ollama/chat_stream_docs.ndjson"))]).await;
    let mut bare = request();
    bare.temperature = None;
    bare.max_output_tokens = None;
    let stream = super::provider(&server)
        .stream_chat(bare, CancellationToken::new())
        .await
        .expect("stream starts");
    drain(stream).await;
    let body = server.requests()[0].json();
    assert_eq!(body["stream"], serde_json::json!(true));
    assert!(body.get("options").is_none(), "{body}");
}

#[tokio::test]
async fn pasted_v1_base_url_is_accepted_and_a_key_is_a_bearer_token() {
    let server = TestServer::start(vec![ndjson(fixture("ollama/chat_stream_docs.ndjson"))]).await;
    // The replay server's own base URL ends in `/v1`, as users paste it.
    let base = server.base_url();
    assert!(base.ends_with("/v1"));
    let provider = OllamaProvider::new(OllamaConfig::new(base, Some("proxy-token".into())))
        .expect("valid config");
    assert_eq!(provider.base_url(), format!("http://{}", server.addr));
    let out = drain(
        provider
            .stream_chat(request(), CancellationToken::new())
            .await
            .expect("stream starts"),
    )
    .await;
    assert_eq!(out.error, None);
    assert_eq!(out.text(), "The");
    let sent = &server.requests()[0];
    assert_eq!(sent.path, "/api/chat");
    assert_eq!(sent.header("authorization"), Some("Bearer proxy-token"));
}
