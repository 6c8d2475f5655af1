//! Repository of `conversations`.

use diesel::prelude::*;

use super::error::StoreError;
use super::models::{Conversation, ConversationSettings, NewConversation};
use super::schema::conversations;
use super::{Store, now_ms};
use crate::model::SamplingParameters;

impl Store {
    /// Creates a conversation with `created_at = updated_at = now` and no
    /// system prompt.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] if `provider_id` names no provider;
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn create_conversation(
        &self,
        new: NewConversation,
    ) -> Result<Conversation, StoreError> {
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                if let Some(provider) = &new.provider_id {
                    super::providers::require(conn, provider)?;
                }
                let now = now_ms();
                diesel::insert_into(conversations::table)
                    .values((
                        conversations::title.eq(&new.title),
                        conversations::provider_id.eq(&new.provider_id),
                        conversations::model.eq(&new.model),
                        conversations::created_at.eq(now),
                        conversations::updated_at.eq(now),
                    ))
                    .returning(Conversation::as_returning())
                    .get_result(conn)
                    .map_err(StoreError::during("creating a conversation"))
            })
        })
        .await
    }

    /// Every conversation, most recently active first (`updated_at` desc,
    /// then `id` desc).
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn list_conversations(&self) -> Result<Vec<Conversation>, StoreError> {
        self.run(|conn| {
            conversations::table
                .order((conversations::updated_at.desc(), conversations::id.desc()))
                .select(Conversation::as_select())
                .load(conn)
                .map_err(StoreError::during("listing conversations"))
        })
        .await
    }

    /// The conversation with `id`, or `None`.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn get_conversation(&self, id: i64) -> Result<Option<Conversation>, StoreError> {
        self.run(move |conn| {
            conversations::table
                .find(id)
                .select(Conversation::as_select())
                .first(conn)
                .optional()
                .map_err(StoreError::during("reading a conversation"))
        })
        .await
    }

    /// Sets the title; `updated_at` becomes now.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown `id`; [`StoreError::Pool`],
    /// [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn rename_conversation(&self, id: i64, title: &str) -> Result<(), StoreError> {
        let title = title.to_owned();
        self.run(move |conn| {
            let changed = diesel::update(conversations::table.find(id))
                .set((
                    conversations::title.eq(&title),
                    conversations::updated_at.eq(now_ms()),
                ))
                .execute(conn)
                .map_err(StoreError::during("renaming a conversation"))?;
            expect_one(changed, id)
        })
        .await
    }

    /// Sets the provider and model used for the next message (`None` clears
    /// them); `updated_at` becomes now.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown conversation or provider;
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn set_conversation_model(
        &self,
        id: i64,
        provider_id: Option<&str>,
        model: Option<&str>,
    ) -> Result<(), StoreError> {
        let provider_id = provider_id.map(str::to_owned);
        let model = model.map(str::to_owned);
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                if let Some(provider) = &provider_id {
                    super::providers::require(conn, provider)?;
                }
                let changed = diesel::update(conversations::table.find(id))
                    .set((
                        conversations::provider_id.eq(&provider_id),
                        conversations::model.eq(&model),
                        conversations::updated_at.eq(now_ms()),
                    ))
                    .execute(conn)
                    .map_err(StoreError::during("setting a conversation's model"))?;
                expect_one(changed, id)
            })
        })
        .await
    }

    /// Stores a conversation's generation settings. A blank system prompt is
    /// stored as none; the temperature is clamped to 0.0–2.0 and the output
    /// limit to at least 1 token; the sampling parameters, when given, as
    /// [`SamplingParameters::clamped`] (when `None`, the stored ones stay).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown conversation;
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn set_conversation_settings(
        &self,
        id: i64,
        settings: ConversationSettings,
    ) -> Result<(), StoreError> {
        let system_prompt = settings.system_prompt.filter(|s| !s.trim().is_empty());
        let temperature = settings.temperature.map(|t| t.clamp(0.0, 2.0));
        let max_output_tokens = settings.max_output_tokens.map(|n| n.max(1));
        let sampling = settings.sampling.map(SamplingParameters::clamped);
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                let changed = diesel::update(conversations::table.find(id))
                    .set((
                        conversations::system_prompt.eq(&system_prompt),
                        conversations::temperature.eq(temperature),
                        conversations::max_output_tokens.eq(max_output_tokens),
                        conversations::updated_at.eq(now_ms()),
                    ))
                    .execute(conn)
                    .map_err(StoreError::during("saving a conversation's settings"))?;
                expect_one(changed, id)?;
                if let Some(s) = sampling {
                    diesel::update(conversations::table.find(id))
                        .set((
                            conversations::top_p.eq(s.top_p),
                            conversations::top_k.eq(s.top_k.and_then(|k| i32::try_from(k).ok())),
                            conversations::min_p.eq(s.min_p),
                            conversations::repeat_penalty.eq(s.repeat_penalty),
                            conversations::seed.eq(s.seed.map(i64::from)),
                        ))
                        .execute(conn)
                        .map_err(StoreError::during("saving a conversation's sampling"))?;
                }
                Ok(())
            })
        })
        .await
    }

    /// Deletes the conversation and, by `ON DELETE CASCADE`, its messages
    /// (and their search index entries).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown `id`; [`StoreError::Pool`],
    /// [`StoreError::Query`].
    pub async fn delete_conversation(&self, id: i64) -> Result<(), StoreError> {
        self.run(move |conn| {
            let changed = diesel::delete(conversations::table.find(id))
                .execute(conn)
                .map_err(StoreError::during("deleting a conversation"))?;
            expect_one(changed, id)
        })
        .await
    }
}

/// Marks conversation `id` as active now, inside the caller's transaction.
pub(super) fn touch(conn: &mut SqliteConnection, id: i64, now: i64) -> Result<(), StoreError> {
    let changed = diesel::update(conversations::table.find(id))
        .set(conversations::updated_at.eq(now))
        .execute(conn)
        .map_err(StoreError::during(
            "updating a conversation's activity time",
        ))?;
    expect_one(changed, id)
}

/// `Ok` if a conversation row changed, else `NotFound`.
fn expect_one(changed: usize, id: i64) -> Result<(), StoreError> {
    if changed == 0 {
        Err(StoreError::not_found("conversation", id))
    } else {
        Ok(())
    }
}

/// `Ok` if conversation `id` exists, else `NotFound`.
pub(super) fn require(conn: &mut SqliteConnection, id: i64) -> Result<(), StoreError> {
    let found = diesel::select(diesel::dsl::exists(conversations::table.find(id)))
        .get_result::<bool>(conn)
        .map_err(StoreError::during("looking up a conversation"))?;
    if found {
        Ok(())
    } else {
        Err(StoreError::not_found("conversation", id))
    }
}
