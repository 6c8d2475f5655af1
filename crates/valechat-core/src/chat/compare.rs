//! Side by side (issue 14, part 2): one prompt answered by 2–6 models at
//! once, [`Engine::compare`].
//!
//! The user message is stored once; each model's reply is a sibling
//! assistant message under it, as a regeneration makes. Before anything
//! is stored or sent, the worst case of every column is reserved against
//! the spending limits, one after the other, each seeing the holds of the
//! columns before it: if one column cannot be reserved, the holds already
//! taken go back and nothing is sent. Each column then runs as an ordinary
//! turn (billed, stored, cut off at a hard limit, tool rounds), in
//! parallel; their events arrive merged, tagged with the column, through
//! [`Comparison::next`], and each column ends with a [`ColumnSummary`]
//! (time to first token, tokens per second, tokens, cost, finish reason or
//! error). One failing column does not stop the others.
//! [`Engine::continue_with`] makes one reply the active branch.
//!
//! The window shows up to 4 columns; the MCP server mode (issue 15) may ask
//! for up to [`MAX_COMPARE_MODELS`].
//!
//! Files: `compare/column` (the merged stream and each column's figures).

mod column;

use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

pub use column::{ColumnSummary, CompareEvent, Comparison};

use super::meter::{Meter, RequestMeter};
use super::placement::Placement;
use super::request::{BranchPoint, ConversationTarget, UserInput};
use super::send::title_for;
use super::{Engine, EngineError, SendOptions, history};
use crate::provider::{ChatMessage, ChatProvider};
use crate::store::{Conversation, MessageParent};

/// Fewest models a comparison takes.
pub const MIN_COMPARE_MODELS: usize = 2;
/// Most models a comparison takes (the window offers 4).
pub const MAX_COMPARE_MODELS: usize = 6;

/// One call of [`Engine::compare`].
#[derive(Debug, Clone, PartialEq)]
pub struct CompareRequest {
    /// The conversation: a stored one (the prompt follows its active
    /// branch) or a new one, created with its own provider and model, or
    /// the first column's when it names none.
    pub conversation: ConversationTarget,
    /// The prompt: text and attachments.
    pub input: UserInput,
    /// `(provider id, model id)` of each column, in order; 2 to
    /// [`MAX_COMPARE_MODELS`]. The same model may appear twice.
    pub models: Vec<(String, String)>,
    /// Choices for every column (e.g. over a hard limit once).
    pub options: SendOptions,
}

/// One column ready to run: its client, meter and reservation.
struct Reserved {
    provider_id: String,
    model: String,
    client: std::sync::Arc<dyn ChatProvider>,
    meter: Meter,
    first: RequestMeter,
}

impl Engine {
    /// Sends the request's prompt once and asks every model of
    /// `request.models` for a reply, in parallel. The replies are sibling
    /// assistant messages under the one user message, in column order
    /// (each column starts once the column before it has stored its reply
    /// row, a few milliseconds); the active branch is the last column's
    /// until [`Engine::continue_with`] chooses. Every column is billed and stored as [`Engine::send`]
    /// does.
    ///
    /// All columns are reserved before the user message is stored and
    /// before any request is sent; errors here store and send nothing (a
    /// conversation created for the comparison is deleted again).
    ///
    /// # Errors
    /// - [`EngineError::CompareModelCount`]: fewer than 2 or more than 6
    ///   models;
    /// - [`EngineError::EmptyMessage`], [`EngineError::Attachment`],
    ///   [`EngineError::ImagesNotSupported`] (for the first model that does
    ///   not accept them), [`EngineError::NoModelChosen`] (an empty model
    ///   id);
    /// - [`EngineError::LimitReached`]: reserving one column (after the
    ///   columns before it) would cross the hard limit it names;
    ///   [`EngineError::UnpricedUnderLimit`] for a column's unpriced model;
    /// - unknown provider or conversation, locked keyring, store errors.
    pub async fn compare(&self, request: CompareRequest) -> Result<Comparison, EngineError> {
        let CompareRequest {
            conversation,
            input,
            models,
            options,
        } = request;
        if !(MIN_COMPARE_MODELS..=MAX_COMPARE_MODELS).contains(&models.len()) {
            return Err(EngineError::CompareModelCount(models.len()));
        }
        if models.iter().any(|(_, model)| model.trim().is_empty()) {
            return Err(EngineError::NoModelChosen);
        }
        if input.is_empty() {
            return Err(EngineError::EmptyMessage);
        }
        for image in &input.images {
            image.validate()?;
        }
        match conversation {
            ConversationTarget::Existing(id) => {
                let conversation = self.conversation(id).await?;
                self.compare_in(conversation, false, input, models, options)
                    .await
            }
            ConversationTarget::New(mut new) => {
                if new.provider_id.is_none() || new.model.is_none() {
                    let (provider, model) = models[0].clone();
                    new.provider_id = Some(provider);
                    new.model = Some(model);
                }
                let conversation = self.create_for_send(new).await?;
                let id = conversation.id;
                let started = self
                    .compare_in(conversation, true, input, models, options)
                    .await;
                if started.is_err() {
                    // A refused comparison leaves no empty conversation behind.
                    if let Err(cleanup) = self.store().delete_conversation(id).await {
                        tracing::warn!(%cleanup, "could not delete the conversation of a refused comparison");
                    }
                }
                started
            }
        }
    }

    /// Makes `reply_id` (a column's reply) the active branch: "Continue
    /// with this one". Returns the new active leaf's id (the reply, or the
    /// last message of its continuation). The other replies stay as its
    /// siblings.
    ///
    /// # Errors
    /// [`EngineError::Store`] (an unknown message is `StoreError::NotFound`).
    pub async fn continue_with(&self, reply_id: i64) -> Result<i64, EngineError> {
        Ok(self.store().switch_branch(reply_id).await?)
    }

    /// Reserves every column, stores the user message, starts the turns.
    async fn compare_in(
        &self,
        conversation: Conversation,
        created: bool,
        input: UserInput,
        models: Vec<(String, String)>,
        options: SendOptions,
    ) -> Result<Comparison, EngineError> {
        let Placement {
            history, parent, ..
        } = self.place(&conversation, BranchPoint::ActiveLeaf).await?;
        let UserInput {
            text,
            images,
            resources,
        } = input;
        let text = text.trim();
        let mut messages = self.request_messages(&conversation, &history).await?;
        messages.push(history::user_message(text, images.clone(), &resources));
        let any_image = !images.is_empty() || resources.iter().any(|r| r.image().is_some());
        let columns = self
            .reserve_columns(&conversation, models, &messages, any_image, options)
            .await?;
        let store = self.store();
        if conversation.title.is_empty() && history.is_empty() {
            let title = title_for(text, &images, &resources);
            if let Err(e) = store.rename_conversation(conversation.id, &title).await {
                self.release_holds(&columns).await;
                return Err(e.into());
            }
        }
        let stored = super::send::store_user_message(
            store,
            conversation.id,
            text,
            parent,
            images,
            resources,
        )
        .await;
        let user = match stored {
            Ok(user) => user,
            Err(e) => {
                self.release_holds(&columns).await;
                return Err(e.into());
            }
        };
        let (tx, rx) = mpsc::channel(256);
        let cancel = CancellationToken::new();
        let models: Vec<_> = columns
            .iter()
            .map(|c| (c.provider_id.clone(), c.model.clone()))
            .collect();
        // Each column starts once the one before it has stored its reply
        // row (or ended), so that the siblings are in column order.
        let mut previous: Option<oneshot::Receiver<()>> = None;
        for (index, column) in columns.into_iter().enumerate() {
            let (placed, next) = oneshot::channel();
            let start = column::ColumnStart {
                engine: self.clone(),
                conversation: conversation.clone(),
                client: column.client,
                model: (column.provider_id, column.model),
                messages: messages.clone(),
                parent: MessageParent::Message(user.id),
                billing: (column.meter, column.first),
            };
            tokio::spawn(column::forward(
                index,
                start,
                (previous.replace(next), placed),
                tx.clone(),
                cancel.clone(),
            ));
        }
        Ok(Comparison::new(
            conversation,
            created,
            user,
            models,
            rx,
            cancel,
        ))
    }

    /// Counts and reserves each column's worst case, in order; on the first
    /// refusal every hold taken goes back and the refusal is returned.
    async fn reserve_columns(
        &self,
        conversation: &Conversation,
        models: Vec<(String, String)>,
        messages: &[ChatMessage],
        any_image: bool,
        options: SendOptions,
    ) -> Result<Vec<Reserved>, EngineError> {
        let mut columns: Vec<Reserved> = Vec::with_capacity(models.len());
        for (provider_id, model) in models {
            let reserved = self
                .reserve_column(
                    conversation,
                    (provider_id, model),
                    messages,
                    any_image,
                    options,
                )
                .await;
            match reserved {
                Ok(column) => columns.push(column),
                Err(e) => {
                    self.release_holds(&columns).await;
                    return Err(e);
                }
            }
        }
        Ok(columns)
    }

    /// Gives back the holds of `columns` (nothing will be sent).
    async fn release_holds(&self, columns: &[Reserved]) {
        for column in columns {
            if let Err(release) = self.store().release(&column.first.request_id).await {
                tracing::warn!(%release, "could not release a comparison's hold");
            }
        }
    }

    /// Checks and reserves one column.
    async fn reserve_column(
        &self,
        conversation: &Conversation,
        (provider_id, model): (String, String),
        messages: &[ChatMessage],
        any_image: bool,
        options: SendOptions,
    ) -> Result<Reserved, EngineError> {
        if any_image && self.providers.vision().accepts_images(&provider_id, &model) == Some(false)
        {
            return Err(EngineError::ImagesNotSupported { model });
        }
        let client = self.providers.client(&provider_id).await?;
        let meter = self
            .meter(conversation, &provider_id, &model, options, None)
            .await?;
        let first = meter.preflight(messages.to_vec()).await?;
        Ok(Reserved {
            provider_id,
            model,
            client,
            meter,
            first,
        })
    }
}
