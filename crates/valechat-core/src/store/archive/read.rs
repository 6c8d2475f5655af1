//! Reading a conversation whole into an [`ArchivedConversation`].

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use diesel::prelude::*;

use super::super::error::StoreError;
use super::super::schema::{
    attachments, conversation_roots, conversations, messages, tool_calls, usage_records,
};
use crate::model::archive::{
    ArchivedAttachment, ArchivedConversation, ArchivedMessage, ArchivedRoot, ArchivedToolCall,
    ArchivedUsage,
};

/// The conversation's own row.
#[derive(Queryable, Selectable)]
#[diesel(table_name = conversations, check_for_backend(diesel::sqlite::Sqlite))]
struct ConversationRow {
    title: String,
    provider_id: Option<String>,
    model: Option<String>,
    system_prompt: Option<String>,
    max_output_tokens: Option<i64>,
    created_at: i64,
    updated_at: i64,
    active_leaf_id: Option<i64>,
    source: Option<String>,
    source_id: Option<String>,
    archived: bool,
}

/// A message row with its parent.
#[derive(Queryable, Selectable)]
#[diesel(table_name = messages, check_for_backend(diesel::sqlite::Sqlite))]
struct MessageRow {
    id: i64,
    parent_id: Option<i64>,
    role: String,
    content: String,
    reasoning: String,
    status: String,
    provider_id: Option<String>,
    model: Option<String>,
    finish_reason: Option<String>,
    error: Option<String>,
    input_tokens: Option<i64>,
    output_tokens: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

/// A tool call row.
#[derive(Queryable, Selectable)]
#[diesel(table_name = tool_calls, check_for_backend(diesel::sqlite::Sqlite))]
struct ToolCallRow {
    message_id: i64,
    call_id: String,
    name: String,
    server_id: Option<String>,
    tool_name: Option<String>,
    arguments: String,
    status: String,
    result: Option<String>,
    result_for_model: Option<String>,
    is_error: bool,
    created_at: i64,
    duration_ms: Option<i64>,
    provider_data: Option<String>,
}

/// An attachment row (image or resource).
#[derive(Queryable, Selectable)]
#[diesel(table_name = attachments, check_for_backend(diesel::sqlite::Sqlite))]
struct AttachmentRow {
    message_id: i64,
    kind: String,
    name: String,
    mime_type: String,
    data: Vec<u8>,
    uri: Option<String>,
    server_id: Option<String>,
    text: Option<String>,
    created_at: i64,
}

/// A usage record row.
#[derive(Queryable, Selectable)]
#[diesel(table_name = usage_records, check_for_backend(diesel::sqlite::Sqlite))]
struct UsageRow {
    request_id: String,
    provider_id: String,
    model: String,
    message_id: Option<i64>,
    created_at: i64,
    input_tokens: i64,
    output_tokens: i64,
    cache_read_tokens: i64,
    cache_write_tokens: i64,
    reasoning_tokens: i64,
    counted_input_tokens: Option<i64>,
    verification: String,
    cost_usd: String,
    cost_source: String,
    outcome: String,
}

/// Reads conversation `id` whole; message keys are row ids.
pub(super) fn conversation(
    conn: &mut SqliteConnection,
    id: i64,
) -> Result<ArchivedConversation, StoreError> {
    let row = conversations::table
        .find(id)
        .select(ConversationRow::as_select())
        .first(conn)
        .optional()
        .map_err(StoreError::during("reading a conversation to export"))?
        .ok_or_else(|| StoreError::not_found("conversation", id))?;
    // Read as the doubles SQLite holds (diesel's schema says `Float`, which
    // would round them to f32).
    let (temperature, sampling) = super::settings::read_sampling(conn, id)?;
    let mcp_servers = super::settings::read_servers(conn, id)?;
    let message_rows = messages::table
        .filter(messages::conversation_id.eq(id))
        .order(messages::id.asc())
        .select(MessageRow::as_select())
        .load(conn)
        .map_err(StoreError::during("reading messages to export"))?;
    let messages_out = with_calls_and_files(conn, message_rows)?;
    let roots = conversation_roots::table
        .filter(conversation_roots::conversation_id.eq(id))
        .order(conversation_roots::position.asc())
        .select((
            conversation_roots::path,
            conversation_roots::name,
            conversation_roots::created_at,
        ))
        .load::<(String, String, i64)>(conn)
        .map_err(StoreError::during("reading workspace folders to export"))?
        .into_iter()
        .map(|(path, name, created_at)| ArchivedRoot {
            path,
            name,
            created_at,
        })
        .collect();
    let usage = usage_records::table
        .filter(usage_records::conversation_id.eq(id))
        .order((usage_records::created_at.asc(), usage_records::id.asc()))
        .select(UsageRow::as_select())
        .load(conn)
        .map_err(StoreError::during("reading usage records to export"))?
        .into_iter()
        .map(usage_record)
        .collect();
    Ok(ArchivedConversation {
        source: row.source,
        source_id: row.source_id,
        title: row.title,
        provider_id: row.provider_id,
        model: row.model,
        system_prompt: row.system_prompt,
        temperature,
        max_output_tokens: row.max_output_tokens,
        sampling,
        mcp_servers,
        created_at: row.created_at,
        updated_at: row.updated_at,
        active_leaf: row.active_leaf_id,
        archived: row.archived,
        roots,
        messages: messages_out,
        usage,
    })
}

/// The messages with their tool calls and attachments, in order.
fn with_calls_and_files(
    conn: &mut SqliteConnection,
    message_rows: Vec<MessageRow>,
) -> Result<Vec<ArchivedMessage>, StoreError> {
    let ids: Vec<i64> = message_rows.iter().map(|m| m.id).collect();
    let mut calls = tool_calls::table
        .filter(tool_calls::message_id.eq_any(&ids))
        .order((tool_calls::message_id, tool_calls::position))
        .select(ToolCallRow::as_select())
        .load(conn)
        .map_err(StoreError::during("reading tool calls to export"))?
        .into_iter()
        .peekable();
    let mut files = attachments::table
        .filter(attachments::message_id.eq_any(&ids))
        .order((attachments::message_id, attachments::position))
        .select(AttachmentRow::as_select())
        .load(conn)
        .map_err(StoreError::during("reading attachments to export"))?
        .into_iter()
        .peekable();
    let mut messages_out = Vec::with_capacity(message_rows.len());
    for m in message_rows {
        let mut tool_calls_out = Vec::new();
        while let Some(call) = calls.next_if(|c| c.message_id == m.id) {
            tool_calls_out.push(tool_call(call));
        }
        let mut attachments_out = Vec::new();
        while let Some(file) = files.next_if(|a| a.message_id == m.id) {
            attachments_out.push(attachment(file));
        }
        messages_out.push(ArchivedMessage {
            key: m.id,
            parent: m.parent_id,
            role: m.role,
            content: m.content,
            reasoning: m.reasoning,
            status: m.status,
            provider_id: m.provider_id,
            model: m.model,
            finish_reason: m.finish_reason,
            error: m.error,
            input_tokens: m.input_tokens,
            output_tokens: m.output_tokens,
            created_at: m.created_at,
            updated_at: m.updated_at,
            tool_calls: tool_calls_out,
            attachments: attachments_out,
        });
    }
    Ok(messages_out)
}

fn tool_call(c: ToolCallRow) -> ArchivedToolCall {
    ArchivedToolCall {
        call_id: c.call_id,
        name: c.name,
        server_id: c.server_id,
        tool_name: c.tool_name,
        arguments: c.arguments,
        status: c.status,
        result: c.result,
        result_for_model: c.result_for_model,
        is_error: c.is_error,
        created_at: c.created_at,
        duration_ms: c.duration_ms,
        provider_data: c.provider_data,
    }
}

fn attachment(a: AttachmentRow) -> ArchivedAttachment {
    ArchivedAttachment {
        kind: a.kind,
        name: a.name,
        mime_type: a.mime_type,
        data_base64: STANDARD.encode(&a.data),
        uri: a.uri,
        server_id: a.server_id,
        text: a.text,
        created_at: a.created_at,
    }
}

fn usage_record(u: UsageRow) -> ArchivedUsage {
    ArchivedUsage {
        request_id: u.request_id,
        provider_id: u.provider_id,
        model: u.model,
        message: u.message_id,
        created_at: u.created_at,
        input_tokens: u.input_tokens,
        output_tokens: u.output_tokens,
        cache_read_tokens: u.cache_read_tokens,
        cache_write_tokens: u.cache_write_tokens,
        reasoning_tokens: u.reasoning_tokens,
        counted_input_tokens: u.counted_input_tokens,
        verification: u.verification,
        cost_usd: u.cost_usd,
        cost_source: u.cost_source,
        outcome: u.outcome,
    }
}
