//! What a conversation keeps of the assistant it started from: the link
//! (`conversation_assistants`, with the assistant's name and icon as they
//! were, so the header still shows them after the assistant is removed)
//! and its own copy of the assistant's MCP servers
//! (`conversation_mcp_servers`), which it can change without changing the
//! assistant. A conversation that started from no assistant gets its own
//! list too once its servers are chosen in its settings. A row of
//! `conversation_server_choices` marks every conversation with its own
//! list, whatever it started from; without one a conversation offers every
//! enabled server, including servers added later, and
//! [`Store::use_all_enabled_mcp_servers`] takes a conversation back there.

use diesel::prelude::*;

use super::super::Store;
use super::super::error::StoreError;
use super::super::schema::{
    conversation_assistants, conversation_mcp_servers, conversation_server_choices, mcp_servers,
};
use super::Assistant;

/// The assistant a conversation started from, as
/// [`Store::conversation_assistant`] returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationAssistant {
    /// The assistant's id; `None` once it was removed.
    pub assistant_id: Option<i64>,
    /// Its name when the conversation started.
    pub name: String,
    /// Its icon (an emoji, or empty) when the conversation started.
    pub icon: String,
}

impl Store {
    /// Records that conversation `conversation_id` started from
    /// `assistant` and gives it a copy of the assistant's MCP servers
    /// (those still configured) as its own list, which it offers only. The
    /// conversation's model and settings are
    /// the caller's to store ([`Assistant::settings`]). Replaces an earlier
    /// record.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown conversation;
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn start_conversation_from(
        &self,
        conversation_id: i64,
        assistant: &Assistant,
    ) -> Result<(), StoreError> {
        let assistant = assistant.clone();
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                super::super::conversations::require(conn, conversation_id)?;
                diesel::replace_into(conversation_assistants::table)
                    .values((
                        conversation_assistants::conversation_id.eq(conversation_id),
                        conversation_assistants::assistant_id.eq(assistant.id),
                        conversation_assistants::name.eq(&assistant.name),
                        conversation_assistants::icon.eq(&assistant.icon),
                    ))
                    .execute(conn)
                    .map_err(StoreError::during(
                        "linking a conversation to its assistant",
                    ))?;
                mark_own_servers(conn, conversation_id)?;
                write_servers(conn, conversation_id, &assistant.mcp_servers)
            })
        })
        .await
    }

    /// The assistant conversation `conversation_id` started from, if any.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn conversation_assistant(
        &self,
        conversation_id: i64,
    ) -> Result<Option<ConversationAssistant>, StoreError> {
        self.run(move |conn| {
            conversation_assistants::table
                .find(conversation_id)
                .select((
                    conversation_assistants::assistant_id,
                    conversation_assistants::name,
                    conversation_assistants::icon,
                ))
                .first::<(Option<i64>, String, String)>(conn)
                .optional()
                .map(|row| {
                    row.map(|(assistant_id, name, icon)| ConversationAssistant {
                        assistant_id,
                        name,
                        icon,
                    })
                })
                .map_err(StoreError::during("reading a conversation's assistant"))
        })
        .await
    }

    /// The MCP servers whose tools conversation `conversation_id` offers:
    /// `Some(ids)` (sorted, maybe empty) for a conversation with its own
    /// list (started from an assistant, or whose servers were chosen with
    /// [`Store::set_conversation_mcp_servers`]), `None` for one that offers
    /// every enabled server (never given a list, or taken back with
    /// [`Store::use_all_enabled_mcp_servers`]).
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn conversation_mcp_servers(
        &self,
        conversation_id: i64,
    ) -> Result<Option<Vec<String>>, StoreError> {
        self.run(move |conn| {
            if !has_own_servers(conn, conversation_id)? {
                return Ok(None);
            }
            conversation_mcp_servers::table
                .filter(conversation_mcp_servers::conversation_id.eq(conversation_id))
                .order(conversation_mcp_servers::server_id.asc())
                .select(conversation_mcp_servers::server_id)
                .load(conn)
                .map(Some)
                .map_err(StoreError::during("reading a conversation's MCP servers"))
        })
        .await
    }

    /// Replaces the MCP servers whose tools conversation `conversation_id`
    /// offers with `servers` (ids of configured servers; empty: none),
    /// whatever it started from. A conversation started from an assistant
    /// changes its own copy (the assistant is not changed); any other one
    /// offers these servers only from now on, instead of every enabled one.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown conversation or MCP server
    /// (nothing is changed); [`StoreError::Pool`], [`StoreError::Query`],
    /// [`StoreError::DiskFull`].
    pub async fn set_conversation_mcp_servers(
        &self,
        conversation_id: i64,
        servers: Vec<String>,
    ) -> Result<(), StoreError> {
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                super::super::conversations::require(conn, conversation_id)?;
                for server in &servers {
                    let found =
                        diesel::select(diesel::dsl::exists(mcp_servers::table.find(server)))
                            .get_result::<bool>(conn)
                            .map_err(StoreError::during("looking up an MCP server"))?;
                    if !found {
                        return Err(StoreError::not_found("MCP server", server));
                    }
                }
                mark_own_servers(conn, conversation_id)?;
                write_servers(conn, conversation_id, &servers)
            })
        })
        .await
    }

    /// Takes conversation `conversation_id` back to every enabled MCP
    /// server: its own list (an assistant's copy, or servers chosen with
    /// [`Store::set_conversation_mcp_servers`]) is removed, and from now on
    /// it offers the tools of every server enabled at the time of each
    /// request, servers added later included. The assistant it started
    /// from stays recorded. Nothing changes for a conversation without its
    /// own list.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown conversation;
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn use_all_enabled_mcp_servers(
        &self,
        conversation_id: i64,
    ) -> Result<(), StoreError> {
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                super::super::conversations::require(conn, conversation_id)?;
                diesel::delete(conversation_server_choices::table.find(conversation_id))
                    .execute(conn)
                    .map_err(StoreError::during(
                        "taking a conversation back to every enabled MCP server",
                    ))?;
                write_servers(conn, conversation_id, &[])
            })
        })
        .await
    }
}

/// Whether conversation `conversation_id` offers its own servers only
/// (`conversation_server_choices` has its row).
pub(in super::super) fn has_own_servers(
    conn: &mut SqliteConnection,
    conversation_id: i64,
) -> Result<bool, StoreError> {
    diesel::select(diesel::dsl::exists(
        conversation_server_choices::table.find(conversation_id),
    ))
    .get_result::<bool>(conn)
    .map_err(StoreError::during("reading a conversation's MCP servers"))
}

/// Marks conversation `conversation_id` as offering its own servers only.
fn mark_own_servers(conn: &mut SqliteConnection, conversation_id: i64) -> Result<(), StoreError> {
    diesel::insert_or_ignore_into(conversation_server_choices::table)
        .values(conversation_server_choices::conversation_id.eq(conversation_id))
        .execute(conn)
        .map(drop)
        .map_err(StoreError::during("choosing a conversation's MCP servers"))
}

/// Replaces the conversation's servers with those of `servers` that are
/// configured.
fn write_servers(
    conn: &mut SqliteConnection,
    conversation_id: i64,
    servers: &[String],
) -> Result<(), StoreError> {
    diesel::delete(
        conversation_mcp_servers::table
            .filter(conversation_mcp_servers::conversation_id.eq(conversation_id)),
    )
    .execute(conn)
    .map_err(StoreError::during("replacing a conversation's MCP servers"))?;
    for server in servers {
        let found = diesel::select(diesel::dsl::exists(mcp_servers::table.find(server)))
            .get_result::<bool>(conn)
            .map_err(StoreError::during("looking up an MCP server"))?;
        if !found {
            continue;
        }
        diesel::insert_into(conversation_mcp_servers::table)
            .values((
                conversation_mcp_servers::conversation_id.eq(conversation_id),
                conversation_mcp_servers::server_id.eq(server),
            ))
            .execute(conn)
            .map_err(StoreError::during("storing a conversation's MCP servers"))?;
    }
    Ok(())
}
