//! Sending a user message: [`Engine::send`], the one way every front end
//! sends.
//!
//! The input is checked first (not empty; images sniffed from their bytes,
//! at most 20 MiB each; a model known not to accept images is refused, see
//! `vision`). A new conversation is created next, with its settings, MCP
//! servers and workspace folders; then the worst-case cost is reserved against the
//! spending limits and the message and its attachments are stored in one
//! transaction. A refusal at any step stores nothing: a conversation
//! created for the message is deleted again. The request carries the path
//! the turn continues (`placement`: the active branch, or for an edit or a
//! regeneration the path above the message replaced), whose earlier user
//! messages keep their stored images.

use super::placement::{Placement, PlacementKind};
use super::request::{
    BranchPoint, ConversationTarget, McpServerChoice, NewConversationRequest, SendRequest,
    UserInput,
};
use super::{
    Engine, EngineError, SendOptions, Turn, TurnEvent, conversation_target, history,
    title_from_prompt,
};
use crate::provider::{Attachment, ChatMessage, ResourceAttachment, Role};
use crate::store::{
    Conversation, Message, MessageParent, MessageStatus, NewConversation, NewMessage,
    attachments_by_message,
};

impl Engine {
    /// Sends the request's input as the user's next message and starts the
    /// assistant's reply with the conversation's provider and model; or,
    /// placed at [`BranchPoint::Edit`], stores the input as a new version
    /// of a user message and answers it; or, at
    /// [`BranchPoint::Regenerate`], starts a new version of a reply (with
    /// another model if asked). The new messages become the active branch.
    ///
    /// The user message is stored before this returns. A conversation
    /// created for it ([`ConversationTarget::New`]) is announced by the
    /// turn's first event, [`TurnEvent::ConversationCreated`]. Errors before
    /// the stream opens are returned here, and nothing is stored then;
    /// everything after arrives as [`TurnEvent::Failed`].
    ///
    /// # Errors
    /// - [`EngineError::EmptyMessage`]: blank text and nothing attached;
    /// - [`EngineError::Attachment`]: an image is not PNG, JPEG, WebP or GIF
    ///   (sniffed from its bytes) or is over 20 MiB;
    /// - [`EngineError::NoModelChosen`]: the conversation has no provider
    ///   and model;
    /// - [`EngineError::ImagesNotSupported`]: the last model list said the
    ///   model does not accept images (an image resource counts as an image);
    /// - [`EngineError::LimitReached`]: a hard spending limit would be
    ///   crossed and `options.allow_over_limit` is off;
    /// - [`EngineError::MessageNotInConversation`],
    ///   [`EngineError::NotAUserMessage`] (an edit of a reply),
    ///   [`EngineError::NotAReply`] (a regeneration of a user message),
    ///   [`EngineError::InputWithRegenerate`] (a regeneration with text or
    ///   attachments): a branch point that does not fit;
    /// - unknown provider, locked keyring and store errors.
    pub async fn send(&self, request: SendRequest) -> Result<Turn, EngineError> {
        let SendRequest {
            conversation,
            branch,
            input,
            options,
            client: asker,
        } = request;
        match &branch {
            BranchPoint::Regenerate { .. } if !input.is_empty() => {
                return Err(EngineError::InputWithRegenerate);
            }
            BranchPoint::Regenerate { .. } => {}
            _ if input.is_empty() => return Err(EngineError::EmptyMessage),
            _ => {}
        }
        for image in &input.images {
            image.validate()?;
        }
        match conversation {
            ConversationTarget::Existing(id) => {
                let conversation = self.conversation(id).await?;
                self.send_in(&conversation, branch, input, (options, asker))
                    .await
            }
            ConversationTarget::New(new) => {
                // A new conversation has no message to edit or regenerate.
                match branch {
                    BranchPoint::Edit { message_id, .. }
                    | BranchPoint::Regenerate { message_id, .. } => {
                        return Err(EngineError::MessageNotInConversation(message_id));
                    }
                    BranchPoint::ActiveLeaf => {}
                }
                let conversation = self.create_for_send(new).await?;
                match self
                    .send_in(
                        &conversation,
                        BranchPoint::ActiveLeaf,
                        input,
                        (options, asker),
                    )
                    .await
                {
                    Ok(turn) => Ok(turn.announcing(TurnEvent::ConversationCreated(conversation))),
                    Err(e) => {
                        // The refused message leaves no empty conversation behind.
                        if let Err(cleanup) =
                            self.store().delete_conversation(conversation.id).await
                        {
                            tracing::warn!(%cleanup, "could not delete the conversation of a refused send");
                        }
                        Err(e)
                    }
                }
            }
        }
    }

    /// Stores a conversation for [`ConversationTarget::New`], with its
    /// settings, the assistant it starts from, the MCP servers chosen for
    /// it and its workspace folders.
    pub(super) async fn create_for_send(
        &self,
        new: NewConversationRequest,
    ) -> Result<Conversation, EngineError> {
        let (Some(provider_id), Some(model)) = (new.provider_id, new.model) else {
            return Err(EngineError::NoModelChosen);
        };
        if model.is_empty() {
            return Err(EngineError::NoModelChosen);
        }
        let store = self.store();
        let conversation = store
            .create_conversation(NewConversation {
                title: String::new(),
                provider_id: Some(provider_id),
                model: Some(model),
            })
            .await?;
        let id = conversation.id;
        let filled = async {
            store.set_conversation_settings(id, new.settings).await?;
            if let Some(assistant) = &new.assistant {
                store.start_conversation_from(id, assistant).await?;
            }
            match new.mcp_servers {
                McpServerChoice::Default => {}
                McpServerChoice::AllEnabled => store.use_all_enabled_mcp_servers(id).await?,
                McpServerChoice::Only(servers) => {
                    store.set_conversation_mcp_servers(id, servers).await?;
                }
            }
            for folder in &new.folders {
                store
                    .add_conversation_root(id, &folder.path.to_string_lossy(), &folder.name)
                    .await?;
            }
            store.get_conversation(id).await
        }
        .await;
        match filled {
            Ok(Some(conversation)) => Ok(conversation),
            Ok(None) => Err(EngineError::UnknownConversation(id)),
            Err(e) => {
                let _ = store.delete_conversation(id).await;
                Err(e.into())
            }
        }
    }

    /// Sends `input` (checked) in the stored `conversation`, placed at
    /// `branch`.
    async fn send_in(
        &self,
        conversation: &Conversation,
        branch: BranchPoint,
        input: UserInput,
        (options, asker): (SendOptions, Option<String>),
    ) -> Result<Turn, EngineError> {
        let conversation_id = conversation.id;
        let Placement {
            history,
            parent,
            kind,
        } = self.place(conversation, branch).await?;
        let (kept_images, kept_resources, chosen) = match kind {
            PlacementKind::User { images, resources } => (images, resources, None),
            PlacementKind::Reply { model } => (Vec::new(), Vec::new(), Some(model)),
        };
        let regenerating = chosen.is_some();
        let UserInput {
            text,
            images: new_images,
            resources: new_resources,
        } = input;
        let images: Vec<_> = kept_images.into_iter().chain(new_images).collect();
        let resources: Vec<_> = kept_resources.into_iter().chain(new_resources).collect();
        let text = text.trim();
        let (provider_id, model) = match chosen.flatten() {
            Some((provider_id, model)) if !model.is_empty() => (provider_id, model),
            Some(_) => return Err(EngineError::NoModelChosen),
            None => conversation_target(conversation)?,
        };
        let any_image = !images.is_empty() || resources.iter().any(|r| r.image().is_some());
        if any_image && self.providers.vision().accepts_images(&provider_id, &model) == Some(false)
        {
            return Err(EngineError::ImagesNotSupported { model });
        }
        let client = self.providers.client(&provider_id).await?;
        let store = self.store();
        let mut messages = self.request_messages(conversation, &history).await?;
        if regenerating {
            // A new reply to the same messages: nothing new is stored
            // before the reply itself.
            let meter = self
                .meter(conversation, &provider_id, &model, options, asker.clone())
                .await?;
            let first = meter.preflight(messages.clone()).await?;
            return Ok(self.start_turn(
                client,
                conversation,
                (provider_id, model),
                messages,
                (None, parent),
                (meter, first),
            ));
        }
        messages.push(history::user_message(text, images.clone(), &resources));
        let meter = self
            .meter(conversation, &provider_id, &model, options, asker.clone())
            .await?;
        let first = meter.preflight(messages.clone()).await?;
        if conversation.title.is_empty() && history.is_empty() {
            let title = title_for(text, &images, &resources);
            store.rename_conversation(conversation_id, &title).await?;
        }
        let stored =
            store_user_message(store, conversation_id, text, parent, images, resources).await;
        let user = match stored {
            Ok(user) => user,
            Err(e) => {
                // Nothing will be sent: the hold goes back.
                let _ = store.release(&first.request_id).await;
                return Err(e.into());
            }
        };
        let reply_parent = MessageParent::Message(user.id);
        Ok(self.start_turn(
            client,
            conversation,
            (provider_id, model),
            messages,
            (Some(user), reply_parent),
            (meter, first),
        ))
    }

    /// The request's messages for a turn continuing `history` (a path of
    /// `conversation`): the system prompt, then each message with its tool
    /// calls, images and resources as stored.
    pub(super) async fn request_messages(
        &self,
        conversation: &Conversation,
        history: &[Message],
    ) -> Result<Vec<ChatMessage>, EngineError> {
        let store = self.store();
        let calls = store.list_tool_calls(conversation.id).await?;
        let images = attachments_by_message(store.list_attachments(conversation.id).await?);
        let resources = store.list_resource_attachments(conversation.id).await?;
        Ok(history::request_history(
            conversation.system_prompt.as_deref(),
            history,
            &calls,
            &images,
            &resources,
        ))
    }
}

/// A new conversation's title from its first message: the text, or the
/// first attachment's name when there is no text.
pub(super) fn title_for(
    text: &str,
    images: &[Attachment],
    resources: &[ResourceAttachment],
) -> String {
    let first_name = images
        .first()
        .map(|i| i.name.as_str())
        .or_else(|| resources.first().map(|r| r.name.as_str()));
    match first_name {
        Some(name) if text.is_empty() => title_from_prompt(name),
        _ => title_from_prompt(text),
    }
}

/// Stores the user's message `text` in conversation `conversation_id`
/// under `parent`, with its images and MCP resources (in one transaction
/// when there are any).
///
/// # Errors
/// The store's error (nothing is written then).
pub(super) async fn store_user_message(
    store: &crate::store::Store,
    conversation_id: i64,
    text: &str,
    parent: MessageParent,
    images: Vec<Attachment>,
    resources: Vec<ResourceAttachment>,
) -> Result<crate::store::Message, crate::store::StoreError> {
    let new = NewMessage {
        conversation_id,
        role: Role::User,
        content: text.to_owned(),
        status: MessageStatus::Complete,
        provider_id: None,
        model: None,
    };
    if images.is_empty() && resources.is_empty() {
        store.insert_message_at(new, parent).await
    } else {
        store
            .insert_message_with_resources_at(new, parent, images, resources)
            .await
    }
}
