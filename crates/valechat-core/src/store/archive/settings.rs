//! The settings of a conversation that live beside its plain columns: the
//! sampling parameters (REAL columns read and written as the doubles
//! SQLite holds, not diesel's `Float`, so the round trip is exact) and the
//! MCP servers it offers (`conversation_server_choices`,
//! `conversation_mcp_servers`), carried by server name.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Nullable};

use super::super::error::StoreError;
use super::super::schema::{
    conversation_mcp_servers, conversation_server_choices, conversations, mcp_servers,
};
use crate::model::archive::{ArchivedSampling, ArchivedServer};

/// The temperature and the sampling parameters of conversation `id`.
pub(super) fn read_sampling(
    conn: &mut SqliteConnection,
    id: i64,
) -> Result<(Option<f64>, ArchivedSampling), StoreError> {
    let (temperature, top_p, min_p, repeat_penalty, top_k, seed) = conversations::table
        .find(id)
        .select((
            sql::<Nullable<Double>>("temperature"),
            sql::<Nullable<Double>>("top_p"),
            sql::<Nullable<Double>>("min_p"),
            sql::<Nullable<Double>>("repeat_penalty"),
            sql::<Nullable<BigInt>>("top_k"),
            sql::<Nullable<BigInt>>("seed"),
        ))
        .first::<(
            Option<f64>,
            Option<f64>,
            Option<f64>,
            Option<f64>,
            Option<i64>,
            Option<i64>,
        )>(conn)
        .map_err(StoreError::during(
            "reading a conversation's sampling to export",
        ))?;
    Ok((
        temperature,
        ArchivedSampling {
            top_p,
            top_k,
            min_p,
            repeat_penalty,
            seed,
        },
    ))
}

/// Writes the temperature and sampling parameters of the new conversation
/// `id`, after checking each is in its range (as the store's settings
/// keep them).
pub(super) fn write_sampling(
    conn: &mut SqliteConnection,
    id: i64,
    temperature: Option<f64>,
    s: &ArchivedSampling,
) -> Result<(), StoreError> {
    in_range("conversations.top_p", s.top_p, |p| p > 0.0 && p <= 1.0)?;
    in_range("conversations.min_p", s.min_p, |p| (0.0..=1.0).contains(&p))?;
    in_range("conversations.repeat_penalty", s.repeat_penalty, |p| {
        (0.0..=2.0).contains(&p)
    })?;
    in_range("conversations.top_k", s.top_k, |k| {
        (1..=i64::from(i32::MAX)).contains(&k)
    })?;
    in_range("conversations.seed", s.seed, |n| {
        (0..=i64::from(u32::MAX)).contains(&n)
    })?;
    diesel::sql_query(
        "UPDATE conversations SET temperature = ?, top_p = ?, min_p = ?, repeat_penalty = ?, \
         top_k = ?, seed = ? WHERE id = ?",
    )
    .bind::<Nullable<Double>, _>(temperature)
    .bind::<Nullable<Double>, _>(s.top_p)
    .bind::<Nullable<Double>, _>(s.min_p)
    .bind::<Nullable<Double>, _>(s.repeat_penalty)
    .bind::<Nullable<BigInt>, _>(s.top_k)
    .bind::<Nullable<BigInt>, _>(s.seed)
    .bind::<BigInt, _>(id)
    .execute(conn)
    .map_err(StoreError::during("importing a conversation's sampling"))?;
    Ok(())
}

/// [`StoreError::InvalidValue`] naming `column` when `value` is set and
/// outside its range.
fn in_range<T: Copy + std::fmt::Display>(
    column: &'static str,
    value: Option<T>,
    ok: impl Fn(T) -> bool,
) -> Result<(), StoreError> {
    match value {
        Some(v) if !ok(v) => Err(StoreError::InvalidValue {
            column,
            value: v.to_string(),
        }),
        _ => Ok(()),
    }
}

/// The MCP servers conversation `id` offers, by name then id: `None` when
/// it offers every enabled server (no list of its own).
pub(super) fn read_servers(
    conn: &mut SqliteConnection,
    id: i64,
) -> Result<Option<Vec<ArchivedServer>>, StoreError> {
    if !super::super::assistants::has_own_servers(conn, id)? {
        return Ok(None);
    }
    let ids = conversation_mcp_servers::table
        .filter(conversation_mcp_servers::conversation_id.eq(id))
        .select(conversation_mcp_servers::server_id)
        .load::<String>(conn)
        .map_err(StoreError::during(
            "reading a conversation's MCP servers to export",
        ))?;
    mcp_servers::table
        .filter(mcp_servers::id.eq_any(&ids))
        .order((mcp_servers::name.asc(), mcp_servers::id.asc()))
        .select((mcp_servers::name, mcp_servers::id))
        .load::<(String, String)>(conn)
        .map(|rows| {
            Some(
                rows.into_iter()
                    .map(|(name, id)| ArchivedServer { name, id })
                    .collect(),
            )
        })
        .map_err(StoreError::during(
            "reading a conversation's MCP servers to export",
        ))
}

/// Gives the new conversation `id` its own list of MCP servers, `servers`
/// matched to those configured here (see [`ArchivedServer`]); a server
/// that matches none is left out, the conversation still offering only
/// its own servers, as after a server is removed. `None`: nothing is
/// written (the conversation offers every enabled server).
pub(super) fn write_servers(
    conn: &mut SqliteConnection,
    id: i64,
    servers: Option<&[ArchivedServer]>,
) -> Result<(), StoreError> {
    let Some(servers) = servers else {
        return Ok(());
    };
    diesel::insert_into(conversation_server_choices::table)
        .values(conversation_server_choices::conversation_id.eq(id))
        .execute(conn)
        .map_err(StoreError::during("importing a conversation's MCP servers"))?;
    for server in servers {
        let Some(server_id) = configured(conn, server)? else {
            continue;
        };
        diesel::insert_or_ignore_into(conversation_mcp_servers::table)
            .values((
                conversation_mcp_servers::conversation_id.eq(id),
                conversation_mcp_servers::server_id.eq(server_id),
            ))
            .execute(conn)
            .map_err(StoreError::during("importing a conversation's MCP servers"))?;
    }
    Ok(())
}

/// The id of the server configured here that `server` names: by name (the
/// one with its id among several, else the first by id), then by id.
fn configured(
    conn: &mut SqliteConnection,
    server: &ArchivedServer,
) -> Result<Option<String>, StoreError> {
    let mut by_name = mcp_servers::table
        .filter(mcp_servers::name.eq(&server.name))
        .order(mcp_servers::id.asc())
        .select(mcp_servers::id)
        .load::<String>(conn)
        .map_err(StoreError::during("looking up an MCP server by name"))?;
    if let Some(same) = by_name.iter().position(|id| *id == server.id) {
        return Ok(Some(by_name.swap_remove(same)));
    }
    if !by_name.is_empty() {
        return Ok(Some(by_name.swap_remove(0)));
    }
    mcp_servers::table
        .find(&server.id)
        .select(mcp_servers::id)
        .first::<String>(conn)
        .optional()
        .map_err(StoreError::during("looking up an MCP server"))
}
