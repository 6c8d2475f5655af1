//! One round of tool calls: the calls a reply asked for are stored, approved
//! (or denied), run one after the other on their servers, and their results
//! become the tool-result messages of the next request (issue 4, "In the
//! chat"; DESIGN.md, "Data flow of one message", step 6).
//!
//! Every call gets a stored result, even when it is refused, fails or is
//! cancelled: the providers require an answer to each call in the history.

use std::time::Instant;

use tokio::sync::mpsc;

use super::TurnEvent;
use super::runner::TurnJob;
use super::tools::{
    Approval, ApprovalRequest, OfferedTool, ToolError, ToolSettings, stored_result,
    truncate_for_model,
};
use crate::provider::{ChatMessage, ToolCall};
use crate::store::{Message, NewToolCall, ToolCallEnd, ToolCallRecord, ToolCallStatus};

/// A call as the model made it, its arguments parsed.
#[derive(Debug, Clone)]
pub(super) struct ProposedCall {
    /// The call; `arguments` is `Null` when they did not parse.
    pub call: ToolCall,
    /// The raw argument text, kept as sent.
    pub raw_arguments: String,
    /// Why the arguments are unusable, when they did not parse as JSON.
    pub parse_error: Option<String>,
}

/// The tool results of a round, in call order, and whether the turn was
/// stopped during it.
pub(super) struct RoundResults {
    pub messages: Vec<ChatMessage>,
    pub cancelled: bool,
}

/// Text the model gets for a denied call.
const DENIED: &str = "The user denied this tool call.";
/// Text the model gets for a call stopped by the user.
const CANCELLED: &str = "The user stopped this tool call before it finished.";

impl TurnJob {
    /// Runs every call of `message` (the stored assistant reply that asked
    /// for them). `allowed` is false past the round limit: the calls are
    /// then refused with a note to the model.
    pub(super) async fn run_tool_round(
        &self,
        settings: &ToolSettings,
        offered: &[OfferedTool],
        message: &Message,
        calls: &[ProposedCall],
        allowed: bool,
    ) -> RoundResults {
        let mut results = RoundResults {
            messages: Vec::with_capacity(calls.len()),
            cancelled: false,
        };
        for (position, proposed) in calls.iter().enumerate() {
            let tool = offered
                .iter()
                .find(|t| t.definition.name == proposed.call.name);
            let (end, record) = match self.propose(message, position, proposed, tool).await {
                Ok(record) => {
                    let end = if results.cancelled || self.cancel.is_cancelled() {
                        results.cancelled = true;
                        refusal(ToolCallStatus::Cancelled, CANCELLED)
                    } else {
                        self.decide_and_run(settings, offered, tool, proposed, &record, allowed)
                            .await
                    };
                    (end, record)
                }
                Err(e) => {
                    // Without a stored row the call still needs an answer.
                    tracing::warn!("could not store a tool call: {e}");
                    let text = format!("ValeChat could not record this tool call: {e}");
                    results.messages.push(ChatMessage::tool_result(
                        &proposed.call.id,
                        &proposed.call.name,
                        text,
                        true,
                    ));
                    continue;
                }
            };
            if end.status == ToolCallStatus::Cancelled {
                results.cancelled = true;
            }
            results.messages.push(ChatMessage::tool_result(
                &proposed.call.id,
                &proposed.call.name,
                end.result_for_model.clone(),
                end.is_error,
            ));
            match self.store.finish_tool_call(record.id, end).await {
                Ok(done) => self.emit(TurnEvent::ToolCallFinished(done)).await,
                Err(e) => tracing::warn!(call = record.id, "could not store a tool result: {e}"),
            }
        }
        results
    }

    /// Stores the call as pending and tells the listener.
    async fn propose(
        &self,
        message: &Message,
        position: usize,
        proposed: &ProposedCall,
        tool: Option<&OfferedTool>,
    ) -> Result<ToolCallRecord, crate::store::StoreError> {
        let record = self
            .store
            .insert_tool_call(NewToolCall {
                message_id: message.id,
                position: i32::try_from(position).unwrap_or(i32::MAX),
                call_id: proposed.call.id.clone(),
                name: proposed.call.name.clone(),
                server_id: tool.map(|t| t.server_id.clone()),
                tool_name: tool.map(|t| t.tool_name.clone()),
                arguments: proposed.raw_arguments.clone(),
                provider_data: proposed.call.provider_data.clone(),
            })
            .await?;
        self.emit(TurnEvent::ToolCallProposed {
            call: record.clone(),
            tool: tool.cloned().map(Box::new),
        })
        .await;
        Ok(record)
    }

    /// Checks the call, takes the decision, runs it: the end to store.
    /// `offered` are the tools of the request, named to the model when it
    /// called one that is not among them.
    async fn decide_and_run(
        &self,
        settings: &ToolSettings,
        offered: &[OfferedTool],
        tool: Option<&OfferedTool>,
        proposed: &ProposedCall,
        record: &ToolCallRecord,
        allowed: bool,
    ) -> ToolCallEnd {
        if !allowed {
            return refusal(
                ToolCallStatus::Denied,
                &format!(
                    "ValeChat runs at most {} rounds of tool calls per reply; this call was not run. \
                     Answer with what you have.",
                    settings.max_rounds
                ),
            );
        }
        let Some(tool) = tool else {
            return refusal(
                ToolCallStatus::Failed,
                &unknown_tool(&proposed.call.name, offered),
            );
        };
        if let Some(error) = &proposed.parse_error {
            return refusal(
                ToolCallStatus::Failed,
                &format!("The arguments were not valid JSON ({error}); the tool was not run."),
            );
        }
        match self.decision(settings, tool, proposed, record).await {
            None => return refusal(ToolCallStatus::Cancelled, CANCELLED),
            Some(Approval::Deny) => return refusal(ToolCallStatus::Denied, DENIED),
            Some(Approval::AllowOnce | Approval::AlwaysAllow) => {}
        }
        self.run_call(settings, tool, proposed, record).await
    }

    /// A standing permission, else the approver's answer; `None` when the
    /// turn was stopped while asking.
    async fn decision(
        &self,
        settings: &ToolSettings,
        tool: &OfferedTool,
        proposed: &ProposedCall,
        record: &ToolCallRecord,
    ) -> Option<Approval> {
        match self
            .store
            .tool_is_allowed(&tool.server_binding, &tool.tool_name, &tool.definition_hash)
            .await
        {
            Ok(true) => return Some(Approval::AllowOnce),
            Ok(false) => {}
            Err(e) => tracing::warn!("could not read tool permissions: {e}"),
        }
        let request = ApprovalRequest {
            conversation_id: self.conversation_id,
            tool_call_id: record.id,
            tool: tool.clone(),
            arguments: proposed.call.arguments_object(),
        };
        let answer = tokio::select! {
            biased;
            () = self.cancel.cancelled() => return None,
            a = settings.approver.approve(request, self.cancel.child_token()) => a,
        };
        if self.cancel.is_cancelled() {
            return None;
        }
        if answer == Approval::AlwaysAllow
            && let Err(e) = self
                .store
                .allow_tool(&tool.server_binding, &tool.tool_name, &tool.definition_hash)
                .await
        {
            tracing::warn!("could not store a tool permission: {e}");
        }
        Some(answer)
    }

    /// Runs an approved call, forwarding its progress.
    async fn run_call(
        &self,
        settings: &ToolSettings,
        tool: &OfferedTool,
        proposed: &ProposedCall,
        record: &ToolCallRecord,
    ) -> ToolCallEnd {
        if let Err(e) = self.store.mark_tool_call_running(record.id).await {
            tracing::warn!(call = record.id, "could not mark a tool call running: {e}");
        }
        self.emit(TurnEvent::ToolCallRunning(ToolCallRecord {
            status: ToolCallStatus::Running,
            ..record.clone()
        }))
        .await;
        let started = Instant::now();
        let (progress_tx, mut progress_rx) = mpsc::unbounded_channel();
        let call = settings.toolbox.call(
            tool,
            proposed.call.arguments_object(),
            progress_tx,
            self.cancel.child_token(),
        );
        tokio::pin!(call);
        let result = loop {
            tokio::select! {
                biased;
                () = self.cancel.cancelled() => break Err(ToolError::Cancelled),
                r = &mut call => break r,
                Some(progress) = progress_rx.recv() => {
                    self.emit(TurnEvent::ToolCallProgress { id: record.id, progress }).await;
                }
            }
        };
        let duration_ms = Some(i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX));
        // Progress sent just before the result still reaches the listener.
        while let Ok(progress) = progress_rx.try_recv() {
            self.emit(TurnEvent::ToolCallProgress {
                id: record.id,
                progress,
            })
            .await;
        }
        match result {
            Ok(output) => ToolCallEnd {
                status: ToolCallStatus::Succeeded,
                result: Some(stored_result(&output)),
                result_for_model: truncate_for_model(&output.text, settings.max_result_chars),
                is_error: output.is_error,
                duration_ms,
            },
            Err(ToolError::Cancelled) => ToolCallEnd {
                duration_ms,
                ..refusal(ToolCallStatus::Cancelled, CANCELLED)
            },
            Err(e) => ToolCallEnd {
                duration_ms,
                ..refusal(
                    ToolCallStatus::Failed,
                    &format!("The tool call failed: {e}"),
                )
            },
        }
    }
}

/// An end without a result from the tool: `text` is what the model is told.
fn refusal(status: ToolCallStatus, text: &str) -> ToolCallEnd {
    ToolCallEnd {
        status,
        result: None,
        result_for_model: text.to_owned(),
        is_error: true,
        duration_ms: None,
    }
}

/// Most offered tools named when the model calls one that is not offered.
const NAMED_TOOLS: usize = 40;

/// What the model (and the person, in the call's row) is told when it called
/// `name` and no offered tool has that name: the tools that do exist, by the
/// names the model must use.
fn unknown_tool(name: &str, offered: &[OfferedTool]) -> String {
    let mut names: Vec<&str> = offered.iter().map(|t| t.definition.name.as_str()).collect();
    names.sort_unstable();
    if names.is_empty() {
        return format!(
            "No tool named {name:?} is offered: no tools are offered in this conversation."
        );
    }
    let shown = names
        .iter()
        .take(NAMED_TOOLS)
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let more = names.len().saturating_sub(NAMED_TOOLS);
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!(
        "No tool named {name:?} is offered; the tool was not run. \
         The tools offered are {shown}{more}. Call one of them by its exact name."
    )
}

/// Parses the accumulated calls of a reply (ordered by their index):
/// `(call id, name, argument text, provider data)`.
pub(super) fn parse_calls(
    calls: Vec<(String, String, String, Option<String>)>,
) -> Vec<ProposedCall> {
    calls
        .into_iter()
        .map(|(id, name, raw, provider_data)| {
            let text = if raw.trim().is_empty() {
                "{}"
            } else {
                raw.as_str()
            };
            let (arguments, parse_error) = match serde_json::from_str(text) {
                Ok(v) => (v, None),
                Err(e) => (serde_json::Value::Null, Some(e.to_string())),
            };
            ProposedCall {
                call: ToolCall {
                    id,
                    name,
                    arguments,
                    provider_data,
                },
                raw_arguments: raw,
                parse_error,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
