//! A user message's images as the server receives them.

use serde_json::json;
use tokio_util::sync::CancellationToken;
use valechat_core::provider::ChatProvider;

use super::{ndjson, provider};
use crate::support::images::{PNG_2X2_BASE64, image_request};
use crate::support::outcome::drain;
use crate::support::{TestServer, fixture};

#[tokio::test]
async fn images_are_sent_as_bare_base64_on_the_message() {
    let server = TestServer::start(vec![ndjson(fixture("ollama/chat_stream_docs.ndjson"))]).await;
    let out = drain(
        provider(&server)
            .stream_chat(image_request("llava"), CancellationToken::new())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(out.error, None);

    let body = server.requests()[0].json();
    assert_eq!(
        body["messages"],
        json!([
            {"role": "user", "content": "", "images": [PNG_2X2_BASE64]},
            {"role": "assistant", "content": "A small picture."},
            {"role": "user", "content": "What colour?", "images": [PNG_2X2_BASE64]},
        ])
    );
}
