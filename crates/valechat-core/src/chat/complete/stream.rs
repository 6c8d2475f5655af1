//! What a completion streams to its caller: [`CompletionEvent`]s through a
//! [`CompletionStream`].

use tokio::sync::mpsc;
use tokio_util::sync::{CancellationToken, DropGuard};

use super::Completion;
use crate::chat::EngineError;

/// Events a caller receives from a buffer of this many before the
/// provider's stream waits for it (back-pressure, never an unbounded queue).
pub(super) const EVENT_BUFFER: usize = 64;

/// One event of a streamed completion, in order: at most one `Started`,
/// deltas, then exactly one `Finished` or `Failed`.
#[derive(Debug)]
pub enum CompletionEvent {
    /// The provider accepted the request; `model` answers (as the server
    /// reported it, else the one asked). Comes before any delta.
    Started {
        /// The model that answers.
        model: String,
    },
    /// A piece of the visible answer (a refusal included).
    TextDelta(String),
    /// A piece of the model's reasoning.
    ReasoningDelta(String),
    /// A tool call begins; `index` orders the reply's calls (OpenAI's
    /// `tool_calls[].index`).
    ToolCallStart {
        /// Position of the call among this reply's calls.
        index: u32,
        /// The provider's call id (`call_…`, `toolu_…`).
        id: String,
        /// The tool's name.
        name: String,
    },
    /// A fragment of the JSON arguments of the call at `index`.
    ToolCallArgumentsDelta {
        /// Position of the call, as in [`CompletionEvent::ToolCallStart`].
        index: u32,
        /// Raw JSON text fragment.
        fragment: String,
    },
    /// Last event: the whole reply, billed.
    Finished(Box<Completion>),
    /// Last event: the request failed after it was sent (a provider error,
    /// [`EngineError::LimitCutOff`] at a hard limit, a bound passed,
    /// cancelled); what it consumed is billed.
    Failed(Box<EngineError>),
}

/// A completion in progress. Dropping it cancels the provider's request
/// (what was consumed is still billed).
#[derive(Debug)]
pub struct CompletionStream {
    events: mpsc::Receiver<CompletionEvent>,
    cancel: CancellationToken,
    _stop_on_drop: DropGuard,
}

impl CompletionStream {
    /// A stream reading `events`, whose producer stops when `cancel` fires.
    pub(super) fn new(events: mpsc::Receiver<CompletionEvent>, cancel: CancellationToken) -> Self {
        Self {
            events,
            _stop_on_drop: cancel.clone().drop_guard(),
            cancel,
        }
    }

    /// The next event; `None` after [`CompletionEvent::Finished`] or
    /// [`CompletionEvent::Failed`].
    pub async fn next(&mut self) -> Option<CompletionEvent> {
        self.events.recv().await
    }

    /// Stops the provider's request: the stream ends with
    /// [`CompletionEvent::Failed`] (cancelled), what was consumed billed.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }
}
