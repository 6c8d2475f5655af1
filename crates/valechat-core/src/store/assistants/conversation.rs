//! What a conversation keeps of the assistant it started from: the link
//! (`conversation_assistants`, with the assistant's name and icon as they
//! were, so the header still shows them after the assistant is removed)
//! and its own copy of the assistant's MCP servers
//! (`conversation_mcp_servers`), which it can change without changing the
//! assistant.

use diesel::prelude::*;

use super::super::Store;
use super::super::error::StoreError;
use super::super::schema::{conversation_assistants, conversation_mcp_servers, mcp_servers};
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
    /// (those still configured). The conversation's model and settings are
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
    /// `Some(ids)` (sorted, maybe empty) for a conversation started from an
    /// assistant, `None` for one that offers every enabled server.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn conversation_mcp_servers(
        &self,
        conversation_id: i64,
    ) -> Result<Option<Vec<String>>, StoreError> {
        self.run(move |conn| {
            let linked = diesel::select(diesel::dsl::exists(
                conversation_assistants::table.find(conversation_id),
            ))
            .get_result::<bool>(conn)
            .map_err(StoreError::during("reading a conversation's assistant"))?;
            if !linked {
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

    /// Replaces the MCP servers of conversation `conversation_id`, which
    /// started from an assistant; the assistant is not changed.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the conversation did not start from an
    /// assistant, or for an unknown MCP server; [`StoreError::Pool`],
    /// [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn set_conversation_mcp_servers(
        &self,
        conversation_id: i64,
        servers: Vec<String>,
    ) -> Result<(), StoreError> {
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                let linked = diesel::select(diesel::dsl::exists(
                    conversation_assistants::table.find(conversation_id),
                ))
                .get_result::<bool>(conn)
                .map_err(StoreError::during("reading a conversation's assistant"))?;
                if !linked {
                    return Err(StoreError::not_found(
                        "conversation started from an assistant",
                        conversation_id,
                    ));
                }
                for server in &servers {
                    let found =
                        diesel::select(diesel::dsl::exists(mcp_servers::table.find(server)))
                            .get_result::<bool>(conn)
                            .map_err(StoreError::during("looking up an MCP server"))?;
                    if !found {
                        return Err(StoreError::not_found("MCP server", server));
                    }
                }
                write_servers(conn, conversation_id, &servers)
            })
        })
        .await
    }
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
