//! Recorded OpenAI, Mistral and GLM streams replayed over HTTP, and the request sent.

use tokio_util::sync::CancellationToken;
use valechat_core::provider::openai::{OpenAiConfig, OpenAiProvider};
use valechat_core::provider::{ChatEvent, ChatProvider, FinishReason};

use super::{args_json, drain, provider, replay, request, usage};
use crate::support::{Reply, Step, TestServer, fixture, jsonl_as_sse};

#[tokio::test]
async fn openai_text_stream_with_usage_chunk() {
    let out = replay(Reply::sse_body(fixture("openai-chat/text_with_usage.sse"))).await;
    assert_eq!(out.error, None);
    assert_eq!(
        out.started(),
        vec![(
            Some("chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL".into()),
            Some("gpt-4o-2024-08-06".into())
        )]
    );
    assert_eq!(
        out.text(),
        "I'm unable to provide real-time weather updates. To get the current weather in \
         San Francisco, I recommend checking a reliable weather website or a weather app."
    );
    assert_eq!(out.finishes(), vec![FinishReason::Stop]);
    assert_eq!(out.usages(), vec![usage(14, 30, 0, 0)]);
    assert!(matches!(out.events.last(), Some(ChatEvent::Usage(_))));
}

#[tokio::test]
async fn openai_parallel_tool_calls() {
    let out = replay(Reply::sse_body(fixture(
        "openai-chat/parallel_tool_calls.sse",
    )))
    .await;
    assert_eq!(out.error, None);
    let tools = out.tools();
    assert_eq!(tools.len(), 2);
    let (id, name, args) = &tools[&0];
    assert_eq!(
        (id.as_str(), name.as_str()),
        ("call_JMW1whyEaYG438VE1OIflxA2", "GetWeatherArgs")
    );
    assert_eq!(
        args_json(args),
        serde_json::json!({"city": "Edinburgh", "country": "GB", "units": "c"})
    );
    let (id, name, args) = &tools[&1];
    assert_eq!(
        (id.as_str(), name.as_str()),
        ("call_DNYTawLBoN8fj3KN6qU9N1Ou", "get_stock_price")
    );
    assert_eq!(
        args_json(args),
        serde_json::json!({"ticker": "AAPL", "exchange": "NASDAQ"})
    );
    assert_eq!(out.text(), "");
    assert_eq!(out.finishes(), vec![FinishReason::ToolCalls]);
    assert_eq!(out.usages(), vec![usage(149, 60, 0, 0)]);
}

#[tokio::test]
async fn openai_finish_length_and_refusal() {
    let out = replay(Reply::sse_body(fixture("openai-chat/finish_length.sse"))).await;
    assert_eq!(out.error, None);
    assert_eq!(out.text(), "{\"");
    assert_eq!(out.finishes(), vec![FinishReason::Length]);
    assert_eq!(out.usages(), vec![usage(79, 1, 0, 0)]);

    let out = replay(Reply::sse_body(fixture("openai-chat/refusal.sse"))).await;
    assert_eq!(out.error, None);
    assert_eq!(
        out.refusal(),
        "I'm sorry, I can't assist with that request."
    );
    assert_eq!(out.text(), "");
    assert_eq!(out.finishes(), vec![FinishReason::Stop]);
    assert_eq!(out.usages(), vec![usage(79, 11, 0, 0)]);
}

#[tokio::test]
async fn mistral_usage_on_last_content_chunk() {
    let out = replay(Reply::sse_body(jsonl_as_sse("mistral/text.chunks.jsonl"))).await;
    assert_eq!(out.error, None);
    assert_eq!(out.text(), "Hello, world! This is a test response.");
    assert_eq!(out.finishes(), vec![FinishReason::Stop]);
    assert_eq!(out.usages(), vec![usage(13, 8, 0, 0)]);
    assert_eq!(out.started().len(), 1);
}

#[tokio::test]
async fn mistral_index_less_whole_tool_call() {
    let out = replay(Reply::sse_body(jsonl_as_sse(
        "mistral/tool_call.chunks.jsonl",
    )))
    .await;
    assert_eq!(out.error, None);
    let tools = out.tools();
    assert_eq!(tools.len(), 1);
    let (id, name, args) = &tools[&0];
    assert_eq!((id.as_str(), name.as_str()), ("gSIMJiOkT", "weather"));
    assert_eq!(
        args_json(args),
        serde_json::json!({"location": "San Francisco"})
    );
    assert_eq!(out.finishes(), vec![FinishReason::ToolCalls]);
    assert_eq!(out.usages(), vec![usage(124, 22, 0, 0)]);
}

#[tokio::test]
async fn empty_name_in_continuation_keeps_the_name_and_cached_tokens_count() {
    let body = jsonl_as_sse("mistral/incremental_tool_call_glm.chunks.jsonl");
    let out = replay(Reply::sse_body(body)).await;
    assert_eq!(out.error, None);
    let tools = out.tools();
    let (id, name, args) = &tools[&0];
    assert_eq!(
        (id.as_str(), name.as_str()),
        ("chatcmpl-tool-9f149c74c42f265b", "webSearchTool")
    );
    assert_eq!(
        args_json(args),
        serde_json::json!({"query": "current Berlin weather"})
    );
    assert_eq!(out.usages(), vec![usage(171, 14, 128, 0)]);
}

#[tokio::test]
async fn openrouter_comments_and_pieces_split_mid_line() {
    let body = String::from_utf8(fixture("openai-chat/text_with_usage.sse")).unwrap();
    let (a, b) = body.split_at(body.len() / 2);
    let reply = Reply::sse(vec![
        Step::Send(b": OPENROUTER PROCESSING\n\n".to_vec()),
        Step::Send(a.as_bytes().to_vec()),
        Step::Send(b.as_bytes().to_vec()),
    ]);
    let out = replay(reply).await;
    assert_eq!(out.error, None);
    assert!(out.text().ends_with("or a weather app."));
    assert_eq!(out.usages(), vec![usage(14, 30, 0, 0)]);
}

#[tokio::test]
async fn request_body_and_authorization_header() {
    let body = fixture("openai-chat/finish_length.sse");
    let server =
        TestServer::start(vec![Reply::sse_body(body.clone()), Reply::sse_body(body)]).await;
    let mut config = OpenAiConfig::new(format!("{}/", server.base_url()), Some("sk-test".into()));
    config.extra_headers = vec![("X-Title".into(), "ValeChat".into())];
    let with_key = OpenAiProvider::new(config).unwrap();
    drain(
        with_key
            .stream_chat(request(), CancellationToken::new())
            .await
            .unwrap(),
    )
    .await;
    let without_key = provider(&server, None);
    drain(
        without_key
            .stream_chat(request(), CancellationToken::new())
            .await
            .unwrap(),
    )
    .await;

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let first = &requests[0];
    assert_eq!(
        (first.method.as_str(), first.path.as_str()),
        ("POST", "/v1/chat/completions")
    );
    assert_eq!(first.header("authorization"), Some("Bearer sk-test"));
    assert_eq!(first.header("x-title"), Some("ValeChat"));
    assert_eq!(first.header("content-type"), Some("application/json"));
    let json = first.json();
    assert_eq!(json["model"], "gpt-4o");
    assert_eq!(json["stream"], true);
    assert_eq!(json["stream_options"]["include_usage"], true);
    assert_eq!(json["max_tokens"], 256);
    assert_eq!(json["temperature"], 0.5);
    assert_eq!(
        json["messages"],
        serde_json::json!([
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Weather in Edinburgh?"}
        ])
    );
    assert_eq!(requests[1].header("authorization"), None);
}

#[tokio::test]
async fn unset_options_are_not_sent() {
    let server = TestServer::start(vec![Reply::sse_body(fixture(
        "openai-chat/finish_length.sse",
    ))])
    .await;
    let mut req = request();
    req.temperature = None;
    req.max_output_tokens = None;
    drain(
        provider(&server, None)
            .stream_chat(req, CancellationToken::new())
            .await
            .unwrap(),
    )
    .await;
    let json = server.requests()[0].json();
    assert!(json.get("temperature").is_none(), "{json}");
    assert!(json.get("max_tokens").is_none(), "{json}");
}

#[tokio::test]
async fn list_models_parses_sorts_and_sends_the_key() {
    let body = r#"{"object":"list","data":[
        {"id":"gpt-4o-mini","object":"model","created":1721172741,"owned_by":"system"},
        {"id":"dall-e-3","object":"model","created":1698785189,"owned_by":"system"},
        {"id":"ft:gpt-4o:acme","object":"model","created":1,"owned_by":"user-abc"}]}"#;
    let server = TestServer::start(vec![Reply::fixed(200, "application/json", body)]).await;
    let models = provider(&server, Some("sk-test"))
        .list_models()
        .await
        .unwrap();
    let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["dall-e-3", "ft:gpt-4o:acme", "gpt-4o-mini"]);
    assert_eq!(models[1].owned_by.as_deref(), Some("user-abc"));
    assert!(models.iter().all(|m| m.display_name.is_none()
        && m.context_length.is_none()
        && m.supports_tools.is_none()
        && m.supports_vision.is_none()));
    let requests = server.requests();
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("GET", "/v1/models")
    );
    assert_eq!(requests[0].header("authorization"), Some("Bearer sk-test"));
}

#[tokio::test]
async fn list_models_accepts_ollama_and_lm_studio_shapes() {
    // Ollama /v1/models and LM Studio: same `data` list, other extra fields, no owned_by on some.
    let body = r#"{"object":"list","data":[{"id":"qwen2.5:7b","object":"model","created":1,"owned_by":"library"},
        {"id":"llama3.2:3b","object":"model"}]}"#;
    let server = TestServer::start(vec![Reply::fixed(200, "application/json", body)]).await;
    let models = provider(&server, None).list_models().await.unwrap();
    assert_eq!(models.len(), 2);
    assert_eq!(
        (models[0].id.as_str(), models[0].owned_by.as_deref()),
        ("llama3.2:3b", None)
    );
    assert_eq!(models[1].owned_by.as_deref(), Some("library"));
    assert_eq!(server.requests()[0].header("authorization"), None);
}

#[tokio::test]
async fn list_models_reads_openrouter_extras() {
    // Shape of openrouter.ai/api/v1/models (trimmed): name, context_length,
    // architecture.input_modalities, supported_parameters, top_provider.
    let body = r#"{"data":[
        {"id":"openai/gpt-4o","name":"OpenAI: GPT-4o","context_length":128000,
         "architecture":{"modality":"text+image->text","input_modalities":["text","image","file"],"output_modalities":["text"]},
         "pricing":{"prompt":"0.0000025","completion":"0.00001"},
         "top_provider":{"context_length":128000,"max_completion_tokens":16384,"is_moderated":true},
         "supported_parameters":["max_tokens","temperature","tools","tool_choice"]},
        {"id":"meta-llama/llama-3-8b-instruct","name":"Meta: Llama 3 8B Instruct","context_length":8192,
         "architecture":{"input_modalities":["text"]},
         "top_provider":{"max_completion_tokens":null},
         "supported_parameters":["max_tokens","temperature"]}]}"#;
    let server = TestServer::start(vec![Reply::fixed(200, "application/json", body)]).await;
    let models = provider(&server, None).list_models().await.unwrap();
    let llama = &models[0];
    assert_eq!(llama.id, "meta-llama/llama-3-8b-instruct");
    assert_eq!(llama.label(), "Meta: Llama 3 8B Instruct");
    assert_eq!(
        (llama.context_length, llama.max_output_tokens),
        (Some(8192), None)
    );
    assert_eq!(
        (llama.supports_tools, llama.supports_vision),
        (Some(false), Some(false))
    );
    let gpt = &models[1];
    assert_eq!(gpt.display_name.as_deref(), Some("OpenAI: GPT-4o"));
    assert_eq!(
        (gpt.context_length, gpt.max_output_tokens),
        (Some(128_000), Some(16_384))
    );
    assert_eq!(
        (gpt.supports_tools, gpt.supports_vision),
        (Some(true), Some(true))
    );
}

#[tokio::test]
async fn list_models_maps_errors_and_bad_bodies() {
    let server = TestServer::start(vec![
        Reply::fixed(401, "application/json", r#"{"detail":"Unauthorized"}"#),
        Reply::fixed(200, "application/json", r#"{"models":[]}"#),
    ])
    .await;
    let p = provider(&server, Some("wrong"));
    assert_eq!(
        p.list_models().await,
        Err(valechat_core::provider::ProviderError::Unauthorized {
            message: "Unauthorized".into()
        })
    );
    let err = p.list_models().await.unwrap_err();
    assert!(
        matches!(&err, valechat_core::provider::ProviderError::Malformed(m) if m.contains("models")),
        "{err:?}"
    );
}
