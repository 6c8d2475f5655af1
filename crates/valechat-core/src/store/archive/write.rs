//! Writing an [`ArchivedConversation`] as a new conversation (inside the
//! caller's transaction).

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use diesel::prelude::*;

use super::super::error::StoreError;
use super::super::schema::{
    attachments, conversation_roots, conversations, messages, providers, tool_calls, usage_records,
};
use super::ImportOutcome;
use crate::model::archive::{ArchivedConversation, ArchivedMessage, ArchivedUsage};

/// Roles a message may have.
const ROLES: [&str; 3] = ["system", "user", "assistant"];
/// Statuses a message may have.
const STATUSES: [&str; 4] = ["complete", "streaming", "incomplete", "failed"];

/// The conversation made in this database that a ValeChat export names
/// `source_id` `<created_at>-<id>` (see `transfer::export::json`), if it is
/// still here: same row id, same creation time, made here (no source).
fn exported_from_here(
    conn: &mut SqliteConnection,
    source: &str,
    source_id: &str,
) -> Result<Option<i64>, StoreError> {
    let Some((created_at, id)) = (source == crate::model::archive::VALECHAT_SOURCE)
        .then(|| source_id.split_once('-'))
        .flatten()
        .and_then(|(created, id)| Some((created.parse::<i64>().ok()?, id.parse::<i64>().ok()?)))
    else {
        return Ok(None);
    };
    conversations::table
        .find(id)
        .filter(conversations::created_at.eq(created_at))
        .filter(conversations::source.is_null())
        .select(conversations::id)
        .first::<i64>(conn)
        .optional()
        .map_err(StoreError::during("looking up an exported conversation"))
}

/// Writes `c` unless its source id is stored already, or it was exported
/// from this database and is still here.
pub(super) fn conversation(
    conn: &mut SqliteConnection,
    c: &ArchivedConversation,
) -> Result<ImportOutcome, StoreError> {
    if let (Some(source), Some(source_id)) = (&c.source, &c.source_id) {
        let existing = conversations::table
            .filter(conversations::source.eq(source))
            .filter(conversations::source_id.eq(source_id))
            .select(conversations::id)
            .first::<i64>(conn)
            .optional()
            .map_err(StoreError::during("looking up an imported conversation"))?;
        if let Some(conversation_id) = existing {
            return Ok(ImportOutcome::AlreadyImported { conversation_id });
        }
        if let Some(conversation_id) = exported_from_here(conn, source, source_id)? {
            return Ok(ImportOutcome::AlreadyHere { conversation_id });
        }
    }
    let provider_id = match &c.provider_id {
        Some(p) => providers::table
            .find(p)
            .select(providers::id)
            .first::<String>(conn)
            .optional()
            .map_err(StoreError::during(
                "looking up an imported conversation's provider",
            ))?,
        None => None,
    };
    let conversation_id = diesel::insert_into(conversations::table)
        .values((
            conversations::title.eq(&c.title),
            conversations::provider_id.eq(provider_id),
            conversations::model.eq(&c.model),
            conversations::system_prompt.eq(&c.system_prompt),
            conversations::max_output_tokens.eq(c.max_output_tokens),
            conversations::created_at.eq(c.created_at),
            conversations::updated_at.eq(c.updated_at),
            conversations::source.eq(&c.source),
            conversations::source_id.eq(&c.source_id),
            conversations::archived.eq(c.archived),
        ))
        .returning(conversations::id)
        .get_result::<i64>(conn)
        .map_err(StoreError::during("importing a conversation"))?;
    // Written as doubles, as read (diesel's schema says `Float`).
    super::settings::write_sampling(conn, conversation_id, c.temperature, &c.sampling)?;
    super::settings::write_servers(conn, conversation_id, c.mcp_servers.as_deref())?;
    let mut ids = HashMap::with_capacity(c.messages.len());
    for m in &c.messages {
        let id = message(conn, conversation_id, m, &ids)?;
        if ids.insert(m.key, id).is_some() {
            return Err(invalid("message key", m.key));
        }
    }
    let active_leaf = c
        .active_leaf
        .map(|key| {
            ids.get(&key)
                .copied()
                .ok_or_else(|| invalid("active leaf", key))
        })
        .transpose()?;
    diesel::update(conversations::table.find(conversation_id))
        .set(conversations::active_leaf_id.eq(active_leaf))
        .execute(conn)
        .map_err(StoreError::during(
            "setting an imported conversation's active leaf",
        ))?;
    for (position, root) in c.roots.iter().enumerate() {
        diesel::insert_into(conversation_roots::table)
            .values((
                conversation_roots::conversation_id.eq(conversation_id),
                conversation_roots::path.eq(&root.path),
                conversation_roots::name.eq(&root.name),
                conversation_roots::position.eq(position_of(position)?),
                conversation_roots::created_at.eq(root.created_at),
            ))
            .execute(conn)
            .map_err(StoreError::during("importing a workspace folder"))?;
    }
    let mut usage_written = 0;
    for u in &c.usage {
        usage_written += usage(conn, conversation_id, u, &ids)?;
    }
    Ok(ImportOutcome::Imported {
        conversation_id,
        messages: ids.len(),
        usage_records: usage_written,
    })
}

/// Writes one message with its tool calls and attachments; its parent must
/// be written already (`ids`: key → row id).
fn message(
    conn: &mut SqliteConnection,
    conversation_id: i64,
    m: &ArchivedMessage,
    ids: &HashMap<i64, i64>,
) -> Result<i64, StoreError> {
    if !ROLES.contains(&m.role.as_str()) {
        return Err(invalid("message role", &m.role));
    }
    if !STATUSES.contains(&m.status.as_str()) {
        return Err(invalid("message status", &m.status));
    }
    let parent_id = m
        .parent
        .map(|key| {
            ids.get(&key)
                .copied()
                .ok_or_else(|| invalid("message parent", key))
        })
        .transpose()?;
    let id = diesel::insert_into(messages::table)
        .values((
            messages::conversation_id.eq(conversation_id),
            messages::parent_id.eq(parent_id),
            messages::role.eq(&m.role),
            messages::content.eq(&m.content),
            messages::reasoning.eq(&m.reasoning),
            messages::status.eq(&m.status),
            messages::provider_id.eq(&m.provider_id),
            messages::model.eq(&m.model),
            messages::finish_reason.eq(&m.finish_reason),
            messages::error.eq(&m.error),
            messages::input_tokens.eq(m.input_tokens),
            messages::output_tokens.eq(m.output_tokens),
            messages::created_at.eq(m.created_at),
            messages::updated_at.eq(m.updated_at),
        ))
        .returning(messages::id)
        .get_result::<i64>(conn)
        .map_err(StoreError::during("importing a message"))?;
    for (position, call) in m.tool_calls.iter().enumerate() {
        diesel::insert_into(tool_calls::table)
            .values((
                tool_calls::message_id.eq(id),
                tool_calls::position.eq(position_of(position)?),
                tool_calls::call_id.eq(&call.call_id),
                tool_calls::name.eq(&call.name),
                tool_calls::server_id.eq(&call.server_id),
                tool_calls::tool_name.eq(&call.tool_name),
                tool_calls::arguments.eq(&call.arguments),
                tool_calls::status.eq(&call.status),
                tool_calls::result.eq(&call.result),
                tool_calls::result_for_model.eq(&call.result_for_model),
                tool_calls::is_error.eq(call.is_error),
                tool_calls::created_at.eq(call.created_at),
                tool_calls::duration_ms.eq(call.duration_ms),
                tool_calls::provider_data.eq(&call.provider_data),
            ))
            .execute(conn)
            .map_err(StoreError::during("importing a tool call"))?;
    }
    for (position, a) in m.attachments.iter().enumerate() {
        let data = STANDARD
            .decode(&a.data_base64)
            .map_err(|_| invalid("attachment data (base64)", &a.name))?;
        diesel::insert_into(attachments::table)
            .values((
                attachments::message_id.eq(id),
                attachments::position.eq(position_of(position)?),
                attachments::kind.eq(&a.kind),
                attachments::name.eq(&a.name),
                attachments::mime_type.eq(&a.mime_type),
                attachments::data.eq(data),
                attachments::uri.eq(&a.uri),
                attachments::server_id.eq(&a.server_id),
                attachments::text.eq(&a.text),
                attachments::created_at.eq(a.created_at),
            ))
            .execute(conn)
            .map_err(StoreError::during("importing an attachment"))?;
    }
    Ok(id)
}

/// Writes one usage record unless its request id exists; 1 when written.
fn usage(
    conn: &mut SqliteConnection,
    conversation_id: i64,
    u: &ArchivedUsage,
    ids: &HashMap<i64, i64>,
) -> Result<usize, StoreError> {
    let message_id = u
        .message
        .map(|key| {
            ids.get(&key)
                .copied()
                .ok_or_else(|| invalid("usage message", key))
        })
        .transpose()?;
    diesel::insert_or_ignore_into(usage_records::table)
        .values((
            usage_records::request_id.eq(&u.request_id),
            usage_records::provider_id.eq(&u.provider_id),
            usage_records::model.eq(&u.model),
            usage_records::conversation_id.eq(conversation_id),
            usage_records::message_id.eq(message_id),
            usage_records::created_at.eq(u.created_at),
            usage_records::input_tokens.eq(u.input_tokens),
            usage_records::output_tokens.eq(u.output_tokens),
            usage_records::cache_read_tokens.eq(u.cache_read_tokens),
            usage_records::cache_write_tokens.eq(u.cache_write_tokens),
            usage_records::reasoning_tokens.eq(u.reasoning_tokens),
            usage_records::counted_input_tokens.eq(u.counted_input_tokens),
            usage_records::verification.eq(&u.verification),
            usage_records::cost_usd.eq(&u.cost_usd),
            usage_records::cost_source.eq(&u.cost_source),
            usage_records::outcome.eq(&u.outcome),
        ))
        .execute(conn)
        .map_err(StoreError::during("importing a usage record"))
}

/// A position (`usize`) as the schema's `INTEGER`.
fn position_of(position: usize) -> Result<i32, StoreError> {
    i32::try_from(position).map_err(|_| invalid("position", position))
}

/// [`StoreError::InvalidValue`] for an imported `column` holding `value`.
fn invalid(column: &'static str, value: impl std::fmt::Display) -> StoreError {
    StoreError::InvalidValue {
        column,
        value: value.to_string(),
    }
}
