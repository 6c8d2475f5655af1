//! A running reply: [`Turn`] and the [`TurnEvent`]s it yields, in order.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_util::sync::{CancellationToken, DropGuard};

use super::{EngineError, OfferedTool, ToolProgress};
use crate::provider::Usage;
use crate::store::{Message, ToolCallRecord};

/// Something that happened during a [`Turn`], in order.
#[derive(Debug, Clone)]
pub enum TurnEvent {
    /// The conversation this turn created ([`ConversationTarget::New`](super::ConversationTarget::New)):
    /// always the turn's first event then.
    ConversationCreated(crate::store::Conversation),
    /// The user's message was stored (absent for a retry, which reuses the last one).
    UserMessageSaved(Message),
    /// The assistant message row was created (status `streaming`, empty content).
    AssistantStarted(Message),
    /// A piece of the visible answer.
    TextDelta(String),
    /// A piece of the model's reasoning.
    ReasoningDelta(String),
    /// A model request ended in tool calls: `0` is the stored assistant
    /// message that asked (status `complete`, finish reason `tool_calls`).
    /// Its calls follow as `ToolCall…` events, then a new
    /// [`TurnEvent::AssistantStarted`] for the model's next reply.
    RoundFinished(Message),
    /// The model asked for a tool call; it is stored as pending. `tool` is
    /// the offered tool it names (`None` for an unknown name).
    ToolCallProposed {
        /// The stored call.
        call: ToolCallRecord,
        /// The tool and its server.
        tool: Option<Box<OfferedTool>>,
    },
    /// An approved call started on its server.
    ToolCallRunning(ToolCallRecord),
    /// A running call reported progress.
    ToolCallProgress {
        /// Row id of the call.
        id: i64,
        /// What the server reported.
        progress: ToolProgress,
    },
    /// A call ended (succeeded, failed, denied or cancelled): its final row.
    ToolCallFinished(ToolCallRecord),
    /// The provider reported token usage for the request.
    Usage(Usage),
    /// A provider request was billed: its usage record (tokens, cost,
    /// verification), one per model request of the turn.
    UsageRecorded(crate::ledger::UsageRecord),
    /// Spending thresholds crossed for the first time in their period:
    /// raise one notification each.
    LimitAlerts(Vec<crate::ledger::LimitAlert>),
    /// The provider's rate limit makes this request wait `wait_ms`
    /// milliseconds before it is sent (Stop ends the wait).
    Queued {
        /// Expected wait, milliseconds.
        wait_ms: u64,
    },
    /// Soft limits this request may cross (it is sent anyway).
    SoftLimitWarnings(Vec<crate::ledger::LimitUse>),
    /// The reply ended; `message` is its final stored state (`complete`, or
    /// `incomplete` after a stop or a mid-stream failure with partial text).
    Finished(Message),
    /// The reply failed. `message` is the stored assistant message if one was
    /// created (status `failed` or `incomplete`, keeping any partial text).
    Failed {
        /// Final stored state of the assistant message, if created.
        message: Option<Message>,
        /// What went wrong.
        error: Arc<EngineError>,
    },
}

/// A running reply: receive its events with [`Turn::next`], stop it with
/// [`Turn::cancel`]. Dropping a `Turn` cancels it too; the partial reply is
/// still stored as `incomplete`.
pub struct Turn {
    /// An event to hand out before the runner's (the created conversation).
    first: Option<TurnEvent>,
    events: mpsc::Receiver<TurnEvent>,
    cancel: CancellationToken,
    _guard: DropGuard,
}

impl Turn {
    /// A turn reading `events` from its runner and stopped by `cancel`
    /// (also when the turn is dropped).
    pub(super) fn new(events: mpsc::Receiver<TurnEvent>, cancel: CancellationToken) -> Self {
        Self {
            first: None,
            events,
            _guard: cancel.clone().drop_guard(),
            cancel,
        }
    }

    /// The next event, or `None` once the turn has ended (after
    /// [`TurnEvent::Finished`] or [`TurnEvent::Failed`]).
    pub async fn next(&mut self) -> Option<TurnEvent> {
        match self.first.take() {
            Some(event) => Some(event),
            None => self.events.recv().await,
        }
    }

    /// This turn, handing out `event` before anything else.
    pub(super) fn announcing(mut self, event: TurnEvent) -> Self {
        self.first = Some(event);
        self
    }

    /// Stops the reply: the connection is closed and the partial text kept.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// A token that cancels this turn when triggered (for Stop buttons held elsewhere).
    #[must_use]
    pub fn cancellation_token(&self) -> CancellationToken {
        self.cancel.clone()
    }
}
