//! The chat worker: the Relm4 `Worker` that runs replies (DESIGN.md, "long-
//! lived engine streams in Relm4 Workers"; data flow, step 1:
//! `ChatWorker::Send`).
//!
//! The conversation view sends it what to start ([`ChatWorkerInput`]); the
//! worker calls [`Engine::send`] or [`Engine::retry`] and passes every event
//! of the turn back, in order, as its Output ([`ChatWorkerOutput`]), which
//! the view forwards into its own input. The worker runs on its own thread
//! (`detach_worker`), so starting a turn (reserving against the limits,
//! storing the user message) never waits on the window's main loop, and
//! the turn's stream runs on the shared tokio runtime until it ends or the
//! view, and with it the worker, shuts down.

use relm4::{Component, ComponentParts, ComponentSender};
use tokio_util::sync::CancellationToken;

use crate::ui::composer::Draft;
use valechat_core::chat::{Engine, EngineError, SendRequest, TurnEvent};
use valechat_core::store::Conversation;

/// The worker's state: the engine, once it is open.
#[derive(Debug, Default)]
pub struct ChatWorker {
    engine: Option<Engine>,
}

/// What the worker is asked to do.
#[derive(Debug)]
pub enum ChatWorkerInput {
    /// The engine to send with, once it is open.
    SetEngine(Engine),
    /// Send a message: the request, and the draft to give back if the send
    /// cannot start.
    Send(Box<SendRequest>, Draft),
    /// Answer the last user message of conversation `id` again.
    Retry(i64),
}

/// A turn's progress, in the order it happens.
#[derive(Debug)]
pub enum ChatWorkerOutput {
    /// The send created this conversation (before any other event).
    Created(Conversation),
    /// The turn started; the token that stops it.
    Started(CancellationToken),
    /// An event of the running turn ([`TurnEvent`]).
    Event(TurnEvent),
    /// The send could not start: the user's sentence, and the draft to give
    /// back (`None` for a retry).
    SendFailed(String, Option<Draft>),
    /// A hard spending limit refused the send: the explanation, and the
    /// draft to send anyway or give back.
    LimitRefused(String, Option<Draft>),
}

impl Component for ChatWorker {
    type Init = ();
    type Input = ChatWorkerInput;
    type Output = ChatWorkerOutput;
    type CommandOutput = ();
    type Root = ();
    type Widgets = ();

    fn init_root() -> Self::Root {}

    fn init((): (), (): Self::Root, _sender: ComponentSender<Self>) -> ComponentParts<Self> {
        ComponentParts {
            model: Self::default(),
            widgets: (),
        }
    }

    fn update(&mut self, message: ChatWorkerInput, sender: ComponentSender<Self>, (): &()) {
        let start = match message {
            ChatWorkerInput::SetEngine(engine) => {
                self.engine = Some(engine);
                return;
            }
            ChatWorkerInput::Send(request, draft) => Start::Send(*request, draft),
            ChatWorkerInput::Retry(id) => Start::Retry(id),
        };
        let Some(engine) = self.engine.clone() else {
            // The view sends only once it has given the worker the engine;
            // should that ever change, the draft still goes back.
            tracing::error!("the chat worker was asked to send before it had the engine");
            let draft = match start {
                Start::Send(_, draft) => Some(draft),
                Start::Retry(_) => None,
            };
            let error = gettextrs::gettext("The reply failed.");
            let _ = sender.output(ChatWorkerOutput::SendFailed(error, draft));
            return;
        };
        let output = sender.output_sender().clone();
        sender.command(move |_, shutdown| {
            shutdown
                .register(run(engine, start, output))
                .drop_on_shutdown()
        });
    }
}

/// Which engine call starts the turn.
// One value per send, moved once into the turn's task: its size is moot.
#[allow(clippy::large_enum_variant)]
enum Start {
    Send(SendRequest, Draft),
    Retry(i64),
}

/// Runs one turn, passing its events to `output` until it ends. A gone
/// receiver (the view shut down) is not an error: the engine stores the
/// reply either way.
async fn run(engine: Engine, start: Start, output: relm4::Sender<ChatWorkerOutput>) {
    let emit = |message| {
        let _ = output.send(message);
    };
    let (turn, draft) = match start {
        Start::Send(request, draft) => (engine.send(request).await, Some(draft)),
        Start::Retry(id) => (engine.retry(id).await, None),
    };
    let mut turn = match turn {
        Ok(turn) => turn,
        Err(e @ (EngineError::LimitReached(_) | EngineError::UnpricedUnderLimit { .. })) => {
            emit(ChatWorkerOutput::LimitRefused(e.user_message(), draft));
            return;
        }
        Err(e) => {
            emit(ChatWorkerOutput::SendFailed(e.user_message(), draft));
            return;
        }
    };
    // A created conversation comes first, before Stop and the sidebar's
    // refresh need it.
    let cancel = turn.cancellation_token();
    let mut started = false;
    while let Some(event) = turn.next().await {
        if let TurnEvent::ConversationCreated(c) = event {
            emit(ChatWorkerOutput::Created(c));
            continue;
        }
        if !started {
            started = true;
            emit(ChatWorkerOutput::Started(cancel.clone()));
        }
        emit(ChatWorkerOutput::Event(event));
    }
}
