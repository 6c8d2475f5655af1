//! Where a turn goes in the conversation's tree ([`BranchPoint`]): the
//! history the model is given (a path from the first message, never other
//! branches), the parent of the turn's first new message, and for an edit
//! the attachments carried over from the edited message.

use super::request::BranchPoint;
use super::{Engine, EngineError};
use crate::provider::{Attachment, ResourceAttachment, Role};
use crate::store::{Conversation, Message, MessageParent};

/// A [`BranchPoint`] resolved against the stored conversation.
pub(super) struct Placement {
    /// The path the turn continues, first message first.
    pub history: Vec<Message>,
    /// Where the turn's first new message goes: the user message of a new
    /// turn or an edit, the reply of a regeneration.
    pub parent: MessageParent,
    /// What the turn adds first.
    pub kind: PlacementKind,
}

/// What a placed turn adds first.
pub(super) enum PlacementKind {
    /// A user message (a new turn or an edit), preceded by these images
    /// and resources (an edit's kept attachments; empty otherwise).
    User {
        images: Vec<Attachment>,
        resources: Vec<ResourceAttachment>,
    },
    /// A reply only (a regeneration), with this `(provider, model)`
    /// instead of the conversation's when `Some`.
    Reply { model: Option<(String, String)> },
}

impl Engine {
    /// Resolves `branch` in `conversation`.
    ///
    /// # Errors
    /// [`EngineError::MessageNotInConversation`] for a message id that is
    /// not in the conversation; [`EngineError::NotAUserMessage`] for an
    /// edit of a reply; [`EngineError::NotAReply`] for a regeneration of
    /// a user message; store errors.
    pub(super) async fn place(
        &self,
        conversation: &Conversation,
        branch: BranchPoint,
    ) -> Result<Placement, EngineError> {
        let store = self.store();
        match branch {
            BranchPoint::ActiveLeaf => {
                let history = store.active_path(conversation.id).await?;
                let parent = history
                    .last()
                    .map_or(MessageParent::Root, |m| MessageParent::Message(m.id));
                Ok(Placement {
                    history,
                    parent,
                    kind: PlacementKind::User {
                        images: Vec::new(),
                        resources: Vec::new(),
                    },
                })
            }
            BranchPoint::Edit {
                message_id,
                keep_attachments,
            } => {
                let edited = self.message_in(conversation, message_id).await?;
                if edited.role != Role::User {
                    return Err(EngineError::NotAUserMessage(message_id));
                }
                let (images, resources) = if keep_attachments {
                    let mut resources = store.list_resource_attachments(conversation.id).await?;
                    (
                        store.message_attachments(message_id).await?,
                        resources.remove(&message_id).unwrap_or_default(),
                    )
                } else {
                    (Vec::new(), Vec::new())
                };
                Ok(Placement {
                    history: self.path_above(&edited).await?,
                    parent: edited
                        .parent_id
                        .map_or(MessageParent::Root, MessageParent::Message),
                    kind: PlacementKind::User { images, resources },
                })
            }
            BranchPoint::Regenerate { message_id, model } => {
                let reply = self.message_in(conversation, message_id).await?;
                let Some(parent) = reply.parent_id.filter(|_| reply.role == Role::Assistant) else {
                    return Err(EngineError::NotAReply(message_id));
                };
                Ok(Placement {
                    history: self.path_above(&reply).await?,
                    parent: MessageParent::Message(parent),
                    kind: PlacementKind::Reply { model },
                })
            }
        }
    }

    /// Message `id`, if it belongs to `conversation`.
    async fn message_in(
        &self,
        conversation: &Conversation,
        id: i64,
    ) -> Result<Message, EngineError> {
        match self.store().message(id).await? {
            Some(message) if message.conversation_id == conversation.id => Ok(message),
            _ => Err(EngineError::MessageNotInConversation(id)),
        }
    }

    /// The path down to `message`'s parent (empty for a first message).
    async fn path_above(&self, message: &Message) -> Result<Vec<Message>, EngineError> {
        Ok(match message.parent_id {
            Some(parent) => self.store().path_to(parent).await?,
            None => Vec::new(),
        })
    }
}
