//! The compare worker: the Relm4 `Worker` that runs a comparison
//! ([`Engine::compare`]) and passes its events back, in order, as its
//! Output, as the chat worker does for a turn.

use relm4::{Component, ComponentParts, ComponentSender};
use tokio_util::sync::CancellationToken;

use valechat_core::chat::{CompareEvent, CompareRequest, Engine, EngineError};
use valechat_core::store::{Conversation, Message};

/// The worker's state: the engine, once it is open.
#[derive(Debug, Default)]
pub struct CompareWorker {
    engine: Option<Engine>,
}

/// What the worker is asked to do.
#[derive(Debug)]
pub enum CompareWorkerInput {
    /// The engine to compare with, once it is open.
    SetEngine(Engine),
    /// Start this comparison.
    Run(Box<CompareRequest>),
}

/// A comparison's progress.
// Nearly every output is an `Event` (a text delta): see `CompareEvent`.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum CompareWorkerOutput {
    /// Every column was reserved and the prompt stored: the conversation
    /// (`true`: created for it), the prompt, and the token that stops
    /// every column.
    Started(Box<Conversation>, bool, Box<Message>, CancellationToken),
    /// An event of one column.
    Event(CompareEvent),
    /// The comparison could not start (nothing was stored or sent): the
    /// sentence.
    Refused(String),
    /// A hard spending limit (or an unpriced model under one) refused the
    /// comparison before anything was stored or sent: the explanation
    /// (which limit, spent, left), to offer "Send Anyway".
    LimitRefused(String),
}

impl Component for CompareWorker {
    type Init = ();
    type Input = CompareWorkerInput;
    type Output = CompareWorkerOutput;
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

    fn update(&mut self, message: CompareWorkerInput, sender: ComponentSender<Self>, (): &()) {
        let request = match message {
            CompareWorkerInput::SetEngine(engine) => {
                self.engine = Some(engine);
                return;
            }
            CompareWorkerInput::Run(request) => *request,
        };
        let Some(engine) = self.engine.clone() else {
            let error = gettextrs::gettext("The reply failed.");
            let _ = sender.output(CompareWorkerOutput::Refused(error));
            return;
        };
        let output = sender.output_sender().clone();
        sender.command(move |_, shutdown| {
            shutdown
                .register(run(engine, request, output))
                .drop_on_shutdown()
        });
    }
}

/// Runs one comparison, passing its events to `output` until every column
/// is done. A gone receiver is not an error: the engine stores the replies.
async fn run(engine: Engine, request: CompareRequest, output: relm4::Sender<CompareWorkerOutput>) {
    let emit = |message| {
        let _ = output.send(message);
    };
    let mut comparison = match engine.compare(request).await {
        Ok(comparison) => comparison,
        Err(e @ (EngineError::LimitReached(_) | EngineError::UnpricedUnderLimit { .. })) => {
            emit(CompareWorkerOutput::LimitRefused(e.user_message()));
            return;
        }
        Err(e) => {
            emit(CompareWorkerOutput::Refused(e.user_message()));
            return;
        }
    };
    emit(CompareWorkerOutput::Started(
        Box::new(comparison.conversation.clone()),
        comparison.created,
        Box::new(comparison.user.clone()),
        comparison.cancellation_token(),
    ));
    while let Some(event) = comparison.next().await {
        emit(CompareWorkerOutput::Event(event));
    }
}
