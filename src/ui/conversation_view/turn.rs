//! A reply streaming into the view: starting it in the chat worker
//! ([`crate::ui::chat_worker`]), what the worker reports of it, and the
//! once-per-frame flush of text into the markdown view.

use relm4::gtk::prelude::*;
use relm4::{ComponentController, ComponentSender, gtk};

use super::{
    ConversationView, ConversationViewInput, ConversationViewOutput, ConversationViewWidgets,
    Streaming,
};
use crate::ui::chat_worker::{ChatWorkerInput, ChatWorkerOutput};
use crate::ui::composer::ComposerInput;
use crate::ui::composer::Draft;
use crate::ui::message_row::MessageRow;
use valechat_core::chat::{BranchPoint, ConversationTarget, SendRequest, TurnEvent};
use valechat_core::provider::Role;
use valechat_core::store::Message;

/// Which engine call starts the turn.
// One value per send, moved once into the turn's task: its size is moot.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(super) enum Start {
    /// Send a message: the request, and the draft to give back if the send
    /// cannot start.
    Send(SendRequest, Draft),
    /// Answer the last user message of conversation `id` again.
    Retry(i64),
}

impl ConversationView {
    /// Starts a turn in the chat worker; its events come back as
    /// [`ConversationViewInput::Chat`].
    pub(super) fn start_turn(&mut self, start: Start, sender: &ComponentSender<Self>) {
        if self.engine.is_none() {
            return;
        }
        let _ = sender.output(ConversationViewOutput::Replying(true));
        let (replaces, regenerating) = match &start {
            Start::Send(request, _) => match &request.branch {
                BranchPoint::Edit { message_id, .. } => (Some(*message_id), None),
                BranchPoint::Regenerate { message_id, model } => {
                    (Some(*message_id), Some((*message_id, model.clone())))
                }
                _ => (None, None),
            },
            Start::Retry(_) => (None, None),
        };
        self.streaming = Some(Streaming {
            replaces,
            regenerating,
            conversation_id: self.shown,
            cancel: None,
            pending_text: String::new(),
            pending_reasoning: String::new(),
            flush_scheduled: false,
            user_attachments: match &start {
                Start::Send(_, draft) => Draft {
                    text: String::new(),
                    images: draft.images.clone(),
                    resources: draft.resources.clone(),
                },
                Start::Retry(_) => Draft::default(),
            },
        });
        self.chat.sender().emit(match start {
            Start::Send(request, draft) => ChatWorkerInput::Send(Box::new(request), draft),
            Start::Retry(id) => ChatWorkerInput::Retry(id),
        });
    }

    /// Applies what the chat worker reports of the running turn.
    pub(super) fn on_chat(
        &mut self,
        widgets: &ConversationViewWidgets,
        progress: ChatWorkerOutput,
        sender: &ComponentSender<Self>,
    ) {
        match progress {
            ChatWorkerOutput::Created(conversation) => {
                if let Some(s) = self.streaming.as_mut() {
                    s.conversation_id = Some(conversation.id);
                }
                if self.shown.is_none() {
                    self.drafts.created(conversation.id);
                    self.shown = Some(conversation.id);
                    self.target = ConversationTarget::Existing(conversation.id);
                }
                let _ = sender.output(ConversationViewOutput::Created(conversation));
            }
            ChatWorkerOutput::Started(cancel) => {
                let mut edit_started = false;
                if let Some(s) = self.streaming.as_mut() {
                    s.cancel = Some(cancel);
                    edit_started = s.replaces.is_some() && s.replaces == self.editing;
                }
                // The edit is sent: the composer gets its draft back.
                if edit_started {
                    self.cancel_edit();
                }
                let _ = sender.output(ConversationViewOutput::Stored);
            }
            ChatWorkerOutput::Event(event) => self.on_turn_event(widgets, event, sender),
            ChatWorkerOutput::SendFailed(error, draft) => {
                self.set_idle(sender);
                let _ = sender.output(ConversationViewOutput::Toast(error));
                if let Some(draft) = draft {
                    self.composer.sender().emit(ComposerInput::Restore(draft));
                }
            }
            ChatWorkerOutput::LimitRefused(explanation, draft) => {
                // A refused regeneration is sent again by Send Anyway.
                self.refused_regenerate =
                    self.streaming.as_ref().and_then(|s| s.regenerating.clone());
                self.set_idle(sender);
                let _ = sender.output(ConversationViewOutput::LimitRefused(explanation, draft));
            }
        }
    }

    /// Applies one event of the running turn.
    pub(super) fn on_turn_event(
        &mut self,
        widgets: &ConversationViewWidgets,
        event: TurnEvent,
        sender: &ComponentSender<Self>,
    ) {
        let visible = self.turn_is_visible();
        match event {
            TurnEvent::UserMessageSaved(m) => {
                if visible {
                    let attached = self
                        .streaming
                        .as_mut()
                        .map(|s| std::mem::take(&mut s.user_attachments))
                        .unwrap_or_default();
                    let siblings = self.take_replaced(Role::User, m.id);
                    let mut row = MessageRow::new(m);
                    row.set_images(attached.images);
                    row.set_resources(attached.resources);
                    row.set_siblings(siblings);
                    self.messages.push(row);
                }
            }
            TurnEvent::AssistantStarted(m) => {
                if visible {
                    let siblings = self.take_replaced(Role::Assistant, m.id);
                    let mut row = MessageRow::new(m);
                    row.set_siblings(siblings);
                    self.messages.push(row);
                }
            }
            TurnEvent::TextDelta(t) => {
                if let Some(s) = self.streaming.as_mut() {
                    s.pending_text.push_str(&t);
                }
                self.schedule_flush(widgets, sender);
            }
            TurnEvent::ReasoningDelta(t) => {
                if let Some(s) = self.streaming.as_mut() {
                    s.pending_reasoning.push_str(&t);
                }
                self.schedule_flush(widgets, sender);
            }
            // Reported as ConversationViewCommand::Created by the turn's task.
            TurnEvent::ConversationCreated(_) | TurnEvent::Usage(_) => {}
            TurnEvent::UsageRecorded(record) => {
                if visible {
                    self.add_usage(record);
                }
            }
            TurnEvent::LimitAlerts(alerts) => alert_limits(&alerts, sender),
            TurnEvent::Queued { wait_ms } => {
                let seconds = wait_ms.div_ceil(1000).to_string();
                toast(
                    sender,
                    &crate::i18n::gettext_f(
                        "Waiting {seconds} s for the provider's rate limit…",
                        &[("seconds", &seconds)],
                    ),
                );
            }
            TurnEvent::SoftLimitWarnings(warnings) => {
                for w in warnings {
                    toast(
                        sender,
                        &crate::i18n::gettext_f(
                            "This reply may go over {limit} ({spent} of {amount} spent).",
                            &[
                                ("limit", &valechat_core::chat::limit_name(&w.limit)),
                                ("spent", &valechat_core::format::format_usd(w.spent)),
                                (
                                    "amount",
                                    &valechat_core::format::format_usd(w.limit.amount_usd),
                                ),
                            ],
                        ),
                    );
                }
            }
            TurnEvent::RoundFinished(m) => self.finish_round(&m),
            TurnEvent::ToolCallProposed { call, tool } => {
                if visible {
                    self.update_tool_call(call, tool.map(|t| t.server_name));
                }
            }
            TurnEvent::ToolCallRunning(call) | TurnEvent::ToolCallFinished(call) => {
                if visible {
                    self.update_tool_call(call, None);
                }
            }
            TurnEvent::ToolCallProgress { id, progress } => {
                if visible && let Some(i) = self.messages.rposition(|row| row.has_tool_call(id)) {
                    self.messages
                        .update(i, |row| row.set_tool_progress(id, progress));
                }
            }
            TurnEvent::Finished(m) => self.end_turn(Some(&m), None, sender),
            TurnEvent::Failed { message, error } => {
                // The toast says what happened; the row keeps the server's
                // words as a detail under it.
                let error = error.user_error();
                toast(sender, &error.sentence);
                self.end_turn(message.as_ref(), Some(error.stored()), sender);
            }
        }
    }

    /// Whether the streaming reply belongs to the conversation on screen.
    fn turn_is_visible(&self) -> bool {
        let current = self.shown;
        self.streaming
            .as_ref()
            .is_some_and(|s| s.conversation_id.is_none() || s.conversation_id == current)
    }

    fn schedule_flush(
        &mut self,
        widgets: &ConversationViewWidgets,
        sender: &ComponentSender<Self>,
    ) {
        let Some(s) = self.streaming.as_mut() else {
            return;
        };
        if s.flush_scheduled {
            return;
        }
        s.flush_scheduled = true;
        let sender = sender.clone();
        widgets.scroller.add_tick_callback(move |_, _| {
            sender.input(ConversationViewInput::FlushStream);
            gtk::glib::ControlFlow::Break
        });
    }

    /// Moves text collected since the last frame into the streaming row.
    pub(super) fn flush_stream(&mut self) {
        let visible = self.turn_is_visible();
        let Some(s) = self.streaming.as_mut() else {
            return;
        };
        s.flush_scheduled = false;
        if s.pending_text.is_empty() && s.pending_reasoning.is_empty() {
            return;
        }
        let text = std::mem::take(&mut s.pending_text);
        let reasoning = std::mem::take(&mut s.pending_reasoning);
        if !visible {
            return;
        }
        if let Some(last) = self.messages.last() {
            self.messages.update(last, |row| {
                row.push_text(&text);
                row.push_reasoning(&reasoning);
            });
        }
    }

    /// Ends the turn: the last row takes the stored final state.
    fn end_turn(
        &mut self,
        message: Option<&Message>,
        error: Option<String>,
        sender: &ComponentSender<Self>,
    ) {
        self.flush_stream();
        let visible = self.turn_is_visible();
        self.set_idle(sender);
        if visible && let Some(last) = self.messages.last() {
            self.messages.update(last, |row| match message {
                Some(m) if row.id == m.id => row.set_message(m),
                None if row.id != 0 => {
                    if let Some(e) = error {
                        row.set_failed(e);
                    }
                }
                _ => {}
            });
        }
    }

    /// A model request of the turn ended in tool calls: its row takes the
    /// stored state while the turn goes on.
    fn finish_round(&mut self, message: &Message) {
        self.flush_stream();
        if !self.turn_is_visible() {
            return;
        }
        if let Some(last) = self.messages.last() {
            self.messages.update(last, |row| {
                if row.id == message.id {
                    row.set_message(message);
                }
            });
        }
    }

    /// Stops the running reply (the partial text is kept, marked incomplete).
    pub(super) fn stop(&mut self) {
        if let Some(cancel) = self.streaming.as_ref().and_then(|s| s.cancel.as_ref()) {
            cancel.cancel();
        }
    }
}

/// Shows `text` in a toast (through the window).
fn toast(sender: &ComponentSender<ConversationView>, text: &str) {
    let _ = sender.output(ConversationViewOutput::Toast(text.to_owned()));
}

/// Thresholds crossed for the first time: a desktop notification each
/// (see `ui::notify`), and a toast while the window is in front.
fn alert_limits(
    alerts: &[valechat_core::ledger::LimitAlert],
    sender: &ComponentSender<ConversationView>,
) {
    if let Some(app) = relm4::main_application().downcast_ref::<relm4::adw::Application>() {
        crate::ui::notify::notify_alerts(app, alerts);
    }
    for alert in alerts {
        toast(
            sender,
            &crate::i18n::gettext_f(
                "{limit} is at {percent} % ({spent} of {amount}).",
                &[
                    ("limit", &valechat_core::chat::limit_name(&alert.limit)),
                    ("percent", &alert.threshold.to_string()),
                    ("spent", &valechat_core::format::format_usd(alert.spent)),
                    (
                        "amount",
                        &valechat_core::format::format_usd(alert.limit.amount_usd),
                    ),
                ],
            ),
        );
    }
}
