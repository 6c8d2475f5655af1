//! The rows behind [`Store`](super::super::Store)'s assistant methods:
//! reading an assistant with its MCP servers, checking and writing a draft.

use diesel::prelude::*;

use super::super::error::StoreError;
use super::super::schema::{assistant_mcp_servers, assistants, mcp_servers};
use super::{Assistant, AssistantDraft};

pub(super) type Row = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<f32>,
    Option<i64>,
    bool,
    i64,
    i64,
);

pub(super) const COLUMNS: (
    assistants::id,
    assistants::name,
    assistants::icon,
    assistants::system_prompt,
    assistants::provider_id,
    assistants::model,
    assistants::temperature,
    assistants::max_output_tokens,
    assistants::is_default,
    assistants::created_at,
    assistants::updated_at,
) = (
    assistants::id,
    assistants::name,
    assistants::icon,
    assistants::system_prompt,
    assistants::provider_id,
    assistants::model,
    assistants::temperature,
    assistants::max_output_tokens,
    assistants::is_default,
    assistants::created_at,
    assistants::updated_at,
);

pub(super) fn not_found(id: i64) -> StoreError {
    StoreError::not_found("assistant", id)
}

/// Trims and clamps a draft; refuses a blank name and a model without a
/// provider.
pub(super) fn normalise(mut draft: AssistantDraft) -> Result<AssistantDraft, StoreError> {
    draft.name = draft.name.trim().to_owned();
    if draft.name.is_empty() {
        return Err(StoreError::Invalid {
            what: "assistant name",
            reason: "it is blank",
        });
    }
    draft.icon = draft.icon.trim().to_owned();
    draft.system_prompt = draft.system_prompt.filter(|s| !s.trim().is_empty());
    draft.model = draft.model.filter(|m| !m.trim().is_empty());
    if draft.model.is_some() && draft.provider_id.is_none() {
        return Err(StoreError::Invalid {
            what: "assistant model",
            reason: "a model needs its provider",
        });
    }
    draft.temperature = draft.temperature.map(|t| t.clamp(0.0, 2.0));
    draft.max_output_tokens = draft.max_output_tokens.map(|n| n.max(1));
    draft.mcp_servers.sort();
    draft.mcp_servers.dedup();
    Ok(draft)
}

/// Refuses a name another assistant than `own` has, an unknown provider
/// and unknown MCP servers.
pub(super) fn check(
    conn: &mut SqliteConnection,
    draft: &AssistantDraft,
    own: Option<i64>,
) -> Result<(), StoreError> {
    let holder: Option<i64> = assistants::table
        .filter(assistants::name.eq(&draft.name))
        .select(assistants::id)
        .first(conn)
        .optional()
        .map_err(StoreError::during("looking up an assistant's name"))?;
    if holder.is_some_and(|holder| Some(holder) != own) {
        return Err(StoreError::AlreadyExists {
            what: "assistant",
            name: draft.name.clone(),
        });
    }
    if let Some(provider) = &draft.provider_id {
        super::super::providers::require(conn, provider)?;
    }
    for server in &draft.mcp_servers {
        let found = diesel::select(diesel::dsl::exists(mcp_servers::table.find(server)))
            .get_result::<bool>(conn)
            .map_err(StoreError::during("looking up an MCP server"))?;
        if !found {
            return Err(StoreError::not_found("MCP server", server));
        }
    }
    Ok(())
}

#[allow(
    clippy::type_complexity,
    reason = "diesel's tuple of column assignments"
)]
pub(super) fn values(
    draft: &AssistantDraft,
) -> (
    diesel::dsl::Eq<assistants::name, &String>,
    diesel::dsl::Eq<assistants::icon, &String>,
    diesel::dsl::Eq<assistants::system_prompt, &Option<String>>,
    diesel::dsl::Eq<assistants::provider_id, &Option<String>>,
    diesel::dsl::Eq<assistants::model, &Option<String>>,
    diesel::dsl::Eq<assistants::temperature, Option<f32>>,
    diesel::dsl::Eq<assistants::max_output_tokens, Option<i64>>,
) {
    (
        assistants::name.eq(&draft.name),
        assistants::icon.eq(&draft.icon),
        assistants::system_prompt.eq(&draft.system_prompt),
        assistants::provider_id.eq(&draft.provider_id),
        assistants::model.eq(&draft.model),
        assistants::temperature.eq(draft.temperature),
        assistants::max_output_tokens.eq(draft.max_output_tokens),
    )
}

pub(super) fn write_servers(
    conn: &mut SqliteConnection,
    assistant_id: i64,
    servers: &[String],
) -> Result<(), StoreError> {
    for server in servers {
        diesel::insert_into(assistant_mcp_servers::table)
            .values((
                assistant_mcp_servers::assistant_id.eq(assistant_id),
                assistant_mcp_servers::server_id.eq(server),
            ))
            .execute(conn)
            .map_err(StoreError::during("storing an assistant's MCP servers"))?;
    }
    Ok(())
}

/// Which assistant [`read`] reads.
pub(super) enum By {
    /// By row id.
    Id(i64),
    /// By exact name.
    Name(String),
    /// The default assistant.
    Default,
}

/// The one assistant `by` names, with its servers.
pub(super) fn read(conn: &mut SqliteConnection, by: By) -> Result<Option<Assistant>, StoreError> {
    let query = assistants::table.select(COLUMNS).into_boxed();
    let query = match by {
        By::Id(id) => query.filter(assistants::id.eq(id)),
        By::Name(name) => query.filter(assistants::name.eq(name)),
        By::Default => query.filter(assistants::is_default.eq(true)),
    };
    let row: Option<Row> = query
        .first(conn)
        .optional()
        .map_err(StoreError::during("reading an assistant"))?;
    row.map(|row| with_servers(conn, row)).transpose()
}

pub(super) fn with_servers(conn: &mut SqliteConnection, row: Row) -> Result<Assistant, StoreError> {
    let (
        id,
        name,
        icon,
        system_prompt,
        provider_id,
        model,
        temperature,
        max_output_tokens,
        is_default,
        created_at,
        updated_at,
    ) = row;
    let mcp_servers = assistant_mcp_servers::table
        .filter(assistant_mcp_servers::assistant_id.eq(id))
        .order(assistant_mcp_servers::server_id.asc())
        .select(assistant_mcp_servers::server_id)
        .load(conn)
        .map_err(StoreError::during("reading an assistant's MCP servers"))?;
    Ok(Assistant {
        id,
        name,
        icon,
        system_prompt,
        provider_id,
        model,
        temperature,
        max_output_tokens,
        mcp_servers,
        is_default,
        created_at,
        updated_at,
    })
}
