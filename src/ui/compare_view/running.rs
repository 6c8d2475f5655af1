//! The compare view's running side: the chooser shown for a draft, the
//! comparison started for the models ticked, the worker's events and the
//! columns' text redrawn once per frame.

use super::*;

impl CompareView {
    /// Shows the chooser for `draft` and reads the models to offer.
    pub(super) fn start(
        &mut self,
        widgets: &CompareViewWidgets,
        target: ConversationTarget,
        draft: Draft,
        sender: &ComponentSender<Self>,
    ) {
        widgets.prompt.set_label(draft.text.trim());
        widgets.show_step(true);
        self.target = target;
        self.draft = Some(draft);
        self.conversation = None;
        self.cancel = None;
        self.running = 0;
        self.columns.clear();
        if let Some(engine) = self.engine.clone() {
            sender.oneshot_command(async move {
                CompareViewCommand::Choices(chooser::load(engine).await)
            });
        }
    }

    /// Starts the comparison of the models ticked; `anyway`: once over a
    /// hard spending limit ("Send Anyway").
    pub(super) fn run(
        &mut self,
        widgets: &mut CompareViewWidgets,
        anyway: bool,
        sender: &ComponentSender<Self>,
    ) {
        let models: Vec<(String, String)> = self
            .choices
            .iter()
            .zip(&self.chosen)
            .filter(|(_, chosen)| **chosen)
            .map(|((provider, model), _)| (provider.id.clone(), model.clone()))
            .collect();
        if !(2..=MAX_COLUMNS).contains(&models.len()) {
            return;
        }
        let Some(draft) = self.draft.clone() else {
            return;
        };
        // The columns, in a fresh layout.
        widgets.columns_box.remove(&widgets.layout.root);
        widgets.layout = Layout::new(models.len());
        widgets.columns_box.append(&widgets.layout.root);
        self.columns = models
            .iter()
            .enumerate()
            .map(|(index, (provider, model))| {
                let provider_name = self
                    .choices
                    .iter()
                    .find(|(p, _)| &p.id == provider)
                    .map_or(provider.as_str(), |(p, _)| p.name.as_str())
                    .to_owned();
                let input = sender.input_sender().clone();
                let column = ColumnWidgets::new(model, &provider_name, move || {
                    input.emit(CompareViewInput::Continue(index));
                });
                widgets.layout.add(&column, model);
                Column {
                    text: String::new(),
                    widgets: column,
                    summary: None,
                }
            })
            .collect();
        widgets.show_step(false);
        self.running = models.len();
        let request = CompareRequest {
            conversation: self.target.clone(),
            input: UserInput {
                text: draft.text,
                images: draft.images,
                resources: draft.resources,
            },
            models,
            options: SendOptions {
                allow_over_limit: anyway,
            },
        };
        self.worker.emit(CompareWorkerInput::Run(Box::new(request)));
    }

    /// Applies what the worker reports.
    pub(super) fn on_worker(
        &mut self,
        widgets: &CompareViewWidgets,
        progress: CompareWorkerOutput,
        sender: &ComponentSender<Self>,
        root: &gtk::Box,
    ) {
        match progress {
            CompareWorkerOutput::Started(conversation, created, _user, cancel) => {
                // The prompt is stored: nothing to give back any more.
                self.draft = None;
                self.conversation = Some(conversation.id);
                self.cancel = Some(cancel);
                if created {
                    let _ = sender.output(CompareViewOutput::Created(conversation));
                }
            }
            CompareWorkerOutput::Refused(error) => {
                self.running = 0;
                widgets.show_step(true);
                let _ = sender.output(CompareViewOutput::Toast(error));
            }
            CompareWorkerOutput::LimitRefused(explanation) => {
                self.running = 0;
                widgets.show_step(true);
                refusal::ask_send_anyway(root, &explanation, sender);
            }
            CompareWorkerOutput::Event(CompareEvent::Turn { column, event }) => {
                let Some(c) = self.columns.get_mut(column) else {
                    return;
                };
                if let TurnEvent::TextDelta(delta) = event {
                    if c.text.is_empty() {
                        c.widgets.set_streaming();
                    }
                    c.text.push_str(&delta);
                    self.schedule_flush(sender, root);
                }
            }
            CompareWorkerOutput::Event(CompareEvent::Done { column, summary }) => {
                let Some(c) = self.columns.get_mut(column) else {
                    return;
                };
                let error = summary.error.as_ref().map(|e| e.user_message());
                c.widgets.set_text(&c.text);
                c.widgets.set_done(&summary, error.as_deref());
                c.summary = Some(*summary);
                self.running = self.running.saturating_sub(1);
                if self.running == 0 {
                    self.cancel = None;
                }
            }
        }
    }

    /// Shows the text received at the next frame (once per frame).
    pub(super) fn schedule_flush(&mut self, sender: &ComponentSender<Self>, root: &gtk::Box) {
        if self.flush_scheduled {
            return;
        }
        self.flush_scheduled = true;
        let input = sender.input_sender().clone();
        root.add_tick_callback(move |_, _| {
            input.emit(CompareViewInput::Flush);
            gtk::glib::ControlFlow::Break
        });
    }
}
