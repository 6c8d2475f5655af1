//! A user message's images as the server receives them.

use serde_json::json;
use tokio_util::sync::CancellationToken;
use valechat_core::provider::ChatProvider;

use super::provider;
use crate::support::images::{PNG_2X2_BASE64, image_request};
use crate::support::outcome::drain;
use crate::support::{Reply, TestServer, fixture};

#[tokio::test]
async fn images_are_sent_in_the_documented_shape() {
    let server = TestServer::start(vec![Reply::sse_body(fixture(
        "openai-chat/text_with_usage.sse",
    ))])
    .await;
    let out = drain(
        provider(&server, None)
            .stream_chat(image_request("gpt-4o"), CancellationToken::new())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(out.error, None);

    let body = server.requests()[0].json();
    let url = format!("data:image/png;base64,{PNG_2X2_BASE64}");
    assert_eq!(
        body["messages"],
        json!([
            {"role": "user", "content": [
                {"type": "image_url", "image_url": {"url": url}},
            ]},
            {"role": "assistant", "content": "A small picture."},
            {"role": "user", "content": [
                {"type": "text", "text": "What colour?"},
                {"type": "image_url", "image_url": {"url": url}},
            ]},
        ])
    );
}
