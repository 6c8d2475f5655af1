//! Sending a user message, with or without images and MCP resources:
//! [`Engine::send`], [`Engine::send_with_attachments`] and
//! [`Engine::send_with_resources`].
//!
//! The message and its images are checked first (type sniffed from the
//! bytes, at most 20 MiB each; a model known not to accept images is
//! refused, see `vision`), then stored in one transaction, so a refusal
//! stores nothing. The request carries the whole history, whose earlier
//! user messages keep their stored images.

use super::{
    Engine, EngineError, SendOptions, Turn, conversation_target, history, title_from_prompt,
};
use crate::provider::{Attachment, ResourceAttachment, Role};
use crate::store::{MessageStatus, NewMessage, attachments_by_message};

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
        self.send_with_resources(conversation_id, text, images, Vec::new(), options)
            .await
    }

    /// [`Engine::send_with_options`] with MCP `resources` attached too
    /// (stored with the message; the model reads each as a `<resource>`
    /// block after the text, an image blob as an image part, see
    /// [`ResourceAttachment`]). The text may be empty when anything is
    /// attached.
    ///
    /// # Errors
    /// As [`Engine::send_with_options`]; a resource that is an image counts
    /// as an image for [`EngineError::ImagesNotSupported`].
    pub async fn send_with_resources(
        &self,
        conversation_id: i64,
        text: &str,
        images: Vec<Attachment>,
        resources: Vec<ResourceAttachment>,
        options: SendOptions,
    ) -> Result<Turn, EngineError> {
        let text = text.trim();
        if text.is_empty() && images.is_empty() && resources.is_empty() {
            return Err(EngineError::EmptyMessage);
        }
        for image in &images {
            image.validate()?;
        }
        let conversation = self.conversation(conversation_id).await?;
        let (provider_id, model) = conversation_target(&conversation)?;
        let any_image = !images.is_empty() || resources.iter().any(|r| r.image().is_some());
        if any_image && self.vision.accepts_images(&provider_id, &model) == Some(false) {
            return Err(EngineError::ImagesNotSupported { model });
        }
        let client = self.client(&provider_id).await?;
        let store = self.store();
        let history = store.list_messages(conversation_id).await?;
        let calls = store.list_tool_calls(conversation_id).await?;
        let stored_images = attachments_by_message(store.list_attachments(conversation_id).await?);
        let stored_resources = store.list_resource_attachments(conversation_id).await?;
        let mut messages = history::request_history(
            conversation.system_prompt.as_deref(),
            &history,
            &calls,
            &stored_images,
            &stored_resources,
        );
        messages.push(history::user_message(text, images.clone(), &resources));
        let meter = self
            .meter(&conversation, &provider_id, &model, options)
            .await?;
        let first = meter.preflight(messages.clone()).await?;
        if conversation.title.is_empty() && history.is_empty() {
            let first_name = images
                .first()
                .map(|i| i.name.as_str())
                .or_else(|| resources.first().map(|r| r.name.as_str()));
            let title = match first_name {
                Some(name) if text.is_empty() => title_from_prompt(name),
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
        let stored = if images.is_empty() && resources.is_empty() {
            store.insert_message(new).await
        } else {
            store
                .insert_message_with_resources(new, images, resources)
                .await
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
