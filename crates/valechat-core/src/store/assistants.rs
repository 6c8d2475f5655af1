//! Repository of `assistants` (issue 14, part 3): saved bundles of a name,
//! an icon (an emoji), a system prompt, a model (provider + model), the
//! generation parameters a conversation has ([`ConversationSettings`]) and
//! the MCP servers they enable (`assistant_mcp_servers`). At most one is
//! the default; the flag lives in the database so the window and the CLI
//! agree on it.
//!
//! What a conversation keeps of the assistant it started from is in
//! `assistants/conversation.rs`.

mod conversation;
mod rows;

use diesel::prelude::*;

pub use conversation::ConversationAssistant;
pub(super) use conversation::has_own_servers;
use rows::{
    By, COLUMNS, Row, check, normalise, not_found, read, values, with_servers, write_servers,
};

use super::error::StoreError;
use super::models::ConversationSettings;
use super::schema::{assistant_mcp_servers, assistants};
use super::{Store, now_ms};

/// A saved assistant, as [`Store::list_assistants`] returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct Assistant {
    /// Row id.
    pub id: i64,
    /// Unique display name, e.g. `"Translator"`.
    pub name: String,
    /// An emoji shown beside the name; empty for none.
    pub icon: String,
    /// System prompt of its conversations; `None`: none.
    pub system_prompt: Option<String>,
    /// Provider id of its model; `None` when not chosen, or once that
    /// provider was deleted.
    pub provider_id: Option<String>,
    /// Model id at that provider, as the server names it.
    pub model: Option<String>,
    /// Sampling temperature, 0.0–2.0; `None`: the server's default.
    pub temperature: Option<f32>,
    /// Upper bound on output tokens (≥ 1); `None`: the server's default.
    pub max_output_tokens: Option<i64>,
    /// Ids of the MCP servers its conversations offer tools from, sorted.
    pub mcp_servers: Vec<String>,
    /// Whether it is the default assistant.
    pub is_default: bool,
    /// Creation time, UTC unix milliseconds.
    pub created_at: i64,
    /// Last change, UTC unix milliseconds.
    pub updated_at: i64,
}

impl Assistant {
    /// The conversation settings it gives a new conversation.
    #[must_use]
    pub fn settings(&self) -> ConversationSettings {
        ConversationSettings {
            system_prompt: self.system_prompt.clone(),
            temperature: self.temperature,
            max_output_tokens: self.max_output_tokens,
            sampling: None,
        }
    }

    /// The assistant as a draft, to edit some fields and save it back with
    /// [`Store::edit_assistant`].
    #[must_use]
    pub fn to_draft(&self) -> AssistantDraft {
        AssistantDraft {
            name: self.name.clone(),
            icon: self.icon.clone(),
            system_prompt: self.system_prompt.clone(),
            provider_id: self.provider_id.clone(),
            model: self.model.clone(),
            temperature: self.temperature,
            max_output_tokens: self.max_output_tokens,
            mcp_servers: self.mcp_servers.clone(),
        }
    }
}

/// What [`Store::add_assistant`] and [`Store::edit_assistant`] store.
///
/// The name is trimmed and must not be blank; a blank system prompt or
/// icon is stored as none; the temperature is clamped to 0.0–2.0 and the
/// output limit to at least 1 token (as conversation settings are).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AssistantDraft {
    /// Unique display name.
    pub name: String,
    /// An emoji; empty for none.
    pub icon: String,
    /// System prompt; `None` or blank: none.
    pub system_prompt: Option<String>,
    /// Provider id (a stored provider); needed when `model` is set.
    pub provider_id: Option<String>,
    /// Model id at that provider.
    pub model: Option<String>,
    /// Sampling temperature, 0.0–2.0.
    pub temperature: Option<f32>,
    /// Upper bound on output tokens.
    pub max_output_tokens: Option<i64>,
    /// Ids of stored MCP servers to enable.
    pub mcp_servers: Vec<String>,
}

impl Store {
    /// Every assistant, by name.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn list_assistants(&self) -> Result<Vec<Assistant>, StoreError> {
        self.run(|conn| {
            let rows: Vec<Row> = assistants::table
                .order((assistants::name.asc(), assistants::id.asc()))
                .select(COLUMNS)
                .load(conn)
                .map_err(StoreError::during("listing assistants"))?;
            rows.into_iter()
                .map(|row| with_servers(conn, row))
                .collect()
        })
        .await
    }

    /// The assistant with `id`, or `None`.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn get_assistant(&self, id: i64) -> Result<Option<Assistant>, StoreError> {
        self.run(move |conn| read(conn, By::Id(id))).await
    }

    /// The assistant named exactly `name`, or `None`.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn assistant_named(&self, name: &str) -> Result<Option<Assistant>, StoreError> {
        let name = name.trim().to_owned();
        self.run(move |conn| read(conn, By::Name(name))).await
    }

    /// The default assistant, if one is chosen.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn default_assistant(&self) -> Result<Option<Assistant>, StoreError> {
        self.run(|conn| read(conn, By::Default)).await
    }

    /// Stores a new assistant (not the default).
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a blank name or a model without a
    /// provider; [`StoreError::AlreadyExists`] when the name is taken;
    /// [`StoreError::NotFound`] for an unknown provider or MCP server;
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn add_assistant(&self, draft: AssistantDraft) -> Result<Assistant, StoreError> {
        let draft = normalise(draft)?;
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                check(conn, &draft, None)?;
                let now = now_ms();
                let id: i64 = diesel::insert_into(assistants::table)
                    .values((
                        values(&draft),
                        assistants::created_at.eq(now),
                        assistants::updated_at.eq(now),
                    ))
                    .returning(assistants::id)
                    .get_result(conn)
                    .map_err(StoreError::during("adding an assistant"))?;
                write_servers(conn, id, &draft.mcp_servers)?;
                read(conn, By::Id(id))?.ok_or_else(|| not_found(id))
            })
        })
        .await
    }

    /// Replaces everything of assistant `id` but its default flag; the
    /// conversations started from it keep their own copies.
    ///
    /// # Errors
    /// As [`Store::add_assistant`], and [`StoreError::NotFound`] for an
    /// unknown `id`.
    pub async fn edit_assistant(
        &self,
        id: i64,
        draft: AssistantDraft,
    ) -> Result<Assistant, StoreError> {
        let draft = normalise(draft)?;
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                check(conn, &draft, Some(id))?;
                let changed = diesel::update(assistants::table.find(id))
                    .set((values(&draft), assistants::updated_at.eq(now_ms())))
                    .execute(conn)
                    .map_err(StoreError::during("editing an assistant"))?;
                if changed == 0 {
                    return Err(not_found(id));
                }
                diesel::delete(
                    assistant_mcp_servers::table.filter(assistant_mcp_servers::assistant_id.eq(id)),
                )
                .execute(conn)
                .map_err(StoreError::during("editing an assistant's MCP servers"))?;
                write_servers(conn, id, &draft.mcp_servers)?;
                read(conn, By::Id(id))?.ok_or_else(|| not_found(id))
            })
        })
        .await
    }

    /// Removes assistant `id`. Its conversations stay, with their settings
    /// and the assistant's name and icon as they started.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown `id`; [`StoreError::Pool`],
    /// [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn remove_assistant(&self, id: i64) -> Result<(), StoreError> {
        self.run(move |conn| {
            let changed = diesel::delete(assistants::table.find(id))
                .execute(conn)
                .map_err(StoreError::during("removing an assistant"))?;
            if changed == 0 {
                Err(not_found(id))
            } else {
                Ok(())
            }
        })
        .await
    }

    /// Makes assistant `id` the default (`None`: no default).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown `id`; [`StoreError::Pool`],
    /// [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn set_default_assistant(&self, id: Option<i64>) -> Result<(), StoreError> {
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                diesel::update(assistants::table.filter(assistants::is_default.eq(true)))
                    .set(assistants::is_default.eq(false))
                    .execute(conn)
                    .map_err(StoreError::during("clearing the default assistant"))?;
                let Some(id) = id else {
                    return Ok(());
                };
                let changed = diesel::update(assistants::table.find(id))
                    .set(assistants::is_default.eq(true))
                    .execute(conn)
                    .map_err(StoreError::during("choosing the default assistant"))?;
                if changed == 0 {
                    Err(not_found(id))
                } else {
                    Ok(())
                }
            })
        })
        .await
    }
}
