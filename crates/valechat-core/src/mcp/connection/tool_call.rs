//! Tool calls on a [`McpConnection`]: [`CallOptions`] (the idle limit, the
//! hard cap and the progress observer) and [`McpConnection::call_tool`], which
//! may go through `input_required` rounds with a 2026-07-28 server (see
//! [`super::input_required`]).

use std::time::{Duration, Instant};

use rmcp::model::{CallToolRequest, CallToolRequestParams, ClientRequest, ServerResult};
use tokio_util::sync::CancellationToken;

use super::input_required::Exchange;
use super::{McpConnection, millis};
use crate::mcp::McpError;
use crate::mcp::content::ToolOutcome;
use crate::mcp::handler::ProgressCallback;

/// Limits and observers of one tool call.
#[derive(Clone)]
pub struct CallOptions {
    /// Idle limit, milliseconds; restarts on each progress notification and
    /// stands still while ValeChat answers the server's elicitation or
    /// sampling request (the user may be filling in a form).
    pub timeout_ms: u64,
    /// Hard limit for the whole call, milliseconds.
    pub total_cap_ms: u64,
    /// Called on each progress notification: `(progress, total, message)`.
    pub progress: Option<ProgressCallback>,
}

impl Default for CallOptions {
    /// 60 s idle, 10 min total, no progress observer.
    fn default() -> Self {
        Self {
            timeout_ms: 60_000,
            total_cap_ms: 600_000,
            progress: None,
        }
    }
}

impl McpConnection {
    /// Calls tool `name` with `args` (a JSON object or null). A result with
    /// `isError` is `Ok` (the tool ran and failed; the model should see it).
    /// A 2026-07-28 server may ask for input first (`input_required`, see
    /// [`input_required`](super::input_required)); `options` and `cancel` then cover the whole
    /// exchange, and `duration_ms` of the outcome spans it.
    ///
    /// # Errors
    /// [`McpError::Timeout`] after `timeout_ms` without an answer or progress
    /// or after `total_cap_ms`; [`McpError::Cancelled`] when `cancel` fires
    /// (the server gets `notifications/cancelled`); [`McpError::Closed`] when
    /// the server dies mid-call; [`McpError::Protocol`] for a JSON-RPC error,
    /// non-object arguments, an unexpected result, a refused sampling input
    /// request or more than [`MAX_INPUT_ROUNDS`](super::MAX_INPUT_ROUNDS) input rounds.
    pub async fn call_tool(
        &self,
        name: &str,
        args: serde_json::Value,
        options: CallOptions,
        cancel: CancellationToken,
    ) -> Result<ToolOutcome, McpError> {
        let request_name = format!("tools/call {name}");
        let mut params = CallToolRequestParams::new(name.to_owned());
        params.arguments = match args {
            serde_json::Value::Object(map) => Some(map),
            serde_json::Value::Null => None,
            other => {
                return Err(McpError::Protocol {
                    server: self.server_id.clone(),
                    request: request_name,
                    reason: format!("tool arguments must be a JSON object, not {other}"),
                });
            }
        };
        let idle = Duration::from_millis(options.timeout_ms.max(1));
        let total = Duration::from_millis(options.total_cap_ms.max(options.timeout_ms).max(1));
        let limits = Exchange {
            name: request_name,
            idle,
            total,
            reset_on_progress: true,
            progress: options.progress,
            cancel,
        };
        let started = Instant::now();
        let result = self
            .exchange(&limits, |retry| {
                let mut params = params.clone();
                params.input_responses = retry.responses;
                params.request_state = retry.state;
                ClientRequest::CallToolRequest(CallToolRequest::new(params))
            })
            .await?;
        match result {
            ServerResult::CallToolResult(result) => {
                Ok(ToolOutcome::from_result(result, millis(started.elapsed())))
            }
            _ => Err(self.unexpected(&limits.name)),
        }
    }
}
