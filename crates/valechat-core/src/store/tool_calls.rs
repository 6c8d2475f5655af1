//! Repository of `tool_calls`: every tool call a model asked for, with its
//! arguments, the user's decision, the full result and the text the model
//! got back. Rows go with their assistant message (`ON DELETE CASCADE`).
//!
//! The engine rebuilds the request history from these rows: an assistant
//! message with calls becomes an assistant turn carrying `tool_calls`,
//! followed by one tool-result message per call (see `chat::history`).

use diesel::prelude::*;

use super::error::StoreError;
use super::schema::{messages, tool_calls};
use super::{Store, now_ms};

/// Where a tool call is in its life (`tool_calls.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ToolCallStatus {
    /// Proposed by the model, waiting for the user's decision.
    Pending,
    /// The user (or a standing rule) refused it; the model was told.
    Denied,
    /// Running on its server.
    Running,
    /// Finished; the server returned a result (which may be a tool error,
    /// see [`ToolCallRecord::is_error`]).
    Succeeded,
    /// Could not run or did not finish: unknown tool, server gone, timeout.
    Failed,
    /// Stopped by the user before it finished.
    Cancelled,
}

impl ToolCallStatus {
    /// Identifier stored in `tool_calls.status`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Denied => "denied",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses the identifier written by [`ToolCallStatus::as_str`].
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "denied" => Self::Denied,
            "running" => Self::Running,
            "succeeded" => Self::Succeeded,
            "failed" => Self::Failed,
            "cancelled" => Self::Cancelled,
            _ => return None,
        })
    }

    /// Whether the call has ended (no further change is expected).
    #[must_use]
    pub fn is_final(self) -> bool {
        !matches!(self, Self::Pending | Self::Running)
    }
}

/// One stored tool call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCallRecord {
    /// Row id.
    pub id: i64,
    /// The assistant message that asked for it.
    pub message_id: i64,
    /// Order among that message's calls, from 0.
    pub position: i32,
    /// The provider's call id (`call_…`, `toolu_…`).
    pub call_id: String,
    /// The name the model called (`server__tool`).
    pub name: String,
    /// MCP server id, when the name matched an offered tool.
    pub server_id: Option<String>,
    /// The server's own tool name.
    pub tool_name: Option<String>,
    /// Arguments as JSON text, as the model sent them.
    pub arguments: String,
    /// Where the call is in its life.
    pub status: ToolCallStatus,
    /// The full result for the user, as JSON text (content blocks and
    /// structured content), once known.
    pub result: Option<String>,
    /// The text the model got back (possibly truncated), once known.
    pub result_for_model: Option<String>,
    /// The tool (or ValeChat on its behalf) reported an error.
    pub is_error: bool,
    /// Creation time, UTC unix milliseconds.
    pub created_at: i64,
    /// Wall time of the call in milliseconds, when it ran.
    pub duration_ms: Option<i64>,
    /// Opaque data the provider attached to the call, sent back unchanged
    /// ([`ToolCall::provider_data`](crate::provider::ToolCall::provider_data)).
    pub provider_data: Option<String>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = tool_calls)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite))]
struct Row {
    id: i64,
    message_id: i64,
    position: i32,
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

impl Row {
    fn into_record(self) -> Result<ToolCallRecord, StoreError> {
        let status =
            ToolCallStatus::parse(&self.status).ok_or_else(|| StoreError::InvalidValue {
                column: "tool_calls.status",
                value: self.status.clone(),
            })?;
        Ok(ToolCallRecord {
            id: self.id,
            message_id: self.message_id,
            position: self.position,
            call_id: self.call_id,
            name: self.name,
            server_id: self.server_id,
            tool_name: self.tool_name,
            arguments: self.arguments,
            status,
            result: self.result,
            result_for_model: self.result_for_model,
            is_error: self.is_error,
            created_at: self.created_at,
            duration_ms: self.duration_ms,
            provider_data: self.provider_data,
        })
    }
}

/// What [`Store::insert_tool_call`] needs; the call starts as
/// [`ToolCallStatus::Pending`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToolCall {
    /// The assistant message that asked for it; must exist.
    pub message_id: i64,
    /// Order among that message's calls, from 0.
    pub position: i32,
    /// The provider's call id.
    pub call_id: String,
    /// The name the model called.
    pub name: String,
    /// MCP server id, when known.
    pub server_id: Option<String>,
    /// The server's own tool name, when known.
    pub tool_name: Option<String>,
    /// Arguments as JSON text.
    pub arguments: String,
    /// Opaque data the provider attached to the call (Gemini's
    /// `thoughtSignature`), to send back unchanged; usually `None`.
    pub provider_data: Option<String>,
}

/// The end of a tool call, for [`Store::finish_tool_call`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCallEnd {
    /// Final status (anything but pending or running).
    pub status: ToolCallStatus,
    /// The full result for the user, JSON text.
    pub result: Option<String>,
    /// The text the model gets back.
    pub result_for_model: String,
    /// The result is an error.
    pub is_error: bool,
    /// Wall time in milliseconds, when the call ran.
    pub duration_ms: Option<i64>,
}

impl Store {
    /// Stores a new tool call as pending.
    ///
    /// # Errors
    /// [`StoreError::Query`] (unknown message, duplicate position),
    /// [`StoreError::Pool`].
    pub async fn insert_tool_call(&self, new: NewToolCall) -> Result<ToolCallRecord, StoreError> {
        self.run(move |conn| {
            diesel::insert_into(tool_calls::table)
                .values((
                    tool_calls::message_id.eq(new.message_id),
                    tool_calls::position.eq(new.position),
                    tool_calls::call_id.eq(&new.call_id),
                    tool_calls::name.eq(&new.name),
                    tool_calls::server_id.eq(&new.server_id),
                    tool_calls::tool_name.eq(&new.tool_name),
                    tool_calls::arguments.eq(&new.arguments),
                    tool_calls::provider_data.eq(&new.provider_data),
                    tool_calls::status.eq(ToolCallStatus::Pending.as_str()),
                    tool_calls::is_error.eq(false),
                    tool_calls::created_at.eq(now_ms()),
                ))
                .returning(Row::as_returning())
                .get_result(conn)
                .map_err(StoreError::during("storing a tool call"))?
                .into_record()
        })
        .await
    }

    /// Marks a pending call as running.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown id, [`StoreError::Query`].
    pub async fn mark_tool_call_running(&self, id: i64) -> Result<(), StoreError> {
        self.run(move |conn| {
            let n = diesel::update(tool_calls::table.find(id))
                .set(tool_calls::status.eq(ToolCallStatus::Running.as_str()))
                .execute(conn)
                .map_err(StoreError::during("starting a tool call"))?;
            if n == 0 {
                return Err(StoreError::not_found("tool call", id));
            }
            Ok(())
        })
        .await
    }

    /// Records how a call ended and returns its final row.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown id, [`StoreError::Query`].
    pub async fn finish_tool_call(
        &self,
        id: i64,
        end: ToolCallEnd,
    ) -> Result<ToolCallRecord, StoreError> {
        self.run(move |conn| {
            diesel::update(tool_calls::table.find(id))
                .set((
                    tool_calls::status.eq(end.status.as_str()),
                    tool_calls::result.eq(&end.result),
                    tool_calls::result_for_model.eq(&end.result_for_model),
                    tool_calls::is_error.eq(end.is_error),
                    tool_calls::duration_ms.eq(end.duration_ms),
                ))
                .returning(Row::as_returning())
                .get_result(conn)
                .optional()
                .map_err(StoreError::during("finishing a tool call"))?
                .ok_or_else(|| StoreError::not_found("tool call", id))?
                .into_record()
        })
        .await
    }

    /// Every tool call of a conversation's messages, by message then position.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::InvalidValue`] for an unknown status.
    pub async fn list_tool_calls(
        &self,
        conversation_id: i64,
    ) -> Result<Vec<ToolCallRecord>, StoreError> {
        self.run(move |conn| load_calls(conn, conversation_id, &super::ALL_MESSAGES))
            .await
    }
}

/// The tool calls of the messages of `conversation_id` whose ids lie in
/// `message_ids`, by message then position.
pub(super) fn load_calls(
    conn: &mut SqliteConnection,
    conversation_id: i64,
    message_ids: &std::ops::RangeInclusive<i64>,
) -> Result<Vec<ToolCallRecord>, StoreError> {
    tool_calls::table
        .inner_join(messages::table)
        .filter(messages::conversation_id.eq(conversation_id))
        .filter(tool_calls::message_id.between(*message_ids.start(), *message_ids.end()))
        .order((tool_calls::message_id.asc(), tool_calls::position.asc()))
        .select(Row::as_select())
        .load(conn)
        .map_err(StoreError::during("listing tool calls"))?
        .into_iter()
        .map(Row::into_record)
        .collect()
}

/// Pending or running calls left by a crash become failed, in the same
/// recovery pass that marks interrupted messages incomplete.
pub(super) fn recover(conn: &mut SqliteConnection) -> Result<usize, StoreError> {
    diesel::update(
        tool_calls::table.filter(
            tool_calls::status
                .eq(ToolCallStatus::Pending.as_str())
                .or(tool_calls::status.eq(ToolCallStatus::Running.as_str())),
        ),
    )
    .set((
        tool_calls::status.eq(ToolCallStatus::Failed.as_str()),
        tool_calls::is_error.eq(true),
        tool_calls::result_for_model.eq("The tool call was interrupted when ValeChat stopped."),
    ))
    .execute(conn)
    .map_err(StoreError::during("recovering interrupted tool calls"))
}
