//! Sending a user message, with or without images: [`Engine::send`] and
//! [`Engine::send_with_attachments`].
//!
//! The message and its images are checked first (type sniffed from the
//! bytes, at most 20 MiB each; a model known not to accept images is
//! refused, see `vision`), then stored in one transaction, so a refusal
//! stores nothing. The request carries the whole history, whose earlier
//! user messages keep their stored images.

use super::{
    Engine, EngineError, SendOptions, Turn, conversation_target, history, title_from_prompt,
};
use crate::core::provider::{Attachment, ChatMessage, Role};
use crate::core::store::{MessageStatus, NewMessage, attachments_by_message};

impl Engine {
    /// Sends `text` as the user's next message in `conversation_id` and
    /// starts the assistant's reply with the conversation's provider and model.
    ///
    /// The user message is stored before this returns. Errors before the
    /// stream opens (no model chosen, unknown provider, keyring locked) are
    /// returned here; everything after arrives as
    /// [`TurnEvent::Failed`](super::TurnEvent::Failed).
    pub async fn send(&self, conversation_id: i64, text: &str) -> Result<Turn, EngineError> {
        self.send_with_attachments(conversation_id, text, Vec::new())
            .await
    }

    /// [`Engine::send`] with `images` attached to the user message, in
    /// order. The text may be empty (after trimming) when there is at least
    /// one image; a first message of only images titles the conversation
    /// with the first image's file name.
    ///
    /// # Errors
    /// [`EngineError::EmptyMessage`] for blank text and no images;
    /// [`EngineError::Attachment`] when an image is not PNG, JPEG, WebP or
    /// GIF (sniffed from its bytes) or is over 20 MiB;
    /// [`EngineError::ImagesNotSupported`] when the last model list said the
    /// conversation's model does not accept images; then the errors of
    /// [`Engine::send`]. Nothing is stored when any of these is returned.
    pub async fn send_with_attachments(
        &self,
        conversation_id: i64,
        text: &str,
        images: Vec<Attachment>,
    ) -> Result<Turn, EngineError> {
        self.send_with_options(conversation_id, text, images, SendOptions::default())
            .await
    }

    /// [`Engine::send_with_attachments`] with `options`. Before anything is
    /// stored, the request's worst-case cost is reserved against every
    /// spending limit that applies.
    ///
    /// # Errors
    /// As [`Engine::send_with_attachments`], and
    /// [`EngineError::LimitReached`] when a hard limit would be crossed and
    /// `options.allow_over_limit` is off (nothing is stored or sent).
    pub async fn send_with_options(
        &self,
        conversation_id: i64,
        text: &str,
        images: Vec<Attachment>,
        options: SendOptions,
    ) -> Result<Turn, EngineError> {
        let text = text.trim();
        if text.is_empty() && images.is_empty() {
            return Err(EngineError::EmptyMessage);
        }
        for image in &images {
            image.validate()?;
        }
        let conversation = self.conversation(conversation_id).await?;
        let (provider_id, model) = conversation_target(&conversation)?;
        if !images.is_empty() && self.vision.accepts_images(&provider_id, &model) == Some(false) {
            return Err(EngineError::ImagesNotSupported { model });
        }
        let client = self.client(&provider_id).await?;
        let store = self.store();
        let history = store.list_messages(conversation_id).await?;
        let calls = store.list_tool_calls(conversation_id).await?;
        let stored_images = attachments_by_message(store.list_attachments(conversation_id).await?);
        let mut messages = history::request_history(
            conversation.system_prompt.as_deref(),
            &history,
            &calls,
            &stored_images,
        );
        messages.push(ChatMessage::user_with_attachments(text, images.clone()));
        let meter = self
            .meter(&conversation, &provider_id, &model, options)
            .await?;
        let first = meter.preflight(messages.clone()).await?;
        if conversation.title.is_empty() && history.is_empty() {
            let title = match images.first() {
                Some(image) if text.is_empty() => title_from_prompt(&image.name),
                _ => title_from_prompt(text),
            };
            store.rename_conversation(conversation_id, &title).await?;
        }
        let new = NewMessage {
            conversation_id,
            role: Role::User,
            content: text.to_owned(),
            status: MessageStatus::Complete,
            provider_id: None,
            model: None,
        };
        let stored = if images.is_empty() {
            store.insert_message(new).await
        } else {
            store.insert_message_with_attachments(new, images).await
        };
        let user = match stored {
            Ok(user) => user,
            Err(e) => {
                // Nothing will be sent: the hold goes back.
                let _ = store.release(&first.request_id).await;
                return Err(e.into());
            }
        };
        Ok(self.start_turn(
            client,
            &conversation,
            (provider_id, model),
            messages,
            Some(user),
            (meter, first),
        ))
    }
}
