//! Tests of the request translation.

use serde_json::json;
use valechat_core::provider::{Role, ToolChoice};

use super::*;

fn parse(body: Value) -> ChatCompletionRequest {
    serde_json::from_value(body).expect("a request")
}

fn translate(body: Value) -> Result<CompletionRequest, ApiError> {
    parse(body).into_completion("api:test".into())
}

#[test]
fn a_full_request_becomes_the_engines() {
    let request = translate(json!({
        "model": "openrouter/openai/gpt-4o",
        "messages": [
            {"role": "developer", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "Weather?"}]},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function",
                 "function": {"name": "get_weather", "arguments": "{\"city\":\"Oslo\"}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "12 °C"}
        ],
        "temperature": 0.5, "top_p": 0.9, "seed": 7,
        "max_tokens": 100, "max_completion_tokens": 50,
        "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}],
        "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        "user": "ignored"
    }))
    .expect("translated");
    assert_eq!(request.provider_id, "openrouter");
    assert_eq!(request.model, "openai/gpt-4o");
    let roles: Vec<Role> = request.messages.iter().map(|m| m.role).collect();
    assert_eq!(
        roles,
        [Role::System, Role::User, Role::Assistant, Role::Tool]
    );
    assert_eq!(
        request.messages[2].tool_calls[0].arguments,
        json!({"city": "Oslo"})
    );
    assert_eq!(
        request.messages[3].tool_name.as_deref(),
        Some("get_weather")
    );
    assert_eq!(request.max_output_tokens, Some(50));
    assert_eq!(request.temperature, Some(0.5));
    assert_eq!(request.sampling.top_p, Some(0.9));
    assert_eq!(request.sampling.seed, Some(7));
    assert_eq!(request.tool_choice, ToolChoice::Tool("get_weather".into()));
    assert_eq!(request.client.as_deref(), Some("api:test"));
}

#[test]
fn a_data_url_image_becomes_an_attachment() {
    // A 1×1 PNG.
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    let request = translate(json!({
        "model": "p/m",
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": "What is it?"},
            {"type": "image_url", "image_url": {"url": format!("data:image/png;base64,{png}")}}]}]
    }))
    .expect("translated");
    assert_eq!(request.messages[0].attachments.len(), 1);
    assert_eq!(request.messages[0].content, "What is it?");
    let fetched = translate(json!({
        "model": "p/m",
        "messages": [{"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]}]
    }))
    .expect_err("not fetched");
    assert!(fetched.message.contains("data URLs"), "{}", fetched.message);
}

#[test]
fn what_cannot_be_honoured_is_refused() {
    for (extra, param) in [
        (json!({"stop": ["\n"]}), "stop"),
        (json!({"n": 2}), "n"),
        (
            json!({"response_format": {"type": "json_object"}}),
            "response_format",
        ),
        (json!({"temperature": 3.0}), "temperature"),
        (json!({"seed": -1}), "seed"),
        (json!({"tool_choice": "sometimes"}), "tool_choice"),
    ] {
        let mut body = json!({"model": "p/m", "messages": [{"role": "user", "content": "hi"}]});
        body.as_object_mut()
            .expect("object")
            .extend(extra.as_object().expect("object").clone());
        let error = translate(body).expect_err("refused");
        assert_eq!(error.status, axum::http::StatusCode::BAD_REQUEST);
        assert_eq!(error.param.as_deref(), Some(param));
    }
    let fine = json!({"model": "p/m", "messages": [{"role": "user", "content": "hi"}],
                      "stop": null, "n": 1, "response_format": {"type": "text"}});
    assert!(translate(fine).is_ok());
}

#[test]
fn a_model_without_a_provider_is_not_found() {
    let error =
        translate(json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}))
            .expect_err("no provider");
    assert_eq!(error.status, axum::http::StatusCode::NOT_FOUND);
    assert_eq!(error.code, Some("model_not_found"));
}
