//! What the engine needs to offer tools to a model and run the calls it
//! makes (DESIGN.md, "The engine's face"; issue 4, "In the chat").
//!
//! The engine does not know MCP: a [`ToolBox`] lists the tools it may offer
//! and runs a call (the MCP registry implements it), and an [`Approver`]
//! takes the person's decision before a call runs (the GUI answers with a
//! dialog, the CLI with a prompt or `--yes`, tests with scripted answers).

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::provider::ToolDefinition;
use crate::provider::limits::size;

/// What a server says about a tool's behaviour (MCP `ToolAnnotations`,
/// specification 2025-06-18 and later, "Tool annotations"). Every hint is
/// `None` when the server does not say; hints are not guarantees.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolHints {
    /// Human-readable title (`annotations.title` or the tool's `title`).
    pub title: Option<String>,
    /// `readOnlyHint`: the tool does not change its environment.
    pub read_only: Option<bool>,
    /// `destructiveHint`: the tool may delete or overwrite things.
    pub destructive: Option<bool>,
    /// `idempotentHint`: calling it again with the same arguments has no further effect.
    pub idempotent: Option<bool>,
    /// `openWorldHint`: the tool reaches outside systems (web, other services).
    pub open_world: Option<bool>,
}

/// A tool the engine may offer to the model, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferedTool {
    /// The definition sent to the model; its `name` is what the model calls
    /// (`<server>__<tool>`, unique among the offered tools).
    pub definition: ToolDefinition,
    /// Id of the MCP server offering it.
    pub server_id: String,
    /// Display name of that server.
    pub server_name: String,
    /// The server's command line or URL: permissions are bound to it.
    pub server_binding: String,
    /// The server's own name for the tool.
    pub tool_name: String,
    /// sha256 (hex) of the tool's definition as the server sent it; a
    /// standing permission only holds while this is unchanged.
    pub definition_hash: String,
    /// Behaviour hints, shown to the person in the approval dialog.
    pub hints: ToolHints,
}

/// Progress a running call reported (MCP `notifications/progress`).
#[derive(Debug, Clone, PartialEq)]
pub struct ToolProgress {
    /// Work done so far, in the server's unit; increases.
    pub progress: f64,
    /// Total work when known, in the same unit.
    pub total: Option<f64>,
    /// A human-readable message, when sent.
    pub message: Option<String>,
}

impl ToolProgress {
    /// Fraction done in 0.0–1.0, when the total is known and positive.
    #[must_use]
    pub fn fraction(&self) -> Option<f64> {
        self.total
            .filter(|t| *t > 0.0)
            .map(|t| (self.progress / t).clamp(0.0, 1.0))
    }
}

/// What a finished call returned.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutput {
    /// The result as text for the model: text content joined by blank
    /// lines, other blocks described in one line each, structured content
    /// as JSON when there is no text. The engine truncates it before
    /// sending (see [`ToolSettings::max_result_chars`]).
    pub text: String,
    /// The full result for the person, as the server sent it (MCP
    /// `CallToolResult` JSON: `content`, `structuredContent`, `isError`).
    pub full: serde_json::Value,
    /// The tool reported an error (`isError: true`).
    pub is_error: bool,
}

/// Why a call could not run or did not finish.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToolError {
    /// The server is not running (failed, disabled, restarting).
    #[error("the server {server} is not available: {reason}")]
    ServerUnavailable {
        /// Server display name.
        server: String,
        /// Why, as the registry knows it.
        reason: String,
    },
    /// No answer within the call's timeout (milliseconds).
    #[error("the tool did not answer within {timeout_ms} ms")]
    Timeout {
        /// The timeout that expired, milliseconds.
        timeout_ms: u64,
    },
    /// The person stopped the reply while the call ran.
    #[error("the tool call was cancelled")]
    Cancelled,
    /// Anything else the server or transport reported.
    #[error("{0}")]
    Failed(String),
}

/// Runs tool calls for the engine; the MCP registry implements it.
#[async_trait::async_trait]
pub trait ToolBox: Send + Sync {
    /// The tools to offer now (enabled, ready servers), in a stable order.
    async fn tools(&self) -> Vec<OfferedTool>;

    /// Runs `tool` with `arguments` (a JSON object). Progress goes to
    /// `progress` as it arrives; cancelling `cancel` must end the call
    /// promptly with [`ToolError::Cancelled`] (and cancel it on the server).
    ///
    /// # Errors
    /// A [`ToolError`] when the call could not run or finish. A tool that ran
    /// and reported a failure is an `Ok` with [`ToolOutput::is_error`].
    async fn call(
        &self,
        tool: &OfferedTool,
        arguments: serde_json::Value,
        progress: mpsc::UnboundedSender<ToolProgress>,
        cancel: CancellationToken,
    ) -> Result<ToolOutput, ToolError>;
}

/// The person's answer to one proposed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    /// Run this call.
    AllowOnce,
    /// Run this call and, until revoked or the tool changes, every later
    /// call of the same tool on the same server.
    AlwaysAllow,
    /// Do not run it; the model is told it was denied.
    Deny,
}

/// A call waiting for the person's decision.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovalRequest {
    /// The conversation the call belongs to.
    pub conversation_id: i64,
    /// The stored call's row id.
    pub tool_call_id: i64,
    /// The tool and its server.
    pub tool: OfferedTool,
    /// The arguments the model sent (a JSON object).
    pub arguments: serde_json::Value,
}

/// Takes the person's decision on a proposed call.
#[async_trait::async_trait]
pub trait Approver: Send + Sync {
    /// Asks about `request`. When `cancel` fires (the reply was stopped) the
    /// question should go away; the engine then treats the call as cancelled
    /// whatever this returns.
    async fn approve(&self, request: ApprovalRequest, cancel: CancellationToken) -> Approval;
}

/// An [`Approver`] that always gives the same answer: the CLI's `--yes`
/// ([`Approval::AllowOnce`]) and `--deny-tools` ([`Approval::Deny`]).
#[derive(Debug, Clone, Copy)]
pub struct FixedApprover(pub Approval);

#[async_trait::async_trait]
impl Approver for FixedApprover {
    async fn approve(&self, _request: ApprovalRequest, _cancel: CancellationToken) -> Approval {
        self.0
    }
}

/// How the engine uses tools in a turn.
#[derive(Clone)]
pub struct ToolSettings {
    /// Where the tools come from.
    pub toolbox: Arc<dyn ToolBox>,
    /// Who approves calls that have no standing permission.
    pub approver: Arc<dyn Approver>,
    /// Most model requests in one turn that may end in tool calls; the
    /// calls of a reply past it are refused and the model is told why.
    /// Bounds stored with [`crate::store::Store::set_tool_limits`]
    /// replace this and [`Self::max_result_chars`] at the start of a turn.
    pub max_rounds: u32,
    /// Most characters of one tool result sent to the model (the person
    /// sees all of it).
    pub max_result_chars: usize,
}

impl ToolSettings {
    /// Default [`ToolSettings::max_rounds`].
    pub const DEFAULT_MAX_ROUNDS: u32 = super::ToolLimits::DEFAULT_MAX_ROUNDS;
    /// Default [`ToolSettings::max_result_chars`] (about 8,000 tokens).
    pub const DEFAULT_MAX_RESULT_CHARS: usize = super::ToolLimits::DEFAULT_MAX_RESULT_CHARS;

    /// Settings with the default bounds.
    pub fn new(toolbox: Arc<dyn ToolBox>, approver: Arc<dyn Approver>) -> Self {
        Self {
            toolbox,
            approver,
            max_rounds: Self::DEFAULT_MAX_ROUNDS,
            max_result_chars: Self::DEFAULT_MAX_RESULT_CHARS,
        }
    }
}

impl std::fmt::Debug for ToolSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolSettings")
            .field("max_rounds", &self.max_rounds)
            .field("max_result_chars", &self.max_result_chars)
            .finish_non_exhaustive()
    }
}

/// Most of a tool's full result stored with its call, in bytes (8 MiB of
/// `CallToolResult` JSON). A larger result is stored as its text for the
/// model (cut to [`ToolLimits::RESULT_CHARS`](super::ToolLimits::RESULT_CHARS)'s
/// top) with a note saying how large it was (see [`stored_result`]).
pub const MAX_STORED_RESULT_BYTES: usize = 8 * 1024 * 1024;

/// The form of `output` stored with its call: the full result as JSON, or,
/// past [`MAX_STORED_RESULT_BYTES`], a result holding only its text
/// (shortened) and a line saying "the tool sent a result of 12.0 MiB; the
/// limit is 8 MiB".
#[must_use]
pub fn stored_result(output: &ToolOutput) -> String {
    let full = output.full.to_string();
    if full.len() <= MAX_STORED_RESULT_BYTES {
        return full;
    }
    let max_chars = *super::ToolLimits::RESULT_CHARS.end();
    let note = format!(
        "[ValeChat did not store the whole result: the tool sent a result of {}; the limit is {}.]",
        size(full.len()),
        size(MAX_STORED_RESULT_BYTES)
    );
    let text = format!("{}\n\n{note}", truncate_for_model(&output.text, max_chars));
    serde_json::json!({
        "content": [{"type": "text", "text": text}],
        "isError": output.is_error,
    })
    .to_string()
}

/// `text` cut to at most `max_chars` characters (on a character boundary),
/// with a note saying how much was left out; unchanged when it fits.
#[must_use]
pub fn truncate_for_model(text: &str, max_chars: usize) -> String {
    let total = text.chars().count();
    if total <= max_chars {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max_chars).collect();
    format!("{kept}\n\n[Output truncated by ValeChat: {max_chars} of {total} characters shown.]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_over_the_bound_is_stored_as_its_text_with_the_sizes() {
        let small = ToolOutput {
            text: "ok".into(),
            full: serde_json::json!({"content": [{"type": "text", "text": "ok"}]}),
            is_error: false,
        };
        assert_eq!(stored_result(&small), small.full.to_string());
        let image = "A".repeat(12 * 1024 * 1024);
        let big = ToolOutput {
            text: "a picture".into(),
            full: serde_json::json!({"content": [{"type": "image", "data": image, "mimeType": "image/png"}]}),
            is_error: false,
        };
        let stored = stored_result(&big);
        assert!(stored.len() < 64 * 1024, "{}", stored.len());
        let value: serde_json::Value = serde_json::from_str(&stored).expect("JSON");
        let text = value["content"][0]["text"].as_str().expect("text");
        assert!(text.starts_with("a picture\n\n"), "{text}");
        assert!(
            text.contains("the tool sent a result of 12.0 MiB; the limit is 8 MiB"),
            "{text}"
        );
    }

    #[test]
    fn short_text_is_unchanged_and_long_text_says_what_was_cut() {
        assert_eq!(truncate_for_model("héllo", 5), "héllo");
        let cut = truncate_for_model("héllo wörld", 5);
        assert!(cut.starts_with("héllo\n\n"), "{cut}");
        assert!(cut.contains("5 of 11 characters"), "{cut}");
    }

    #[test]
    fn progress_fraction_needs_a_positive_total() {
        let p = |progress, total| ToolProgress {
            progress,
            total,
            message: None,
        };
        assert_eq!(p(5.0, Some(10.0)).fraction(), Some(0.5));
        assert_eq!(p(15.0, Some(10.0)).fraction(), Some(1.0));
        assert_eq!(p(5.0, Some(0.0)).fraction(), None);
        assert_eq!(p(5.0, None).fraction(), None);
    }
}
