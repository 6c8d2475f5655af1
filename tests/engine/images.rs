//! Images attached to user messages: stored with the message, sent in the
//! provider's shape, sent again on later turns; refused (and nothing stored)
//! when a file is not a supported image, is too large, or the model is known
//! not to accept images.

use bytes::Bytes;
use serde_json::json;
use valechat_core::chat::{EngineError, SendRequest};
use valechat_core::provider::Role;
use valechat_core::provider::message::attachment::MAX_ATTACHMENT_BYTES;
use valechat_core::provider::{Attachment, AttachmentError};
use valechat_core::store::{MessageStatus, NewMessage, Store, StoreError};

use crate::support::images::{PNG_2X2, PNG_2X2_BASE64, png_attachment};
use crate::support::{Reply, TestServer};
use crate::{Harness, drain, finished, sse_text};

/// The `image_url` part OpenAI receives for [`PNG_2X2`].
fn image_part() -> serde_json::Value {
    json!({"type": "image_url", "image_url": {"url": format!("data:image/png;base64,{PNG_2X2_BASE64}")}})
}

#[tokio::test]
async fn images_are_stored_sent_and_sent_again_on_the_next_turn() {
    let server = TestServer::start(vec![
        Reply::sse_body(sse_text(&["A green dot."])),
        Reply::sse_body(sse_text(&["Yes."])),
    ])
    .await;
    let h = Harness::new().await;
    let conv = h.conversation(&server).await;

    let mut turn = h
        .engine
        .send(SendRequest::text(conv, "  What is this?  ").with_images(vec![png_attachment()]))
        .await
        .expect("send with an image");
    assert_eq!(finished(&drain(&mut turn).await).content, "A green dot.");
    let first = server.requests()[0].json();
    assert_eq!(
        first["messages"],
        json!([{"role": "user", "content": [
            {"type": "text", "text": "What is this?"},
            image_part(),
        ]}])
    );

    let mut turn = h
        .engine
        .send(SendRequest::text(conv, "Is it round?"))
        .await
        .expect("send text");
    assert_eq!(finished(&drain(&mut turn).await).content, "Yes.");
    let second = server.requests()[1].json();
    assert_eq!(
        second["messages"],
        json!([
            {"role": "user", "content": [{"type": "text", "text": "What is this?"}, image_part()]},
            {"role": "assistant", "content": "A green dot."},
            {"role": "user", "content": "Is it round?"},
        ])
    );

    let reopened = Store::open(&h.db).await.expect("reopen");
    let messages = reopened.list_messages(conv).await.expect("messages");
    let stored = reopened.list_attachments(conv).await.expect("attachments");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].message_id, messages[0].id);
    assert_eq!(stored[0].position, 0);
    assert_eq!(stored[0].attachment, png_attachment());
    assert_eq!(
        reopened
            .message_attachments(messages[0].id)
            .await
            .expect("by message"),
        vec![png_attachment()]
    );
    assert!(
        reopened
            .message_attachments(messages[2].id)
            .await
            .expect("text-only message")
            .is_empty()
    );

    // Images go with their conversation.
    reopened.delete_conversation(conv).await.expect("delete");
    assert!(
        reopened
            .message_attachments(messages[0].id)
            .await
            .expect("after delete")
            .is_empty()
    );
}

#[tokio::test]
async fn a_message_for_an_unknown_conversation_stores_no_images() {
    let h = Harness::new().await;
    let new = NewMessage {
        conversation_id: 4242,
        role: Role::User,
        content: "Hi".into(),
        status: MessageStatus::Complete,
        provider_id: None,
        model: None,
    };
    let store = h.engine.store();
    let err = store
        .insert_message_with_attachments(new, vec![png_attachment()])
        .await
        .err();
    assert!(matches!(err, Some(StoreError::NotFound { .. })), "{err:?}");
    let count = store.list_attachments(4242).await.expect("list");
    assert!(count.is_empty());
}

#[tokio::test]
async fn a_message_may_be_only_images_in_order() {
    let server = TestServer::start(vec![Reply::sse_body(sse_text(&["Two dots."]))]).await;
    let h = Harness::new().await;
    let conv = h.conversation(&server).await;
    let second = Attachment::new("second.gif", Bytes::from_static(b"GIF89a\x01\0\x01\0")).unwrap();

    let mut turn = h
        .engine
        .send(SendRequest::text(conv, " ").with_images(vec![png_attachment(), second.clone()]))
        .await
        .expect("send images only");
    drain(&mut turn).await;
    let body = server.requests()[0].json();
    assert_eq!(
        body["messages"][0]["content"],
        json!([image_part(), {"type": "image_url", "image_url": {"url": second.data_url()}}])
    );
    let stored = h.engine.store().list_attachments(conv).await.unwrap();
    let names: Vec<_> = stored.iter().map(|s| s.attachment.name.as_str()).collect();
    assert_eq!(names, ["dot.png", "second.gif"]);
    assert_eq!(h.messages(conv).await[0].content, "");
    let conversation = h
        .engine
        .store()
        .get_conversation(conv)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(conversation.title, "dot.png");
}

#[tokio::test]
async fn unknown_types_and_oversize_images_are_refused_and_nothing_is_stored() {
    let server = TestServer::start(vec![]).await;
    let h = Harness::new().await;
    let conv = h.conversation(&server).await;

    let pdf = Attachment {
        name: "scan.png".into(),
        mime_type: "image/png".into(),
        data: Bytes::from_static(b"%PDF-1.7 not an image"),
    };
    let err = h
        .engine
        .send(SendRequest::text(conv, "Read this").with_images(vec![png_attachment(), pdf]))
        .await
        .err()
        .expect("a PDF is refused");
    assert!(
        matches!(&err, EngineError::Attachment(AttachmentError::UnsupportedType { name }) if name == "scan.png"),
        "{err:?}"
    );
    assert!(
        err.user_message().contains("scan.png"),
        "{}",
        err.user_message()
    );

    let mut big = PNG_2X2.to_vec();
    big.resize(MAX_ATTACHMENT_BYTES + 1, 0);
    let big = Attachment {
        name: "huge.png".into(),
        mime_type: "image/png".into(),
        data: Bytes::from(big),
    };
    let err = h
        .engine
        .send(SendRequest::text(conv, "").with_images(vec![big]))
        .await
        .err()
        .expect("an oversize image is refused");
    assert!(
        matches!(&err, EngineError::Attachment(AttachmentError::TooLarge { size, .. }) if *size == MAX_ATTACHMENT_BYTES + 1),
        "{err:?}"
    );

    let err = h
        .engine
        .send(SendRequest::text(conv, "  ").with_images(Vec::new()))
        .await
        .err();
    assert!(matches!(err, Some(EngineError::EmptyMessage)), "{err:?}");

    assert!(h.messages(conv).await.is_empty());
    assert!(
        h.engine
            .store()
            .list_attachments(conv)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_model_listed_without_vision_is_refused_before_anything_is_stored() {
    let models = json!({"object": "list", "data": [
        {"id": "gpt-4o", "object": "model",
         "architecture": {"input_modalities": ["text"], "output_modalities": ["text"]}},
    ]});
    let server = TestServer::start(vec![
        Reply::fixed(200, "application/json", models.to_string()),
        Reply::sse_body(sse_text(&["Fine."])),
    ])
    .await;
    let h = Harness::new().await;
    let provider = h.provider(&server).await;
    let conv = h
        .engine
        .new_conversation(Some(&provider), Some("gpt-4o"))
        .await
        .unwrap()
        .id;
    let listed = h
        .engine
        .providers()
        .list_models(&provider)
        .await
        .expect("list models");
    assert_eq!(listed[0].supports_vision, Some(false));

    let err = h
        .engine
        .send(SendRequest::text(conv, "What is this?").with_images(vec![png_attachment()]))
        .await
        .err()
        .expect("refused");
    assert!(
        matches!(&err, EngineError::ImagesNotSupported { model } if model == "gpt-4o"),
        "{err:?}"
    );
    assert!(
        err.user_message().contains("does not accept images"),
        "{}",
        err.user_message()
    );
    assert!(h.messages(conv).await.is_empty());
    assert!(
        h.engine
            .store()
            .list_attachments(conv)
            .await
            .unwrap()
            .is_empty()
    );

    // Text alone still goes to the same model.
    let mut turn = h
        .engine
        .send(SendRequest::text(conv, "Hello"))
        .await
        .expect("text is fine");
    assert_eq!(finished(&drain(&mut turn).await).content, "Fine.");
    assert_eq!(server.requests().len(), 2);
}
