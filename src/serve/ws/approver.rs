//! The [`Approver`] of a hub turn: a proposed tool call is published to the
//! turn's followers as `tool_call_proposed` and waits for an `approve` or
//! `deny` from any connection following the turn. Stopping the turn (its
//! `cancel`, or the engine's cancel token) ends the wait with a denial.

use std::sync::Arc;

use serde_json::json;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use valechat_core::chat::{Approval, ApprovalRequest, Approver};

use super::hub::TurnState;

/// Asks the followers of one turn.
pub(super) struct HubApprover {
    turn: Arc<TurnState>,
}

impl HubApprover {
    pub fn new(turn: Arc<TurnState>) -> Self {
        Self { turn }
    }
}

#[async_trait::async_trait]
impl Approver for HubApprover {
    async fn approve(&self, request: ApprovalRequest, cancel: CancellationToken) -> Approval {
        let (tx, rx) = oneshot::channel();
        self.turn
            .approvals
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(request.tool_call_id, tx);
        let tool = &request.tool;
        self.turn.publish(json!({
            "type": "tool_call_proposed",
            "tool_call_id": request.tool_call_id,
            "name": tool.definition.name,
            "server": tool.server_name,
            "server_id": tool.server_id,
            "tool": tool.tool_name,
            "arguments": request.arguments,
            "read_only": tool.hints.read_only,
            "destructive": tool.hints.destructive,
        }));
        let answer = tokio::select! {
            answer = rx => answer.unwrap_or(Approval::Deny),
            () = cancel.cancelled() => Approval::Deny,
            () = self.turn.cancel.cancelled() => Approval::Deny,
        };
        self.turn
            .approvals
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&request.tool_call_id);
        answer
    }
}
