//! A user message's images as the server receives them.

use serde_json::json;
use tokio_util::sync::CancellationToken;
use valechat_core::provider::ChatProvider;

use super::{jsonl_as_gemini_sse, provider};
use crate::support::images::{PNG_2X2_BASE64, image_request};
use crate::support::outcome::drain;
use crate::support::{Reply, TestServer};

#[tokio::test]
async fn images_are_sent_in_the_documented_shape() {
    let server = TestServer::start(vec![Reply::sse_body(jsonl_as_gemini_sse(
        "gemini/text.chunks.jsonl",
    ))])
    .await;
    let out = drain(
        provider(&server)
            .stream_chat(image_request("gemini-2.5-flash"), CancellationToken::new())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(out.error, None);

    let body = server.requests()[0].json();
    let image = json!({"inlineData": {"mimeType": "image/png", "data": PNG_2X2_BASE64}});
    assert_eq!(
        body["contents"],
        json!([
            {"role": "user", "parts": [image]},
            {"role": "model", "parts": [{"text": "A small picture."}]},
            {"role": "user", "parts": [image, {"text": "What colour?"}]},
        ])
    );
}
