//! Answers to the client's read requests (`list_conversations`,
//! `get_conversation`, `list_models`) and the engine [`SendRequest`] built
//! from a `send`.

use base64::Engine as _;
use serde_json::{Value, json};
use valechat_core::chat::{
    ConversationTarget, Engine, NewConversationRequest, SendRequest, UserInput,
};
use valechat_core::provider::Attachment;
use valechat_core::store::ConversationSettings;

use super::convert;
use super::protocol::{AttachmentIn, BadMessage, NewConversationIn};

/// Default page size of `list_conversations`.
pub const DEFAULT_PAGE: usize = 50;
/// Largest page size of `list_conversations`.
pub const MAX_PAGE: usize = 200;

/// The engine request for a `send`.
///
/// # Errors
/// A [`BadMessage`] naming the field: neither or both of
/// `conversation_id` and `new`, an attachment that is not base64, not an
/// accepted image (PNG, JPEG, WebP, GIF, at most 20 MiB) or not of its
/// stated `media_type`.
pub fn send_request(
    conversation_id: Option<i64>,
    new: Option<NewConversationIn>,
    text: String,
    attachments: Vec<AttachmentIn>,
    client: &str,
) -> Result<SendRequest, BadMessage> {
    let target = match (conversation_id, new) {
        (Some(id), None) => ConversationTarget::Existing(id),
        (None, Some(new)) => ConversationTarget::New(NewConversationRequest {
            settings: ConversationSettings {
                system_prompt: new.system_prompt,
                ..ConversationSettings::default()
            },
            ..NewConversationRequest::with_model(new.provider, new.model)
        }),
        (Some(_), Some(_)) => {
            return Err(BadMessage::new(
                "invalid_field",
                Some("new"),
                "send: give either conversation_id or new, not both",
            ));
        }
        (None, None) => {
            return Err(BadMessage::new(
                "missing_field",
                Some("conversation_id"),
                "send: give conversation_id or new",
            ));
        }
    };
    let mut images = Vec::with_capacity(attachments.len());
    for (i, a) in attachments.into_iter().enumerate() {
        let field = |name: &str| format!("attachments[{i}].{name}");
        let data = base64::engine::general_purpose::STANDARD
            .decode(a.data.as_bytes())
            .map_err(|e| {
                BadMessage::new(
                    "invalid_field",
                    Some(&field("data")),
                    format!("not base64: {e}"),
                )
            })?;
        let name = a.name.unwrap_or_else(|| format!("image-{}", i + 1));
        let image = Attachment::new(name, data).map_err(|e| {
            BadMessage::new("invalid_attachment", Some(&field("data")), e.to_string())
        })?;
        if image.mime_type != a.media_type {
            return Err(BadMessage::new(
                "invalid_attachment",
                Some(&field("media_type")),
                format!("the data is {}, not {}", image.mime_type, a.media_type),
            ));
        }
        images.push(image);
    }
    Ok(SendRequest::new(target, UserInput::text(text))
        .with_images(images)
        .with_client(client))
}

/// The `conversations` answer: a page of conversations, newest first, and
/// the offset of the next page (`null` on the last).
///
/// # Errors
/// The store's error, as text.
pub async fn list_conversations(
    engine: &Engine,
    offset: usize,
    limit: Option<usize>,
) -> Result<Value, String> {
    let limit = limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let all = engine
        .store()
        .list_conversations()
        .await
        .map_err(|e| e.to_string())?;
    let page: Vec<Value> = all
        .iter()
        .skip(offset)
        .take(limit)
        .map(convert::conversation)
        .collect();
    let next = (offset + page.len() < all.len()).then_some(offset + page.len());
    Ok(json!({
        "type": "conversations",
        "conversations": page,
        "total": all.len(),
        "next_offset": next,
    }))
}

/// The `conversation` answer: the conversation and its active path's
/// messages, each with its usage and cost; `Ok(None)` when there is no
/// such conversation.
///
/// # Errors
/// The store's error, as text.
pub async fn get_conversation(engine: &Engine, id: i64) -> Result<Option<Value>, String> {
    let store = engine.store();
    let Some(conversation) = store
        .get_conversation(id)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(None);
    };
    let path = store.active_path(id).await.map_err(|e| e.to_string())?;
    let records = store
        .conversation_usage_records(id)
        .await
        .map_err(|e| e.to_string())?;
    let cost: rust_decimal::Decimal = records.iter().map(|r| r.cost_usd).sum();
    Ok(Some(json!({
        "type": "conversation",
        "conversation": convert::conversation(&conversation),
        "messages": path.iter().map(|m| convert::message(m, &records)).collect::<Vec<_>>(),
        "cost_usd": cost.to_string(),
    })))
}

/// The last stored message of conversation `id`'s active path, with its
/// usage (a turn's current state for a `resume` that came too late).
pub async fn last_message(engine: &Engine, id: i64) -> Value {
    let store = engine.store();
    let (Ok(path), Ok(records)) = (
        store.active_path(id).await,
        store.conversation_usage_records(id).await,
    ) else {
        return Value::Null;
    };
    path.last()
        .map_or(Value::Null, |m| convert::message(m, &records))
}

/// The `models` answer: every enabled provider's models; a provider whose
/// list cannot be read is listed in `errors` with the reason.
///
/// # Errors
/// The store's error, as text.
pub async fn list_models(engine: &Engine) -> Result<Value, String> {
    let providers = engine.providers().list().await.map_err(|e| e.to_string())?;
    let mut models = Vec::new();
    let mut errors = Vec::new();
    for provider in providers.iter().filter(|p| p.enabled) {
        match engine.providers().list_models(&provider.id).await {
            Ok(list) => models.extend(list.into_iter().map(|m| {
                json!({
                    "provider": provider.id,
                    "provider_name": provider.name,
                    "id": m.id,
                    "name": m.label(),
                    "context_length": m.context_length,
                    "max_output_tokens": m.max_output_tokens,
                    "supports_tools": m.supports_tools,
                    "supports_vision": m.supports_vision,
                })
            })),
            Err(e) => errors.push(json!({"provider": provider.id, "message": e.to_string()})),
        }
    }
    Ok(json!({"type": "models", "models": models, "errors": errors}))
}
