//! [`TurnHub`]: the server's running turns, independent of the connections
//! that follow them. Each turn runs as a task; its events are numbered
//! (`seq` 1, 2, 3…), kept in a [`TurnBuffer`] for `resume` and pushed to
//! every connection following it without waiting (see `outbox`). The
//! spending thresholds a turn crosses are also shown as desktop
//! notifications. A finished turn is forgotten [`FORGET_FINISHED_AFTER`]
//! after it ends.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use valechat_core::chat::{
    Approval, Approver, ConversationTarget, Engine, EngineError, SendRequest, ToolBox,
    ToolSettings, TurnEvent,
};

use super::approver::HubApprover;
use super::convert;
use super::outbox::Outbox;
use super::turn_buffer::{Dropped, TurnBuffer};

/// How long a finished turn stays available to `resume`: 5 minutes.
pub const FORGET_FINISHED_AFTER: Duration = Duration::from_secs(5 * 60);

/// The running turns of one server, and what they run with: the engine and
/// the server's shared MCP toolbox (`None`: no tools are offered). Cloning
/// is cheap and shares the turns.
#[derive(Clone)]
pub struct TurnHub {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    toolbox: Option<Arc<dyn ToolBox>>,
    turns: Mutex<HashMap<String, Arc<TurnState>>>,
    forget_after: Duration,
}

/// One turn as the hub keeps it.
pub(super) struct TurnState {
    pub id: String,
    conversation_id: AtomicI64,
    shared: Mutex<Shared>,
    /// Stops the turn (`cancel`, or the server's shutdown).
    pub cancel: CancellationToken,
    /// Tool calls waiting for a client's decision, by stored call id.
    pub approvals: Mutex<HashMap<i64, oneshot::Sender<Approval>>>,
}

struct Shared {
    buffer: TurnBuffer,
    followers: Vec<Outbox>,
    finished: bool,
}

/// Why a `resume` cannot be served.
#[derive(Debug)]
pub enum ResumeError {
    /// No such turn (never started here, or forgotten).
    UnknownTurn,
    /// The events after the client's `seq` are no longer kept.
    Dropped {
        /// The turn's conversation.
        conversation_id: i64,
        /// The oldest `seq` still kept.
        first_kept: Option<u64>,
    },
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl TurnState {
    /// Numbers `body` (a server message object with `type`), keeps it and
    /// pushes it to every follower; followers that are gone or too slow are
    /// left out from then on. Never waits.
    pub fn publish(&self, mut body: Value) {
        let mut shared = lock(&self.shared);
        let seq = shared.buffer.next_seq();
        if let Some(object) = body.as_object_mut() {
            object.insert("turn_id".into(), json!(self.id));
            object.insert("seq".into(), json!(seq));
        }
        let json: Arc<str> = Arc::from(convert::versioned(body).to_string());
        shared.buffer.push(json.clone());
        shared.followers.retain(|f| f.push(json.clone()));
    }

    /// The turn's conversation.
    pub fn conversation_id(&self) -> i64 {
        self.conversation_id.load(Ordering::Acquire)
    }
}

impl TurnHub {
    /// A hub running turns on `engine`, offering the tools of its
    /// [`Engine::tool_settings`] (none when it has none), each turn asking
    /// its followers to approve calls.
    pub fn offering_engine_tools(engine: Engine) -> Self {
        let toolbox = engine.tool_settings().map(|t| t.toolbox.clone());
        Self::new(engine, toolbox)
    }

    /// A hub running turns on `engine`, offering the tools of `toolbox`
    /// (each turn asks its followers to approve calls).
    pub fn new(engine: Engine, toolbox: Option<Arc<dyn ToolBox>>) -> Self {
        Self::with_forget_after(engine, toolbox, FORGET_FINISHED_AFTER)
    }

    /// As [`TurnHub::new`], forgetting finished turns after `forget_after`.
    pub fn with_forget_after(
        engine: Engine,
        toolbox: Option<Arc<dyn ToolBox>>,
        forget_after: Duration,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                engine,
                toolbox,
                turns: Mutex::new(HashMap::new()),
                forget_after,
            }),
        }
    }

    /// The engine the turns run on.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// Number of turns kept (running, or finished less than the forget delay ago).
    pub fn turn_count(&self) -> usize {
        lock(&self.inner.turns).len()
    }

    /// Starts `request` as a new turn followed by `follower`, which first
    /// gets `turn_started` (with `request_id`). Returns the turn id.
    ///
    /// # Errors
    /// The engine's refusal before anything streams (see `Engine::send`);
    /// nothing is stored then.
    pub(super) async fn start(
        &self,
        request: SendRequest,
        request_id: &str,
        follower: Outbox,
    ) -> Result<String, EngineError> {
        let state = Arc::new(TurnState {
            id: uuid::Uuid::new_v4().to_string(),
            conversation_id: AtomicI64::new(0),
            shared: Mutex::new(Shared {
                buffer: TurnBuffer::new(),
                followers: Vec::new(),
                finished: false,
            }),
            cancel: CancellationToken::new(),
            approvals: Mutex::new(HashMap::new()),
        });
        // The engine's own bounds (rounds, result size) are kept; only the
        // approver is this turn's.
        let engine = match &self.inner.toolbox {
            Some(toolbox) => {
                let approver: Arc<dyn Approver> = Arc::new(HubApprover::new(state.clone()));
                let tools = match self.inner.engine.tool_settings() {
                    Some(own) => ToolSettings {
                        toolbox: toolbox.clone(),
                        approver,
                        ..own.clone()
                    },
                    None => ToolSettings::new(toolbox.clone(), approver),
                };
                self.inner.engine.clone().with_tools(tools)
            }
            None => self.inner.engine.clone(),
        };
        let existing = match &request.conversation {
            ConversationTarget::Existing(id) => Some(*id),
            ConversationTarget::New(_) => None,
        };
        let mut turn = engine.send(request).await?;
        let mut first = None;
        let conversation_id = match existing {
            Some(id) => id,
            None => match turn.next().await {
                Some(TurnEvent::ConversationCreated(c)) => c.id,
                other => {
                    first = other;
                    0
                }
            },
        };
        state
            .conversation_id
            .store(conversation_id, Ordering::Release);
        let started = convert::versioned(json!({
            "type": "turn_started",
            "turn_id": state.id,
            "conversation_id": conversation_id,
            "request_id": request_id,
        }));
        follower.push(Arc::from(started.to_string()));
        lock(&state.shared).followers.push(follower);
        lock(&self.inner.turns).insert(state.id.clone(), state.clone());
        let hub = self.clone();
        let id = state.id.clone();
        tokio::spawn(async move {
            let mut stopping = false;
            if let Some(body) = first.as_ref().and_then(convert::turn_event) {
                state.publish(body);
            }
            loop {
                tokio::select! {
                    () = state.cancel.cancelled(), if !stopping => {
                        turn.cancel();
                        stopping = true;
                    }
                    event = turn.next() => match event {
                        Some(event) => {
                            // Crossed thresholds are also desktop
                            // notifications, as for the window's turns.
                            if let TurnEvent::LimitAlerts(alerts) = &event {
                                let alerts = alerts.clone();
                                tokio::spawn(async move {
                                    crate::cli::notify::notify_alerts_cli(&alerts).await;
                                });
                            }
                            if let Some(body) = convert::turn_event(&event) {
                                state.publish(body);
                            }
                        }
                        None => break,
                    },
                }
            }
            {
                let mut shared = lock(&state.shared);
                shared.finished = true;
                shared.followers.clear();
            }
            tokio::time::sleep(hub.inner.forget_after).await;
            lock(&hub.inner.turns).remove(&state.id);
        });
        Ok(id)
    }

    fn turn(&self, turn_id: &str) -> Option<Arc<TurnState>> {
        lock(&self.inner.turns).get(turn_id).cloned()
    }

    /// Stops turn `turn_id`; `false` when it is unknown.
    pub fn cancel(&self, turn_id: &str) -> bool {
        self.turn(turn_id).map(|t| t.cancel.cancel()).is_some()
    }

    /// Answers the waiting tool call `tool_call_id` of turn `turn_id`;
    /// `false` when no such call waits.
    pub fn decide(&self, turn_id: &str, tool_call_id: i64, approval: Approval) -> bool {
        let Some(turn) = self.turn(turn_id) else {
            return false;
        };
        let waiting = lock(&turn.approvals).remove(&tool_call_id);
        waiting.is_some_and(|w| w.send(approval).is_ok())
    }

    /// Sends `follower` the events of turn `turn_id` after `last_seq`, then
    /// (while the turn runs) every later one.
    ///
    /// # Errors
    /// [`ResumeError`]: unknown turn, or events no longer kept.
    pub(super) fn resume(
        &self,
        turn_id: &str,
        last_seq: u64,
        follower: Outbox,
    ) -> Result<(), ResumeError> {
        let turn = self.turn(turn_id).ok_or(ResumeError::UnknownTurn)?;
        let mut shared = lock(&turn.shared);
        match shared.buffer.after(last_seq) {
            Ok(events) => {
                for json in events {
                    if !follower.push(json) {
                        return Ok(());
                    }
                }
                if !shared.finished && !shared.followers.iter().any(|f| f.same(&follower)) {
                    shared.followers.push(follower);
                }
                Ok(())
            }
            Err(Dropped { first_kept }) => Err(ResumeError::Dropped {
                conversation_id: turn.conversation_id(),
                first_kept,
            }),
        }
    }
}
