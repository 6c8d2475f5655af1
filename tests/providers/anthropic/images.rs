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
        "anthropic/basic_response.sse",
    ))])
    .await;
    let out = drain(
        provider(&server)
            .stream_chat(image_request("claude-sonnet-4-5"), CancellationToken::new())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(out.error, None);

    let body = server.requests()[0].json();
    let image = json!({"type": "image", "source": {
        "type": "base64", "media_type": "image/png", "data": PNG_2X2_BASE64,
    }});
    assert_eq!(
        body["messages"],
        json!([
            {"role": "user", "content": [image]},
            {"role": "assistant", "content": "A small picture."},
            {"role": "user", "content": [image, {"type": "text", "text": "What colour?"}]},
        ])
    );
}
