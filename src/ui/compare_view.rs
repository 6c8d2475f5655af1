//! The compare view (issue 14, part 2): one prompt answered by 2–4 models
//! side by side, in place of the conversation's messages.
//!
//! ```text
//! gtk::Box (vertical)
//! ├─ gtk::Box: "Compare Models", the prompt, Stop, Back to Conversation
//! ├─ gtk::ScrolledWindow (while choosing): the models to compare (check
//! │  buttons, see `chooser`), Compare
//! └─ gtk::Box (once compared): adw::Squeezer (see `column::Layout`)
//!       ├─ the columns side by side (a wide window)
//!       └─ adw::ViewStack + adw::ViewSwitcherBar: one tab per column
//! ```
//!
//! The conversation view starts it with [`CompareViewInput::Start`] (the
//! composer's Compare Models… or Ctrl+Shift+Enter, with the draft); the
//! comparison runs in the compare worker ([`worker::CompareWorker`]) and
//! its text reaches the columns at most once per frame. A hard spending
//! limit's refusal offers "Send Anyway" (see `refusal`). "Continue with
//! this one" makes that reply the active branch
//! ([`valechat_core::chat::Engine::continue_with`]); the view then asks
//! its parent to show the conversation again through
//! [`CompareViewOutput::Close`].

mod chooser;
mod column;
mod refusal;
mod running;
mod view;
mod worker;

use relm4::gtk::prelude::*;
use relm4::{Component, ComponentParts, ComponentSender, WorkerController, gtk};
use tokio_util::sync::CancellationToken;

use crate::ui::composer::Draft;
use chooser::{Choice, MAX_COLUMNS};
use column::{ColumnWidgets, Layout};
use valechat_core::chat::{
    ColumnSummary, CompareEvent, CompareRequest, ConversationTarget, Engine, SendOptions,
    TurnEvent, UserInput,
};
use valechat_core::store::Conversation;
pub use view::CompareViewWidgets;
use worker::{CompareWorker, CompareWorkerInput, CompareWorkerOutput};

/// One column's state.
struct Column {
    text: String,
    widgets: ColumnWidgets,
    summary: Option<ColumnSummary>,
}

/// The compare view's state.
pub struct CompareView {
    engine: Option<Engine>,
    worker: WorkerController<CompareWorker>,
    /// Where the prompt goes.
    target: ConversationTarget,
    /// The prompt, until the comparison starts (given back on Back).
    draft: Option<Draft>,
    /// The models offered, and which are ticked.
    choices: Vec<Choice>,
    chosen: Vec<bool>,
    /// The conversation compared in, once known.
    conversation: Option<i64>,
    columns: Vec<Column>,
    cancel: Option<CancellationToken>,
    /// Columns not done yet.
    running: usize,
    /// A frame callback will show the text received.
    flush_scheduled: bool,
}

/// Messages the compare view accepts.
#[derive(Debug)]
pub enum CompareViewInput {
    /// The engine, once it is open.
    SetEngine(Engine),
    /// Compare `draft` in `target`: offer the models to choose.
    Start(ConversationTarget, Draft),
    /// The model at this index was ticked or unticked.
    Toggle(usize, bool),
    /// Compare the models ticked.
    Run,
    /// Compare the models ticked once over a hard spending limit (the
    /// refusal's "Send Anyway").
    RunAnyway,
    /// What the compare worker reports.
    Worker(CompareWorkerOutput),
    /// Show the text received since the last frame.
    Flush,
    /// Make column `.0`'s reply the active branch and go back.
    Continue(usize),
    /// Stop every column (their partial replies are kept).
    Stop,
    /// Back to the conversation (the draft is given back when nothing was
    /// sent).
    Back,
}

/// What the compare view asks of its parent.
#[derive(Debug)]
pub enum CompareViewOutput {
    /// The comparison created this conversation.
    Created(Box<Conversation>),
    /// Show the conversation again: conversation `conversation` when one
    /// was compared in (reread: its active branch may have changed), with
    /// `draft` given back to the composer when nothing was sent.
    Close {
        /// The conversation compared in, if any.
        conversation: Option<i64>,
        /// The prompt, when it was not sent.
        draft: Option<Draft>,
    },
    /// Show a toast with this text.
    Toast(String),
}

/// Results of the view's one-shot work.
#[derive(Debug)]
pub enum CompareViewCommand {
    /// The models to offer.
    Choices(Result<Vec<Choice>, String>),
    /// The active branch was switched to a column's reply (or why not).
    Continued(Result<i64, String>),
}

impl Component for CompareView {
    type CommandOutput = CompareViewCommand;
    type Input = CompareViewInput;
    type Output = CompareViewOutput;
    type Init = ();
    type Root = gtk::Box;
    type Widgets = CompareViewWidgets;

    fn init_root() -> Self::Root {
        gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(6)
            .build()
    }

    fn init((): (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let widgets = view::build(&root, &sender);
        let model = CompareView {
            engine: None,
            worker: CompareWorker::builder()
                .detach_worker(())
                .forward(sender.input_sender(), CompareViewInput::Worker),
            target: ConversationTarget::Existing(0),
            draft: None,
            choices: Vec::new(),
            chosen: Vec::new(),
            conversation: None,
            columns: Vec::new(),
            cancel: None,
            running: 0,
            flush_scheduled: false,
        };
        ComponentParts { model, widgets }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::Input,
        sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        match message {
            CompareViewInput::SetEngine(engine) => {
                self.worker
                    .emit(CompareWorkerInput::SetEngine(engine.clone()));
                self.engine = Some(engine);
            }
            CompareViewInput::Start(target, draft) => self.start(widgets, target, draft, &sender),
            CompareViewInput::Toggle(index, active) => {
                if let Some(chosen) = self.chosen.get_mut(index) {
                    *chosen = active;
                }
            }
            CompareViewInput::Run => self.run(widgets, false, &sender),
            CompareViewInput::RunAnyway => self.run(widgets, true, &sender),
            CompareViewInput::Worker(progress) => self.on_worker(widgets, progress, &sender, root),
            CompareViewInput::Flush => {
                self.flush_scheduled = false;
                for column in &mut self.columns {
                    column.widgets.set_text(&column.text);
                }
            }
            CompareViewInput::Continue(index) => {
                let reply = self
                    .columns
                    .get(index)
                    .and_then(|c| c.summary.as_ref()?.reply.as_ref().map(|m| m.id));
                if let (Some(engine), Some(reply)) = (self.engine.clone(), reply) {
                    sender.oneshot_command(async move {
                        CompareViewCommand::Continued(
                            engine
                                .continue_with(reply)
                                .await
                                .map_err(|e| e.user_message()),
                        )
                    });
                }
            }
            CompareViewInput::Stop => {
                if let Some(cancel) = &self.cancel {
                    cancel.cancel();
                }
            }
            CompareViewInput::Back => {
                if let Some(cancel) = self.cancel.take() {
                    cancel.cancel();
                }
                let _ = sender.output(CompareViewOutput::Close {
                    conversation: self.conversation.or(match self.target {
                        ConversationTarget::Existing(id) => Some(id),
                        ConversationTarget::New(_) => None,
                    }),
                    draft: self.draft.take(),
                });
            }
        }
        let choosing = widgets.choose_page.is_visible();
        let ticked = self.chosen.iter().filter(|c| **c).count();
        widgets
            .compare
            .set_sensitive(choosing && (2..=MAX_COLUMNS).contains(&ticked));
        widgets.stop.set_visible(self.running > 0);
    }

    fn update_cmd(
        &mut self,
        message: CompareViewCommand,
        sender: ComponentSender<Self>,
        _root: &Self::Root,
    ) {
        match message {
            CompareViewCommand::Choices(Ok(choices)) => {
                self.chosen = vec![false; choices.len()];
                self.choices = choices;
            }
            CompareViewCommand::Choices(Err(error)) | CompareViewCommand::Continued(Err(error)) => {
                let _ = sender.output(CompareViewOutput::Toast(error));
            }
            CompareViewCommand::Continued(Ok(_)) => {
                let _ = sender.output(CompareViewOutput::Close {
                    conversation: self.conversation,
                    draft: None,
                });
            }
        }
    }

    fn update_cmd_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::CommandOutput,
        sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        let fill = matches!(message, CompareViewCommand::Choices(Ok(_)));
        self.update_cmd(message, sender.clone(), root);
        if fill {
            let input = sender.input_sender().clone();
            chooser::fill(&widgets.list, &self.choices, move |index, active| {
                input.emit(CompareViewInput::Toggle(index, active));
            });
        }
    }
}
