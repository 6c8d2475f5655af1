//! The columns of a running comparison: their turns' events merged into
//! one stream ([`Comparison::next`]), and each column's figures at its end
//! ([`ColumnSummary`]).
//!
//! Times are measured where the events are received, from the moment the
//! column's turn started (after every column was reserved, the user
//! message stored and the column before it had stored its reply row).

use std::sync::Arc;
use std::time::Instant;

use rust_decimal::Decimal;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::{CancellationToken, DropGuard};

use crate::chat::meter::{Meter, RequestMeter};
use crate::chat::{Engine, EngineError, TurnEvent};
use crate::provider::{ChatMessage, ChatProvider};
use crate::store::{Conversation, Message, MessageParent};

/// Something that happened in one column of a [`Comparison`].
// Nearly every event is a `Turn` (a text delta): boxing it would allocate
// once per delta to save space on the few `Done`s.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum CompareEvent {
    /// An event of column `column`'s turn (index into
    /// [`Comparison::models`]), in that turn's order.
    Turn {
        /// The column, from 0.
        column: usize,
        /// The event.
        event: TurnEvent,
    },
    /// Column `column` ended; always its last event.
    Done {
        /// The column, from 0.
        column: usize,
        /// Its figures and how it ended.
        summary: Box<ColumnSummary>,
    },
}

/// How one column went.
#[derive(Debug, Clone)]
pub struct ColumnSummary {
    /// Provider id.
    pub provider_id: String,
    /// Model id.
    pub model: String,
    /// The column's reply: the first assistant message it stored (a
    /// sibling of the other columns' replies), in its final state when it
    /// was the only one. `None` if the reply could not be stored.
    pub reply: Option<Message>,
    /// Milliseconds from the start to the first text or reasoning delta;
    /// `None` when nothing arrived.
    pub first_token_ms: Option<u64>,
    /// Milliseconds from the start to the end.
    pub total_ms: u64,
    /// Input tokens billed, summed over the column's requests (tool rounds
    /// make several); `None` when nothing was billed.
    pub input_tokens: Option<u64>,
    /// Output tokens billed, likewise.
    pub output_tokens: Option<u64>,
    /// Cost billed, USD, likewise.
    pub cost_usd: Option<Decimal>,
    /// The finish reason the provider gave for the last reply (`stop`,
    /// `length`, …), when it gave one.
    pub finish_reason: Option<String>,
    /// Why the column failed; `None` when it finished (a stopped column
    /// finishes, with its reply `incomplete`).
    pub error: Option<Arc<EngineError>>,
}

impl ColumnSummary {
    /// Output tokens per second while the reply streamed: output tokens
    /// over the time from the first token to the end. `None` without a
    /// first token, output tokens or a measurable time.
    #[must_use]
    pub fn tokens_per_second(&self) -> Option<f64> {
        let first = self.first_token_ms?;
        let output = self.output_tokens?;
        let streaming_ms = self.total_ms.checked_sub(first).filter(|&ms| ms > 0)?;
        // Token counts and milliseconds are far below 2^52: exact in f64.
        #[allow(clippy::cast_precision_loss)]
        Some(output as f64 * 1000.0 / streaming_ms as f64)
    }
}

/// A running comparison: the stored user message, then the columns'
/// events through [`Comparison::next`] until every column is
/// [`CompareEvent::Done`]. [`Comparison::cancel`] stops every column;
/// dropping the comparison does too (each reply is kept as `incomplete`).
pub struct Comparison {
    /// The conversation (created for the comparison when `created`).
    pub conversation: Conversation,
    /// Whether the conversation was created for this comparison.
    pub created: bool,
    /// The prompt, stored once.
    pub user: Message,
    /// `(provider id, model id)` of each column, in order.
    pub models: Vec<(String, String)>,
    events: mpsc::Receiver<CompareEvent>,
    cancel: CancellationToken,
    _guard: DropGuard,
}

impl std::fmt::Debug for Comparison {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Comparison")
            .field("conversation", &self.conversation.id)
            .field("user", &self.user.id)
            .field("models", &self.models)
            .finish_non_exhaustive()
    }
}

impl Comparison {
    pub(super) fn new(
        conversation: Conversation,
        created: bool,
        user: Message,
        models: Vec<(String, String)>,
        events: mpsc::Receiver<CompareEvent>,
        cancel: CancellationToken,
    ) -> Self {
        Self {
            conversation,
            created,
            user,
            models,
            events,
            _guard: cancel.clone().drop_guard(),
            cancel,
        }
    }

    /// The next event of any column, or `None` once every column is done.
    pub async fn next(&mut self) -> Option<CompareEvent> {
        self.events.recv().await
    }

    /// Stops every column: their connections close, partial replies are
    /// kept.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// A token that stops every column when triggered (for a Stop button
    /// held elsewhere).
    #[must_use]
    pub fn cancellation_token(&self) -> CancellationToken {
        self.cancel.clone()
    }
}

/// What a column needs to start its turn.
pub(super) struct ColumnStart {
    pub engine: Engine,
    pub conversation: Conversation,
    pub client: Arc<dyn ChatProvider>,
    /// `(provider id, model id)`.
    pub model: (String, String),
    pub messages: Vec<ChatMessage>,
    /// The user message the reply answers.
    pub parent: MessageParent,
    pub billing: (Meter, RequestMeter),
}

/// Starts column `column`'s turn once `previous` fires (the column before
/// it stored its reply row, or ended), fires `placed` once its own reply
/// row is stored (or the turn ended without one), and forwards the turn
/// into `events`, measuring it; ends with its [`CompareEvent::Done`].
/// `cancel` stops the turn.
pub(super) async fn forward(
    column: usize,
    start: ColumnStart,
    (previous, placed): (Option<oneshot::Receiver<()>>, oneshot::Sender<()>),
    events: mpsc::Sender<CompareEvent>,
    cancel: CancellationToken,
) {
    if let Some(previous) = previous {
        // An error only means the sender is gone: start anyway.
        let _ = previous.await;
    }
    let ColumnStart {
        engine,
        conversation,
        client,
        model: (provider_id, model),
        messages,
        parent,
        billing,
    } = start;
    let started = Instant::now();
    let mut turn = engine.start_turn(
        client,
        &conversation,
        (provider_id.clone(), model.clone()),
        messages,
        (None, parent),
        billing,
    );
    let mut placed = Some(placed);
    let mut summary = ColumnSummary {
        provider_id,
        model,
        reply: None,
        first_token_ms: None,
        total_ms: 0,
        input_tokens: None,
        output_tokens: None,
        cost_usd: None,
        finish_reason: None,
        error: None,
    };
    loop {
        let event = tokio::select! {
            event = turn.next() => event,
            () = cancel.cancelled() => {
                turn.cancel();
                // Keep receiving: the turn ends with its stored state.
                turn.next().await
            }
        };
        let Some(event) = event else { break };
        if matches!(
            event,
            TurnEvent::AssistantStarted(_) | TurnEvent::Queued { .. } | TurnEvent::Failed { .. }
        ) && let Some(placed) = placed.take()
        {
            let _ = placed.send(());
        }
        summary.note(&event, started);
        // The receiver may be gone: the turn still finishes and is stored.
        let _ = events.send(CompareEvent::Turn { column, event }).await;
    }
    if let Some(placed) = placed.take() {
        let _ = placed.send(());
    }
    summary.total_ms = elapsed_ms(started);
    let _ = events
        .send(CompareEvent::Done {
            column,
            summary: Box::new(summary),
        })
        .await;
}

impl ColumnSummary {
    /// Takes what `event` tells about the column.
    fn note(&mut self, event: &TurnEvent, started: Instant) {
        match event {
            TurnEvent::AssistantStarted(message) if self.reply.is_none() => {
                self.reply = Some(message.clone());
            }
            TurnEvent::TextDelta(_) | TurnEvent::ReasoningDelta(_)
                if self.first_token_ms.is_none() =>
            {
                self.first_token_ms = Some(elapsed_ms(started));
            }
            TurnEvent::UsageRecorded(record) => {
                let add = |sum: Option<u64>, n: i64| {
                    Some(sum.unwrap_or(0) + u64::try_from(n).unwrap_or(0))
                };
                self.input_tokens = add(self.input_tokens, record.tokens.input);
                self.output_tokens = add(self.output_tokens, record.tokens.output);
                self.cost_usd = Some(self.cost_usd.unwrap_or_default() + record.cost_usd);
            }
            TurnEvent::Finished(message) => {
                self.finish_reason.clone_from(&message.finish_reason);
                self.keep_final(message);
            }
            TurnEvent::Failed { message, error } => {
                if let Some(message) = message {
                    self.finish_reason.clone_from(&message.finish_reason);
                    self.keep_final(message);
                }
                self.error = Some(error.clone());
            }
            _ => {}
        }
    }

    /// Keeps `message` as the reply when it is the reply's final state.
    fn keep_final(&mut self, message: &Message) {
        match &self.reply {
            Some(reply) if reply.id != message.id => {}
            _ => self.reply = Some(message.clone()),
        }
    }
}

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}
